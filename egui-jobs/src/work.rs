//! The background side: a job walks the Collatz chains of its range and
//! reports its progress, its result, or that it was cancelled.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use router_api::MessageSender;

/// Why a job stopped early: its sender did not start, or a send was refused.
pub(crate) type WorkError = Box<dyn std::error::Error + Send + Sync>;

/// How many progress reports a job sends over its range.
const REPORTS: u64 = 100;

/// What a job tells the window.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum JobEvent {
    /// This fraction of the range is done.
    Progress(f32),
    /// The whole range is done: the longest chain starts at `start` and
    /// takes `steps` steps to reach 1.
    Finished { start: u64, steps: u32 },
    /// The job saw its cancel flag and stopped.
    Cancelled,
}

/// Finds the number in `range` with the longest Collatz chain, reporting
/// through `sender`, until done or `cancel` is set.
pub(crate) fn longest_chain<S>(
    mut sender: S,
    range: Range<u64>,
    cancel: Arc<AtomicBool>,
) -> Result<(), WorkError>
where
    S: MessageSender<JobEvent>,
{
    let mut open = sender.open()?;
    let length = (range.end - range.start).max(1);
    let step = (length / REPORTS).max(1);
    let mut best = (range.start, 0);
    let mut from = range.start;
    while from < range.end {
        if cancel.load(Ordering::Relaxed) {
            open.send(JobEvent::Cancelled)?;
            return Ok(());
        }
        let to = from.saturating_add(step).min(range.end);
        for n in from..to {
            let steps = chain_steps(n);
            if steps > best.1 {
                best = (n, steps);
            }
        }
        from = to;
        #[allow(clippy::cast_precision_loss)] // a fraction for a bar
        open.send(JobEvent::Progress(
            (from - range.start) as f32 / length as f32,
        ))?;
    }
    open.send(JobEvent::Finished {
        start: best.0,
        steps: best.1,
    })?;
    Ok(())
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
    use super::chain_steps;

    #[test]
    fn chain_steps_match_the_known_chains() {
        assert_eq!(chain_steps(1), 0);
        assert_eq!(chain_steps(6), 8);
        assert_eq!(chain_steps(27), 111);
        // The longest chain below 10^6 starts at 837799.
        assert_eq!(chain_steps(837_799), 524);
    }
}
