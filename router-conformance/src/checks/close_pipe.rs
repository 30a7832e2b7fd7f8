//! `close_pipe` on a pipe that is not open on the router: closed before,
//! of an earlier run, or made by another router (R6).

use router_api::{ClosePipeError, MessageReceiver, MessageRouter};

use crate::capture::capture;
use crate::fixtures::drive::{round_trip, started_with_pipe};
use crate::fixtures::refusal::refused;
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// **R6**: `close_pipe` of a pipe closed already fails with
/// [`ClosePipeError::NotOpen`] naming the pipe.
///
/// > R6 `close_pipe` with a receiver that is not open on this router
/// > (closed already, or made by another router) fails with an error
/// > naming the pipe.
///
/// # Panics
///
/// When the backend breaks R6.
pub fn close_pipe_twice_fails_pipe_not_open<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (_sender, receiver) = started_with_pipe(&router, "R6");
    router
        .close_pipe(&receiver)
        .unwrap_or_else(|error| panic!("R6: close_pipe of an open pipe failed: {error}"));
    let error = refused(
        router.close_pipe(&receiver),
        "R6: close_pipe of a closed pipe",
        "ClosePipeError::NotOpen",
    );
    assert_eq!(
        error,
        ClosePipeError::NotOpen {
            pipe: receiver.pipe_id()
        },
        "R6: close_pipe of a closed pipe failed with the wrong error"
    );
    round_trip(&event_loop, &router, "R6 (after a refused close_pipe)");
    router.stop().expect("R6: stop failed");
}

/// **R6**: `close_pipe` of a pipe of the router's previous run (closed
/// when that run stopped) fails with [`ClosePipeError::NotOpen`].
///
/// > R6 `close_pipe` with a receiver that is not open on this router
/// > (closed already, or made by another router) fails with an error
/// > naming the pipe.
///
/// # Panics
///
/// When the backend breaks R6.
pub fn close_pipe_of_previous_run_fails_pipe_not_open<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (_sender, receiver) = started_with_pipe(&router, "R6");
    let (stopped, _) = capture(|| router.stop());
    stopped.expect("R6: stop failed");
    router.start().expect("R6: restart failed");
    let error = refused(
        router.close_pipe(&receiver),
        "R6: close_pipe of a pipe of the previous run",
        "ClosePipeError::NotOpen",
    );
    assert_eq!(
        error,
        ClosePipeError::NotOpen {
            pipe: receiver.pipe_id()
        },
        "R6: close_pipe of a pipe of the previous run failed with the wrong error"
    );
    router.stop().expect("R6: stop failed");
}

/// **R6**: `close_pipe` of a receiver made by another router fails with
/// [`ClosePipeError::Foreign`] naming the pipe, and leaves that pipe open
/// on its own router.
///
/// > R6 `close_pipe` with a receiver that is not open on this router
/// > (closed already, or made by another router) fails with an error
/// > naming the pipe.
///
/// Both routers share one event loop, as two routers of one program do.
///
/// # Panics
///
/// When the backend breaks R6.
pub fn close_pipe_of_another_router_fails_foreign_pipe<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let other = new_router(&event_loop);
    router.start().expect("R6: start failed");
    other.start().expect("R6: start of a second router failed");
    // Pipes on both, so the foreign receiver's number is open here too.
    let (_sender, receiver) = router.pipe().expect("R6: pipe failed");
    let (_other_sender, other_receiver) = other.pipe().expect("R6: pipe failed");
    let error = refused(
        router.close_pipe(&other_receiver),
        "R6: close_pipe of another router's receiver",
        "ClosePipeError::Foreign",
    );
    assert_eq!(
        error,
        ClosePipeError::Foreign {
            pipe: other_receiver.pipe_id()
        },
        "R6: close_pipe of another router's receiver failed with the wrong error"
    );
    router
        .close_pipe(&receiver)
        .unwrap_or_else(|error| panic!("R6: a refused foreign close_pipe closed a pipe: {error}"));
    other.close_pipe(&other_receiver).unwrap_or_else(|error| {
        panic!("R6: a refused foreign close_pipe closed the other router's pipe: {error}")
    });
    router.stop().expect("R6: stop failed");
    other.stop().expect("R6: stop failed");
}
