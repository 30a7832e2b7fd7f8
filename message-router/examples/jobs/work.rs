//! The background side: a job counts primes and reports through its pipe.

use std::ops::Range;
use std::time::{Duration, Instant};

use message_router::prelude::*;

/// How many progress reports a job sends over its range.
const REPORTS_PER_JOB: u64 = 200;

/// What a job sends to the foreground.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Report {
    /// This many numbers of the range are checked.
    Progress { checked: u64 },
    /// The range is done: it holds `primes` primes, found in `took`.
    Finished { primes: u64, took: Duration },
}

/// Why a job stopped before its range was done.
pub(crate) type WorkError = Box<dyn std::error::Error + Send + Sync>;

/// Counts the primes in `range`, reporting through `sender`.
///
/// Generic over the sender, as a library would be: it works with whichever
/// backend made the pipe.
pub(crate) fn count_primes<S>(mut sender: S, range: Range<u64>) -> Result<(), WorkError>
where
    S: MessageSender<Report>,
{
    let started = Instant::now();
    // The guard stops the sender when it drops, on every way out.
    let mut open = sender.open()?;
    let step = ((range.end - range.start) / REPORTS_PER_JOB).max(1);
    let mut primes = 0;
    let mut from = range.start;
    while from < range.end {
        let to = from.saturating_add(step).min(range.end);
        primes += (from..to).filter(|&n| is_prime(n)).count() as u64;
        from = to;
        open.send(Report::Progress {
            checked: from - range.start,
        })?;
    }
    open.send(Report::Finished {
        primes,
        took: started.elapsed(),
    })?;
    Ok(())
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
    fn a_job_reports_rising_progress_then_its_count_through_the_router() {
        let event_loop = DefaultEventLoop::new();
        let router: Router<Report> = Router::new(&event_loop);
        router.start().unwrap();
        let (sender, receiver) = router.pipe().unwrap();
        let reports = Rc::new(RefCell::new(Vec::new()));
        receiver.connect({
            let reports = reports.clone();
            move |report: &Report| reports.borrow_mut().push(*report)
        });
        let worker = std::thread::spawn(move || count_primes(sender, 1_000..2_000));
        let finished = || matches!(reports.borrow().last(), Some(Report::Finished { .. }));
        event_loop
            .run_until(finished, Some(Duration::from_secs(30)))
            .unwrap();
        worker.join().unwrap().unwrap();
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();

        let reports = reports.borrow();
        let checked: Vec<u64> = reports
            .iter()
            .filter_map(|r| match r {
                Report::Progress { checked } => Some(*checked),
                Report::Finished { .. } => None,
            })
            .collect();
        assert!(checked.windows(2).all(|w| w[0] < w[1]), "{checked:?}");
        assert_eq!(checked.last(), Some(&1_000));
        // 168 primes lie below 1000 and 303 below 2000.
        assert!(matches!(
            reports.last(),
            Some(Report::Finished { primes: 135, .. })
        ));
    }
}
