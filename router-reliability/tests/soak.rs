//! Soak: 64 worker threads flood one router while the foreground closes
//! pipes at random moments, then every message is accounted for.
//!
//! Each worker owns one pipe and sends `0..N` through it as fast as it
//! can, pausing for a millisecond every 16 messages so the flood lasts. The
//! foreground runs the event loop (the router routes on pings, with a
//! small drain budget so turns re-ping often) and closes half of the
//! pipes, each when its worker has sent a random share of its stream, so
//! while the worker is still sending. The run ends by itself
//! when every worker is done and every message was routed or dropped; a
//! safety limit fails it instead of letting it hang.
//!
//! Then, exactly, per pipe: the messages delivered are `0..k` in order,
//! each once (`k = N` for a pipe left open), and the `N - k` others were
//! dropped for the closed pipe, as the router's closed-pipe warnings say
//! (summed per pipe). Over the router: `stats().routed` is the number
//! delivered, `stats().dropped` the number dropped, `stats().pings` the
//! number of callbacks the event loop ran, and no other warning was
//! logged.
//!
//! The short run (64 x 2 000) is in the normal suite; the long one
//! (64 x 100 000) runs with `--ignored`. `SOAK_SEED=<n>` replays a run's
//! choice of pipes and moments (each run prints its seed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use router_api::{DefaultEventLoop, DrainBudget, MessageReceiver, MessageRouter};
use router_channel::PipeReceiver;
use router_reliability::{Backend, CountingLoop, DiscardTally, SplitMix64, Workers};

/// Each worker sleeps for `PACE` after every `PACE_EVERY` messages.
const PACE_EVERY: u64 = 16;
const PACE: Duration = Duration::from_millis(1);

/// One soak run's size.
struct Soak {
    workers: usize,
    messages: u64,
    /// How many pipes the foreground closes mid-flood.
    closes: usize,
    /// The safety limit: the run fails, rather than hangs, past it.
    limit: Duration,
}

/// When the foreground closes one pipe: once its worker has sent `at`
/// messages, or its listener has seen `at` (`when_seen`).
struct Close {
    pipe: usize,
    at: u64,
    when_seen: bool,
}

/// What one pipe's listener saw.
#[derive(Default)]
struct Seen {
    delivered: Cell<u64>,
    /// The first message that was not the next one in order, if any.
    out_of_order: Cell<Option<(u64, u64)>>,
}

