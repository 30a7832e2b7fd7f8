//! Misuse and faults: each gives a clear error or a documented behaviour,
//! never a panic inside the library and never a hang.
//!
//! Every wait has a safety timeout of seconds and ends as soon as its
//! condition holds. Where a listener panics on purpose, the test checks
//! that the panic that comes out is that one, not one of the library's
//! (a `RefCell` already borrowed, say).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::time::Duration;

use router_api::{
    DefaultEventLoop, Disconnect, DrainBudget, MessageReceiver, MessageRouter, MessageSender,
    PipeId, RouteError, SendError, SendErrorKind, TimedOut,
};
use router_conformance::capture::{Captured, capture};
use router_reliability::{Backend, DiscardTally, Router, WorkerFailure, Workers};

/// The safety timeout of every wait: generous, never reached when all is
/// well.
const SAFETY: Option<Duration> = Some(Duration::from_secs(10));

/// What a listener panics with on purpose.
const LISTENER_PANIC: &str = "a listener panics on purpose";

type Log = Rc<RefCell<Vec<u64>>>;

/// What a call made inside a listener returned, once it has.
type Outcome = Rc<RefCell<Option<Result<(), RouteError>>>>;

/// A started router of backend `B` on a new event loop.
fn started<B: Backend>() -> (DefaultEventLoop, Rc<Router<B, u64>>) {
    let event_loop = DefaultEventLoop::new();
    let router = Rc::new(B::router::<u64, _>(&event_loop));
    router.start().unwrap();
    (event_loop, router)
}

/// Connects a listener that logs each message; returns the log.
fn logged(receiver: &impl MessageReceiver<u64>) -> Log {
    let log = Log::default();
    receiver.connect({
        let log = Rc::clone(&log);
        move |message: &u64| log.borrow_mut().push(*message)
    });
    log
}

/// Sends `message` on `sender` after its router stopped: checks that the
/// send fails with `Disconnected` for `pipe`; returns the error.
fn send_fails_disconnected(
    sender: &mut impl MessageSender<u64>,
    message: u64,
    pipe: PipeId,
) -> SendError<u64> {
    let error = sender.send(message).unwrap_err();
    assert_eq!(
        (error.pipe(), error.disconnect()),
        (pipe, Some(Disconnect::RouterStopped))
    );
    error
}

/// Checks that the one warning logged is the stop's about one unclosed
/// pipe.
fn assert_stopped_with_one_unclosed_pipe(captured: &Captured) {
    let warnings: Vec<_> = captured.warnings().collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].message, "router stopped with 1 unclosed pipe");
}

/// The panic's message, if it is a string.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("<not a string>")
}

// ---------------------------------------------------------------------
// Dropped routers and senders
// ---------------------------------------------------------------------

fn dropping_a_running_router_stops_it_and_warns_about_unclosed_pipes<B: Backend>() {
    let (_event_loop, router) = started::<B>();
    let (mut first, _first_end) = router.pipe().unwrap();
    let (_second, _second_end) = router.pipe().unwrap();
    first.start().unwrap();

    let ((), captured) = capture(|| drop(router));

    let warnings: Vec<_> = captured.warnings().collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].message, "router stopped with 2 unclosed pipes");
    assert_eq!(warnings[0].field("unclosed_pipes"), Some("2"));
    // Stopped: its senders are disconnected.
    let pipe = first.pipe_id();
    send_fails_disconnected(&mut first, 1, pipe);
}

fn dropping_an_open_sender_stops_it_and_its_messages_still_arrive<B: Backend>() {
    let (event_loop, router) = started::<B>();
    let (mut sender, receiver) = router.pipe().unwrap();
    let log = logged(&receiver);
    let worker = std::thread::spawn(move || {
        sender.start().unwrap();
        for message in 0..3 {
            sender.send(message).unwrap();
        }
        // Dropped open, never stopped (S3).
        drop(sender);
    });
    worker.join().unwrap();

    let (routed, captured) = capture(|| event_loop.run_until(|| log.borrow().len() == 3, SAFETY));
    routed.unwrap();
    assert_eq!(*log.borrow(), [0, 1, 2]);
    assert_eq!(captured.warnings().count(), 0);
    router.close_pipe(&receiver).unwrap();
    let (stopped, captured) = capture(|| router.stop());
    stopped.unwrap();
    assert_eq!(captured.warnings().count(), 0, "the pipe was closed");
}

