//! The router's own lifecycle: start, stop, pipe and their errors
//! (R1–R4). `close_pipe` on a pipe that is not open (R6) is in
//! `close_pipe.rs`.

use std::fmt::Debug;

use router_api::{
    ClosePipeError, MessageReceiver, MessageRouter, PipeError, RouteError, RouterStartError,
    RouterStopError,
};

use crate::capture::capture;
use crate::fixtures::drive::{round_trip, started_with_pipe};
use crate::fixtures::refusal::refused;
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// **R1**: `start` on a new router starts it.
///
/// > R1 `start` on a new or stopped router starts it; on a running router
/// > it fails with a clear error (already running).
///
/// A new router is not running; after `start` it is, and a message sent on
/// a new pipe is routed by the event loop.
///
/// # Panics
///
/// When the backend breaks R1.
pub fn start_on_new_router_starts<L: KitLoop, R: MessageRouter<Msg>>(new_router: &dyn Fn(&L) -> R) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    assert!(
        !router.is_running(),
        "R1: a new router says it is running before start"
    );
    router
        .start()
        .unwrap_or_else(|error| panic!("R1: start on a new router failed: {error}"));
    assert!(
        router.is_running(),
        "R1: is_running is false after a successful start"
    );
    round_trip(&event_loop, &router, "R1");
    router
        .stop()
        .unwrap_or_else(|error| panic!("R1: stop of a started router failed: {error}"));
}

/// **R1**: `start` on a running router fails with
/// [`RouterStartError::AlreadyRunning`] and leaves it running.
///
/// > R1 `start` on a new or stopped router starts it; on a running router
/// > it fails with a clear error (already running).
///
/// # Panics
///
/// When the backend breaks R1.
pub fn start_on_running_router_fails_already_running<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router.start().expect("R1: start on a new router failed");
    let error = refused(
        router.start(),
        "R1: start on a running router",
        "RouterStartError::AlreadyRunning",
    );
    assert!(
        matches!(error, RouterStartError::AlreadyRunning),
        "R1: start on a running router failed with the wrong error: {error:?}"
    );
    assert!(
        router.is_running(),
        "R1: a refused second start stopped the router"
    );
    round_trip(&event_loop, &router, "R1 (after a refused second start)");
    router.stop().expect("R1: stop failed");
}

/// **R1**: `start` on a stopped router starts it again, and the new run
/// routes.
///
/// > R1 `start` on a new or stopped router starts it; on a running router
/// > it fails with a clear error (already running).
///
/// # Panics
///
/// When the backend breaks R1.
pub fn start_on_stopped_router_starts_again<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router.start().expect("R1: start on a new router failed");
    round_trip(&event_loop, &router, "R1 (first run)");
    router.stop().expect("R1: stop failed");
    router
        .start()
        .unwrap_or_else(|error| panic!("R1: start on a stopped router failed: {error}"));
    assert!(
        router.is_running(),
        "R1: is_running is false after a restart"
    );
    round_trip(&event_loop, &router, "R1 (second run)");
    router.stop().expect("R1: stop of the second run failed");
}

/// **R2**: `stop` on a router that was never started fails with
/// [`RouterStopError::NotRunning`].
///
/// > R2 `stop` on a router that is not running fails (not running).
///
/// # Panics
///
/// When the backend breaks R2.
pub fn stop_on_new_router_fails_not_running<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let error = refused(
        router.stop(),
        "R2: stop on a new router",
        "RouterStopError::NotRunning",
    );
    assert_eq!(
        error,
        RouterStopError::NotRunning,
        "R2: stop on a new router failed with the wrong error"
    );
    assert!(
        !router.is_running(),
        "R2: a refused stop started the router"
    );
}

/// **R2**: `stop` on a stopped router fails with
/// [`RouterStopError::NotRunning`].
///
/// > R2 `stop` on a router that is not running fails (not running).
///
/// # Panics
///
/// When the backend breaks R2.
pub fn stop_on_stopped_router_fails_not_running<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router.start().expect("R2: start failed");
    router.stop().expect("R2: the first stop failed");
    assert!(
        !router.is_running(),
        "R2: is_running is true after a successful stop"
    );
    let error = refused(
        router.stop(),
        "R2: a second stop",
        "RouterStopError::NotRunning",
    );
    assert_eq!(
        error,
        RouterStopError::NotRunning,
        "R2: a second stop failed with the wrong error"
    );
}

/// Checks that `call` (named `name`) fails with `expected`, its error's
/// `NotRunning`, on a new router, and again after a start and a stop (R3).
fn refused_new_and_stopped<R: MessageRouter<Msg>, E: PartialEq + Debug>(
    router: &R,
    name: &str,
    expected: &E,
    call: impl Fn(&R) -> Result<(), E>,
) {
    let error = refused(
        call(router),
        &format!("R3: {name} on a new router"),
        &format!("{expected:?}"),
    );
    assert_eq!(
        &error, expected,
        "R3: {name} on a new router failed with the wrong error"
    );
    router.start().expect("R3: start failed");
    router.stop().expect("R3: stop failed");
    let error = refused(
        call(router),
        &format!("R3: {name} on a stopped router"),
        &format!("{expected:?}"),
    );
    assert_eq!(
        &error, expected,
        "R3: {name} on a stopped router failed with the wrong error"
    );
}

