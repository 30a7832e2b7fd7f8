//! The body of a job, on a worker thread: it walks the Collatz chains of
//! its range in a hundred steps, reporting the fraction done after each,
//! and returns the number whose chain is longest. A plan can make it panic
//! on purpose, or hold it at a gate until the window lets it go (the
//! scripted mode's fixed scene).

use std::ops::Range;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use router_jobs::{Cancel, Cancelled, Progress};

/// How often a held job that heeds cancel looks at its cancel signal.
const HELD_POLL: Duration = Duration::from_millis(10);

/// The number in a range whose Collatz chain is longest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Longest {
    /// The number the chain starts from.
    pub(crate) start: u64,
    /// The chain's steps down to 1.
    pub(crate) steps: u32,
}

/// Where a held job waits until the window opens it. Clones are the same
/// gate.
#[derive(Clone, Debug, Default)]
pub(crate) struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    /// Lets every job held here go on, now and from now on.
    pub(crate) fn open(&self) {
        let (open, changed) = &*self.0;
        *open.lock().unwrap_or_else(PoisonError::into_inner) = true;
        changed.notify_all();
    }

    /// Waits until the gate is open. Given a cancel signal, also returns
    /// `Err(Cancelled)` once it says so; without one, a cancel is seen only
    /// after the gate opens.
    fn pass(&self, cancel: Option<&Cancel>) -> Result<(), Cancelled> {
        let (open, changed) = &*self.0;
        let mut is_open = open.lock().unwrap_or_else(PoisonError::into_inner);
        while !*is_open {
            if let Some(cancel) = cancel {
                cancel.check()?;
            }
            is_open = changed
                .wait_timeout(is_open, HELD_POLL)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        Ok(())
    }
}

/// A point where a job stops, after reporting `at` percent, until its
/// gate opens.
#[derive(Clone, Debug)]
pub(crate) struct Hold {
    /// The percentage reported before the job stops.
    pub(crate) at: u8,
    /// What lets it go.
    pub(crate) gate: Gate,
    /// Whether a cancel ends the wait (`true`) or is seen only once the
    /// gate opens (`false`): a body that is slow to notice, which keeps
    /// its job cancelling.
    pub(crate) heeds_cancel: bool,
}

/// What one job's body does.
#[derive(Clone, Debug)]
pub(crate) struct Work {
    /// The job's number, from 1, for its panic's message.
    pub(crate) number: usize,
    /// The numbers whose chains it walks.
    pub(crate) range: Range<u64>,
    /// Panics on purpose after reporting this percentage.
    pub(crate) panic_at: Option<u8>,
    /// Stops at this point until its gate opens.
    pub(crate) hold: Option<Hold>,
}

/// Runs `work`, reporting the fraction done through `progress`.
///
/// # Errors
///
/// [`Cancelled`] once the job was cancelled (seen at the next report, or
/// while held at a gate that heeds cancel).
///
/// # Panics
///
/// On purpose, when `work.panic_at` says so: the job fails with the
/// message.
pub(crate) fn longest_chain(progress: &Progress<f32>, work: &Work) -> Result<Longest, Cancelled> {
    let Range { start, end } = work.range;
    let length = end.saturating_sub(start);
    let mut best = Longest { start, steps: 0 };
    for percent in 1..=100u8 {
        let from = start + length * u64::from(percent - 1) / 100;
        let to = start + length * u64::from(percent) / 100;
        for n in from..to {
            let steps = chain_steps(n);
            if steps > best.steps {
                best = Longest { start: n, steps };
            }
        }
        progress.report(f32::from(percent) / 100.0)?;
        if work.panic_at == Some(percent) {
            panic!("job {} panics on purpose at {percent}%", work.number);
        }
        if let Some(hold) = work.hold.as_ref().filter(|hold| hold.at == percent) {
            hold.gate
                .pass(hold.heeds_cancel.then(|| progress.cancel()))?;
        }
    }
    Ok(best)
}

