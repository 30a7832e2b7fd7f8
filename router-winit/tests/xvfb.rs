//! `WinitLoop` on a real winit event loop under a display (Xvfb in CI),
//! driven with `pump_app_events`. One winit loop per process and only on
//! the main thread, so this is a plain `main` running each case in turn.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{EventLoop, MessageReceiver, MessageRouter, MessageSender, Pump};
use router_crossbeam::CrossbeamRouter;
use router_winit::WinitLoop;
use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoop as Winit};
use winit::platform::pump_events::{EventLoopExtPumpEvents, PumpStatus};
use winit::window::WindowId;

const PATIENCE: Duration = Duration::from_secs(10);

/// The app's user event that wakes the router.
struct Route;

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

fn four_threads_pinging_in_a_tight_loop_deliver_the_last_message(winit: &mut Winit<Route>) {
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

fn disconnect_stops_the_callback_for_good(winit: &mut Winit<Route>) {
    let (router_loop, pump) = WinitLoop::new(winit.create_proxy(), || Route);
    let mut app = App {
        pump: Some(pump),
        events: 0,
        exit: false,
    };
    let runs = Rc::new(Cell::new(0));
    let mut pingee = router_loop.pingee(Box::new({
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
    assert!(pump_until(winit, &mut app, || runs.get() == 1));
    pingee.disconnect();
    let events = app.events;
    pinger.ping();
    winit.pump_app_events(Some(Duration::from_millis(20)), &mut app);
    assert_eq!(runs.get(), 1, "W3: the callback ran after disconnect");
    assert_eq!(
        app.events, events,
        "W3: a disconnected pingee sent an event"
    );
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

/// A case that runs on the one winit loop and leaves it running.
type Case = dyn Fn(&mut Winit<Route>);

fn main() -> ExitCode {
    let mut winit = match Winit::<Route>::with_user_event().build() {
        Ok(winit) => winit,
        Err(error) => {
            eprintln!("router-winit's tests need a display (run them under xvfb-run): {error}");
            return ExitCode::FAILURE;
        }
    };
    let cases: [(&str, &Case); 2] = [
        (
            "four_threads_pinging_in_a_tight_loop_deliver_the_last_message",
            &four_threads_pinging_in_a_tight_loop_deliver_the_last_message,
        ),
        (
            "disconnect_stops_the_callback_for_good",
            &disconnect_stops_the_callback_for_good,
        ),
    ];
    for (name, case) in cases {
        case(&mut winit);
        println!("test {name} ... ok");
    }
    once_the_loop_has_exited_pings_do_nothing_and_stop_still_works(winit);
    println!("test once_the_loop_has_exited_pings_do_nothing_and_stop_still_works ... ok");
    println!("3 passed, 0 failed");
    ExitCode::SUCCESS
}
