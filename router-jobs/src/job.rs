//! The foreground's handle of a job: its state, its callbacks, its result,
//! and a future that resolves when it is done.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::rc::{Rc, Weak};
use std::task::Waker;

use router_api::{BoxError, MessageReceiver, SenderEnd};

use crate::future::{Done, JobResult};
use crate::machine::{Event, Finish, Machine, Step};
use crate::{Carries, JobError, JobState, Outcome};

/// A job's number, unique within its executor.
pub type JobId = u64;

/// What the executor keeps of a live job, whatever its types.
pub(crate) trait LiveJob {
    /// As [`Job::cancel`].
    fn cancel(&self) -> bool;
    /// The executor is gone: the job's pipes close and it ends cancelled.
    fn abandon(&self);
}

/// What a job tells its executor.
pub(crate) trait Registry {
    /// Job `id` is done: it is not live any more.
    fn job_done(&self, id: JobId);
}

/// The result of a job, once its last word came.
enum Slot<T, E> {
    /// No last word yet.
    Empty,
    /// The body's value or error, kept until the job is done (a later
    /// cancel discards it).
    Pending(Result<T, JobError<E>>),
    /// The job is done: its result, to take once.
    Ready(Result<T, JobError<E>>),
    /// Taken.
    Taken,
}

/// The receivers of a job's pipes, kept open while it is live: dropping
/// one closes its pipe (D1).
#[derive(Default)]
struct Pipes {
    #[expect(dead_code, reason = "held only to be dropped: that closes the pipe")]
    outcome: Option<Box<dyn Any>>,
    #[expect(dead_code, reason = "held only to be dropped: that closes the pipe")]
    report: Option<Box<dyn Any>>,
    /// Closed first, on cancel: the worker's signal (C1).
    cancel: Option<Box<dyn Any>>,
}

type StateListener = Rc<dyn Fn(JobState)>;
type DoneListener = Box<dyn FnOnce(JobState)>;
type ReportListener<R> = Rc<dyn Fn(&R)>;

/// One job's state on the foreground, shared by its handle, its executor
/// and the listeners of its pipes.
pub(crate) struct JobCore<T, E, R> {
    pub(crate) id: JobId,
    pub(crate) machine: RefCell<Machine>,
    result: RefCell<Slot<T, E>>,
    on_state: RefCell<Vec<StateListener>>,
    on_done: RefCell<Vec<DoneListener>>,
    on_report: RefCell<Vec<ReportListener<R>>>,
    pub(crate) wakers: RefCell<Vec<Waker>>,
    pipes: RefCell<Pipes>,
    executor: Weak<dyn Registry>,
}

