//! The background side: a job counts the primes in its range, reporting
//! how far it got.

use std::ops::Range;

use message_router::jobs::Cancelled;

/// How many progress reports a job sends over its range.
const REPORTS_PER_JOB: u64 = 200;

/// Counts the primes in `range`, calling `report` with how many numbers
/// of it are checked after each of about [`REPORTS_PER_JOB`] steps.
///
/// A job's body passes its `Progress::report`; taking a function keeps
/// the counting testable without an executor.
///
/// # Errors
///
/// [`Cancelled`] as soon as `report` returns it: the count is abandoned.
pub(crate) fn count_primes(
    range: Range<u64>,
    mut report: impl FnMut(u64) -> Result<(), Cancelled>,
) -> Result<u64, Cancelled> {
    let step = ((range.end - range.start) / REPORTS_PER_JOB).max(1);
    let mut primes = 0;
    let mut from = range.start;
    while from < range.end {
        let to = from.saturating_add(step).min(range.end);
        primes += (from..to).filter(|&n| is_prime(n)).count() as u64;
        from = to;
        report(from - range.start)?;
    }
    Ok(primes)
}

/// Trial division by 2, 3 and the numbers 6k ± 1: honest work for a CPU.
pub(crate) fn is_prime(n: u64) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n.is_multiple_of(2) || n.is_multiple_of(3) {
        return false;
    }
    let mut d = 5;
    while d <= n / d {
        if n.is_multiple_of(d) || n.is_multiple_of(d + 2) {
            return false;
        }
        d += 6;
    }
    true
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use message_router::jobs::{Executor, JobMessage, JobState, ThreadPool};
    use message_router::prelude::*;

    use super::*;

    #[test]
    fn is_prime_matches_the_known_prime_counts() {
        // pi(10^k), the number of primes below 10^k.
        for (limit, count) in [(10, 4), (100, 25), (1_000, 168), (100_000, 9_592)] {
            assert_eq!(
                (0..limit).filter(|&n| is_prime(n)).count(),
                count,
                "below {limit}"
            );
        }
        assert!(is_prime(1_000_000_007));
        assert!(!is_prime(1_000_000_007 * 3));
    }

    #[test]
    fn a_count_reports_each_step_up_to_the_whole_range() {
        let mut reports = Vec::new();
        let primes = count_primes(1_000..2_000, |checked| {
            reports.push(checked);
            Ok(())
        });
        // 168 primes lie below 1000 and 303 below 2000.
        assert_eq!(primes, Ok(135));
        assert_eq!(reports.len(), REPORTS_PER_JOB as usize);
        assert!(reports.windows(2).all(|w| w[0] < w[1]), "{reports:?}");
        assert_eq!(reports.last(), Some(&1_000));
    }

    #[test]
    fn a_count_stops_at_the_first_cancelled_report() {
        let mut reports = 0;
        let primes = count_primes(0..1_000_000, |_| {
            reports += 1;
            if reports == 3 { Err(Cancelled) } else { Ok(()) }
        });
        assert_eq!((primes, reports), (Err(Cancelled), 3));
    }

    #[test]
    fn a_progress_job_reports_rising_progress_then_completes_with_its_count() {
        let event_loop = DefaultEventLoop::new();
        let router: Router<JobMessage> = Router::new(&event_loop);
        let executor = Executor::new(router, ThreadPool::with_threads(1).unwrap()).unwrap();
        let job = executor
            .submit_progress(|progress| {
                count_primes(1_000..2_000, |checked| progress.report(checked))
            })
            .unwrap();
        let reports = Rc::new(RefCell::new(Vec::new()));
        job.on_report({
            let reports = Rc::clone(&reports);
            move |checked: &u64| reports.borrow_mut().push(*checked)
        });
        event_loop
            .run_until(|| job.is_done(), Some(Duration::from_secs(30)))
            .unwrap();
        executor.shutdown(Duration::from_secs(5)).unwrap();

        assert_eq!(job.state(), JobState::Completed);
        assert_eq!(job.take_result().map(Result::ok), Some(Some(135)));
        // A burst of reports is seen as its newest, and the last one
        // always arrives.
        let reports = reports.borrow();
        assert!(reports.windows(2).all(|w| w[0] < w[1]), "{reports:?}");
        assert_eq!(reports.last(), Some(&1_000));
    }
}