fn dropping_an_open_sender_guard_stops_its_sender<B: Backend>() {
    let (_event_loop, router) = started::<B>();
    let (mut sender, _receiver) = router.pipe().unwrap();
    {
        let mut open = sender.open().unwrap();
        open.send(1).unwrap();
    }
    let error = sender.send(2).unwrap_err();
    assert!(
        error.pipe() == sender.pipe_id() && matches!(error.kind(), SendErrorKind::Stopped),
        "{error}"
    );
    assert_eq!(error.into_message(), 2);
}

fn sending_after_the_router_stopped_fails_disconnected_and_hands_the_message_back<B: Backend>() {
    let (_event_loop, router) = started::<B>();
    let (sender, receiver) = router.pipe().unwrap();
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();

    // From a worker thread: it must neither block nor panic.
    let workers = Workers::spawn([sender], 5);
    let report = workers
        .join()
        .pop()
        .unwrap()
        .expect("the worker does not panic");
    assert_eq!(report.sent, 0);
    assert_eq!(report.handed_back, 5, "every message comes back");
    match &report.first_failure {
        Some(WorkerFailure::Send(error)) => assert_eq!(
            (error.pipe(), error.disconnect()),
            (receiver.pipe_id(), Some(Disconnect::RouterStopped))
        ),
        other => panic!("expected a send refused as disconnected, got {other:?}"),
    }
}

fn sending_after_the_router_was_dropped_fails_disconnected_and_hands_the_message_back<
    B: Backend,
>() {
    let (_event_loop, router) = started::<B>();
    let (mut sender, receiver) = router.pipe().unwrap();
    sender.start().unwrap();
    drop(router);

    let error = send_fails_disconnected(&mut sender, 41, receiver.pipe_id());
    assert_eq!(error.into_message(), 41);
    sender.stop().unwrap();
}

// ---------------------------------------------------------------------
// Panics
// ---------------------------------------------------------------------

fn a_worker_panicking_mid_stream_drops_its_sender_and_other_pipes_carry_on<B: Backend>() {
    const PANICS_AT: u64 = 50;
    const MESSAGES: u64 = 200;
    let (event_loop, router) = started::<B>();
    let mut senders = Vec::new();
    let mut logs = Vec::new();
    let mut receivers = Vec::new();
    for _ in 0..4 {
        let (sender, receiver) = router.pipe().unwrap();
        logs.push(logged(&receiver));
        senders.push(sender);
        receivers.push(receiver);
    }
    let workers = Workers::spawn_with(senders, MESSAGES, |worker, message| {
        assert!(
            !(worker == 0 && message == PANICS_AT),
            "worker 0 panics on purpose"
        );
    });
    let expected = PANICS_AT + 3 * MESSAGES;
    let delivered = || {
        logs.iter()
            .map(|log| log.borrow().len() as u64)
            .sum::<u64>()
    };
    // Delivery, not the workers' ending, is what pings announce.
    event_loop
        .run_until(|| delivered() == expected, SAFETY)
        .unwrap();

    let reports = workers.join();
    assert!(reports[0].is_err(), "worker 0 panicked");
    for report in &reports[1..] {
        assert_eq!(report.as_ref().unwrap().sent, MESSAGES);
    }
    assert_eq!(*logs[0].borrow(), (0..PANICS_AT).collect::<Vec<_>>());
    for log in &logs[1..] {
        assert_eq!(*log.borrow(), (0..MESSAGES).collect::<Vec<_>>());
    }
    // The router carries on: a new pipe works, the panicked one closes.
    assert!(router.is_running());
    let (mut sender, receiver) = router.pipe().unwrap();
    let log = logged(&receiver);
    sender.start().unwrap();
    sender.send(7).unwrap();
    event_loop
        .run_until(|| log.borrow().len() == 1, SAFETY)
        .unwrap();
    router.close_pipe(&receivers[0]).unwrap();
    assert_eq!(router.stats().routed, expected + 1);
}

/// Connects a listener that panics on `message` and logs the others.
fn panicking_on(receiver: &impl MessageReceiver<u64>, message: u64) -> Log {
    let log = Log::default();
    receiver.connect({
        let log = Rc::clone(&log);
        move |got: &u64| {
            assert!(*got != message, "{LISTENER_PANIC}");
            log.borrow_mut().push(*got);
        }
    });
    log
}

