//! A fixed pool of worker threads that needs nothing more.

use std::io;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};

use super::{Pool, Task};

/// A fixed pool of worker threads: as many as
/// [`available_parallelism`](std::thread::available_parallelism) says, or
/// as asked. Tasks wait in one queue, taken in order by whichever thread
/// is free.
///
/// Dropping the pool lets its threads finish the tasks queued and then
/// end; it does not wait for them (as rayon's pool does not).
///
/// ```
/// use router_jobs::ThreadPool;
/// let pool = ThreadPool::with_threads(2)?;
/// assert_eq!(pool.threads(), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ThreadPool {
    queue: Option<Sender<Task>>,
    threads: Vec<JoinHandle<()>>,
}

impl ThreadPool {
    /// A pool of one thread per core the system says this process may
    /// use (one if it cannot tell).
    ///
    /// # Errors
    ///
    /// When the system refuses a thread.
    pub fn new() -> io::Result<Self> {
        let threads = thread::available_parallelism().map_or(1, NonZeroUsize::get);
        Self::with_threads(threads)
    }

    /// A pool of `threads` threads (at least one).
    ///
    /// # Errors
    ///
    /// When the system refuses a thread; those made end.
    pub fn with_threads(threads: usize) -> io::Result<Self> {
        let (queue, tasks) = crossbeam_channel::unbounded();
        let mut pool = Self {
            queue: Some(queue),
            threads: Vec::new(),
        };
        for number in 0..threads.max(1) {
            let tasks: Receiver<Task> = tasks.clone();
            let thread = thread::Builder::new()
                .name(format!("router-jobs-{number}"))
                .spawn(move || serve(&tasks))?;
            pool.threads.push(thread);
        }
        Ok(pool)
    }

    /// How many threads the pool has.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads.len()
    }
}

/// A worker thread: runs tasks until the queue is closed and empty.
fn serve(tasks: &Receiver<Task>) {
    for task in tasks {
        // A job catches its body's panic; this keeps the thread for the
        // next task whatever panics.
        if panic::catch_unwind(AssertUnwindSafe(|| task.run())).is_err() {
            tracing::error!("a task panicked outside its job's body; the pool thread goes on");
        }
    }
}

impl Pool for ThreadPool {
    fn execute(&self, task: Task) -> Result<(), Task> {
        match &self.queue {
            Some(queue) => queue.send(task).map_err(|error| error.into_inner()),
            None => Err(task),
        }
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        // Closing the queue ends each thread once the queue is empty.
        self.queue = None;
    }
}
