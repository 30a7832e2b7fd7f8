//! A hand-written egui integration, headless (no window, no GPU), that
//! does what the crate docs' "Writing your own integration" says and
//! nothing more: its repaint callback only notes the request and wakes the
//! test thread, which sleeps on a condvar until a frame is due, runs it
//! with the pump at its start, and honours the frame's `repaint_delay`.
//!
//! It also skips a request a frame has answered already (its
//! `current_cumulative_pass_nr` is older than the context's), as egui's
//! `RequestRepaintInfo` invites and the docs allow: that is safe only
//! because the loop honours the delay, and the second test shows what
//! happens when it does not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::time::{Duration, Instant};

use router_api::{MessageReceiver, MessageRouter, MessageSender, Pump};
use router_crossbeam::{CrossbeamRouter, CrossbeamSender};
use router_egui::EguiLoop;

/// A safety net: the tests end as soon as what they wait for happens.
const PATIENCE: Duration = Duration::from_secs(10);

/// How long "no wake-up comes" is watched for.
const QUIET: Duration = Duration::from_millis(300);

/// What the repaint callback hands the UI thread.
#[derive(Default)]
struct Wake {
    requests: Mutex<Requests>,
    signal: Condvar,
}

#[derive(Default)]
struct Requests {
    /// Not yet taken by the loop: when each came, and egui's info.
    pending: Vec<(Instant, egui::RequestRepaintInfo)>,
    /// How many times egui called the callback.
    calls: u64,
}

impl Wake {
    fn lock(&self) -> MutexGuard<'_, Requests> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The callback: any thread, with egui's context locked.
    fn note(&self, info: egui::RequestRepaintInfo) {
        let mut requests = self.lock();
        requests.pending.push((Instant::now(), info));
        requests.calls += 1;
        drop(requests);
        self.signal.notify_one();
    }

    /// Sleeps until a request comes or `until` passes, and takes them all.
    fn wait(&self, until: Instant) -> Vec<(Instant, egui::RequestRepaintInfo)> {
        let mut requests = self.lock();
        while requests.pending.is_empty() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            requests = self
                .signal
                .wait_timeout(requests, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        std::mem::take(&mut requests.pending)
    }

    fn calls(&self) -> u64 {
        self.lock().calls
    }
}

/// The integration, on the test thread.
struct Integration {
    context: egui::Context,
    wake: Arc<Wake>,
    /// Whether each frame's `repaint_delay` schedules the next one.
    honours_repaint_delay: bool,
    /// When the next frame is due; `None`: when a request comes.
    next_frame: Cell<Option<Instant>>,
    frames: Cell<u32>,
}

impl Integration {
    fn new(honours_repaint_delay: bool) -> Self {
        let context = egui::Context::default();
        let wake = Arc::new(Wake::default());
        context.set_request_repaint_callback({
            let wake = Arc::clone(&wake);
            move |info| wake.note(info)
        });
        Self {
            context,
            wake,
            honours_repaint_delay,
            next_frame: Cell::new(None),
            frames: Cell::new(0),
        }
    }

    /// Brings the next frame forward to `at`, if that is sooner.
    fn schedule(&self, at: Instant) {
        let sooner = self.next_frame.get().is_none_or(|due| at < due);
        if sooner {
            self.next_frame.set(Some(at));
        }
    }

    /// One frame, the pump at its start; returns the delay egui asked for.
    fn frame(&self, pump: &Pump, input: egui::RawInput) -> Duration {
        self.frames.set(self.frames.get() + 1);
        let output = self.context.run_ui(input, |_| {
            pump.run_pending();
        });
        let delay = output
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map_or(Duration::MAX, |viewport| viewport.repaint_delay);
        output.drop_without_applying_deltas();
        if self.honours_repaint_delay {
            // `Duration::MAX` overflows: no frame asked for.
            if let Some(at) = Instant::now().checked_add(delay) {
                self.schedule(at);
            }
        }
        delay
    }