fn soak<B: Backend>(size: &Soak) {
    let started = Instant::now();
    let seed = SplitMix64::seed_from_env("SOAK_SEED");
    let mut random = SplitMix64::new(seed);
    eprintln!(
        "{}: soak of {} workers x {} messages, seed {seed}",
        B::NAME,
        size.workers,
        size.messages
    );

    let event_loop = CountingLoop::new(DefaultEventLoop::new());
    let router = B::router::<u64, _>(&event_loop);
    router.set_drain_budget(DrainBudget {
        max_messages: 256,
        ..DrainBudget::default()
    });
    router.start().unwrap();
    let mut senders = Vec::new();
    let mut pipes: Vec<(PipeReceiver<u64>, Rc<Seen>)> = Vec::new();
    for _ in 0..size.workers {
        let (sender, receiver) = router.pipe().unwrap();
        let seen = Rc::new(Seen::default());
        receiver.connect({
            let seen = Rc::clone(&seen);
            move |message: &u64| {
                let expected = seen.delivered.get();
                if *message != expected && seen.out_of_order.get().is_none() {
                    seen.out_of_order.set(Some((expected, *message)));
                }
                seen.delivered.set(expected + 1);
            }
        });
        senders.push(sender);
        pipes.push((receiver, seen));
    }

    // Half the pipes close, each when its worker has sent, or its listener
    // has seen, a random share (up to nine tenths) of its stream. Workers
    // pause now and then, so the flood lasts; each records how far it got.
    let total = size.workers as u64 * size.messages;
    let mut order: Vec<usize> = (0..size.workers).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, random.below(i as u64 + 1) as usize);
    }
    let mut pending: Vec<Close> = order[..size.closes]
        .iter()
        .map(|&pipe| Close {
            pipe,
            at: random.below(size.messages * 9 / 10),
            when_seen: random.below(2) == 0,
        })
        .collect();
    let closed: Vec<usize> = order[..size.closes].to_vec();
    let progress: Arc<Vec<AtomicU64>> =
        Arc::new((0..size.workers).map(|_| AtomicU64::new(0)).collect());
    let workers = Workers::spawn_with(senders, size.messages, {
        let progress = Arc::clone(&progress);
        move |worker, message| {
            progress[worker].store(message, Ordering::Relaxed);
            if message % PACE_EVERY == PACE_EVERY - 1 {
                std::thread::sleep(PACE);
            }
        }
    });
    let reached = |close: &Close| {
        let count = if close.when_seen {
            pipes[close.pipe].1.delivered.get()
        } else {
            progress[close.pipe].load(Ordering::Relaxed)
        };
        count >= close.at
    };
    let handled = || {
        let stats = router.stats();
        stats.routed + stats.dropped
    };
    let (closed_mid_stream, tally) = DiscardTally::run(|| {
        let mut closed_mid_stream = 0;
        loop {
            pending.retain(|close| {
                if !reached(close) {
                    return true;
                }
                router.close_pipe(&pipes[close.pipe].0).unwrap();
                if progress[close.pipe].load(Ordering::Relaxed) + 1 < size.messages {
                    closed_mid_stream += 1;
                }
                false
            });
            let done = || workers.all_finished() && handled() == total;
            if pending.is_empty() && done() {
                break closed_mid_stream;
            }
            assert!(
                started.elapsed() < size.limit,
                "{}: the soak did not finish in {:?}: {} of {total} messages handled, \
                 {} of {} workers done, {} closes pending, stats {:?}",
                B::NAME,
                size.limit,
                handled(),
                workers.finished(),
                size.workers,
                pending.len(),
                router.stats()
            );
            // Run pings until a close is due, or the end. A timeout here
            // only means a quiet moment: look again.
            let due = || pending.iter().any(reached) || done();
            let _ = event_loop
                .inner()
                .run_until(due, Some(Duration::from_millis(50)));
        }
    });

    for report in workers.join() {
        let report = report.expect("no worker panics");
        assert_eq!(report.sent, size.messages, "{report:?}");
        assert_eq!(report.handed_back, 0, "{report:?}");
    }

    let mut delivered_total = 0;
    let mut dropped_total = 0;
    let mut partly_delivered = 0;
    for (index, (receiver, seen)) in pipes.iter().enumerate() {
        let pipe = receiver.pipe_id();
        assert_eq!(
            seen.out_of_order.get(),
            None,
            "{pipe}: (expected, got) out of order"
        );
        let delivered = seen.delivered.get();
        let dropped = size.messages - delivered;
        if closed.contains(&index) {
            if delivered > 0 && dropped > 0 {
                partly_delivered += 1;
            }
            assert_eq!(
                tally.dropped(&pipe.to_string()),
                dropped,
                "{pipe}: the warnings do not add up to the messages not delivered"
            );
        } else {
            assert_eq!(
                delivered, size.messages,
                "{pipe}: open, yet messages missing"
            );
            assert_eq!(
                tally.dropped(&pipe.to_string()),
                0,
                "{pipe}: open, yet drops"
            );
        }
        delivered_total += delivered;
        dropped_total += dropped;
    }
    let stats = router.stats();
    assert_eq!(stats.routed, delivered_total, "stats().routed");
    assert_eq!(stats.dropped, dropped_total, "stats().dropped");
    assert_eq!(stats.routed + stats.dropped, total);
    assert_eq!(tally.dropped_total(), dropped_total);
    assert_eq!(tally.other_warnings(), 0, "no warning but closed-pipe ones");
    assert_eq!(stats.pings, event_loop.callbacks(), "stats().pings");
    // A ping is made by a send that found the gate free (at most one per
    // message) or by a turn that spent its budget.
    assert!(stats.pings >= 1);
    assert!(stats.pings <= total + total / 256 + 1, "{stats:?}");
    assert_eq!(router.open_pipes(), size.workers - size.closes);

    for (index, (receiver, _)) in pipes.iter().enumerate() {
        if !closed.contains(&index) {
            router.close_pipe(receiver).unwrap();
        }
    }
    router.stop().unwrap();
    eprintln!(
        "{}: {total} messages, {delivered_total} delivered, {dropped_total} dropped for \
         {} closed pipes ({closed_mid_stream} closed while their worker sent, \
         {partly_delivered} partly delivered; {} warnings), \
         {} pings, in {:.1?}",
        B::NAME,
        size.closes,
        tally.discard_warnings(),
        stats.pings,
        started.elapsed()
    );
}

fn sixty_four_workers_with_pipes_closed_mid_flood_lose_and_duplicate_nothing<B: Backend>() {
    soak::<B>(&Soak {
        workers: 64,
        messages: 2_000,
        closes: 32,
        limit: Duration::from_secs(120),
    });
}

fn long_sixty_four_workers_with_pipes_closed_mid_flood_lose_and_duplicate_nothing<B: Backend>() {
    soak::<B>(&Soak {
        workers: 64,
        messages: 100_000,
        closes: 32,
        limit: Duration::from_secs(900),
    });
}

router_reliability::for_each_backend! {
    sixty_four_workers_with_pipes_closed_mid_flood_lose_and_duplicate_nothing;
    #[ignore = "long: 64 x 100 000 messages; run with --ignored"]
    long_sixty_four_workers_with_pipes_closed_mid_flood_lose_and_duplicate_nothing;
}
