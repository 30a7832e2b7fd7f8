//! The bare hop: the channel alone, doing the work of a router run.

use std::time::Duration;

use crate::{Backend, BenchError, Feed, Tally, Workload};

/// The bare channel doing `work` with a blocking `recv` loop: the time
/// from the senders' release to the last message counted.
///
/// # Errors
///
/// [`BenchError::ChannelClosed`] if the senders stopped early,
/// [`BenchError::SenderPanicked`] if one panicked.
pub fn recv_loop<B: Backend>(work: Workload) -> Result<Duration, BenchError> {
    let (feed, rx) = spawn::<B>(work);
    let tally = Tally::new();
    let expected = work.messages();
    let started = feed.release();
    while tally.count() < expected {
        let Some((_, value)) = B::bare_recv(&rx) else {
            return Err(closed(&tally, expected));
        };
        tally.record(value);
    }
    let elapsed = started.elapsed();
    feed.join()?;
    Ok(elapsed)
}

/// The bare channel doing `work` with a `try_iter` drain, spinning while
/// the channel is empty.
///
/// # Errors
///
/// As [`recv_loop`].
pub fn drain_loop<B: Backend>(work: Workload) -> Result<Duration, BenchError> {
    let (feed, rx) = spawn::<B>(work);
    let tally = Tally::new();
    let expected = work.messages();
    let mut each = |(_, value): crate::Hop| tally.record(value);
    let started = feed.release();
    while tally.count() < expected {
        if B::bare_drain(&rx, &mut each) == 0 {
            if feed.finished() && B::bare_drain(&rx, &mut each) == 0 {
                return Err(closed(&tally, expected));
            }
            std::hint::spin_loop();
        }
    }
    let elapsed = started.elapsed();
    feed.join()?;
    Ok(elapsed)
}

/// The bare hop of the issue: the faster of [`recv_loop`] and
/// [`drain_loop`].
///
/// # Errors
///
/// As [`recv_loop`].
pub fn best<B: Backend>(work: Workload) -> Result<Duration, BenchError> {
    Ok(fastest::<B>(work)?.0)
}

/// As [`best`], saying which loop it was: `"recv"` or `"try_iter"`.
///
/// # Errors
///
/// As [`recv_loop`].
pub fn fastest<B: Backend>(work: Workload) -> Result<(Duration, &'static str), BenchError> {
    let recv = recv_loop::<B>(work)?;
    let drain = drain_loop::<B>(work)?;
    Ok(if recv <= drain {
        (recv, "recv")
    } else {
        (drain, "try_iter")
    })
}

/// The two bare loops, by the name the table gives them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Loop {
    /// [`recv_loop`].
    Recv,
    /// [`drain_loop`].
    TryIter,
}

impl Loop {
    /// The loop's name in the table: `"recv"` or `"try_iter"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Recv => "recv",
            Self::TryIter => "try_iter",
        }
    }

    /// One timed run of this loop doing `work`.
    ///
    /// # Errors
    ///
    /// As [`recv_loop`].
    pub fn run<B: Backend>(self, work: Workload) -> Result<Duration, BenchError> {
        match self {
            Self::Recv => recv_loop::<B>(work),
            Self::TryIter => drain_loop::<B>(work),
        }
    }

    /// A warm-up: runs both loops once, untimed for the table, and picks
    /// the faster, which the measured runs then use alone, so the bare
    /// side gets one try per run as the router does.
    ///
    /// # Errors
    ///
    /// As [`recv_loop`].
    pub fn pick<B: Backend>(work: Workload) -> Result<Self, BenchError> {
        let (recv, drain) = (recv_loop::<B>(work)?, drain_loop::<B>(work)?);
        Ok(if recv <= drain {
            Self::Recv
        } else {
            Self::TryIter
        })
    }
}

fn spawn<B: Backend>(work: Workload) -> (Feed, B::BareRx) {
    let (tx, rx) = B::bare();
    let senders = (0..work.senders as u64)
        .map(|sender| {
            let tx = tx.clone();
            move |value| B::bare_send(&tx, (sender, value))
        })
        .collect();
    (Feed::spawn(senders, work.per_sender), rx)
}

fn closed(tally: &Tally, expected: u64) -> BenchError {
    BenchError::ChannelClosed {
        received: tally.count(),
        expected,
    }
}
