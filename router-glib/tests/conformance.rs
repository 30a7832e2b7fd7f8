//! The whole behaviour suite of router-conformance (every rule of
//! RULES.md, the event loop's W1–W4 included) on a `GlibLoop`, for the
//! crossbeam and the flume backends.
//!
//! The harness is the app: each check gets a fresh `MainContext`, made
//! and iterated on the check's thread, with a `GlibLoop` on it.
#![allow(clippy::expect_used)]

use router_conformance::until_deadline;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use glib::MainContext;
use router_conformance::api::{EventLoop, Pingee};
use router_conformance::{KitLoop, Msg};
use router_crossbeam::CrossbeamRouter;
use router_flume::FlumeRouter;
use router_glib::GlibLoop;

/// How long `run_until` sleeps when an iteration found nothing to do.
const IDLE: Duration = Duration::from_micros(200);

/// At most this many iterations in one `run_pending`.
const PENDING_ITERATIONS: usize = 8;

/// A `GlibLoop` on a `MainContext` of its own. Clones share it; the last
/// one to go drops the context, and the loop's future with it.
#[derive(Clone)]
struct GlibHarness(Rc<Host>);

struct Host {
    router_loop: GlibLoop,
    context: MainContext,
    /// Callbacks run, counted by the wrapper `pingee` puts around each.
    ran: Rc<Cell<usize>>,
}

impl EventLoop for GlibHarness {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        let ran = Rc::clone(&self.0.ran);
        self.0.router_loop.pingee(Box::new(move || {
            ran.set(ran.get() + 1);
            on_ping();
        }))
    }
}

impl KitLoop for GlibHarness {
    fn new_loop() -> Self {
        let context = MainContext::new();
        let router_loop = GlibLoop::new(&context).expect("a GlibLoop on a new context");
        Self(Rc::new(Host {
            router_loop,
            context,
            ran: Rc::default(),
        }))
    }

    fn run_until(&self, condition: &mut dyn FnMut() -> bool, timeout: Duration) -> bool {
        // Non-blocking, with a short sleep: a blocking iteration could
        // sleep past the deadline if nothing came.
        until_deadline(condition, timeout, |_| {
            if !self.0.context.iteration(false) {
                std::thread::sleep(IDLE);
            }
        })
    }

    fn run_pending(&self) -> usize {
        let before = self.0.ran.get();
        for _ in 0..PENDING_ITERATIONS {
            if !self.0.context.iteration(false) {
                break;
            }
        }
        self.0.ran.get() - before
    }
}

// PassesPanics: a listener's panic in the adapter's local future
// (`MainContext::spawn_local`) has nobody to reach, so the future catches
// and logs it and routes on (`a_panicking_listener_does_not_end_routing`
// in context.rs); the code that iterates the context never sees it.
router_conformance::conformance_tests!(
    crossbeam,
    on: GlibHarness,
    |event_loop| CrossbeamRouter::<Msg>::new(event_loop),
    lacks: [PassesPanics],
);
router_conformance::conformance_tests!(
    flume,
    on: GlibHarness,
    |event_loop| FlumeRouter::<Msg>::new(event_loop),
    lacks: [PassesPanics],
);

// The jobs layer's suite (J), on executors over this loop.
router_conformance::conformance_tests!(jobs: jobs_crossbeam, on: GlibHarness, |event_loop| {
    CrossbeamRouter::<router_conformance::jobs::JobMessage>::new(event_loop)
});
