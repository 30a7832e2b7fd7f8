//! What a message costs each end on its own: one thread sends a batch into
//! the queue, then routes (or drains) it, so no other core takes part.
//!
//! Across two cores, a hop's speed depends as much on how far the receiver
//! trails the sender as on either end's work (see the README's
//! Performance): a receiver on the sender's heels shares every cache line
//! with it, one far behind works on memory the allocator may have handed
//! back. Timing each end alone measures what the router adds, and only
//! that.

use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{MessageReceiver, MessageRouter, MessageSender};

use crate::hop::Loop;
use crate::{Backend, BenchError, Hop, PATIENCE, Rig, Tally, Workload};

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
    /// The same bare loop with no router, each message handed to its
    /// sender's listener: one of `work.senders` `Rc<dyn Fn(&u64)>` in a
    /// table, looked up by the sender's number. What routing interleaved
    /// pipes costs at the least, a look-up and a call through a pointer
    /// per message, with none of the router's checks: the reference for
    /// the router's 64-pipe receive. (The router's one-pipe receive does
    /// better: a run of messages for one pipe skips the look-up.)
    pub table_receive: f64,
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
    let (_, recv, _) = bare_ends::<B>(work, Loop::Recv)?;
    let (_, drain, _) = bare_ends::<B>(work, Loop::TryIter)?;
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
/// other. The bare side then sends the batch once more and times its
/// receive through a listener table ([`Split::table_receive`]).
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
    let ((router_send, router_receive), (bare_send, bare_receive, table_receive)) = if router_first
    {
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
        table_receive,
    })
}

/// A listener as the router's table holds it.
type Listener = Rc<dyn Fn(&u64)>;

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
                sender.send(value)?;
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

fn bare_ends<B: Backend>(work: Workload, bare: Loop) -> Result<(f64, f64, f64), BenchError> {
    let (tx, rx) = B::bare();
    let messages = work.messages();
    let tally = Tally::new();
    let round = || -> Result<(Duration, Duration), BenchError> {
        let sent = send_batch::<B>(&tx, work)?;
        let received = receive_batch::<B>(&rx, bare, &tally, messages, |(_, value)| {
            tally.record(value);
        })?;
        Ok((sent, received))
    };
    // The untimed round (see [`split`]).
    round()?;
    let (sent, received) = round()?;
    // The listener table (see [`Split::table_receive`]): one listener per sender,
    // each a `tally.listener()` as the router's are, behind the same
    // `Rc<dyn Fn>` the router's table holds.
    let listeners: Vec<Listener> = (0..work.senders)
        .map(|_| Rc::new(tally.listener()) as Listener)
        .collect();
    send_batch::<B>(&tx, work)?;
    let table = receive_batch::<B>(&rx, bare, &tally, messages, |(sender, value)| {
        if let Some(listener) = usize::try_from(sender)
            .ok()
            .and_then(|at| listeners.get(at))
        {
            listener(&value);
        }
    })?;
    Ok((
        per_message(sent, messages),
        per_message(received, messages),
        per_message(table, messages),
    ))
}

/// Sends `work`'s batch through the bare channel, interleaved as
/// [`split`] says, and returns how long that took.
fn send_batch<B: Backend>(tx: &B::BareTx, work: Workload) -> Result<Duration, BenchError> {
    let started = Instant::now();
    for value in 0..work.per_sender {
        for sender in 0..work.senders as u64 {
            if !B::bare_send(tx, (sender, value)) {
                return Err(BenchError::ChannelClosed {
                    received: 0,
                    expected: work.messages(),
                });
            }
        }
    }
    Ok(started.elapsed())
}

/// Receives the `messages` queued in the bare channel with the loop
/// `bare`, handing each to `each`, which must count it on `tally`; returns
/// how long that took.
fn receive_batch<B: Backend>(
    rx: &B::BareRx,
    bare: Loop,
    tally: &Tally,
    messages: u64,
    mut each: impl FnMut(Hop),
) -> Result<Duration, BenchError> {
    let before = tally.count();
    let goal = before + messages;
    let started = Instant::now();
    if bare == Loop::TryIter {
        B::bare_drain(rx, &mut each);
    } else {
        while tally.count() < goal {
            let Some(hop) = B::bare_recv(rx) else {
                break;
            };
            each(hop);
        }
    }
    let received = started.elapsed();
    if tally.count() != goal {
        return Err(BenchError::ChannelClosed {
            received: tally.count() - before,
            expected: messages,
        });
    }
    Ok(received)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use router_crossbeam::Crossbeam;
    use router_flume::Flume;

    use super::*;

    const SMALL: Workload = Workload::new(4, 250);

    fn each_end_is_timed<B: Backend>() {
        for bare in [Loop::Recv, Loop::TryIter] {
            for router_first in [true, false] {
                let split = split::<B>(SMALL, bare, router_first).unwrap();
                for (end, nanos) in [
                    ("router send", split.router_send),
                    ("router receive", split.router_receive),
                    ("bare send", split.bare_send),
                    ("bare receive", split.bare_receive),
                    ("table receive", split.table_receive),
                ] {
                    assert!(nanos.is_finite() && nanos > 0.0, "{end}: {nanos} ns");
                }
            }
        }
    }

    #[test]
    fn each_end_is_timed_over_crossbeam() {
        each_end_is_timed::<Crossbeam>();
    }

    #[test]
    fn each_end_is_timed_over_flume() {
        each_end_is_timed::<Flume>();
    }

    /// The listener table must reach every pipe's listener: one that skips
    /// a pipe's messages is reported as losing them, not timed.
    #[test]
    fn a_receive_that_misses_messages_is_an_error() {
        let (tx, rx) = Crossbeam::bare();
        send_batch::<Crossbeam>(&tx, SMALL).unwrap();
        let tally = Tally::new();
        let missed = receive_batch::<Crossbeam>(
            &rx,
            Loop::TryIter,
            &tally,
            SMALL.messages(),
            |(sender, value)| {
                if sender != 0 {
                    tally.record(value);
                }
            },
        );
        match missed {
            Err(BenchError::ChannelClosed { received, expected }) => {
                assert_eq!((received, expected), (750, 1000));
            }
            other => panic!("expected a loss, got {other:?}"),
        }
    }
}