/// The steps of the Collatz chain from `n` down to 1.
pub(crate) fn chain_steps(mut n: u64) -> u32 {
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use router_api::DefaultEventLoop;
    use router_crossbeam::CrossbeamRouter;
    use router_jobs::{Cancelled, Executor, Job, JobError, JobMessage, JobState, ThreadPool};

    use super::{Gate, Hold, Longest, Work, chain_steps, longest_chain};

    const PATIENCE: Duration = Duration::from_secs(30);

    type Demo = (DefaultEventLoop, Executor<CrossbeamRouter<JobMessage>>);

    fn executor() -> Demo {
        let event_loop = DefaultEventLoop::new();
        let router = CrossbeamRouter::<JobMessage>::new(&event_loop);
        let executor = Executor::new(router, ThreadPool::with_threads(1).unwrap()).unwrap();
        (event_loop, executor)
    }

    fn submit(demo: &Demo, work: Work) -> (Job<Longest, Cancelled, f32>, Rc<Cell<f32>>) {
        let job = demo
            .1
            .submit_progress(move |progress| longest_chain(progress, &work))
            .unwrap();
        let seen = Rc::new(Cell::new(0.0));
        job.on_report({
            let seen = Rc::clone(&seen);
            move |fraction: &f32| seen.set(*fraction)
        });
        (job, seen)
    }

    fn work(hold: Option<Hold>, panic_at: Option<u8>) -> Work {
        Work {
            number: 7,
            range: 1..1_000,
            panic_at,
            hold,
        }
    }

    #[test]
    fn chain_steps_match_the_known_chains() {
        assert_eq!(chain_steps(1), 0);
        assert_eq!(chain_steps(6), 8);
        assert_eq!(chain_steps(27), 111);
        // The longest chain below 10^6 starts at 837799.
        assert_eq!(chain_steps(837_799), 524);
    }

    #[test]
    fn a_free_job_completes_with_the_longest_chain_and_reports_all_of_it() {
        let demo = executor();
        let (job, seen) = submit(&demo, work(None, None));
        demo.0.run_until(|| job.is_done(), Some(PATIENCE)).unwrap();
        assert_eq!(job.state(), JobState::Completed);
        assert_eq!(seen.get(), 1.0);
        let longest = job.take_result().unwrap().unwrap();
        // Below 1000, 871 has the longest chain.
        assert_eq!(
            longest,
            Longest {
                start: 871,
                steps: 178
            }
        );
    }

    #[test]
    fn the_panicking_job_fails_with_its_message_where_it_said() {
        let demo = executor();
        let (job, seen) = submit(&demo, work(None, Some(50)));
        demo.0.run_until(|| job.is_done(), Some(PATIENCE)).unwrap();
        assert_eq!(job.state(), JobState::Failed);
        assert_eq!(seen.get(), 0.5);
        match job.take_result() {
            Some(Err(JobError::Panicked(message))) => {
                assert_eq!(message, "job 7 panics on purpose at 50%");
            }
            other => panic!("not a panic: {other:?}"),
        }
    }

    #[test]
    fn a_held_job_that_heeds_cancel_ends_cancelled_while_its_gate_stays_shut() {
        let demo = executor();
        let gate = Gate::default();
        let hold = Hold {
            at: 30,
            gate,
            heeds_cancel: true,
        };
        let (job, seen) = submit(&demo, work(Some(hold), None));
        demo.0
            .run_until(|| seen.get() >= 0.3, Some(PATIENCE))
            .unwrap();
        assert_eq!(job.state(), JobState::Running);
        assert!(job.cancel());
        demo.0.run_until(|| job.is_done(), Some(PATIENCE)).unwrap();
        assert_eq!(job.state(), JobState::Cancelled);
        assert_eq!(seen.get(), 0.3);
    }

    #[test]
    fn a_held_job_deaf_to_cancel_stays_cancelling_until_its_gate_opens() {
        let demo = executor();
        let gate = Gate::default();
        let hold = Hold {
            at: 60,
            gate: gate.clone(),
            heeds_cancel: false,
        };
        let (job, seen) = submit(&demo, work(Some(hold), None));
        demo.0
            .run_until(|| seen.get() >= 0.6, Some(PATIENCE))
            .unwrap();
        assert!(job.cancel());
        let still = demo
            .0
            .run_until(|| job.is_done(), Some(Duration::from_millis(100)));
        assert!(still.is_err(), "the job ended while held");
        assert_eq!(job.state(), JobState::Cancelling);
        gate.open();
        demo.0.run_until(|| job.is_done(), Some(PATIENCE)).unwrap();
        assert_eq!(job.state(), JobState::Cancelled);
        demo.1.shutdown(PATIENCE).unwrap();
    }
}
