//! The whole behaviour suite of router-conformance (every rule of
//! RULES.md, the event loop's W1–W4 included) on a `CalloopLoop`, for the
//! crossbeam and the flume backends.
//!
//! The harness is the app: each check gets a fresh calloop loop, made
//! and dispatched on the check's thread, with a `CalloopLoop` in it.
#![allow(clippy::expect_used)]

use router_conformance::until_deadline;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use calloop::EventLoop as Calloop;
use router_calloop::CalloopLoop;
use router_conformance::api::{EventLoop, Pingee};
use router_conformance::{KitLoop, Msg};
use router_crossbeam::CrossbeamRouter;
use router_flume::FlumeRouter;

/// A `CalloopLoop` in a calloop loop of its own. Clones share it; the
/// last one to go removes the router's source and drops the calloop loop.
#[derive(Clone)]
struct CalloopHarness(Rc<Host>);

struct Host {
    // Dropped first: its ping source leaves the loop.
    router_loop: CalloopLoop<()>,
    calloop: RefCell<Calloop<'static, ()>>,
    /// Callbacks run, counted by the wrapper `pingee` puts around each.
    ran: Rc<Cell<usize>>,
}

impl Host {
    fn dispatch(&self, timeout: Duration) {
        self.calloop
            .borrow_mut()
            .dispatch(Some(timeout), &mut ())
            .expect("calloop's dispatch failed");
    }
}

impl EventLoop for CalloopHarness {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        let ran = Rc::clone(&self.0.ran);
        self.0.router_loop.pingee(Box::new(move || {
            ran.set(ran.get() + 1);
            on_ping();
        }))
    }
}

impl KitLoop for CalloopHarness {
    fn new_loop() -> Self {
        let calloop = Calloop::<'static, ()>::try_new().expect("a calloop loop");
        let router_loop = CalloopLoop::new(&calloop.handle()).expect("a CalloopLoop");
        Self(Rc::new(Host {
            router_loop,
            calloop: RefCell::new(calloop),
            ran: Rc::default(),
        }))
    }

    fn run_until(&self, condition: &mut dyn FnMut() -> bool, timeout: Duration) -> bool {
        until_deadline(condition, timeout, |left| self.0.dispatch(left))
    }

    fn run_pending(&self) -> usize {
        let before = self.0.ran.get();
        self.0.dispatch(Duration::ZERO);
        self.0.ran.get() - before
    }
}

router_conformance::conformance_tests!(crossbeam, on: CalloopHarness, |event_loop| {
    CrossbeamRouter::<Msg>::new(event_loop)
});
router_conformance::conformance_tests!(flume, on: CalloopHarness, |event_loop| {
    FlumeRouter::<Msg>::new(event_loop)
});

// The jobs layer's suite (J), on executors over this loop.
router_conformance::conformance_tests!(jobs: jobs_crossbeam, on: CalloopHarness, |event_loop| {
    CrossbeamRouter::<router_conformance::jobs::JobMessage>::new(event_loop)
});
