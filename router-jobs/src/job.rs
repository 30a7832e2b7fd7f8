//! The foreground's handle of a job: its state, its callbacks, its result,
//! and futures that resolve when it is done.

use std::fmt;
use std::rc::Rc;

use crate::core::{JobCore, JobId, LiveJob};
use crate::future::{Done, JobResult};
use crate::{JobError, JobState};

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
