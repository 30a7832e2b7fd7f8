//! The whole behaviour suite of router-conformance (every rule of
//! RULES.md, the event loop's W1–W4 included) on an `EguiLoop`, for the
//! crossbeam and the flume backends.
//!
//! The harness is the integration, headless (no window, no GPU): each
//! check gets a fresh `egui::Context`, whose repaint requests the harness
//! answers with a frame that starts with the pump, as `tests/frames.rs`
//! does.
#![allow(clippy::expect_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use router_conformance::api::{EventLoop, Pingee, Pump};
use router_conformance::{KitLoop, Msg};
use router_crossbeam::CrossbeamRouter;
use router_egui::EguiLoop;
use router_flume::FlumeRouter;

/// egui's repaint requests so far, and a signal for each.
#[derive(Default)]
struct Requests {
    count: Mutex<u64>,
    signal: Condvar,
}

impl Requests {
    fn count(&self) -> MutexGuard<'_, u64> {
        self.count.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An `EguiLoop` on a context of its own, with its pump. Clones share
/// them; the last one to go drops the pump: the loop is gone.
#[derive(Clone)]
struct EguiHarness(Rc<Host>);

struct Host {
    router_loop: EguiLoop,
    pump: Pump,
    context: egui::Context,
    requests: Arc<Requests>,
    /// The requests answered with a frame.
    answered: Cell<u64>,
    /// Callbacks run, counted by the wrapper `pingee` puts around each.
    ran: Rc<Cell<usize>>,
}

impl Host {
    /// One frame, with the pump at its start.
    fn frame(&self) {
        let output = self.context.run_ui(egui::RawInput::default(), |_| {
            self.pump.run_pending();
        });
        output.drop_without_applying_deltas();
    }
}

impl EventLoop for EguiHarness {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        let ran = Rc::clone(&self.0.ran);
        self.0.router_loop.pingee(Box::new(move || {
            ran.set(ran.get() + 1);
            on_ping();
        }))
    }
}

impl KitLoop for EguiHarness {
    fn new_loop() -> Self {
        let context = egui::Context::default();
        let requests = Arc::new(Requests::default());
        context.set_request_repaint_callback({
            let requests = Arc::clone(&requests);
            move |_| {
                *requests.count() += 1;
                requests.signal.notify_all();
            }
        });
        let (router_loop, pump) = EguiLoop::new(&context);
        Self(Rc::new(Host {
            router_loop,
            pump,
            context,
            requests,
            answered: Cell::new(0),
            ran: Rc::default(),
        }))
    }

    /// Sleeps until egui asks for a frame, runs it, until `condition`
    /// holds.
    fn run_until(&self, condition: &mut dyn FnMut() -> bool, timeout: Duration) -> bool {
        let host = &*self.0;
        let deadline = Instant::now() + timeout;
        while !condition() {
            let mut requests = host.requests.count();
            while *requests == host.answered.get() {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return false;
                }
                requests = host
                    .requests
                    .signal
                    .wait_timeout(requests, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            host.answered.set(*requests);
            drop(requests);
            host.frame();
        }
        true
    }

    /// One frame, asked for or not.
    fn run_pending(&self) -> usize {
        let host = &*self.0;
        let before = host.ran.get();
        host.answered.set(*host.requests.count());
        host.frame();
        host.ran.get() - before
    }
}

// PassesPanics: the panic does reach the code that runs the frame, but a
// panic in the middle of a frame leaves the `egui::Context` unusable (the
// next frame panics: its root `Ui` is still taken), so nothing routes on.
router_conformance::conformance_tests!(
    crossbeam,
    on: EguiHarness,
    |event_loop| CrossbeamRouter::<Msg>::new(event_loop),
    lacks: [PassesPanics],
);
router_conformance::conformance_tests!(
    flume,
    on: EguiHarness,
    |event_loop| FlumeRouter::<Msg>::new(event_loop),
    lacks: [PassesPanics],
);

// The jobs layer's suite (J), on executors over this loop.
router_conformance::conformance_tests!(jobs: jobs_crossbeam, on: EguiHarness, |event_loop| {
    CrossbeamRouter::<router_conformance::jobs::JobMessage>::new(event_loop)
});
