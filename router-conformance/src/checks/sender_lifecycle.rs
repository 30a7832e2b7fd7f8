//! The sender's lifecycle: initial, open, closed (S1). The guard and a
//! dropped or moved sender are in `sender_guard_and_drop.rs`.

use router_api::{MessageRouter, MessageSender, SendErrorKind, SenderStartError, SenderStopError};

use crate::fixtures::inbox::sequence;
use crate::fixtures::one_pipe::OnePipe;
use crate::fixtures::refusal::refused;
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// **S1**: `send` before `start` fails with [`SendErrorKind::NotStarted`]
/// and hands the message back; the sender can still start.
///
/// > S1 `send` before `start` fails; `start` twice fails; `stop` before
/// > `start` fails; `stop` twice fails; `start` after `stop` fails.
///
/// # Panics
///
/// When the backend breaks S1.
pub fn send_before_start_fails_not_started<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let mut one = OnePipe::new(new_router, "S1");
    let pipe = one.sender().pipe_id();
    let error = refused(
        one.sender().send(Msg::new(0, 99)),
        "S1: send before start",
        "NotStarted",
    );
    assert!(
        error.pipe() == pipe && matches!(error.kind(), SendErrorKind::NotStarted),
        "S1: send before start failed with the wrong error: {error}"
    );
    assert_eq!(
        error.into_message(),
        Msg::new(0, 99),
        "S1: a refused send did not hand its message back"
    );
    one.sender()
        .start()
        .unwrap_or_else(|error| panic!("S1: start after a refused send failed: {error}"));
    one.sender()
        .send(Msg::new(0, 0))
        .expect("S1: send on a started sender failed");
    one.expect_routed(&sequence(0, 1), "S1");
    one.sender().stop().expect("S1: stop failed");
    one.finish("S1");
}

/// **S1**: `start` on an open sender fails with
/// [`SenderStartError::AlreadyStarted`] and leaves it open.
///
/// > S1 `send` before `start` fails; `start` twice fails; `stop` before
/// > `start` fails; `stop` twice fails; `start` after `stop` fails.
///
/// # Panics
///
/// When the backend breaks S1.
pub fn start_twice_fails_already_started<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let mut one = OnePipe::new(new_router, "S1");
    let pipe = one.sender().pipe_id();
    one.sender().start().expect("S1: start failed");
    let error = refused(one.sender().start(), "S1: a second start", "AlreadyStarted");
    assert!(
        matches!(error, SenderStartError::AlreadyStarted { pipe: failed } if failed == pipe),
        "S1: a second start failed with the wrong error: {error}"
    );
    one.sender()
        .send(Msg::new(0, 0))
        .unwrap_or_else(|error| panic!("S1: a refused second start closed the sender: {error}"));
    one.expect_routed(&sequence(0, 1), "S1");
    one.sender().stop().expect("S1: stop failed");
    one.finish("S1");
}

/// **S1**: `stop` before `start` fails with [`SenderStopError::NotStarted`];
/// the sender can still start.
///
/// > S1 `send` before `start` fails; `start` twice fails; `stop` before
/// > `start` fails; `stop` twice fails; `start` after `stop` fails.
///
/// # Panics
///
/// When the backend breaks S1.
pub fn stop_before_start_fails_not_started<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let mut one = OnePipe::new(new_router, "S1");
    let pipe = one.sender().pipe_id();
    let error = refused(one.sender().stop(), "S1: stop before start", "NotStarted");
    assert_eq!(
        error,
        SenderStopError::NotStarted { pipe },
        "S1: stop before start failed with the wrong error"
    );
    one.sender()
        .start()
        .unwrap_or_else(|error| panic!("S1: start after a refused stop failed: {error}"));
    one.sender().send(Msg::new(0, 0)).expect("S1: send failed");
    one.expect_routed(&sequence(0, 1), "S1");
    one.sender().stop().expect("S1: stop failed");
    one.finish("S1");
}

/// **S1**: `stop` on a stopped sender fails with [`SenderStopError::Stopped`].
///
/// > S1 `send` before `start` fails; `start` twice fails; `stop` before
/// > `start` fails; `stop` twice fails; `start` after `stop` fails.
///
/// # Panics
///
/// When the backend breaks S1.
pub fn stop_twice_fails_stopped<L: KitLoop, R: MessageRouter<Msg>>(new_router: &dyn Fn(&L) -> R) {
    let mut one = OnePipe::new(new_router, "S1");
    let pipe = one.sender().pipe_id();
    one.sender().start().expect("S1: start failed");
    one.sender()
        .stop()
        .expect("S1: stop of an open sender failed");
    let error = refused(one.sender().stop(), "S1: a second stop", "Stopped");
    assert_eq!(
        error,
        SenderStopError::Stopped { pipe },
        "S1: a second stop failed with the wrong error"
    );
    one.finish("S1");
}

/// **S1**: `start` on a stopped sender fails with
/// [`SenderStartError::Stopped`]: a sender starts once.
///
/// > S1 `send` before `start` fails; `start` twice fails; `stop` before
/// > `start` fails; `stop` twice fails; `start` after `stop` fails.
///
/// # Panics
///
/// When the backend breaks S1.
pub fn start_after_stop_fails_stopped<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let mut one = OnePipe::new(new_router, "S1");
    let pipe = one.sender().pipe_id();
    one.sender().start().expect("S1: start failed");
    one.sender().stop().expect("S1: stop failed");
    let error = refused(one.sender().start(), "S1: start after stop", "Stopped");
    assert!(
        matches!(error, SenderStartError::Stopped { pipe: failed } if failed == pipe),
        "S1: start after stop failed with the wrong error: {error}"
    );
    let error = refused(
        one.sender().send(Msg::new(0, 0)),
        "S1: send after a refused restart",
        "Stopped",
    );
    assert!(
        error.pipe() == pipe && matches!(error.kind(), SendErrorKind::Stopped),
        "S1: a refused restart left the sender able to send: {error}"
    );
    one.finish("S1");
}

/// **S1**: `send` after `stop` fails with [`SendErrorKind::Stopped`] and
/// hands the message back; nothing is routed.
///
/// > S1 `send` before `start` fails; `start` twice fails; `stop` before
/// > `start` fails; `stop` twice fails; `start` after `stop` fails.
///
/// # Panics
///
/// When the backend breaks S1.
pub fn send_after_stop_fails_stopped<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let mut one = OnePipe::new(new_router, "S1");
    let pipe = one.sender().pipe_id();
    one.sender().start().expect("S1: start failed");
    one.sender().send(Msg::new(0, 0)).expect("S1: send failed");
    one.sender().stop().expect("S1: stop failed");
    let error = refused(
        one.sender().send(Msg::new(0, 1)),
        "S1: send after stop",
        "Stopped",
    );
    assert!(
        error.pipe() == pipe && matches!(error.kind(), SendErrorKind::Stopped),
        "S1: send after stop failed with the wrong error: {error}"
    );
    assert_eq!(
        error.into_message(),
        Msg::new(0, 1),
        "S1: a refused send did not hand its message back"
    );
    one.expect_routed(&sequence(0, 1), "S1");
    one.finish("S1");
}
