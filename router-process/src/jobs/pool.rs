//! The parent's side: child processes that serve jobs, each job's request
//! written to one child's standard input, and each child watched, so that
//! the jobs it never started fail as lost when it dies.

use std::fmt;
use std::io::{self, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use router_api::{MessageSender, TimedOut};
use router_jobs::{JobSenders, Pool, Task, ThreadPool};

use crate::jobs::carrier::JobWire;
use crate::jobs::request::{GREETING, Order, Request};
use crate::jobs::shipped::{Heard, Shipped};
use crate::sender::ProcessSender;

/// Child processes that run jobs: the [`Pool`] of an executor whose jobs
/// are submitted by name ([`ChildJobs`](crate::jobs::ChildJobs)).
///
/// Each child is the command given to [`spawn`](Self::spawn), which
/// calls [`serve`](crate::jobs::serve) with its
/// [`JobRegistry`](crate::jobs::JobRegistry); its standard input is the
/// pool's, and carries each job's request: its name, its arguments and
/// the tokens of its pipes, from which the child rebuilds their senders.
/// Jobs go to the children in turn. As the executor's pool, its one
/// thread writes the requests; a closure submitted with router-jobs' own
/// `submit_call` runs on that thread, in this process.
///
/// A child that dies (killed, or crashed) fails its jobs as lost
/// ([`JobError::Lost`](router_jobs::JobError::Lost)): those it had
/// started as their connections break, and those it had not as soon as
/// the pool sees it gone (it waits for each child on a thread of its
/// own), so no job waits for a child that is gone. Later jobs go to the
/// children still running; with none left, the executor refuses them
/// ([`SubmitError::PoolClosed`](router_jobs::SubmitError::PoolClosed)).
///
/// Clones share the children. [`close`](Self::close), or dropping the
/// last clone (the executor holds one), closes their standard input: each
/// runs the jobs it has, then exits.
#[derive(Clone)]
pub struct ChildPool {
    inner: Arc<Inner>,
}

struct Inner {
    /// Runs the executor's tasks: each writes one request.
    dispatch: ThreadPool,
    children: Arc<Children>,
}

/// The children, shared with the tasks that write to them and the threads
/// that wait for them.
pub(crate) struct Children {
    slots: Vec<Arc<Slot>>,
    /// The child the next job tries first.
    next: AtomicUsize,
    exits: Exits,
}

/// One child.
struct Slot {
    pid: u32,
    /// Whether it takes jobs: its standard input is open. Read without
    /// the lock, which a write to a slow child holds.
    open: AtomicBool,
    state: Mutex<SlotState>,
}

struct SlotState {
    /// Where its requests go; `None` once it takes no more.
    stdin: Option<ChildStdin>,
    /// The jobs written to it that the foreground had not heard of when
    /// they were written (pruned as they end).
    shipped: Vec<Shipped>,
}

/// How many children have exited, for [`ChildPool::wait`].
#[derive(Default)]
struct Exits {
    count: Mutex<usize>,
    changed: Condvar,
}

impl ChildPool {
    /// Starts `children` processes of `command`, its standard input made a
    /// pipe of the pool's, and a thread that waits for each.
    ///
    /// `command` must run [`serve`](crate::jobs::serve) (in its `main`,
    /// behind an argument of its own, say); its standard output and error
    /// are the command's, as set.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] for no children; the system's error
    /// when a process or a thread cannot start (the children started
    /// already are killed, or told to exit).
    pub fn spawn(command: &mut Command, children: usize) -> io::Result<Self> {
        if children == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a pool of child processes needs at least one",
            ));
        }
        let dispatch = ThreadPool::with_threads(1)?;
        command.stdin(Stdio::piped());
        let mut spawned: Vec<Child> = Vec::with_capacity(children);
        for _ in 0..children {
            match command.spawn() {
                Ok(child) => spawned.push(child),
                Err(error) => {
                    for mut child in spawned {
                        let _ = child.kill();
                        let _ = child.wait();
                    }
                    return Err(error);
                }
            }
        }
        let slots: Vec<Arc<Slot>> = spawned.iter_mut().map(Slot::new).collect();
        let children = Arc::new(Children {
            slots,
            next: AtomicUsize::new(0),
            exits: Exits::default(),
        });
        for (number, child) in spawned.into_iter().enumerate() {
            let waiting = Arc::clone(&children);
            // Named by pid, so a thread dump shows which child it waits for.
            let waiter = thread::Builder::new()
                .name(format!("child-{}", child.id()))
                .spawn(move || waiting.wait_for(number, child));
            if let Err(error) = waiter {
                // Their standard input closed, the children exit.
                children.close();
                return Err(error);
            }
        }
        Ok(Self {
            inner: Arc::new(Inner { dispatch, children }),
        })
    }

    /// The process ids of the children, in the order they were started
    /// (those that exited included).
    #[must_use]
    pub fn pids(&self) -> Vec<u32> {
        self.inner
            .children
            .slots
            .iter()
            .map(|slot| slot.pid)
            .collect()
    }

    /// How many children still take jobs: not closed, and not found
    /// gone.
    #[must_use]
    pub fn open(&self) -> usize {
        self.inner.children.open()
    }

    /// Closes every child's standard input: each runs the jobs it has,
    /// then exits. The pool takes no more jobs.
    pub fn close(&self) {
        self.inner.children.close();
    }

    /// Waits until every child has exited (after [`close`](Self::close),
    /// or killed), at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`TimedOut`] when a child still runs after `timeout`.
    pub fn wait(&self, timeout: Duration) -> Result<(), TimedOut> {
        let children = &self.inner.children;
        let deadline = Instant::now().checked_add(timeout);
        let mut exited = lock(&children.exits.count);
        while *exited < children.slots.len() {
            exited = match deadline {
                None => children
                    .exits
                    .changed
                    .wait(exited)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(TimedOut::after(timeout));
                    }
                    children
                        .exits
                        .changed
                        .wait_timeout(exited, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
        Ok(())
    }

    /// The children, for a task that writes a request.
    pub(crate) fn children(&self) -> Arc<Children> {
        Arc::clone(&self.inner.children)
    }
}

/// The pool writes each task's request on a thread of its own, never on
/// the caller's (the foreground). It refuses tasks once no child takes
/// jobs.
impl Pool for ChildPool {
    fn execute(&self, task: Task) -> Result<(), Task> {
        if self.open() == 0 {
            return Err(task);
        }
        self.inner.dispatch.execute(task)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.children.close();
    }
}

impl fmt::Debug for ChildPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildPool")
            .field("pids", &self.pids())
            .field("open", &self.open())
            .finish()
    }
}

