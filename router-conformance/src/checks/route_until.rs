//! Driving the router by hand with `route_until` (R9).

use std::sync::mpsc;
use std::time::{Duration, Instant};

use router_api::{MessageRouter, MessageSender, RouteError, TimedOut};

use crate::fixtures::drive::{
    SAFETY_TIMEOUT, close_and_stop, drain, join, route_until, started_with_inbox, started_with_pipe,
};
use crate::fixtures::inbox::{Inbox, assert_messages, sequence};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// A started router with one pipe, its receiver recorded, and its sender
/// open on this (the foreground) thread.
fn started_with_open_sender<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) -> (L, R, R::Sender, R::Receiver, Inbox) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R9");
    sender.start().expect("R9: start of the sender failed");
    (event_loop, router, sender, receiver, inbox)
}

fn send_all<S: MessageSender<Msg>>(sender: &mut S, messages: &[Msg]) {
    for message in messages {
        sender.send(*message).expect("R9: send failed");
    }
}

/// **R9**: `route_until` returns at once, routing nothing, when its
/// condition holds on entry, even with messages queued.
///
/// > R9 `route_until(condition, timeout)`: returns at once, routing
/// > nothing, when the condition already holds; otherwise routes one
/// > message at a time and checks the condition after each; fails with a
/// > timeout error when the deadline passes (one deadline for the whole
/// > call, not one per message); with a zero timeout it still routes
/// > messages already queued; `None` waits without limit; a call after a
/// > timed-out call works.
///
/// # Panics
///
/// When the backend breaks R9.
pub fn route_until_returns_at_once_when_condition_holds<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (_event_loop, router, mut sender, receiver, inbox) = started_with_open_sender(new_router);
    send_all(&mut sender, &sequence(0, 3));
    router
        .route_until(|| true, Some(SAFETY_TIMEOUT))
        .unwrap_or_else(|error| {
            panic!("R9: route_until with a condition that holds failed: {error}")
        });
    assert_eq!(
        inbox.len(),
        0,
        "R9: route_until routed messages although its condition held on entry"
    );
    route_until(
        &router,
        || inbox.len() >= 3,
        || "R9: route_until after a call that routed nothing".to_owned(),
    );
    drain(&router, "R9");
    assert_messages(&inbox.messages(), &sequence(0, 3), "R9: messages routed");
    close_and_stop(&router, &mut sender, &receiver, "R9");
}

/// **R9**: `route_until` routes one message at a time and stops as soon as
/// its condition holds, leaving the rest queued for the next call.
///
/// > R9 `route_until(condition, timeout)`: returns at once, routing
/// > nothing, when the condition already holds; otherwise routes one
/// > message at a time and checks the condition after each; fails with a
/// > timeout error when the deadline passes (one deadline for the whole
/// > call, not one per message); with a zero timeout it still routes
/// > messages already queued; `None` waits without limit; a call after a
/// > timed-out call works.
///
/// # Panics
///
/// When the backend breaks R9.
pub fn route_until_stops_as_soon_as_condition_holds<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (_event_loop, router, mut sender, receiver, inbox) = started_with_open_sender(new_router);
    send_all(&mut sender, &sequence(0, 10));
    route_until(
        &router,
        || inbox.len() >= 3,
        || "R9: route_until(3 messages routed)".to_owned(),
    );
    assert_eq!(
        inbox.len(),
        3,
        "R9: route_until(3 messages routed) routed {} messages; it must check the condition \
         after each message and return once it holds",
        inbox.len()
    );
    route_until(
        &router,
        || inbox.len() >= 10,
        || "R9: a second route_until(10 messages routed)".to_owned(),
    );
    drain(&router, "R9");
    assert_messages(&inbox.messages(), &sequence(0, 10), "R9: messages routed");
    close_and_stop(&router, &mut sender, &receiver, "R9");
}