    /// Sleeps until a frame is due, runs it, until `done` holds or
    /// `patience` passes. No input event comes meanwhile.
    fn run_until(&self, pump: &Pump, done: impl Fn() -> bool, patience: Duration) -> bool {
        let give_up = Instant::now() + patience;
        while !done() {
            if give_up <= Instant::now() {
                return false;
            }
            let wake_at = self.next_frame.get().map_or(give_up, |at| at.min(give_up));
            let requests = self.wake.wait(wake_at);
            // Read after the wake's lock is released: egui calls the
            // callback, which takes that lock, with the context locked.
            let passes = self.context.cumulative_pass_nr();
            for (came, info) in requests {
                let answered = info.current_cumulative_pass_nr < passes;
                if !answered && let Some(at) = came.checked_add(info.delay) {
                    self.schedule(at);
                }
            }
            if self.next_frame.get().is_some_and(|at| at <= Instant::now()) {
                // Taken before the frame: a request during it counts.
                self.next_frame.set(None);
                self.frame(pump, egui::RawInput::default());
            }
        }
        true
    }
}

/// A crossbeam router on an integration's context, with one pipe whose
/// listener counts the messages.
struct Wired {
    router: CrossbeamRouter<u32>,
    pump: Pump,
    receiver: <CrossbeamRouter<u32> as MessageRouter<u32>>::Receiver,
    count: Rc<Cell<u32>>,
}

impl Wired {
    /// Wires `integration`; the listener also reports each message to
    /// `delivered`. Returns the pipe's sender too, for a worker.
    fn new(
        integration: &Integration,
        delivered: mpsc::Sender<u32>,
    ) -> (Self, CrossbeamSender<u32>) {
        let (event_loop, pump) = EguiLoop::new(&integration.context);
        let router = CrossbeamRouter::<u32>::new(&event_loop);
        router.start().unwrap();
        let (sender, receiver) = router.pipe().unwrap();
        let count = Rc::new(Cell::new(0));
        receiver.connect({
            let count = Rc::clone(&count);
            move |message: &u32| {
                count.set(count.get() + 1);
                // The worker may have stopped listening: nothing to tell.
                let _ = delivered.send(*message);
            }
        });
        let wired = Self {
            router,
            pump,
            receiver,
            count,
        };
        (wired, sender)
    }

    fn close(self) {
        self.router.close_pipe(&self.receiver).unwrap();
        self.router.stop().unwrap();
    }
}

/// The doc's loop delivers a worker's first message, and a second one sent
/// after the first is in (the loop asleep again by then), with no input
/// event at all; and it sleeps between them rather than spinning.
#[test]
fn a_loop_that_honours_repaint_delay_delivers_each_message_without_input() {
    let integration = Integration::new(true);
    let (delivered, delivered_to_worker) = mpsc::channel();
    let (wired, mut sender) = Wired::new(&integration, delivered);
    // Start-up: egui asks for a frame after the first (a zero delay).
    integration.frame(&wired.pump, egui::RawInput::default());

    let worker = std::thread::spawn(move || {
        let mut open = sender.open().unwrap();
        open.send(1).unwrap();
        let first = delivered_to_worker.recv_timeout(PATIENCE);
        // Long enough for the loop to run egui's follow-up frame and sleep.
        std::thread::sleep(Duration::from_millis(50));
        open.send(2).unwrap();
        first
    });

    assert!(
        integration.run_until(&wired.pump, || wired.count.get() == 2, PATIENCE),
        "{} of 2 messages delivered in {PATIENCE:?}",
        wired.count.get()
    );
    assert_eq!(worker.join().unwrap(), Ok(1));
    assert!(
        integration.frames.get() < 50,
        "{} frames for two messages: the loop spun instead of sleeping",
        integration.frames.get()
    );
    wired.close();
}

/// The same loop, ignoring each frame's `repaint_delay`, sleeps through the
/// first message until an input event comes. Deterministic: the start-up
/// frame returns a zero delay (egui runs a second frame after the first),
/// and egui's callback for that second frame fired inside the first, so the
/// loop skips it as answered; the router's ping then lands while the zero
/// delay stands, and egui, which calls the callback only for a request that
/// brings the next repaint sooner, calls nothing.
#[test]
fn a_loop_that_ignores_repaint_delay_sleeps_through_the_first_message() {
    let integration = Integration::new(false);
    let (delivered, _) = mpsc::channel();
    let (wired, mut sender) = Wired::new(&integration, delivered);
    assert_eq!(
        integration.frame(&wired.pump, egui::RawInput::default()),
        Duration::ZERO,
        "the start-up frame asks for the next one at once"
    );
    let calls = integration.wake.calls();

    std::thread::spawn(move || sender.open().unwrap().send(1).unwrap())
        .join()
        .unwrap();

    assert!(
        !integration.run_until(&wired.pump, || wired.count.get() == 1, QUIET),
        "delivered within {QUIET:?} although the loop ignores repaint_delay"
    );
    assert_eq!(
        integration.wake.calls(),
        calls,
        "the ping called no repaint callback"
    );
    assert_eq!(wired.count.get(), 0);

    // An input event comes: its frame runs the pump.
    let input = egui::RawInput {
        events: vec![egui::Event::PointerMoved(egui::pos2(1.0, 1.0))],
        ..egui::RawInput::default()
    };
    integration.frame(&wired.pump, input);
    assert_eq!(wired.count.get(), 1, "the input event's frame delivers it");
    wired.close();
}
