//! Where jobs run: a pool of worker threads, as a small trait, with a
//! fixed pool of our own and adapters for rayon and tokio.

mod threads;

#[cfg(feature = "rayon")]
mod rayon;
#[cfg(feature = "tokio")]
mod tokio;

use std::fmt;

pub use threads::ThreadPool;

/// One job's work, for a [`Pool`] to run once on one of its threads.
pub struct Task(Box<dyn FnOnce() + Send>);

impl Task {
    pub(crate) fn new(work: impl FnOnce() + Send + 'static) -> Self {
        Self(Box::new(work))
    }

    /// Runs the task. A job's task catches its body's panic, so this
    /// returns unless the frame around the body itself panics.
    pub fn run(self) {
        (self.0)();
    }
}

impl fmt::Debug for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task").finish_non_exhaustive()
    }
}

/// A pool of worker threads that runs an executor's jobs.
///
/// # Contract
///
/// For pool authors: `execute` **must not** run the task on the calling
/// thread (the foreground, which routes the job's messages) and **must
/// not** block waiting for a thread; it runs it later on a worker thread,
/// or hands it back when the pool is shut down. A task that is dropped
/// unrun fails its job as lost, it does not hang it (J5).
pub trait Pool {
    /// Runs `task` on a worker thread, some time later.
    ///
    /// # Errors
    ///
    /// The task, back, when the pool takes no more work.
    fn execute(&self, task: Task) -> Result<(), Task>;
}

impl<P: Pool + ?Sized> Pool for std::sync::Arc<P> {
    fn execute(&self, task: Task) -> Result<(), Task> {
        (**self).execute(task)
    }
}

impl<P: Pool + ?Sized> Pool for std::rc::Rc<P> {
    fn execute(&self, task: Task) -> Result<(), Task> {
        (**self).execute(task)
    }
}