/// Sends 1, 2, 3 to a listener that panics on 1; `route_to(log, n)` routes
/// until the log holds `n` messages. Checks that the panic reaches the
/// caller of `route_to` (`expect_panic` says which), that the rest then
/// routes with no new send and that the next message routes too. Returns
/// the pipe's receiver.
fn a_panicking_listener_leaves_routing_usable<B: Backend>(
    router: &Rc<Router<B, u64>>,
    expect_panic: &str,
    route_to: impl Fn(&Log, usize),
) -> <Router<B, u64> as MessageRouter<u64>>::Receiver {
    let (mut sender, receiver) = router.pipe().unwrap();
    let log = panicking_on(&receiver, 1);
    sender.start().unwrap();
    for message in 1..=3 {
        sender.send(message).unwrap();
    }

    let panicked = catch_unwind(AssertUnwindSafe(|| route_to(&log, 2))).expect_err(expect_panic);
    assert_eq!(panic_message(&*panicked), LISTENER_PANIC);

    // The interrupted turn left the rest queued: it routes with no new send.
    route_to(&log, 2);
    assert_eq!(*log.borrow(), [2, 3]);
    // And the next message routes too.
    sender.send(4).unwrap();
    route_to(&log, 3);
    assert_eq!(*log.borrow(), [2, 3, 4]);
    receiver
}

fn a_panicking_listener_leaves_the_router_usable_and_the_rest_routes_with_no_new_ping<
    B: Backend,