/// **R9**: `route_until` with no timeout waits for messages that come
/// later, and returns once the condition holds.
///
/// > R9 `route_until(condition, timeout)`: returns at once, routing
/// > nothing, when the condition already holds; otherwise routes one
/// > message at a time and checks the condition after each; fails with a
/// > timeout error when the deadline passes (one deadline for the whole
/// > call, not one per message); with a zero timeout it still routes
/// > messages already queued; `None` waits without limit; a call after a
/// > timed-out call works.
///
/// # Panics
///
/// When the backend breaks R9. A backend that never routes the late
/// message hangs this check: there is no timeout to give up on.
pub fn route_until_without_timeout_waits_for_messages<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R9");
    let worker = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        let mut open = sender.open().expect("R9: start failed");
        open.send(Msg::new(0, 0)).expect("R9: send failed");
    });
    router
        .route_until(|| inbox.len() >= 1, None)
        .unwrap_or_else(|error| panic!("R9: route_until with no timeout failed: {error}"));
    assert_eq!(
        inbox.len(),
        1,
        "R9: route_until with no timeout returned before its condition held"
    );
    join(worker);
    drain(&router, "R9");
    assert_messages(&inbox.messages(), &sequence(0, 1), "R9: messages routed");
    router.close_pipe(&receiver).expect("R9: close_pipe failed");
    router.stop().expect("R9: stop failed");
}

/// **R9**: `route_until` whose condition never holds fails with
/// [`RouteError::TimedOut`] carrying its timeout, no sooner than the
/// timeout and well within the safety bound.
///
/// > R9 `route_until(condition, timeout)`: returns at once, routing
/// > nothing, when the condition already holds; otherwise routes one
/// > message at a time and checks the condition after each; fails with a
/// > timeout error when the deadline passes (one deadline for the whole
/// > call, not one per message); with a zero timeout it still routes
/// > messages already queued; `None` waits without limit; a call after a
/// > timed-out call works.
///
/// # Panics
///
/// When the backend breaks R9.
pub fn route_until_times_out_within_bounded_time<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const TIMEOUT: Duration = Duration::from_millis(100);
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (_sender, receiver) = started_with_pipe(&router, "R9");
    let started = Instant::now();
    let result = router.route_until(|| false, Some(TIMEOUT));
    let took = started.elapsed();
    assert_eq!(
        result,
        Err(RouteError::TimedOut(TimedOut::after(TIMEOUT))),
        "R9: route_until whose condition never holds must fail with a timeout error"
    );
    assert!(
        took >= TIMEOUT,
        "R9: route_until({TIMEOUT:?}) timed out after {took:?}, before its deadline"
    );
    assert!(
        took < TIMEOUT + SAFETY_TIMEOUT,
        "R9: route_until({TIMEOUT:?}) took {took:?} to time out"
    );
    router.close_pipe(&receiver).expect("R9: close_pipe failed");
    router.stop().expect("R9: stop failed");
}

/// **R9**: `route_until` has one deadline for the whole call: a slow
/// sender whose messages keep coming does not keep it alive.
///
/// > R9 `route_until(condition, timeout)`: returns at once, routing
/// > nothing, when the condition already holds; otherwise routes one
/// > message at a time and checks the condition after each; fails with a
/// > timeout error when the deadline passes (one deadline for the whole
/// > call, not one per message); with a zero timeout it still routes
/// > messages already queued; `None` waits without limit; a call after a
/// > timed-out call works.
///
/// A sender sends a message every 20 ms for up to 5 s; `route_until`
/// with a 200 ms timeout must fail within 3 s (a deadline restarted per
/// message would last until the sender gives up).
///
/// # Panics
///
/// When the backend breaks R9.
pub fn route_until_deadline_covers_the_whole_call<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const TIMEOUT: Duration = Duration::from_millis(200);
    const PERIOD: Duration = Duration::from_millis(20);
    const SENDER_GIVES_UP: Duration = Duration::from_secs(5);
    const BOUND: Duration = Duration::from_secs(3);
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R9");
    let (sending, sending_seen) = mpsc::channel::<()>();
    let (halt, halted) = mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("R9: start failed");
        let started = Instant::now();
        let mut seq = 0;
        loop {
            open.send(Msg::new(0, seq)).expect("R9: send failed");
            if seq == 0 {
                let _ = sending.send(());
            }
            seq += 1;
            let halt = halted.recv_timeout(PERIOD);
            if halt != Err(mpsc::RecvTimeoutError::Timeout) || started.elapsed() > SENDER_GIVES_UP {
                return;
            }
        }
    });
    sending_seen
        .recv_timeout(SAFETY_TIMEOUT)
        .expect("R9: the slow sender did not send its first message");
    let started = Instant::now();
    let result = router.route_until(|| false, Some(TIMEOUT));
    let took = started.elapsed();
    let _ = halt.send(());
    join(worker);
    assert_eq!(
        result,
        Err(RouteError::TimedOut(TimedOut::after(TIMEOUT))),
        "R9: route_until whose condition never holds must fail with a timeout error"
    );
    assert!(
        took < BOUND,
        "R9: route_until({TIMEOUT:?}) lasted {took:?} while a sender sent a message every \
         {PERIOD:?}: its deadline must cover the whole call, not restart with each message"
    );
    assert!(
        inbox.len() >= 1,
        "R9: route_until did not route the messages that came before its deadline"
    );
    drain(&router, "R9");
    router.close_pipe(&receiver).expect("R9: close_pipe failed");
    router.stop().expect("R9: stop failed");
}