impl<T: 'static, E: 'static, R: 'static> JobCore<T, E, R> {
    pub(crate) fn new(id: JobId, reports: bool, executor: Weak<dyn Registry>) -> Rc<Self> {
        Rc::new(Self {
            id,
            machine: RefCell::new(Machine::new(reports)),
            result: RefCell::new(Slot::Empty),
            on_state: RefCell::default(),
            on_done: RefCell::default(),
            on_report: RefCell::default(),
            wakers: RefCell::default(),
            pipes: RefCell::default(),
            executor,
        })
    }

    /// Connects the job to the receivers of its pipes and keeps them.
    pub(crate) fn attach<M, Rx>(self: &Rc<Self>, outcome: Rx, report: Option<Rx>, cancel: Rx)
    where
        M: Carries<Outcome<T, E>> + Carries<R>,
        Rx: MessageReceiver<M> + 'static,
    {
        let weak = Rc::downgrade(self);
        outcome.connect({
            let weak = weak.clone();
            move |message: &M| {
                if let Some(core) = weak.upgrade() {
                    core.on_outcome(<M as Carries<Outcome<T, E>>>::unpack(message));
                }
            }
        });
        outcome.on_end({
            let weak = weak.clone();
            move |end: &SenderEnd| {
                if let Some(core) = weak.upgrade() {
                    core.apply(Event::OutcomeEnded(*end));
                }
            }
        });
        if let Some(report) = &report {
            report.connect({
                let weak = weak.clone();
                move |message: &M| {
                    if let Some(core) = weak.upgrade() {
                        core.on_report_message(<M as Carries<R>>::unpack(message));
                    }
                }
            });
            report.on_end(move |_: &SenderEnd| {
                if let Some(core) = weak.upgrade() {
                    core.apply(Event::ReportEnded);
                }
            });
        }
        *self.pipes.borrow_mut() = Pipes {
            outcome: Some(Box::new(outcome)),
            report: report.map(|report| Box::new(report) as Box<dyn Any>),
            cancel: Some(Box::new(cancel)),
        };
    }

    fn state(&self) -> JobState {
        self.machine.borrow().state()
    }

    fn on_outcome(&self, said: Result<Outcome<T, E>, BoxError>) {
        let (finish, result) = match said {
            Ok(Outcome::Started) => {
                self.apply(Event::Started);
                return;
            }
            Ok(Outcome::Returned(value)) => (Finish::Returned, Ok(value)),
            Ok(Outcome::Raised(error)) => (Finish::Raised, Err(JobError::Failed(error))),
            Ok(Outcome::Panicked(message)) => (Finish::Raised, Err(JobError::Panicked(message))),
            Ok(Outcome::Abandoned) => {
                self.apply(Event::Finished(Finish::Abandoned));
                return;
            }
            Err(error) => {
                tracing::warn!(job = self.id, %error, "a job's word cannot be read; the job fails");
                (Finish::Raised, Err(JobError::BadMessage(error)))
            }
        };
        let unused = {
            let mut slot = self.result.borrow_mut();
            match &*slot {
                Slot::Empty if !self.state().is_done() => {
                    *slot = Slot::Pending(result);
                    None
                }
                _ => Some(result),
            }
        };
        // A second last word, or one after the job was done: dropped with
        // no borrow held (its drop is the user's code).
        drop(unused);
        self.apply(Event::Finished(finish));
    }

    fn on_report_message(&self, report: Result<R, BoxError>) {
        // Nothing sent after a cancel reaches a listener (J4).
        if !self.state().can_cancel() {
            return;
        }
        match report {
            Ok(report) => {
                let listeners = self.on_report.borrow().clone();
                for listener in listeners {
                    listener(&report);
                }
            }
            Err(error) => {
                tracing::warn!(job = self.id, %error, "a job's report cannot be read; it is dropped");
            }
        }
    }

    /// Feeds `event` to the state machine and does what the step says:
    /// closes the cancel pipe on a cancel, settles the result and closes
    /// the pipes when done, then runs the callbacks. Returns whether a
    /// cancel took effect.
    fn apply(&self, event: Event) -> bool {
        let step = self.machine.borrow_mut().apply(event);
        if step.cancelled {
            let cancel = self.pipes.borrow_mut().cancel.take();
            drop(cancel);
        }
        if step.done {
            self.settle(&step);
        }
        for state in &step.entered {
            let listeners = self.on_state.borrow().clone();
            for listener in listeners {
                listener(*state);
            }
        }
        if step.done {
            self.finish();
        }
        step.cancelled
    }

    /// The job is done: its result is what its final state says, and its
    /// pipes close.
    fn settle(&self, step: &Step) {
        let state = self.state();
        let discarded = {
            let mut slot = self.result.borrow_mut();
            let pending = match std::mem::replace(&mut *slot, Slot::Empty) {
                Slot::Pending(result) => Some(result),
                Slot::Empty | Slot::Ready(_) | Slot::Taken => None,
            };
            let (result, discarded) = match (state, pending) {
                (JobState::Cancelled, pending) => (Err(JobError::Cancelled), pending),
                (_, Some(result)) => (result, None),
                (_, None) => (
                    Err(JobError::Lost(step.lost.unwrap_or(SenderEnd::Lost))),
                    None,
                ),
            };
            *slot = Slot::Ready(result);
            discarded
        };
        drop(discarded);
        let pipes = std::mem::take(&mut *self.pipes.borrow_mut());
        drop(pipes);
    }

    /// Runs the done callbacks once, wakes the futures, and tells the
    /// executor.
    fn finish(&self) {
        let state = self.state();
        let callbacks = std::mem::take(&mut *self.on_done.borrow_mut());
        for callback in callbacks {
            callback(state);
        }
        let wakers = std::mem::take(&mut *self.wakers.borrow_mut());
        for waker in wakers {
            waker.wake();
        }
        if let Some(executor) = self.executor.upgrade() {
            executor.job_done(self.id);
        }
    }

    pub(crate) fn take_result(&self) -> Option<Result<T, JobError<E>>> {
        let mut slot = self.result.borrow_mut();
        match std::mem::replace(&mut *slot, Slot::Taken) {
            Slot::Ready(result) => Some(result),
            Slot::Taken => None,
            other => {
                *slot = other;
                None
            }
        }
    }
}

