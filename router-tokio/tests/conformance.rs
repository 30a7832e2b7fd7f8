//! The whole behaviour suite of router-conformance (every rule of
//! RULES.md, the event loop's W1–W4 included) on a `TokioLoop`, for the
//! crossbeam and the flume backends.
//!
//! The harness is the app: each check gets a fresh current-thread
//! runtime and `LocalSet`, made and driven on the check's thread, with a
//! `TokioLoop` on that `LocalSet`.
#![allow(clippy::expect_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use router_conformance::api::{EventLoop, Pingee};
use router_conformance::{KitLoop, Msg};
use router_crossbeam::CrossbeamRouter;
use router_flume::FlumeRouter;
use router_tokio::TokioLoop;
use tokio::runtime::Runtime;
use tokio::task::LocalSet;

/// How often `run_until` asks its condition while the `LocalSet` runs.
const POLL: Duration = Duration::from_micros(100);

/// A `TokioLoop` on a runtime and a `LocalSet` of its own. Clones share
/// them; the last one to go drops the `LocalSet` (and with it the loop's
/// task: the loop is gone) and the runtime.
#[derive(Clone)]
struct TokioHarness(Rc<Host>);

struct Host {
    // Dropped in this order: the loop's handle, the LocalSet and its
    // task, the runtime.
    router_loop: TokioLoop,
    local: LocalSet,
    runtime: Runtime,
    /// Callbacks run, counted by the wrapper `pingee` puts around each.
    ran: Rc<Cell<usize>>,
}

impl EventLoop for TokioHarness {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        let ran = Rc::clone(&self.0.ran);
        self.0.router_loop.pingee(Box::new(move || {
            ran.set(ran.get() + 1);
            on_ping();
        }))
    }
}

impl KitLoop for TokioHarness {
    fn new_loop() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a current-thread tokio runtime");
        let local = LocalSet::new();
        let router_loop = TokioLoop::new(&local);
        Self(Rc::new(Host {
            router_loop,
            local,
            runtime,
            ran: Rc::default(),
        }))
    }

    fn run_until(&self, condition: &mut dyn FnMut() -> bool, timeout: Duration) -> bool {
        let host = &*self.0;
        host.local.block_on(&host.runtime, async {
            tokio::time::timeout(timeout, async {
                while !condition() {
                    tokio::time::sleep(POLL).await;
                }
            })
            .await
            .is_ok()
        })
    }

    fn run_pending(&self) -> usize {
        let host = &*self.0;
        let before = host.ran.get();
        host.local.block_on(&host.runtime, async {
            // The loop's task runs when this future first yields; the
            // other yields let a task woken meanwhile run too.
            for _ in 0..3 {
                tokio::task::yield_now().await;
            }
        });
        host.ran.get() - before
    }
}

// PassesPanics: a listener's panic in a local task has nobody to reach
// (tokio would stop it at the task's `JoinHandle`), so the adapter's task
// catches and logs it and routes on (`a_panicking_listener_does_not_end_
// routing` in loop.rs); the code that drives the `LocalSet` never sees it.
router_conformance::conformance_tests!(
    crossbeam,
    on: TokioHarness,
    |event_loop| CrossbeamRouter::<Msg>::new(event_loop),
    lacks: [PassesPanics],
);
router_conformance::conformance_tests!(
    flume,
    on: TokioHarness,
    |event_loop| FlumeRouter::<Msg>::new(event_loop),
    lacks: [PassesPanics],
);

// The jobs layer's suite (J), on executors over this loop.
router_conformance::conformance_tests!(jobs: jobs_crossbeam, on: TokioHarness, |event_loop| {
    CrossbeamRouter::<router_conformance::jobs::JobMessage>::new(event_loop)
});
