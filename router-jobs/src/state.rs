//! The states a job and an executor go through, as the foreground sees
//! them.

use std::fmt;

/// Where a job is, as its handle on the foreground thread sees it.
///
/// The transitions are traits_futures' (J1): a job starts
/// [`Waiting`](Self::Waiting), becomes [`Running`](Self::Running) when a
/// worker takes it, and ends [`Completed`](Self::Completed) (its body
/// returned `Ok`), [`Failed`](Self::Failed) (it returned `Err`, panicked,
/// or its worker was lost) or [`Cancelled`](Self::Cancelled).
/// [`Cancelling`](Self::Cancelling) lies between a `cancel()` and the
/// worker's last word.
///
/// ```
/// use router_jobs::JobState;
/// assert!(JobState::Waiting.can_cancel() && !JobState::Waiting.is_done());
/// assert!(JobState::Failed.is_done() && !JobState::Failed.can_cancel());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum JobState {
    /// Submitted; no worker has taken it yet.
    Waiting,
    /// A worker runs its body.
    Running,
    /// Cancelled; its worker has not said its last word yet.
    Cancelling,
    /// Its body returned `Ok`: the result is there to take.
    Completed,
    /// Its body returned `Err` or panicked, or its worker was lost.
    Failed,
    /// It was cancelled, and its worker is done with it (or never ran
    /// its body).
    Cancelled,
}

impl JobState {
    /// Whether the job is over: completed, failed or cancelled.
    #[must_use]
    pub const fn is_done(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }

    /// Whether [`cancel`](crate::Job::cancel) would take effect: waiting or
    /// running.
    #[must_use]
    pub const fn can_cancel(self) -> bool {
        matches!(self, Self::Waiting | Self::Running)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Waiting => "waiting",
            Self::Running => "running",
            Self::Cancelling => "cancelling",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        })
    }
}

/// Where an executor is (J7).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum ExecutorState {
    /// It takes jobs.
    Running,
    /// [`stop`](crate::Executor::stop) or
    /// [`shutdown`](crate::Executor::shutdown) was called: its jobs are
    /// cancelled, it takes no more, and some are still live.
    Stopping,
    /// Every job is done and its router is stopped.
    Stopped,
}

impl fmt::Display for ExecutorState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Running => "running",
            Self::Stopping => "stopping",
            Self::Stopped => "stopped",
        })
    }
}
