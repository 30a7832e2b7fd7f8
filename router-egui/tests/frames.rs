//! What is particular to `EguiLoop`, on a headless `egui::Context` (no
//! window, no GPU; the test plays the integration, running a frame whenever
//! egui asks for one): a flood is routed over several frames, and a pump
//! that is gone. The conformance kit, in `conformance.rs`, checks the rest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use router_api::{DrainBudget, MessageReceiver, MessageRouter, MessageSender, Pump};
use router_crossbeam::CrossbeamRouter;
use router_egui::EguiLoop;

const PATIENCE: Duration = Duration::from_secs(10);

/// The integration: counts egui's repaint requests, and runs a frame
/// (with the pump at its start) for each one it sees.
struct Integration {
    context: egui::Context,
    requests: Arc<(Mutex<u64>, Condvar)>,
    frames: Cell<u64>,
}

impl Integration {
    fn new() -> Self {
        let context = egui::Context::default();
        let requests = Arc::new((Mutex::new(0), Condvar::new()));
        context.set_request_repaint_callback({
            let requests = Arc::clone(&requests);
            move |_| {
                *requests.0.lock().unwrap() += 1;
                requests.1.notify_all();
            }
        });
        Self {
            context,
            requests,
            frames: Cell::new(0),
        }
    }

    fn requests(&self) -> u64 {
        *self.requests.0.lock().unwrap()
    }

    fn frame(&self, pump: &Pump) {
        self.frames.set(self.frames.get() + 1);
        let output = self.context.run_ui(egui::RawInput::default(), |_| {
            pump.run_pending();
        });
        output.drop_without_applying_deltas();
    }

    /// Sleeps until egui asks for a frame, runs it, until `done` holds.
    fn run_until(&self, pump: &Pump, done: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = 0;
        while !done() {
            let mut requests = self.requests.0.lock().unwrap();
            while *requests == seen && !pump.is_pending() {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return false;
                }
                requests = self.requests.1.wait_timeout(requests, left).unwrap().0;
            }
            seen = *requests;
            drop(requests);
            self.frame(pump);
        }
        true
    }
}

#[test]
fn a_flood_is_routed_over_several_frames() {
    let integration = Integration::new();
    let (event_loop, pump) = EguiLoop::new(&integration.context);
    let router = CrossbeamRouter::<u64>::new(&event_loop);
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
    const FLOOD: u64 = 100_000;
    {
        let mut open = sender.open().unwrap();
        for n in 0..FLOOD {
            open.send(n).unwrap();
        }
    }
    assert_eq!(integration.requests(), 1, "a burst asks for one repaint");
    assert!(integration.run_until(&pump, || routed.get() == FLOOD));
    assert!(
        integration.frames.get() >= FLOOD / 1_000,
        "{FLOOD} messages in turns of 1000 took only {} frames",
        integration.frames.get()
    );
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn once_the_pump_is_gone_pings_ask_for_nothing_and_stop_still_works() {
    let integration = Integration::new();
    let (event_loop, pump) = EguiLoop::new(&integration.context);
    let router = CrossbeamRouter::<u32>::new(&event_loop);
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    drop(pump);
    let before = integration.requests();
    sender.start().unwrap();
    sender.send(1).unwrap();
    std::thread::spawn(move || sender.send(2).unwrap())
        .join()
        .unwrap();
    assert_eq!(integration.requests(), before);
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}
