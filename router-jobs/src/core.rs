//! One job's state on the foreground, shared by its handle, its executor
//! and the listeners of its pipes: the state machine fed by the worker's
//! words, the callbacks, the result, and the pipes it keeps open.

use std::any::Any;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::task::Waker;

use router_api::{BoxError, MessageReceiver, SenderEnd};

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
    pub(crate) on_state: RefCell<Vec<StateListener>>,
    pub(crate) on_done: RefCell<Vec<DoneListener>>,
    pub(crate) on_report: RefCell<Vec<ReportListener<R>>>,
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

    pub(crate) fn state(&self) -> JobState {
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
    pub(crate) fn apply(&self, event: Event) -> bool {
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