impl Children {
    /// Writes the job `order` asks for, with the tokens of `senders`, to
    /// a child: the next in turn that takes it. With no child taking
    /// jobs, the job fails as lost.
    pub(crate) fn ship(
        &self,
        order: Order,
        senders: JobSenders<ProcessSender<JobWire>>,
        heard: Arc<Heard>,
    ) {
        if senders.cancel.is_closed() {
            // Cancelled while it waited here: dropped un-handed, its
            // senders end its pipes, and it ends cancelled.
            return;
        }
        let request = Request::new(order, &senders);
        let shipped = Shipped {
            outcome: senders.outcome,
            heard,
        };
        let frame = match request.frame() {
            Ok(frame) => frame,
            Err(error) => {
                tracing::warn!(%error, job = %request.order.name, "a job's request cannot be written; the job fails as lost");
                return shipped.end_unclaimed();
            }
        };
        let count = self.slots.len();
        let first = self.next.fetch_add(1, Ordering::Relaxed) % count.max(1);
        let mut unsent = Some(shipped);
        for slot in self.slots.iter().cycle().skip(first).take(count) {
            slot.take(&frame, &mut unsent);
        }
        if let Some(shipped) = unsent {
            tracing::warn!(job = %request.order.name, "no child process takes jobs any more; the job fails as lost");
            shipped.end_unclaimed();
        }
    }

    fn open(&self) -> usize {
        self.slots
            .iter()
            .filter(|slot| slot.open.load(Ordering::Acquire))
            .count()
    }

    fn close(&self) {
        for slot in &self.slots {
            slot.close(&mut slot.lock());
        }
    }

    /// Waits for child `number` to exit, then fails the jobs it never took.
    fn wait_for(&self, number: usize, mut child: Child) {
        let status = child.wait();
        if let Some(slot) = self.slots.get(number) {
            slot.exited(&status);
        }
        *lock(&self.exits.count) += 1;
        self.exits.changed.notify_all();
    }
}

impl Slot {
    /// The slot of `child`, its standard input taken and greeted.
    fn new(child: &mut Child) -> Arc<Self> {
        let pid = child.id();
        let mut stdin = child.stdin.take();
        if let Some(pipe) = &mut stdin
            && let Err(error) = pipe.write_all(&GREETING)
        {
            tracing::debug!(pid, %error, "a child process of the pool is gone already");
            stdin = None;
        }
        Arc::new(Self {
            pid,
            open: AtomicBool::new(stdin.is_some()),
            state: Mutex::new(SlotState {
                stdin,
                shipped: Vec::new(),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        lock(&self.state)
    }

    /// Closes the child's standard input: it takes no more jobs.
    fn close(&self, state: &mut SlotState) {
        self.open.store(false, Ordering::Release);
        let stdin = state.stdin.take();
        drop(stdin);
    }

    /// Writes `frame` to the child and keeps the job `unsent` holds,
    /// taking it; leaves it there when the child takes no more jobs (or
    /// another child took it).
    fn take(&self, frame: &[u8], unsent: &mut Option<Shipped>) {
        if unsent.is_none() {
            return;
        }
        let mut state = self.lock();
        let Some(stdin) = &mut state.stdin else {
            return;
        };
        if let Err(error) = stdin.write_all(frame) {
            // Its end of the pipe is closed: it is gone, or going.
            tracing::debug!(pid = self.pid, %error, "a child process of the pool takes no more jobs");
            self.close(&mut state);
            return;
        }
        state.shipped.retain(|earlier| !earlier.heard.is_done());
        state.shipped.extend(unsent.take());
    }

    /// The child exited: it takes no more jobs, and those it never took
    /// fail as lost.
    fn exited(&self, status: &io::Result<ExitStatus>) {
        let shipped = {
            let mut state = self.lock();
            self.close(&mut state);
            std::mem::take(&mut state.shipped)
        };
        let lost: Vec<Shipped> = shipped
            .into_iter()
            .filter(|shipped| shipped.heard.nothing())
            .collect();
        match status {
            Ok(status) if status.success() && lost.is_empty() => {
                tracing::debug!(pid = self.pid, "a child process of the pool exited");
            }
            Ok(status) => {
                tracing::warn!(pid = self.pid, %status, lost = lost.len(), "a child process of the pool exited; the jobs it had not started fail as lost");
            }
            Err(error) => {
                tracing::warn!(pid = self.pid, %error, lost = lost.len(), "a child process of the pool cannot be waited for; the jobs it had not started fail as lost");
            }
        }
        for shipped in lost {
            shipped.end_unclaimed();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
