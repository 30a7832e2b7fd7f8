//! Futures of a job's end, for code that awaits on the foreground
//! thread ([`Job::done`](crate::Job::done), [`Job::result`](crate::Job::result)).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::core::JobCore;
use crate::{JobError, JobState};

/// Registers `cx`'s waker with `core` unless it is done.
fn poll_done<T, E, R>(core: &JobCore<T, E, R>, cx: &Context<'_>) -> Poll<JobState> {
    let state = core.machine.borrow().state();
    if state.is_done() {
        return Poll::Ready(state);
    }
    let mut wakers = core.wakers.borrow_mut();
    if !wakers.iter().any(|waker| waker.will_wake(cx.waker())) {
        wakers.push(cx.waker().clone());
    }
    Poll::Pending
}

/// Resolves with a job's final state when it is done
/// ([`Job::done`](crate::Job::done)).
pub struct Done<T, E, R> {
    core: Rc<JobCore<T, E, R>>,
}

impl<T, E, R> Done<T, E, R> {
    pub(crate) fn new(core: Rc<JobCore<T, E, R>>) -> Self {
        Self { core }
    }
}

impl<T, E, R> Future for Done<T, E, R> {
    type Output = JobState;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<JobState> {
        poll_done(&self.core, cx)
    }
}

impl<T, E, R> fmt::Debug for Done<T, E, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Done").field("job", &self.core.id).finish()
    }
}

/// Resolves with a job's result when it is done ([`Job::result`](crate::Job::result)).
pub struct JobResult<T, E, R> {
    core: Rc<JobCore<T, E, R>>,
}

impl<T, E, R> JobResult<T, E, R> {
    pub(crate) fn new(core: Rc<JobCore<T, E, R>>) -> Self {
        Self { core }
    }
}

impl<T: 'static, E: 'static, R: 'static> Future for JobResult<T, E, R> {
    type Output = Result<T, JobError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match poll_done(&self.core, cx) {
            Poll::Ready(_) => Poll::Ready(self.core.take_result().unwrap_or(Err(JobError::Taken))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T, E, R> fmt::Debug for JobResult<T, E, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobResult")
            .field("job", &self.core.id)
            .finish()
    }
}