>() {
    let (event_loop, router) = started::<B>();
    // The interrupted turn pinged again, or the event loop would not route
    // the rest.
    let receiver = a_panicking_listener_leaves_routing_usable::<B>(
        &router,
        "the listener's panic reaches the caller that drove the routing",
        |log, n| {
            event_loop
                .run_until(|| log.borrow().len() == n, SAFETY)
                .unwrap();
        },
    );
    assert_eq!(
        router.stats().routed,
        4,
        "the panicking dispatch counts as routed"
    );
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

fn a_panicking_listener_leaves_route_until_usable<B: Backend>() {
    let (_event_loop, router) = started::<B>();
    let receiver = a_panicking_listener_leaves_routing_usable::<B>(
        &router,
        "the listener's panic reaches route_until's caller",
        |log, n| {
            router
                .route_until(|| log.borrow().len() == n, SAFETY)
                .unwrap();
        },
    );
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

fn a_panicking_listener_on_a_closed_pipes_burst_still_ends_the_burst<B: Backend>() {
    let (_event_loop, router) = started::<B>();
    let (mut sender, receiver) = router.pipe().unwrap();
    let (mut dropped_sender, dropped_receiver) = router.pipe().unwrap();
    panicking_on(&receiver, 1);
    sender.start().unwrap();
    dropped_sender.start().unwrap();
    router.close_pipe(&dropped_receiver).unwrap();
    dropped_sender.send(10).unwrap();
    dropped_sender.send(11).unwrap();
    sender.send(1).unwrap();

    let (panicked, captured) =
        capture(|| catch_unwind(AssertUnwindSafe(|| router.route_until(|| false, SAFETY))));
    assert_eq!(panic_message(&*panicked.unwrap_err()), LISTENER_PANIC);
    let warnings: Vec<_> = captured.warnings().map(|event| &event.message).collect();
    let pipe = dropped_receiver.pipe_id();
    assert_eq!(
        warnings,
        [
            &format!("discarding message from closed pipe {pipe}"),
            &format!("discarded 1 more messages from closed pipe {pipe}"),
        ],
        "the burst's sum is logged even though the call panicked"
    );
    assert_eq!(router.stats().dropped, 2);
}

// ---------------------------------------------------------------------
// Listeners that call the router
// ---------------------------------------------------------------------

/// Connects a listener that logs each message and then, for the messages
/// `stops_on` picks, stops `router`; returns the log.
fn stopping_the_router_on<B: Backend>(
    receiver: &impl MessageReceiver<u64>,
    router: &Rc<Router<B, u64>>,
    stops_on: impl Fn(u64) -> bool + 'static,
) -> Log {
    let log = Log::default();
    receiver.connect({
        let (log, router) = (Rc::clone(&log), Rc::downgrade(router));
        move |message: &u64| {
            log.borrow_mut().push(*message);
            if stops_on(*message) {
                router.upgrade().unwrap().stop().unwrap();
            }
        }
    });
    log
}

fn a_listener_stopping_the_router_ends_the_turn_and_disconnects_senders<B: Backend>() {
    let (event_loop, router) = started::<B>();
    let (mut sender, receiver) = router.pipe().unwrap();
    let log = stopping_the_router_on::<B>(&receiver, &router, |message| message == 2);
    // A second listener still gets the message whose dispatch stopped the
    // router: the dispatch had begun.
    let second = logged(&receiver);
    sender.start().unwrap();
    for message in 1..=5 {
        sender.send(message).unwrap();
    }

    let (stopped, captured) = capture(|| event_loop.run_until(|| !router.is_running(), SAFETY));
    stopped.unwrap();
    assert_eq!(*log.borrow(), [1, 2]);
    assert_eq!(*second.borrow(), [1, 2]);
    assert_stopped_with_one_unclosed_pipe(&captured);
    // The turn neither pinged again nor routes anything more.
    assert_eq!(event_loop.run_pending(), 0);
    assert_eq!(*log.borrow(), [1, 2]);
    send_fails_disconnected(&mut sender, 6, receiver.pipe_id());
    assert_eq!(router.stats().routed, 2);
}

fn a_listener_stopping_the_router_makes_route_until_fail_not_running<B: Backend>() {
    let (_event_loop, router) = started::<B>();
    let (mut sender, receiver) = router.pipe().unwrap();
    let log = stopping_the_router_on::<B>(&receiver, &router, |_| true);
    sender.start().unwrap();
    sender.send(1).unwrap();
    sender.send(2).unwrap();

    let routed = router.route_until(|| log.borrow().len() == 2, SAFETY);
    assert_eq!(routed, Err(RouteError::NotRunning));
    assert_eq!(*log.borrow(), [1]);
    // A restart works, and is a fresh run.
    router.start().unwrap();
    assert_eq!(router.open_pipes(), 0);
}

fn a_listener_dropping_the_last_handle_to_its_router_stops_it_cleanly<B: Backend>() {
    let event_loop = DefaultEventLoop::new();
    let slot = Rc::new(RefCell::new(Some(B::router::<u64, _>(&event_loop))));
    let (mut sender, receiver) = {
        let router = slot.borrow();
        let router = router.as_ref().unwrap();
        router.start().unwrap();
        router.pipe().unwrap()
    };
    let log = Log::default();
    receiver.connect({
        let (log, slot) = (Rc::clone(&log), Rc::clone(&slot));
        move |message: &u64| {
            log.borrow_mut().push(*message);
            let router = slot.borrow_mut().take();
            drop(router);
        }
    });
    sender.start().unwrap();
    sender.send(1).unwrap();
    sender.send(2).unwrap();

    let (ran, captured) = capture(|| event_loop.run_until(|| !log.borrow().is_empty(), SAFETY));
    ran.unwrap();
    assert_eq!(*log.borrow(), [1]);
    assert_stopped_with_one_unclosed_pipe(&captured);
    assert_eq!(event_loop.run_pending(), 0, "no callback left to run");
    send_fails_disconnected(&mut sender, 3, receiver.pipe_id());
}

fn a_listener_closing_its_own_pipe_during_dispatch_drops_the_rest_with_one_warning<B: Backend>() {
    let (_event_loop, router) = started::<B>();
    let (mut sender, receiver) = router.pipe().unwrap();
    let receiver = Rc::new(receiver);
    let closed = Rc::new(RefCell::new(Vec::new()));
    receiver.connect({
        let (closed, router) = (Rc::clone(&closed), Rc::downgrade(&router));
        let receiver = Rc::downgrade(&receiver);
        move |_: &u64| {
            let (router, receiver) = (router.upgrade().unwrap(), receiver.upgrade().unwrap());
            closed.borrow_mut().push(router.close_pipe(&receiver));
        }
    });
    let second = logged(&*receiver);
    sender.start().unwrap();
    for message in 1..=4 {
        sender.send(message).unwrap();
    }

    let (routed, captured) = capture(|| router.route_until(|| false, Some(Duration::ZERO)));
    assert!(matches!(routed, Err(RouteError::TimedOut(_))));
    assert_eq!(
        *closed.borrow(),
        [Ok(())],
        "closed once, by the first message"
    );
    assert_eq!(*second.borrow(), [1], "the dispatch under way finishes");
    let pipe = receiver.pipe_id();
    let warnings: Vec<_> = captured
        .warnings()
        .map(|event| event.message.clone())
        .collect();
    assert_eq!(
        warnings,
        [
            format!("discarding message from closed pipe {pipe}"),
            format!("discarded 2 more messages from closed pipe {pipe}"),
        ]
    );
    let stats = router.stats();
    assert_eq!((stats.routed, stats.dropped), (1, 3));
    assert_eq!(router.open_pipes(), 0);
}

/// Sends 1, 2, 3; the listener of 1 calls `route_until` for the rest.
/// Returns the log (each message at the listener's entry) and what the
/// nested call returned.
fn nested_route_until<B: Backend>(
    router: &Rc<Router<B, u64>>,
    drive: impl FnOnce(&Log),
) -> (Log, Outcome) {
    let (mut sender, receiver) = router.pipe().unwrap();
    let log = Log::default();
    let nested = Rc::new(RefCell::new(None));
    receiver.connect({
        let (log, nested, router) = (Rc::clone(&log), Rc::clone(&nested), Rc::downgrade(router));
        move |message: &u64| {
            log.borrow_mut().push(*message);
            if *message == 1 {
                let router = router.upgrade().unwrap();
                let log = Rc::clone(&log);
                let result = router.route_until(|| log.borrow().len() == 3, SAFETY);
                *nested.borrow_mut() = Some(result);
            }
        }
    });
    sender.start().unwrap();
    for message in 1..=3 {
        sender.send(message).unwrap();
    }
    drive(&log);
    router.close_pipe(&receiver).unwrap();
    (log, nested)
}

fn route_until_inside_a_listener_during_a_ping_routes_the_next_messages<B: Backend>() {
    let (event_loop, router) = started::<B>();
    let (log, nested) = nested_route_until::<B>(&router, |log| {
        event_loop
            .run_until(|| log.borrow().len() == 3, SAFETY)
            .unwrap();
    });
    assert_eq!(*nested.borrow(), Some(Ok(())));
    assert_eq!(*log.borrow(), [1, 2, 3], "each once, in order");
    assert_eq!(router.stats().routed, 3);
    assert!(
        router.is_manual(),
        "route_until switched the router to manual mode"
    );
    // The interrupted turn routes nothing more and pings no more.
    event_loop.run_pending();
    assert_eq!(event_loop.pending(), 0);
}

/// What the README says of a nested loop's `route_until`: manual mode for
/// good, also across `stop` and `start`; the event loop never routes the
/// router again, and `route_until` does.
fn route_until_inside_a_listener_leaves_the_router_manual_across_stop_and_start<B: Backend>() {
    let (event_loop, router) = started::<B>();
    nested_route_until::<B>(&router, |log| {
        event_loop
            .run_until(|| log.borrow().len() == 3, SAFETY)
            .unwrap();
    });
    router.stop().unwrap();
    router.start().unwrap();
    assert!(router.is_manual(), "manual mode outlives stop and start");
    let (mut sender, receiver) = router.pipe().unwrap();
    let log = logged(&receiver);
    sender.start().unwrap();
    sender.send(4).unwrap();
    let waited = event_loop.run_until(|| !log.borrow().is_empty(), Some(Duration::from_millis(50)));
    assert!(waited.is_err(), "the event loop routed a manual router");
    assert!(log.borrow().is_empty());
    router
        .route_until(|| !log.borrow().is_empty(), SAFETY)
        .unwrap();
    assert_eq!(*log.borrow(), [4]);
    router.close_pipe(&receiver).unwrap();
}

fn route_until_inside_a_listener_during_route_until_routes_the_next_messages<B: Backend>() {
    let (_event_loop, router) = started::<B>();
    let outer = Outcome::default();
    let (log, nested) = nested_route_until::<B>(&router, |log| {
        let result = router.route_until(|| log.borrow().len() == 3, SAFETY);
        *outer.borrow_mut() = Some(result);
    });
    assert_eq!(*nested.borrow(), Some(Ok(())));
    assert_eq!(*outer.borrow(), Some(Ok(())));
    assert_eq!(*log.borrow(), [1, 2, 3], "each once, in order");
    assert_eq!(router.stats().routed, 3);
}

fn route_until_inside_a_listener_times_out_cleanly_when_nothing_comes<B: Backend>() {
    let (_event_loop, router) = started::<B>();
    let (mut sender, receiver) = router.pipe().unwrap();
    let nested = Rc::new(RefCell::new(None));
    receiver.connect({
        let (nested, router) = (Rc::clone(&nested), Rc::downgrade(&router));
        move |_: &u64| {
            let router = router.upgrade().unwrap();
            let result = router.route_until(|| false, Some(Duration::from_millis(10)));
            *nested.borrow_mut() = Some(result);
        }
    });
    sender.start().unwrap();
    sender.send(1).unwrap();

    router
        .route_until(|| nested.borrow().is_some(), SAFETY)
        .unwrap();
    assert_eq!(
        *nested.borrow(),
        Some(Err(RouteError::TimedOut(TimedOut::after(
            Duration::from_millis(10)
        ))))
    );
    assert_eq!(router.stats().routed, 1);
}

/// Documented behaviour, not a wish: a ping's turn holds the ping gate
/// while its listeners run, so senders do not ping and a nested run of
/// the event loop inside a listener (a modal dialog, say) gets no further
/// message of the same router; they are routed, once and in order, when
/// the listener returns. Inside a listener, `route_until` is the way to
/// wait for the router's next messages (see the tests above).
fn a_nested_event_loop_inside_a_listener_waits_until_the_listener_returns<B: Backend>() {
    let (event_loop, router) = started::<B>();
    let (mut sender, receiver) = router.pipe().unwrap();
    let log = Log::default();
    // What the nested run of the loop returned, as the library gave it.
    let nested: Rc<RefCell<Option<Result<(), TimedOut>>>> = Rc::default();
    receiver.connect({
        let (log, nested, event_loop) = (Rc::clone(&log), Rc::clone(&nested), event_loop.clone());
        move |message: &u64| {
            log.borrow_mut().push(*message);
            if *message == 1 {
                let log = Rc::clone(&log);
                let waited = event_loop
                    .run_until(|| log.borrow().len() == 3, Some(Duration::from_millis(50)));
                *nested.borrow_mut() = Some(waited);
            }
        }
    });
    sender.start().unwrap();
    for message in 1..=3 {
        sender.send(message).unwrap();
    }

    event_loop
        .run_until(|| log.borrow().len() == 3, SAFETY)
        .unwrap();
    assert_eq!(
        *nested.borrow(),
        Some(Err(TimedOut::after(Duration::from_millis(50)))),
        "the nested loop got no ping: it timed out with the loop's own error"
    );
    assert_eq!(*log.borrow(), [1, 2, 3], "routed once, in order, after it");
    assert_eq!(router.stats().pings, 1);
}

// ---------------------------------------------------------------------
// A flood for a closed pipe
// ---------------------------------------------------------------------

const MILLION: u64 = 1_000_000;

/// A started router with a pipe holding a million queued messages, closed.
fn a_million_queued_for_a_closed_pipe<B: Backend>() -> (DefaultEventLoop, Rc<Router<B, u64>>, String)
{
    let (event_loop, router) = started::<B>();
    let (mut sender, receiver) = router.pipe().unwrap();
    sender.start().unwrap();
    for message in 0..MILLION {
        sender.send(message).unwrap();
    }
    router.close_pipe(&receiver).unwrap();
    (event_loop, router, receiver.pipe_id().to_string())
}

fn a_million_messages_for_a_closed_pipe_are_dropped_with_two_warnings_by_route_until<B: Backend>() {
    let (_event_loop, router, pipe) = a_million_queued_for_a_closed_pipe::<B>();
    let (routed, captured) = capture(|| router.route_until(|| false, Some(Duration::ZERO)));
    assert!(matches!(routed, Err(RouteError::TimedOut(_))));
    // One burst: the first drop warns, the rest are summed at its end.
    let warnings: Vec<_> = captured.warnings().collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(
        warnings[0].message,
        format!("discarding message from closed pipe {pipe}")
    );
    assert_eq!(warnings[0].field("pipe"), Some(pipe.as_str()));
    assert_eq!(
        warnings[1].message,
        format!("discarded 999999 more messages from closed pipe {pipe}")
    );
    assert_eq!(warnings[1].field("discarded"), Some("999999"));
    assert_eq!(router.stats().dropped, MILLION);
    assert_eq!(router.stats().routed, 0);
}

fn a_million_messages_for_a_closed_pipe_are_dropped_with_two_warnings_per_ping<B: Backend>() {
    let (event_loop, router, pipe) = a_million_queued_for_a_closed_pipe::<B>();
    let budget = router.drain_budget();
    let (_, tally) =
        DiscardTally::run(|| event_loop.run_until(|| router.stats().dropped == MILLION, SAFETY));
    let stats = router.stats();
    assert_eq!(stats.dropped, MILLION);
    assert_eq!(
        tally.dropped(&pipe),
        MILLION,
        "the warnings add up to every drop"
    );
    // Each ping's turn is one burst: at most two warnings per ping, and a
    // turn routes at most the drain budget (or what fits in its time).
    assert!(tally.discard_warnings() <= 2 * stats.pings, "{stats:?}");
    assert!(
        stats.pings >= MILLION.div_ceil(budget.max_messages as u64),
        "{stats:?}"
    );
    assert_eq!(tally.other_warnings(), 0);
    eprintln!(
        "{}: 1 000 000 drops in {} pings logged {} warnings",
        B::NAME,
        stats.pings,
        tally.discard_warnings()
    );
}

fn a_small_drain_budget_splits_a_flood_into_turns_with_their_own_warnings<B: Backend>() {
    let (event_loop, router) = started::<B>();
    router.set_drain_budget(DrainBudget {
        max_messages: 100,
        // Only the count ends a turn, however slow the machine.
        max_time: Duration::from_secs(3600),
        ..DrainBudget::default()
    });
    let (mut sender, receiver) = router.pipe().unwrap();
    sender.start().unwrap();
    for message in 0..1_000 {
        sender.send(message).unwrap();
    }
    router.close_pipe(&receiver).unwrap();
    let (_, captured) =
        capture(|| event_loop.run_until(|| router.stats().dropped == 1_000, SAFETY));
    assert_eq!(router.stats().pings, 10, "one ping per 100 messages");
    assert_eq!(captured.warnings().count(), 20, "two warnings per turn");
    assert_eq!(
        captured
            .warnings_containing("discarded 99 more messages")
            .len(),
        10
    );
}

router_reliability::for_each_backend! {
    dropping_a_running_router_stops_it_and_warns_about_unclosed_pipes;
    dropping_an_open_sender_stops_it_and_its_messages_still_arrive;
    dropping_an_open_sender_guard_stops_its_sender;
    sending_after_the_router_stopped_fails_disconnected_and_hands_the_message_back;
    sending_after_the_router_was_dropped_fails_disconnected_and_hands_the_message_back;
    a_worker_panicking_mid_stream_drops_its_sender_and_other_pipes_carry_on;
    a_panicking_listener_leaves_the_router_usable_and_the_rest_routes_with_no_new_ping;
    a_panicking_listener_leaves_route_until_usable;
    a_panicking_listener_on_a_closed_pipes_burst_still_ends_the_burst;
    a_listener_stopping_the_router_ends_the_turn_and_disconnects_senders;
    a_listener_stopping_the_router_makes_route_until_fail_not_running;
    a_listener_dropping_the_last_handle_to_its_router_stops_it_cleanly;
    a_listener_closing_its_own_pipe_during_dispatch_drops_the_rest_with_one_warning;
    route_until_inside_a_listener_during_a_ping_routes_the_next_messages;
    route_until_inside_a_listener_leaves_the_router_manual_across_stop_and_start;
    route_until_inside_a_listener_during_route_until_routes_the_next_messages;
    route_until_inside_a_listener_times_out_cleanly_when_nothing_comes;
    a_nested_event_loop_inside_a_listener_waits_until_the_listener_returns;
    a_million_messages_for_a_closed_pipe_are_dropped_with_two_warnings_by_route_until;
    a_million_messages_for_a_closed_pipe_are_dropped_with_two_warnings_per_ping;
    a_small_drain_budget_splits_a_flood_into_turns_with_their_own_warnings;
}
