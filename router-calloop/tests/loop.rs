//! What is particular to `CalloopLoop` (the conformance kit, in
//! `conformance.rs`, checks the rest, the lost-wake-up storm included):
//! fairness under a flood, the source's removal with the last handle, and
//! a loop dropped under a running router.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use router_conformance::until_deadline;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use calloop::EventLoop as Calloop;
use router_api::{DrainBudget, EventLoop, MessageReceiver, MessageRouter, MessageSender};
use router_calloop::CalloopLoop;
use router_crossbeam::CrossbeamRouter;

const PATIENCE: Duration = Duration::from_secs(10);

/// Dispatches `event_loop` until `done` holds; false if the patience ran out.
fn dispatch_until(event_loop: &mut Calloop<'static, ()>, done: impl Fn() -> bool) -> bool {
    until_deadline(&mut || done(), PATIENCE, |left| {
        event_loop.dispatch(Some(left), &mut ()).unwrap();
    })
}

#[test]
fn a_flood_leaves_the_loops_other_sources_dispatched() {
    let mut event_loop = Calloop::<'static, ()>::try_new().unwrap();
    let router = CrossbeamRouter::<u64>::new(&CalloopLoop::new(&event_loop.handle()).unwrap());
    router.set_drain_budget(DrainBudget {
        max_messages: 1_000,
        ..DrainBudget::default()
    });
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let routed = Rc::new(Cell::new(0u64));
    receiver.connect({
        let routed = Rc::clone(&routed);
        move |_: &u64| routed.set(routed.get() + 1)
    });
    // Another source, always ready: a ping that re-arms itself.
    let (other, other_source) = calloop::ping::make_ping().unwrap();
    other.ping();
    let other_runs = Rc::new(Cell::new(0u64));
    event_loop
        .handle()
        .insert_source(other_source, {
            let other_runs = Rc::clone(&other_runs);
            let other = other.clone();
            move |(), &mut (), _: &mut ()| {
                other_runs.set(other_runs.get() + 1);
                other.ping();
            }
        })
        .unwrap();
    const FLOOD: u64 = 200_000;
    {
        let mut open = sender.open().unwrap();
        for n in 0..FLOOD {
            open.send(n).unwrap();
        }
    }
    assert!(dispatch_until(&mut event_loop, || routed.get() == FLOOD));
    assert!(
        other_runs.get() >= 100,
        "the other source ran {} times while {FLOOD} messages were routed in turns of 1000",
        other_runs.get()
    );
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

/// Sets its flag when dropped.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn the_ping_source_leaves_the_loop_with_the_last_handle() {
    let mut event_loop = Calloop::<'static, ()>::try_new().unwrap();
    let calloop_loop = CalloopLoop::new(&event_loop.handle()).unwrap();
    let dropped = Rc::new(Cell::new(false));
    // A callback that stays registered: only the source's removal (which
    // drops the pump, and with it the callbacks) drops its flag.
    let pingee = calloop_loop.pingee(Box::new({
        let flag = DropFlag(Rc::clone(&dropped));
        move || {
            let _ = &flag;
        }
    }));
    let clone = calloop_loop.clone();
    drop(calloop_loop);
    event_loop.dispatch(Some(Duration::ZERO), &mut ()).unwrap();
    assert!(
        !dropped.get(),
        "a clone still holds the loop: the source must stay"
    );
    drop(clone);
    event_loop.dispatch(Some(Duration::ZERO), &mut ()).unwrap();
    assert!(
        dropped.get(),
        "the last handle is gone: the source must leave the loop"
    );
    // Its pinger outlives the loop and does nothing.
    pingee.pinger().ping();
    drop(pingee);
}

#[test]
fn pings_after_the_loop_is_dropped_do_nothing_and_stop_still_works() {
    let event_loop = Calloop::<'static, ()>::try_new().unwrap();
    let router = CrossbeamRouter::<u32>::new(&CalloopLoop::new(&event_loop.handle()).unwrap());
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    drop(event_loop);
    sender.start().unwrap();
    sender.send(1).unwrap();
    std::thread::spawn(move || sender.send(2).unwrap())
        .join()
        .unwrap();
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}
