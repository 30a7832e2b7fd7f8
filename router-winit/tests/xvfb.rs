//! `WinitLoop` on a real winit event loop under a display (Xvfb in CI),
//! driven with `pump_app_events`. One winit loop per process and only on
//! the main thread, so this is a plain `main` running each case in turn:
//! the cases of this crate, then the whole behaviour suite of
//! router-conformance (every rule of RULES.md, the event loop's W1–W4
//! included) for the crossbeam and the flume backends, each check on a
//! fresh `WinitLoop` over the one winit loop, and last the case that makes
//! the winit loop exit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use router_conformance::until_deadline;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{EventLoop, MessageReceiver, MessageRouter, MessageSender, Pingee, Pump};
use router_conformance::jobs::JobMessage;
use router_conformance::{Capability, Check, KitLoop, Msg, Outcome, job_suite, suite};
use router_crossbeam::CrossbeamRouter;
use router_flume::FlumeRouter;
use router_winit::WinitLoop;
use winit::application::ApplicationHandler;
use winit::error::EventLoopError;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoop as Winit};
use winit::platform::pump_events::{EventLoopExtPumpEvents, PumpStatus};
use winit::window::WindowId;

const PATIENCE: Duration = Duration::from_secs(10);

/// The app's user event that wakes the router.
struct Route;

thread_local! {
    /// The process's one winit loop, made on first use, on the main
    /// thread; taken out by the last case, which makes it exit.
    static WINIT: RefCell<Option<Winit<Route>>> = const { RefCell::new(None) };
}

/// Makes the winit loop, unless it is made already.
fn make_winit() -> Result<(), EventLoopError> {
    WINIT.with(|winit| {
        let mut winit = winit.borrow_mut();
        if winit.is_none() {
            *winit = Some(Winit::<Route>::with_user_event().build()?);
        }
        Ok(())
    })
}

/// Runs `run` with the winit loop.
fn with_winit<T>(run: impl FnOnce(&mut Winit<Route>) -> T) -> T {
    make_winit().expect("the winit loop (run under xvfb-run)");
    WINIT.with(|winit| {
        let mut winit = winit.borrow_mut();
        run(winit.as_mut().expect("the winit loop has exited"))
    })
}

/// An app that pumps the router for each `Route` event, and counts them.
struct App {
    pump: Option<Pump>,
    events: u64,
    exit: bool,
}

impl ApplicationHandler<Route> for App {
    fn resumed(&mut self, _: &ActiveEventLoop) {}

    fn window_event(&mut self, _: &ActiveEventLoop, _: WindowId, _: WindowEvent) {}

    fn user_event(&mut self, _: &ActiveEventLoop, Route: Route) {
        self.events += 1;
        if let Some(pump) = &self.pump {
            pump.run_pending();
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        if self.exit {
            event_loop.exit();
        }
    }
}

/// Pumps winit's events until `done` holds; false if the patience ran out.
fn pump_until(winit: &mut Winit<Route>, app: &mut App, done: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        if Instant::now() >= deadline {
            return false;
        }
        if let PumpStatus::Exit(_) = winit.pump_app_events(Some(Duration::from_millis(5)), app) {
            return done();
        }
    }
    true
}

fn four_threads_pinging_in_a_tight_loop_send_one_user_event_per_batch(winit: &mut Winit<Route>) {
    let (router_loop, pump) = WinitLoop::new(winit.create_proxy(), || Route);
    let mut app = App {
        pump: Some(pump),
        events: 0,
        exit: false,
    };
    let router = CrossbeamRouter::<(usize, u32)>::new(&router_loop);
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
        pump_until(winit, &mut app, || last
            .iter()
            .all(|n| n.get() == PER_THREAD)),
        "the last message of a thread was not delivered: {:?}",
        last.iter().map(Cell::get).collect::<Vec<_>>()
    );
    for worker in workers {
        worker.join().unwrap();
    }
    let messages = 4 * u64::from(PER_THREAD);
    assert!(
        app.events <= router.stats().pings && app.events < messages / 10,
        "{} user events for {messages} messages and {} pings: pings must be batched",
        app.events,
        router.stats().pings
    );
    for receiver in &receivers {
        router.close_pipe(receiver).unwrap();
    }
    router.stop().unwrap();
}

