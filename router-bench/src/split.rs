//! What a message costs each end on its own: one thread sends a batch into
//! the queue, then routes (or drains) it, so no other core takes part.
//!
//! Across two cores, a hop's speed depends as much on how far the receiver
//! trails the sender as on either end's work (see the README's
//! Performance): a receiver on the sender's heels shares every cache line
//! with it, one far behind works on memory the allocator may have handed
//! back. Timing each end alone measures what the router adds, and only
//! that.

use std::time::{Duration, Instant};

use router_api::{MessageReceiver, MessageRouter, MessageSender, SenderError};

use crate::hop::Loop;
use crate::{Backend, BenchError, PATIENCE, Rig, Tally, Workload};

/// Nanoseconds per message at each end, router and bare channel.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Split {
    /// The router's `send`, with the router in manual mode (P1's).
    pub router_send: f64,
    /// The router's `route_until` over the queued batch, one listener call
    /// per message.
    pub router_receive: f64,
    /// The bare channel's `send` of the same batch.
    pub bare_send: f64,
    /// The bare channel's receiving loop over the queued batch (a `recv`
    /// loop or a `try_iter` drain, as [`pick`] chose), one closure call per
    /// message.
    pub bare_receive: f64,
}

/// A warm-up of the bare side: runs both of its receiving loops once,
/// untimed for the table, and picks the one that received faster, which
/// the measured runs then use alone, so that each side gets one try per
/// run. Run the router's side once too ([`split`]'s result thrown away) so
/// that both have run before the measured runs.
///
/// # Errors
///
/// As [`split`].
pub fn pick<B: Backend>(work: Workload) -> Result<Loop, BenchError> {
    let (_, recv) = bare_ends::<B>(work, Loop::Recv)?;
    let (_, drain) = bare_ends::<B>(work, Loop::TryIter)?;
    Ok(if recv <= drain {
        Loop::Recv
    } else {
        Loop::TryIter
    })
}

/// `work.messages()` messages, `work.per_sender` from each of
/// `work.senders` pipes, interleaved as concurrent senders' are, sent on
/// this thread and then routed on it; and the same through the bare
/// channel, received with `bare`: one timed try each, the router's first
/// if `router_first`.
///
/// Each side sends and receives the batch once untimed first, on the same
/// router or channel, and the second round is timed: a program's router
/// lives on from one burst to the next, and what a first burst costs (the
/// channel's queue and the router's backlog grown, their pages faulted in)
/// would otherwise be most of what is measured, on one side more than the
/// other.
///
/// Which side goes first matters still: each leaves the allocator holding
/// (or having given back) the memory of a million queued messages, which
/// the other side then finds or faults in. A table alternates the order
/// from run to run.
///
/// # Errors
///
/// As [`Rig::with_feed`]; [`BenchError::Router`] if routing fails,
/// [`BenchError::ChannelClosed`] if the bare channel loses a message.
pub fn split<B: Backend>(
    work: Workload,
    bare: Loop,
    router_first: bool,
) -> Result<Split, BenchError> {
    let ((router_send, router_receive), (bare_send, bare_receive)) = if router_first {
        let router = router_ends::<B>(work)?;
        (router, bare_ends::<B>(work, bare)?)
    } else {
        let bare = bare_ends::<B>(work, bare)?;
        (router_ends::<B>(work)?, bare)
    };
    Ok(Split {
        router_send,
        router_receive,
        bare_send,
        bare_receive,
    })
}

fn per_message(elapsed: Duration, messages: u64) -> f64 {
    elapsed.as_secs_f64() * 1e9 / messages as f64
}

fn router_ends<B: Backend>(work: Workload) -> Result<(f64, f64), BenchError> {
    // The senders stay on this thread: the rig's feed has no threads.
    let mut senders = Vec::new();
    let rig = Rig::<B>::with_feed(work.senders, None, |started| {
        senders = started;
        crate::Feed::spawn(Vec::<fn(u64) -> bool>::new(), 0)
    })?;
    let tally = Tally::new();
    for receiver in rig.receivers() {
        receiver.connect(tally.listener());
    }
    // Manual mode, as P1: senders then leave the ping gate alone.
    rig.router.route_until(|| true, None)?;
    let messages = work.messages();
    let mut round = || -> Result<(Duration, Duration), BenchError> {
        let started = Instant::now();
        for value in 0..work.per_sender {
            for sender in &mut senders {
                sender.send(value).map_err(SenderError::from)?;
            }
        }
        let sent = started.elapsed();
        let routed = tally.count() + messages;
        let started = Instant::now();
        rig.router
            .route_until(|| tally.count() == routed, Some(PATIENCE))?;
        Ok((sent, started.elapsed()))
    };
    // The untimed round (see [`split`]).
    round()?;
    let (sent, routed) = round()?;
    drop(senders);
    rig.finish()?;
    Ok((per_message(sent, messages), per_message(routed, messages)))
}

fn bare_ends<B: Backend>(work: Workload, bare: Loop) -> Result<(f64, f64), BenchError> {
    let (tx, rx) = B::bare();
    let messages = work.messages();
    let round = || -> Result<(Duration, Duration), BenchError> {
        let started = Instant::now();
        for value in 0..work.per_sender {
            for sender in 0..work.senders as u64 {
                if !B::bare_send(&tx, (sender, value)) {
                    return Err(BenchError::ChannelClosed {
                        received: 0,
                        expected: messages,
                    });
                }
            }
        }
        let sent = started.elapsed();
        let tally = Tally::new();
        let started = Instant::now();
        if bare == Loop::TryIter {
            B::bare_drain(&rx, &mut |(_, value)| tally.record(value));
        } else {
            while tally.count() < messages {
                let Some((_, value)) = B::bare_recv(&rx) else {
                    break;
                };
                tally.record(value);
            }
        }
        let received = started.elapsed();
        if tally.count() != messages {
            return Err(BenchError::ChannelClosed {
                received: tally.count(),
                expected: messages,
            });
        }
        Ok((sent, received))
    };
    // The untimed round (see [`split`]).
    round()?;
    let (sent, received) = round()?;
    Ok((per_message(sent, messages), per_message(received, messages)))
}
