//! Whether a flood keeps the event loop responsive.
//!
//! One sender floods a router; meanwhile a ticker thread pings another
//! callback registered on the same [`DefaultEventLoop`](router_api::DefaultEventLoop)
//! and the callback notes how long each ping waited for it. The router's
//! drain budget ends its turn every so often and pings again, so the
//! ticker's callback gets its turn in between.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use router_api::{DrainBudget, EventLoop};

use crate::latency::{Latencies, delay_since, nanos_since};
use crate::{Backend, BenchError, PATIENCE, Rig, Tally, Workload};

/// What a flood did to the other callback of the loop.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FloodRun {
    /// From the sender's release to the last message routed (or to the
    /// end of the baseline, for an empty flood).
    pub elapsed: Duration,
    /// Pings the router took.
    pub pings: u64,
    /// How long each tick waited for its callback.
    pub waits: Latencies,
}

/// The ticker's side of a tick: when it was pinged, and whether the
/// callback has handled it.
#[derive(Debug)]
struct Tick {
    stamp: AtomicU64,
    pending: AtomicBool,
    stop: AtomicBool,
}

/// Floods a router with `messages` from one sender under `budget`, while
/// a ticker pings another callback every `every`. With no messages, the
/// ticker runs alone for fifty ticks: the baseline of what the machine's
/// scheduling alone costs a tick.
///
/// # Errors
///
/// As [`Rig::new`]; [`BenchError::TimedOut`] if the flood does not drain
/// in time; [`BenchError::SenderPanicked`] if the ticker panicked.
pub fn flood<B: Backend>(
    messages: u64,
    budget: DrainBudget,
    every: Duration,
) -> Result<FloodRun, BenchError> {
    let tally = Tally::new();
    let rig = Rig::<B>::new(Workload::new(1, messages), Some(budget), &tally)?;
    let epoch = Instant::now();
    let tick = Arc::new(Tick {
        stamp: AtomicU64::new(0),
        pending: AtomicBool::new(false),
        stop: AtomicBool::new(false),
    });
    let waits = Rc::new(RefCell::new(Vec::new()));
    let mut pingee = rig.event_loop.pingee(Box::new({
        let (tick, waits) = (Arc::clone(&tick), Rc::clone(&waits));
        move || {
            if tick.pending.swap(false, Ordering::AcqRel) {
                let wait = delay_since(epoch, tick.stamp.load(Ordering::Acquire));
                waits.borrow_mut().push(wait);
            }
        }
    }));
    let ticker = {
        let (tick, pinger) = (Arc::clone(&tick), pingee.pinger());
        thread::spawn(move || {
            while !tick.stop.load(Ordering::Acquire) {
                thread::sleep(every);
                // A tick still waiting keeps its stamp, so its whole wait
                // is measured.
                if !tick.pending.load(Ordering::Acquire) {
                    tick.stamp.store(nanos_since(epoch), Ordering::Release);
                    tick.pending.store(true, Ordering::Release);
                    pinger.ping();
                }
            }
        })
    };
    let started = rig.release();
    let drained = if messages == 0 {
        let until = started + every * 50;
        rig.event_loop
            .run_until(|| Instant::now() >= until, Some(PATIENCE))
    } else {
        rig.event_loop
            .run_until(|| tally.count() == messages, Some(PATIENCE))
    };
    let elapsed = started.elapsed();
    tick.stop.store(true, Ordering::Release);
    let joined = ticker.join();
    // A tick pinged during the flood may still wait: let it be counted.
    let waited = rig
        .event_loop
        .run_until(|| !tick.pending.load(Ordering::Acquire), Some(PATIENCE));
    pingee.disconnect();
    drained?;
    waited?;
    joined.map_err(|_| BenchError::SenderPanicked)?;
    let pings = rig.router.stats().pings;
    rig.finish()?;
    Ok(FloodRun {
        elapsed,
        pings,
        waits: Latencies::new(waits.take()),
    })
}