fn once_the_loop_has_exited_pings_do_nothing_and_stop_still_works(mut winit: Winit<Route>) {
    let (router_loop, pump) = WinitLoop::new(winit.create_proxy(), || Route);
    let mut app = App {
        pump: Some(pump),
        events: 0,
        exit: true,
    };
    let router = CrossbeamRouter::<u32>::new(&router_loop);
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let deadline = Instant::now() + PATIENCE;
    while !matches!(
        winit.pump_app_events(Some(Duration::from_millis(5)), &mut app),
        PumpStatus::Exit(_)
    ) {
        assert!(Instant::now() < deadline, "the winit loop did not exit");
    }
    drop(winit);
    sender.start().unwrap();
    sender.send(1).unwrap();
    std::thread::spawn(move || sender.send(2).unwrap())
        .join()
        .unwrap();
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

/// The conformance kit's loop: a fresh `WinitLoop` over the one winit
/// loop, with its pump. Clones share them; the last one to go drops the
/// pump: the `WinitLoop` is gone (the winit loop stays, for the next
/// check).
#[derive(Clone)]
struct WinitHarness(Rc<Host>);

struct Host {
    router_loop: WinitLoop,
    pump: Pump,
    /// Callbacks run, counted by the wrapper `pingee` puts around each.
    ran: Rc<Cell<usize>>,
}

impl Host {
    /// Pumps winit's events for at most `timeout`: the app answers each
    /// `Route` event with this loop's pump. (An event a loop of an earlier
    /// check sent only runs this pump once more.)
    fn pump_events(&self, timeout: Duration) {
        /// The app, for one call of `pump_app_events`.
        struct Pumping<'a>(&'a Pump);

        impl ApplicationHandler<Route> for Pumping<'_> {
            fn resumed(&mut self, _: &ActiveEventLoop) {}

            fn window_event(&mut self, _: &ActiveEventLoop, _: WindowId, _: WindowEvent) {}

            fn user_event(&mut self, _: &ActiveEventLoop, Route: Route) {
                self.0.run_pending();
            }
        }

        let status =
            with_winit(|winit| winit.pump_app_events(Some(timeout), &mut Pumping(&self.pump)));
        assert!(
            matches!(status, PumpStatus::Continue),
            "the winit loop exited in the middle of a check"
        );
    }
}

impl EventLoop for WinitHarness {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        let ran = Rc::clone(&self.0.ran);
        self.0.router_loop.pingee(Box::new(move || {
            ran.set(ran.get() + 1);
            on_ping();
        }))
    }
}

impl KitLoop for WinitHarness {
    fn new_loop() -> Self {
        let (router_loop, pump) =
            WinitLoop::new(with_winit(|winit| winit.create_proxy()), || Route);
        Self(Rc::new(Host {
            router_loop,
            pump,
            ran: Rc::default(),
        }))
    }

    fn run_until(&self, condition: &mut dyn FnMut() -> bool, timeout: Duration) -> bool {
        until_deadline(condition, timeout, |left| self.0.pump_events(left))
    }

    fn run_pending(&self) -> usize {
        let before = self.0.ran.get();
        // The first pump may only take the wake-up; the second the event.
        for _ in 0..2 {
            self.0.pump_events(Duration::ZERO);
        }
        self.0.ran.get() - before
    }
}

/// What the checks of the suite came to.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: Vec<String>,
    skipped: Vec<String>,
}

/// Runs every check of the suite for the routers `new_router` makes, on
/// `WinitHarness`, one after the other on this (the main) thread, and
/// prints each as libtest would.
fn run_suite<R>(backend: &str, new_router: &dyn Fn(&WinitHarness) -> R, tally: &mut Tally)
where
    R: MessageRouter<Msg> + 'static,
    R::Receiver: 'static,
{
    run_checks(backend, suite::<WinitHarness, R>(), new_router, tally);
}

