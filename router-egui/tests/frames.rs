//! `EguiLoop` on a headless `egui::Context` (no window, no GPU): the test
//! plays the integration, running a frame whenever egui asks for one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use router_api::{DrainBudget, EventLoop, MessageReceiver, MessageRouter, MessageSender, Pump};
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
fn four_threads_pinging_in_a_tight_loop_always_deliver_the_last_message() {
    let integration = Integration::new();
    let (event_loop, pump) = EguiLoop::new(&integration.context);
    let router = CrossbeamRouter::<(usize, u32)>::new(&event_loop);
    router.start().unwrap();
    const PER_THREAD: u32 = 20_000;
    let last = Rc::new([const { Cell::new(0) }; 4]);
    let mut receivers = Vec::new();
    let mut workers = Vec::new();
    for thread in 0..4 {
        let (mut sender, receiver) = router.pipe().unwrap();
        receiver.connect({
            let last = Rc::clone(&last);
            move |(thread, n): &(usize, u32)| last[*thread].set(*n)
        });
        receivers.push(receiver);
        workers.push(std::thread::spawn(move || {
            let mut open = sender.open().unwrap();
            for n in 1..=PER_THREAD {
                open.send((thread, n)).unwrap();
            }
        }));
    }
    assert!(
        integration.run_until(&pump, || last.iter().all(|n| n.get() == PER_THREAD)),
        "the last message of a thread was not delivered: {:?}",
        last.iter().map(Cell::get).collect::<Vec<_>>()
    );
    for worker in workers {
        worker.join().unwrap();
    }
    for receiver in &receivers {
        router.close_pipe(receiver).unwrap();
    }
    router.stop().unwrap();
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
fn disconnect_stops_the_callback_for_good() {
    let integration = Integration::new();
    let (event_loop, pump) = EguiLoop::new(&integration.context);
    let runs = Rc::new(Cell::new(0));
    let mut pingee = event_loop.pingee(Box::new({
        let runs = Rc::clone(&runs);
        move || runs.set(runs.get() + 1)
    }));
    let pinger = pingee.pinger();
    std::thread::spawn({
        let pinger = pinger.clone();
        move || pinger.ping()
    })
    .join()
    .unwrap();
    assert!(integration.run_until(&pump, || runs.get() == 1));
    pingee.disconnect();
    let before = integration.requests();
    pinger.ping();
    assert_eq!(
        integration.requests(),
        before,
        "a disconnected pingee asks for no frame"
    );
    integration.frame(&pump);
    assert_eq!(runs.get(), 1);
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
