//! One job as the window keeps it: its handle, the progress it last
//! reported, and how it ended, once it has.

use std::cell::Cell;
use std::rc::Rc;

use router_jobs::{Cancelled, Job, JobError, JobState};

use crate::plan::Plan;
use crate::work::Longest;

/// A job's handle: what the body returns, its error, what it reports.
pub(crate) type DemoJob = Job<Longest, Cancelled, f32>;

/// How a job ended, taken from its result once it is done.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Ended {
    /// Its body returned the longest chain.
    Completed(Longest),
    /// It failed: the panic's message, or the error.
    Failed(String),
    /// It was cancelled.
    Cancelled,
}

impl Ended {
    fn of(result: Result<Longest, JobError<Cancelled>>) -> Self {
        match result {
            Ok(longest) => Self::Completed(longest),
            Err(JobError::Cancelled) => Self::Cancelled,
            Err(JobError::Panicked(message)) => Self::Failed(format!("panicked: {message}")),
            Err(JobError::Failed(error)) => Self::Failed(format!("error: {error}")),
            Err(other) => Self::Failed(other.to_string()),
        }
    }
}

/// One job in the window.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) plan: Plan,
    pub(crate) job: DemoJob,
    /// The last fraction the job reported (its listener sets it).
    pub(crate) progress: Rc<Cell<f32>>,
    pub(crate) ended: Option<Ended>,
}

impl Row {
    /// A row for `job`, listening to its reports.
    pub(crate) fn new(plan: Plan, job: DemoJob) -> Self {
        let progress = Rc::new(Cell::new(0.0));
        job.on_report({
            let progress = Rc::clone(&progress);
            move |fraction: &f32| progress.set(*fraction)
        });
        Self {
            plan,
            job,
            progress,
            ended: None,
        }
    }

    /// The job's state now.
    pub(crate) fn state(&self) -> JobState {
        self.job.state()
    }

    /// Takes the job's result once it is done.
    pub(crate) fn settle(&mut self) {
        if self.ended.is_none()
            && let Some(result) = self.job.take_result()
        {
            self.ended = Some(Ended::of(result));
        }
    }

    /// The fraction the bar shows.
    pub(crate) fn fraction(&self) -> f32 {
        match (self.state(), &self.ended) {
            (JobState::Completed, _) => 1.0,
            (JobState::Waiting, _) => 0.0,
            _ => self.progress.get(),
        }
    }

    /// The text on the bar: how far the job got, its result or its
    /// failure.
    pub(crate) fn bar_text(&self) -> String {
        let percent = (self.fraction() * 100.0).round();
        match (self.state(), &self.ended) {
            (JobState::Waiting, _) => "waiting for a worker thread".to_owned(),
            (JobState::Running, _) => format!("{percent}%"),
            (JobState::Cancelling, _) => format!("stopping at {percent}%"),
            (_, Some(Ended::Completed(Longest { start, steps }))) => {
                format!("done: {start} takes {steps} steps")
            }
            (_, Some(Ended::Failed(why))) => why.clone(),
            (_, Some(Ended::Cancelled)) => format!("cancelled at {percent}%"),
            (state, None) => state.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use router_jobs::{Cancelled, JobError};

    use super::Ended;
    use crate::work::Longest;

    #[test]
    fn a_result_says_how_the_job_ended() {
        let longest = Longest {
            start: 27,
            steps: 111,
        };
        assert_eq!(Ended::of(Ok(longest)), Ended::Completed(longest));
        assert_eq!(Ended::of(Err(JobError::Cancelled)), Ended::Cancelled);
        assert_eq!(
            Ended::of(Err(JobError::Panicked("on purpose".to_owned()))),
            Ended::Failed("panicked: on purpose".to_owned())
        );
        assert_eq!(
            Ended::of(Err(JobError::Failed(Cancelled))),
            Ended::Failed("error: the job was cancelled".to_owned())
        );
    }
}
