//! Driving a router with safety timeouts: every wait ends as soon as its
//! condition holds, and a wait that never ends fails the check with a
//! message instead of hanging it.

use std::thread::JoinHandle;
use std::time::Duration;

use router_api::{MessageRouter, MessageSender, PipeError, RouteError};

use super::inbox::Inbox;
use crate::{KitLoop, Msg};

/// How long a check waits for something that should happen at once. Long,
/// so that a slow machine never fails a good backend; a good backend never
/// makes a check wait for it.
pub(crate) const SAFETY_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts `router` and makes a pipe on it; fails the check under `rule`
/// when either is refused.
pub(crate) fn started_with_pipe<R: MessageRouter<Msg>>(
    router: &R,
    rule: &str,
) -> (R::Sender, R::Receiver) {
    started_with(router, rule, "pipe", R::pipe)
}

/// Starts `router` and makes a pipe on it with `make` (named `what` in the
/// failure under `rule`).
fn started_with<R: MessageRouter<Msg>>(
    router: &R,
    rule: &str,
    what: impl std::fmt::Display,
    make: impl FnOnce(&R) -> Result<(R::Sender, R::Receiver), PipeError>,
) -> (R::Sender, R::Receiver) {
    router
        .start()
        .unwrap_or_else(|error| panic!("{rule}: start failed: {error:?}"));
    make(router).unwrap_or_else(|error| panic!("{rule}: {what} failed: {error:?}"))
}

/// A new loop, a router started on it, and a pipe of `kind` with a
/// recording listener: the set-up of the B and L checks.
pub(crate) fn loop_with_pipe_of<L: crate::KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
    kind: router_api::PipeKind,
    rule: &str,
) -> (L, R, R::Sender, R::Receiver, Inbox) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (sender, receiver) = started_with(&router, rule, format_args!("a {kind} pipe"), |router| {
        router.pipe_of(kind)
    });
    let inbox = Inbox::connect(&receiver);
    (event_loop, router, sender, receiver, inbox)
}

/// [`started_with_pipe`], with a recording listener connected to the pipe.
pub(crate) fn started_with_inbox<R: MessageRouter<Msg>>(
    router: &R,
    rule: &str,
) -> (R::Sender, R::Receiver, Inbox) {
    let (sender, receiver) = started_with_pipe(router, rule);
    let inbox = Inbox::connect(&receiver);
    (sender, receiver, inbox)
}

/// Runs the event loop until `condition` holds; panics with `waiting_for`
/// when the safety timeout passes first.
pub(crate) fn run_loop_until<L: KitLoop>(
    event_loop: &L,
    mut condition: impl FnMut() -> bool,
    waiting_for: impl FnOnce() -> String,
) {
    if !event_loop.run_until(&mut condition, SAFETY_TIMEOUT) {
        panic!("{} (gave up after {SAFETY_TIMEOUT:?})", waiting_for());
    }
}

/// Calls `route_until` with the safety timeout; panics with `waiting_for`
/// when it fails.
pub(crate) fn route_until<R: MessageRouter<Msg>>(
    router: &R,
    condition: impl FnMut() -> bool,
    waiting_for: impl FnOnce() -> String,
) {
    if let Err(error) = router.route_until(condition, Some(SAFETY_TIMEOUT)) {
        panic!("{}: route_until failed: {error}", waiting_for());
    }
}

/// Routes whatever is still queued (route_until with a condition that never
/// holds and a zero timeout), so a check can look for messages delivered
/// twice. Switches the router to manual mode.
pub(crate) fn drain<R: MessageRouter<Msg>>(router: &R, rule: &str) {
    match router.route_until(|| false, Some(Duration::ZERO)) {
        Err(RouteError::TimedOut(_)) => {}
        other => panic!(
            "{rule}: route_until(|| false, Some(0 s)), used to route what is still queued, \
             returned {other:?}; R9 says it fails with RouteError::TimedOut"
        ),
    }
}

/// Stops `sender`, closes its pipe and stops `router`; fails the check
/// under `rule` when any of them fails.
pub(crate) fn close_and_stop<R: MessageRouter<Msg>>(
    router: &R,
    sender: &mut R::Sender,
    receiver: &R::Receiver,
    rule: &str,
) {
    sender
        .stop()
        .unwrap_or_else(|error| panic!("{rule}: stop of the sender failed: {error:?}"));
    router
        .close_pipe(receiver)
        .unwrap_or_else(|error| panic!("{rule}: close_pipe failed: {error:?}"));
    router
        .stop()
        .unwrap_or_else(|error| panic!("{rule}: stop failed: {error:?}"));
}

/// Makes a pipe, sends one message through it from this (the foreground)
/// thread, waits for the event loop to route it, and closes the pipe.
pub(crate) fn round_trip<L: KitLoop, R: MessageRouter<Msg>>(
    event_loop: &L,
    router: &R,
    rule: &str,
) {
    let (mut sender, receiver) = router
        .pipe()
        .unwrap_or_else(|error| panic!("{rule}: pipe on a running router failed: {error}"));
    let inbox = Inbox::connect(&receiver);
    let message = Msg::new(u32::MAX, 0);
    {
        let mut open = sender
            .open()
            .unwrap_or_else(|error| panic!("{rule}: a new sender failed to start: {error}"));
        open.send(message)
            .unwrap_or_else(|error| panic!("{rule}: an open sender failed to send: {error}"));
    }
    run_loop_until(
        event_loop,
        || inbox.len() == 1,
        || format!("{rule}: the event loop did not route a message sent on a new pipe"),
    );
    assert_eq!(
        inbox.messages(),
        [message],
        "{rule}: the pipe delivered something else than the one message sent"
    );
    router
        .close_pipe(&receiver)
        .unwrap_or_else(|error| panic!("{rule}: close_pipe of an open pipe failed: {error}"));
}

/// Waits for a worker thread, passing its panic on.
pub(crate) fn join<T>(worker: JoinHandle<T>) -> T {
    worker
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The text of a panic's payload, for a check that reports a panic it
/// caught under its own rule.
pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
        .unwrap_or_else(|| "a panic whose payload is not text".to_owned())
}