/// **R9**: `route_until` with a zero timeout still routes the messages
/// already queued: it returns `Ok` once its condition holds, and fails
/// with a timeout error only after routing what is there.
///
/// > R9 `route_until(condition, timeout)`: returns at once, routing
/// > nothing, when the condition already holds; otherwise routes one
/// > message at a time and checks the condition after each; fails with a
/// > timeout error when the deadline passes (one deadline for the whole
/// > call, not one per message); with a zero timeout it still routes
/// > messages already queued; `None` waits without limit; a call after a
/// > timed-out call works.
///
/// A backend that queues a sent message only some time after `send`
/// returns (one whose senders write to a socket, say) is given repeated
/// zero-timeout calls until the safety timeout.
///
/// # Panics
///
/// When the backend breaks R9.
pub fn route_until_with_zero_timeout_routes_queued_messages<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (_event_loop, router, mut sender, receiver, inbox) = started_with_open_sender(new_router);
    let give_up = Instant::now() + SAFETY_TIMEOUT;
    send_all(&mut sender, &sequence(0, 5));
    loop {
        match router.route_until(|| inbox.len() >= 5, Some(Duration::ZERO)) {
            Ok(()) => break,
            Err(RouteError::TimedOut(timed_out)) if timed_out.timeout == Duration::ZERO => {}
            Err(error) => panic!("R9: route_until with a zero timeout failed: {error}"),
        }
        assert!(
            Instant::now() < give_up,
            "R9: route_until with a zero timeout routed {} of 5 queued messages",
            inbox.len()
        );
        std::thread::yield_now();
    }
    let routed = inbox.len();
    send_all(&mut sender, &sequence(0, 8)[5..]);
    while inbox.len() < 8 {
        assert_eq!(
            router.route_until(|| false, Some(Duration::ZERO)),
            Err(RouteError::TimedOut(TimedOut::after(Duration::ZERO))),
            "R9: route_until(|| false) with a zero timeout must fail with a timeout error"
        );
        assert!(
            Instant::now() < give_up,
            "R9: route_until(|| false) with a zero timeout routed {} of 3 queued messages",
            inbox.len() - routed
        );
        std::thread::yield_now();
    }
    assert_messages(&inbox.messages(), &sequence(0, 8), "R9: messages routed");
    close_and_stop(&router, &mut sender, &receiver, "R9");
}

/// **R9**: a `route_until` call after one that timed out works as usual.
///
/// > R9 `route_until(condition, timeout)`: returns at once, routing
/// > nothing, when the condition already holds; otherwise routes one
/// > message at a time and checks the condition after each; fails with a
/// > timeout error when the deadline passes (one deadline for the whole
/// > call, not one per message); with a zero timeout it still routes
/// > messages already queued; `None` waits without limit; a call after a
/// > timed-out call works.
///
/// # Panics
///
/// When the backend breaks R9.
pub fn route_until_works_after_a_timed_out_call<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const TIMEOUT: Duration = Duration::from_millis(50);
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R9");
    assert_eq!(
        router.route_until(|| false, Some(TIMEOUT)),
        Err(RouteError::TimedOut(TimedOut::after(TIMEOUT))),
        "R9: route_until with nothing to route must fail with a timeout error"
    );
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("R9: start failed");
        for message in sequence(0, 3) {
            open.send(message).expect("R9: send failed");
        }
    });
    route_until(
        &router,
        || inbox.len() >= 3,
        || "R9: route_until after a timed-out call".to_owned(),
    );
    join(worker);
    drain(&router, "R9");
    assert_messages(&inbox.messages(), &sequence(0, 3), "R9: messages routed");
    router.close_pipe(&receiver).expect("R9: close_pipe failed");
    router.stop().expect("R9: stop failed");
}