impl<T: 'static, E: 'static, R: 'static> LiveJob for JobCore<T, E, R> {
    fn cancel(&self) -> bool {
        self.apply(Event::Cancel)
    }

    fn abandon(&self) {
        if self.state().is_done() {
            return;
        }
        if self.state().can_cancel() {
            self.apply(Event::Cancel);
        }
        // No last word can come now: the pipes close.
        self.apply(Event::OutcomeEnded(SenderEnd::Lost));
    }
}

/// A job on the foreground thread: its state, its callbacks, its result.
///
/// Made by an [`Executor`](crate::Executor)'s `submit_*`; `T` is the
/// body's value, `E` its error, `R` what it reports (progress, or items;
/// `()` for a call). The handle is neither `Send` nor `Sync`: it lives on
/// the foreground thread, where its callbacks run, as the router routes
/// the job's messages.
///
/// Dropping the handle detaches the job: it runs on, its executor keeps
/// it live (for [`Executor::stop`](crate::Executor::stop) and
/// [`shutdown`](crate::Executor::shutdown)) until it is done, and its
/// result is dropped. Cancel it first to stop it.
pub struct Job<T, E, R = ()> {
    core: Rc<JobCore<T, E, R>>,
}

impl<T: 'static, E: 'static, R: 'static> Job<T, E, R> {
    pub(crate) fn new(core: Rc<JobCore<T, E, R>>) -> Self {
        Self { core }
    }

    /// The job's number in its executor.
    #[must_use]
    pub fn id(&self) -> JobId {
        self.core.id
    }

    /// Where the job is now.
    #[must_use]
    pub fn state(&self) -> JobState {
        self.core.state()
    }

    /// Whether the job is done: completed, failed or cancelled.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.state().is_done()
    }

    /// Cancels the job, if it is waiting or running, and says whether it
    /// was (J4); never panics, whatever the timing. A waiting job's body
    /// never runs; a running one's next check, report or item returns
    /// [`Cancelled`](crate::Cancelled), and nothing it sends or returns
    /// after this call reaches a listener or the result. The job is
    /// [`Cancelling`](JobState::Cancelling) until its worker is done with
    /// it, then [`Cancelled`](JobState::Cancelled).
    pub fn cancel(&self) -> bool {
        LiveJob::cancel(&*self.core)
    }

    /// Calls `listener` with each state the job enters from now on, in
    /// order, on the foreground thread.
    pub fn on_state(&self, listener: impl Fn(JobState) + 'static) {
        self.core.on_state.borrow_mut().push(Rc::new(listener));
    }

    /// Calls `callback` once, with the final state, when the job is done;
    /// at once if it is done already.
    pub fn on_done(&self, callback: impl FnOnce(JobState) + 'static) {
        let state = self.state();
        if state.is_done() {
            callback(state);
        } else {
            self.core.on_done.borrow_mut().push(Box::new(callback));
        }
    }

    /// Calls `listener` with each report (a progress value, or an item)
    /// the job sends from now on, in order, until it is done or
    /// cancelled.
    pub fn on_report(&self, listener: impl Fn(&R) + 'static) {
        self.core.on_report.borrow_mut().push(Rc::new(listener));
    }

    /// Takes the job's result, once it is done: `None` before that, and
    /// after it was taken (it is taken once).
    pub fn take_result(&self) -> Option<Result<T, JobError<E>>> {
        self.core.take_result()
    }

    /// A future that resolves, with the final state, when the job is
    /// done: for code that awaits on the foreground thread (a tokio
    /// `LocalSet`, a glib `MainContext`).
    #[must_use]
    pub fn done(&self) -> Done<T, E, R> {
        Done::new(Rc::clone(&self.core))
    }

    /// A future that resolves when the job is done, with its result
    /// (taken: [`JobError::Taken`] if it was taken before).
    #[must_use]
    pub fn result(&self) -> JobResult<T, E, R> {
        JobResult::new(Rc::clone(&self.core))
    }
}

impl<T, E, R> fmt::Debug for Job<T, E, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.core.id)
            .field("state", &self.core.machine.borrow().state())
            .finish()
    }
}