/// **R3**: `pipe` on a router that is not running (never started, or
/// stopped) fails with [`PipeError::NotRunning`].
///
/// > R3 `pipe` and `close_pipe` on a router that is not running fail (not
/// > running). So does `route_until`.
///
/// # Panics
///
/// When the backend breaks R3.
pub fn pipe_on_router_not_running_fails<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    refused_new_and_stopped(&router, "pipe", &PipeError::NotRunning, |router| {
        router.pipe().map(drop)
    });
}

/// **R3**: `close_pipe` on a stopped router fails with
/// [`ClosePipeError::NotRunning`] naming the pipe, whatever the receiver.
///
/// > R3 `pipe` and `close_pipe` on a router that is not running fail (not
/// > running). So does `route_until`.
///
/// # Panics
///
/// When the backend breaks R3.
pub fn close_pipe_on_router_not_running_fails<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (_sender, receiver) = started_with_pipe(&router, "R3");
    // The unclosed-pipe warning is R4's business, not this check's.
    let (stopped, _) = capture(|| router.stop());
    stopped.expect("R3: stop failed");
    let error = refused(
        router.close_pipe(&receiver),
        "R3: close_pipe on a stopped router",
        "ClosePipeError::NotRunning",
    );
    assert_eq!(
        error,
        ClosePipeError::NotRunning {
            pipe: receiver.pipe_id()
        },
        "R3: close_pipe on a stopped router failed with the wrong error"
    );
}

/// **R3**: `route_until` on a router that is not running (never started,
/// or stopped) fails with [`RouteError::NotRunning`].
///
/// > R3 `pipe` and `close_pipe` on a router that is not running fail (not
/// > running). So does `route_until`.
///
/// # Panics
///
/// When the backend breaks R3.
pub fn route_until_on_router_not_running_fails<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let zero = Some(std::time::Duration::ZERO);
    refused_new_and_stopped(&router, "route_until", &RouteError::NotRunning, |router| {
        router.route_until(|| false, zero)
    });
}

/// **R4**: `stop` with pipes still open succeeds and logs one `WARN` that
/// counts them, with the field `unclosed_pipes`.
///
/// > R4 `stop` with pipes still open succeeds and logs one `WARN` event
/// > through `tracing` saying how many pipes were left unclosed ("N
/// > unclosed pipes").
///
/// Opens three pipes, closes one, stops: one warning, "2 unclosed pipes",
/// `unclosed_pipes = 2`. The warning must be logged on the thread that
/// calls `stop`.
///
/// # Panics
///
/// When the backend breaks R4.
pub fn stop_with_open_pipes_warns_with_count<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router.start().expect("R4: start failed");
    let pipes: Vec<_> = (0..3)
        .map(|_| router.pipe().expect("R4: pipe failed"))
        .collect();
    router
        .close_pipe(&pipes[0].1)
        .expect("R4: close_pipe failed");
    let (stopped, captured) = capture(|| router.stop());
    stopped.unwrap_or_else(|error| panic!("R4: stop with open pipes failed: {error}"));
    let warnings = captured.warnings_containing("unclosed pipes");
    assert_eq!(
        warnings.len(),
        1,
        "R4: stop with 2 open pipes logged {} warnings about unclosed pipes, expected one; \
         everything it logged: {:?}",
        warnings.len(),
        captured.events()
    );
    let warning = warnings[0];
    assert!(
        warning.message.contains("2 unclosed pipes"),
        "R4: the unclosed-pipe warning does not say \"2 unclosed pipes\": {warning:?}"
    );
    assert_eq!(
        warning.field("unclosed_pipes"),
        Some("2"),
        "R4: the unclosed-pipe warning lacks the field unclosed_pipes = 2: {warning:?}"
    );
    assert!(!router.is_running(), "R4: the router runs after stop");
}

/// **R4**: `stop` after every pipe was closed logs no warning, nor does a
/// clean run before it.
///
/// > R4 `stop` with pipes still open succeeds and logs one `WARN` event
/// > through `tracing` saying how many pipes were left unclosed ("N
/// > unclosed pipes").
///
/// # Panics
///
/// When the backend logs a warning for a clean run.
pub fn stop_with_every_pipe_closed_logs_no_warning<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let ((), captured) = capture(|| {
        let event_loop = L::new_loop();
        let router = new_router(&event_loop);
        router.start().expect("R4: start failed");
        round_trip(&event_loop, &router, "R4");
        let (_sender, receiver) = router.pipe().expect("R4: pipe failed");
        router.close_pipe(&receiver).expect("R4: close_pipe failed");
        router.stop().expect("R4: stop failed");
    });
    let warnings: Vec<_> = captured.warnings().collect();
    assert!(
        warnings.is_empty(),
        "R4: a run whose pipes were all closed logged warnings: {warnings:?}"
    );
}
