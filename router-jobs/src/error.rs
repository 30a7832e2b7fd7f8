//! The errors of jobs and executors.

use std::error::Error;
use std::fmt;
use std::time::Duration;

use router_api::{BoxError, PipeError, SenderEnd};

use crate::ExecutorState;

/// The job was cancelled: what a worker's check, report or item returns
/// once the foreground called [`Job::cancel`](crate::Job::cancel) (J4).
/// A body that gets it should return soon; what it returns then reaches
/// no result.
///
/// A body whose error type converts from it can use `?`:
///
/// ```
/// use router_jobs::{Cancel, Cancelled};
///
/// #[derive(Debug)]
/// enum CountError { Cancelled }
/// impl From<Cancelled> for CountError {
///     fn from(_: Cancelled) -> Self { CountError::Cancelled }
/// }
///
/// fn count(cancel: &Cancel) -> Result<u64, CountError> {
///     let mut total = 0;
///     for n in 0..1_000 {
///         cancel.check()?;
///         total += n;
///     }
///     Ok(total)
/// }
/// # let _ = count;
/// ```
///
/// With the `serde` feature it serializes, so a body that runs in a child
/// process may return it as its error too.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[error("the job was cancelled")]
pub struct Cancelled;

/// Why a job has no value to give: how it ended, when it did not complete.
#[derive(Debug)]
#[non_exhaustive]
pub enum JobError<E> {
    /// The body returned `Err` with this error (J5).
    Failed(E),
    /// The body panicked; the panic's message (J5). The executor and its
    /// pool go on working.
    Panicked(String),
    /// The worker ended without a result: its pipe's sender ended as this
    /// says (dropped by a pool that shut down, a child process killed)
    /// (J5).
    Lost(SenderEnd),
    /// The job was cancelled (J4).
    Cancelled,
    /// A message from the worker could not be read (a child process of
    /// another build, or a hostile one); the job failed.
    BadMessage(BoxError),
    /// The result was taken already: it is taken once.
    Taken,
}

impl<E: fmt::Display> fmt::Display for JobError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(error) => write!(f, "the job failed: {error}"),
            Self::Panicked(message) => write!(f, "the job panicked: {message}"),
            Self::Lost(end) => write!(f, "the job's worker was lost: {end}"),
            Self::Cancelled => f.write_str("the job was cancelled"),
            Self::BadMessage(_) => f.write_str("a message of the job's worker could not be read"),
            Self::Taken => f.write_str("the job's result was taken already"),
        }
    }
}

impl<E: Error + 'static> Error for JobError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Failed(error) => Some(error),
            Self::BadMessage(error) => Some(&**error),
            _ => None,
        }
    }
}

/// Why [`Executor`](crate::Executor) took no job.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// The executor is stopping or stopped (J7): it takes no new jobs.
    #[error("the executor is {state} and takes no new jobs")]
    NotRunning {
        /// Its state.
        state: ExecutorState,
    },
    /// The router made no pipe for the job.
    #[error("the executor's router made no pipe for the job")]
    Pipe(#[from] PipeError),
    /// The pool refused the job (it was shut down).
    #[error("the executor's pool refused the job: it is shut down")]
    PoolClosed,
}

/// Why [`Executor::shutdown`](crate::Executor::shutdown) returned before
/// the executor stopped.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShutdownError {
    /// Jobs were still live when the timeout passed: their bodies ignore
    /// cancellation, or run long between checks. The executor stays
    /// stopping; a later `shutdown` may finish it.
    #[error("{live} jobs were still live after {timeout:?}; the executor is still stopping")]
    TimedOut {
        /// How many jobs were live.
        live: usize,
        /// The timeout the call was given.
        timeout: Duration,
    },
    /// The executor's router was stopped by someone else while jobs were
    /// live: their last words can no longer come.
    #[error("the executor's router was stopped with {live} jobs live")]
    RouterStopped {
        /// How many jobs were live.
        live: usize,
    },
}
