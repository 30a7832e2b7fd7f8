//! P1..P3: messages per second through a router, senders on their own
//! threads, listeners on this one.

use std::time::Duration;

use router_api::{DrainBudget, MessageRouter};

use crate::{Backend, BenchError, PATIENCE, Rig, Tally, Workload};

/// What one router run took.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RouterRun {
    /// From the senders' release to the last message routed.
    pub elapsed: Duration,
    /// Pings the router took from its event loop.
    pub pings: u64,
}

/// P1: `work` routed by `route_until` (manual mode).
///
/// # Errors
///
/// As [`Rig::new`] and [`Rig::finish`]; [`BenchError::Router`] if
/// routing times out.
pub fn manual<B: Backend>(work: Workload) -> Result<RouterRun, BenchError> {
    let tally = Tally::new();
    let rig = Rig::<B>::new(work, None, &tally)?;
    let expected = work.messages();
    let started = rig.release();
    rig.router
        .route_until(|| tally.count() == expected, Some(PATIENCE))?;
    let elapsed = started.elapsed();
    let pings = rig.router.stats().pings;
    rig.finish()?;
    Ok(RouterRun { elapsed, pings })
}

/// P2, P3: `work` routed by the running event loop (event-loop mode),
/// with the given drain budget (the default when `None`).
///
/// # Errors
///
/// As [`Rig::new`] and [`Rig::finish`]; [`BenchError::TimedOut`] if
/// routing times out.
pub fn event_loop<B: Backend>(
    work: Workload,
    budget: Option<DrainBudget>,
) -> Result<RouterRun, BenchError> {
    let tally = Tally::new();
    let rig = Rig::<B>::new(work, budget, &tally)?;
    let expected = work.messages();
    let started = rig.release();
    rig.event_loop
        .run_until(|| tally.count() == expected, Some(PATIENCE))?;
    let elapsed = started.elapsed();
    let pings = rig.router.stats().pings;
    rig.finish()?;
    Ok(RouterRun { elapsed, pings })
}