/// Runs `checks` for the routers `new_router` makes, as [`run_suite`].
fn run_checks<R>(
    backend: &str,
    checks: Vec<Check<WinitHarness, R>>,
    new_router: &dyn Fn(&WinitHarness) -> R,
    tally: &mut Tally,
) {
    // What this loop lacks, as `conformance_tests!(.., lacks: [..])` would
    // say it: nothing; checks needing what the platform lacks are skipped.
    const LACKS: &[Capability] = &[];
    for check in checks {
        let name = format!("{backend}::{}", check.name());
        // A check's panics are its outcome's message; the hook would print
        // each a second time, the listeners' deliberate ones too.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let outcome = check.outcome(new_router, LACKS);
        std::panic::set_hook(hook);
        match outcome {
            Outcome::Passed => {
                tally.passed += 1;
                println!("test {name} ... ok");
            }
            Outcome::Skipped { .. } => {
                println!("test {name} ... ignored, {outcome}");
                tally.skipped.push(name);
            }
            Outcome::Failed(message) => {
                println!("test {name} ... FAILED\n{message}");
                tally.failed.push(name);
            }
        }
    }
}

/// A case that runs on the one winit loop and leaves it running.
type Case = dyn Fn(&mut Winit<Route>);

fn main() -> ExitCode {
    if let Err(error) = make_winit() {
        eprintln!("router-winit's tests need a display (run them under xvfb-run): {error}");
        return ExitCode::FAILURE;
    }
    let mut tally = Tally::default();
    // The kit's W checks below cover the storm and disconnect; this case
    // adds what is winit's own: one user event per batch of pings.
    let cases: [(&str, &Case); 1] = [(
        "four_threads_pinging_in_a_tight_loop_send_one_user_event_per_batch",
        &four_threads_pinging_in_a_tight_loop_send_one_user_event_per_batch,
    )];
    for (name, case) in cases {
        match catch_unwind(AssertUnwindSafe(|| with_winit(case))) {
            Ok(()) => {
                tally.passed += 1;
                println!("test {name} ... ok");
            }
            Err(_) => {
                println!("test {name} ... FAILED");
                tally.failed.push(name.to_owned());
            }
        }
    }
    run_suite(
        "crossbeam",
        &|event_loop: &WinitHarness| CrossbeamRouter::<Msg>::new(event_loop),
        &mut tally,
    );
    run_suite(
        "flume",
        &|event_loop: &WinitHarness| FlumeRouter::<Msg>::new(event_loop),
        &mut tally,
    );
    // The jobs layer's suite (J), on executors over this loop.
    run_checks(
        "jobs_crossbeam",
        job_suite(),
        &|event_loop: &WinitHarness| CrossbeamRouter::<JobMessage>::new(event_loop),
        &mut tally,
    );
    let winit = WINIT.with(|winit| winit.borrow_mut().take());
    let name = "once_the_loop_has_exited_pings_do_nothing_and_stop_still_works";
    let last = catch_unwind(AssertUnwindSafe(|| {
        once_the_loop_has_exited_pings_do_nothing_and_stop_still_works(
            winit.expect("the winit loop"),
        );
    }));
    match last {
        Ok(()) => {
            tally.passed += 1;
            println!("test {name} ... ok");
        }
        Err(_) => {
            println!("test {name} ... FAILED");
            tally.failed.push(name.to_owned());
        }
    }
    println!();
    if !tally.skipped.is_empty() {
        println!("skipped: {}", tally.skipped.join(", "));
    }
    if !tally.failed.is_empty() {
        println!("failures: {}", tally.failed.join(", "));
    }
    println!(
        "{} passed, {} failed, {} skipped",
        tally.passed,
        tally.failed.len(),
        tally.skipped.len()
    );
    if tally.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
