//! P5: how long a single message takes from `send` to its listener.
//!
//! Each message carries the time it was sent (nanoseconds since a shared
//! epoch); the receiving end subtracts it from the time it got it. The
//! sender sleeps between messages, so every message finds the receiving
//! thread asleep: the figure includes the wake-up, as it does in a program
//! whose background work reports now and then.

use std::cell::RefCell;
use std::rc::Rc;
use std::thread;
use std::time::{Duration, Instant};

use router_api::{DrainBudget, MessageReceiver, MessageSender};

use crate::{Backend, BenchError, Feed, PATIENCE, Rig};

/// Delays measured, sorted.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Latencies {
    sorted: Vec<Duration>,
}

impl Latencies {
    /// The delays, in any order.
    #[must_use]
    pub fn new(mut delays: Vec<Duration>) -> Self {
        delays.sort_unstable();
        Self { sorted: delays }
    }

    /// The delay that `quantile` (0.0..=1.0) of the messages did not exceed;
    /// zero when nothing was measured.
    #[must_use]
    pub fn quantile(&self, quantile: f64) -> Duration {
        let count = self.sorted.len();
        if count == 0 {
            return Duration::ZERO;
        }
        // Nearest rank: the smallest delay with at least `quantile` of the
        // samples at or below it.
        let rank = (quantile.clamp(0.0, 1.0) * count as f64).ceil() as usize;
        self.sorted[rank.clamp(1, count) - 1]
    }

    /// The sum of all delays (what criterion's `iter_custom` wants).
    #[must_use]
    pub fn total(&self) -> Duration {
        self.sorted.iter().sum()
    }

    /// How many delays were measured.
    #[must_use]
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Whether nothing was measured.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }
}

/// `samples` messages, `gap` apart, through a router in event-loop mode
/// with the given drain budget (the default when `None`).
///
/// # Errors
///
/// As [`Rig::new`]; [`BenchError::TimedOut`] if the messages do not
/// arrive in time.
pub fn router<B: Backend>(
    samples: u64,
    gap: Duration,
    budget: Option<DrainBudget>,
) -> Result<Latencies, BenchError> {
    let epoch = Instant::now();
    let delays = Rc::new(RefCell::new(Vec::with_capacity(samples as usize)));
    let rig = Rig::<B>::with_feed(1, budget, |senders| {
        let sends = senders
            .into_iter()
            .map(|mut sender| {
                move |_| {
                    thread::sleep(gap);
                    sender.send(nanos_since(epoch)).is_ok()
                }
            })
            .collect();
        Feed::spawn(sends, samples)
    })?;
    for receiver in rig.receivers() {
        let delays = Rc::clone(&delays);
        receiver.connect(move |stamp: &u64| {
            delays.borrow_mut().push(delay_since(epoch, *stamp));
        });
    }
    let _ = rig.release();
    rig.event_loop
        .run_until(|| delays.borrow().len() as u64 == samples, Some(PATIENCE))?;
    rig.finish()?;
    Ok(Latencies::new(delays.take()))
}

/// The same through the bare channel, received with a blocking `recv`.
///
/// # Errors
///
/// [`BenchError::ChannelClosed`] if the sender stopped early.
pub fn bare<B: Backend>(samples: u64, gap: Duration) -> Result<Latencies, BenchError> {
    let epoch = Instant::now();
    let (tx, rx) = B::bare();
    let feed = Feed::spawn(
        vec![move |_| {
            thread::sleep(gap);
            B::bare_send(&tx, (0, nanos_since(epoch)))
        }],
        samples,
    );
    let mut delays = Vec::with_capacity(samples as usize);
    let _ = feed.release();
    while (delays.len() as u64) < samples {
        let Some((_, stamp)) = B::bare_recv(&rx) else {
            return Err(BenchError::ChannelClosed {
                received: delays.len() as u64,
                expected: samples,
            });
        };
        delays.push(delay_since(epoch, stamp));
    }
    feed.join()?;
    Ok(Latencies::new(delays))
}

/// The time since `epoch`, in nanoseconds (a `u64` lasts 584 years).
#[must_use]
pub fn nanos_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// How long ago `stamp` (from [`nanos_since`] on the same epoch) was.
#[must_use]
pub fn delay_since(epoch: Instant, stamp: u64) -> Duration {
    Duration::from_nanos(nanos_since(epoch).saturating_sub(stamp))
}
