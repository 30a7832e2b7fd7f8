//! What `stop` leaves behind (R5): no thread, no ping, senders that fail.

use std::sync::mpsc;

use router_api::{Disconnect, MessageReceiver, MessageRouter, MessageSender, SendError};

use crate::capture::capture;
use crate::fixtures::drive::{
    SAFETY_TIMEOUT, join, round_trip, run_loop_until, started_with_inbox, started_with_pipe,
};
use crate::fixtures::inbox::sequence;
use crate::kit_loop::KitLoop;
use crate::message::Msg;
use crate::threads;

/// **R5**: once `stop` returns, no thread that the router started is
/// alive.
///
/// > R5 after `stop` returns, no thread that the router started is alive,
/// > no ping reaches the router again, and senders of that run get a
/// > "disconnected" error from `send` (never a panic, never a block).
///
/// How: the check lists the process's threads (`/proc/self/task`) before
/// it makes the router and right after `stop` returns, around a run that
/// starts the router, routes a message sent from the foreground and closes
/// its pipe. A thread in the second list and not in the first was started
/// during the run and is still alive. Tests running in parallel in the
/// same process start threads too, so one such thread proves nothing: the
/// check runs again, up to 7 times, waiting longer between runs (10 ms to
/// 640 ms), and passes as soon as one run leaves no new thread behind. A
/// router that leaves a thread alive does so on every run; another test
/// would have to start a long-lived thread inside every one of 7 short
/// windows to fail a good router.
///
/// Needs [`Capability::CountThreads`](crate::Capability::CountThreads):
/// where the platform cannot list threads (not Linux), or the backend
/// declares it lacks it, `conformance_tests!` marks this check's test
/// ignored and [`Check::outcome`](crate::Check::outcome) reports it
/// skipped, by name.
///
/// # Panics
///
/// When the backend leaves a thread alive after every one of the runs, and
/// where the platform cannot list threads (the check cannot look).
pub fn no_router_thread_alive_after_stop<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let outcome = threads::until_none_left(|_| {
        let before = threads::census("R5");
        let event_loop = L::new_loop();
        let router = new_router(&event_loop);
        router.start().expect("R5: start failed");
        round_trip(&event_loop, &router, "R5");
        router.stop().expect("R5: stop failed");
        threads::new_since(&before, &[])
    });
    if let Err(left_alive) = outcome {
        panic!(
            "R5: threads started during the router's run were alive right after stop returned, \
             in each of {} runs: {left_alive:?}",
            threads::RUNS
        );
    }
}

/// **R5**: pings of messages sent before `stop` do not reach the router
/// after it: the event loop runs none of its callbacks and nothing is
/// routed.
///
/// > R5 after `stop` returns, no thread that the router started is alive,
/// > no ping reaches the router again, and senders of that run get a
/// > "disconnected" error from `send` (never a panic, never a block).
///
/// The check's event loop serves this router alone, so any callback it
/// runs after `stop` is the router's.
///
/// # Panics
///
/// When the backend breaks R5.
pub fn no_ping_reaches_router_after_stop<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, _receiver, inbox) = started_with_inbox(&router, "R5");
    sender.start().expect("R5: start of the sender failed");
    for message in sequence(0, 3) {
        sender.send(message).expect("R5: send failed");
    }
    // The pipe is left open on purpose, so a late routing would reach it;
    // the unclosed-pipe warning is R4's business.
    let (stopped, _) = capture(|| router.stop());
    stopped.expect("R5: stop failed");
    let ran = event_loop.run_pending();
    assert_eq!(
        ran, 0,
        "R5: after stop, the event loop still ran {ran} callbacks of the router"
    );
    assert_eq!(
        inbox.len(),
        0,
        "R5: messages were routed after stop: {:?}",
        inbox.messages()
    );
    let _ = sender.stop();
}

/// **R5**: a sender on another thread whose router has stopped gets
/// [`SendErrorKind::Disconnected`](router_api::SendErrorKind::Disconnected)
/// from `send`, with its message handed
/// back, and does not block.
///
/// > R5 after `stop` returns, no thread that the router started is alive,
/// > no ping reaches the router again, and senders of that run get a
/// > "disconnected" error from `send` (never a panic, never a block).
///
/// # Panics
///
/// When the backend breaks R5, or a send blocks for the safety timeout.
pub fn send_after_router_stop_fails_disconnected_without_blocking<
    L: KitLoop,
    R: MessageRouter<Msg>,
>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R5");
    let pipe = receiver.pipe_id();
    let (stopped, stop_seen) = mpsc::channel::<()>();
    let (result, result_seen) = mpsc::channel::<Vec<Result<(), SendError<Msg>>>>();
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("R5: start failed");
        open.send(Msg::new(0, 0)).expect("R5: send failed");
        if stop_seen.recv_timeout(SAFETY_TIMEOUT).is_err() {
            return;
        }
        let sent = (1..4).map(|seq| open.send(Msg::new(0, seq))).collect();
        let _ = result.send(sent);
    });
    run_loop_until(
        &event_loop,
        || inbox.len() >= 1,
        || "R5: the event loop did not route the message sent before stop".to_owned(),
    );
    router.close_pipe(&receiver).expect("R5: close_pipe failed");
    router.stop().expect("R5: stop failed");
    let _ = stopped.send(());
    let Ok(sent) = result_seen.recv_timeout(SAFETY_TIMEOUT) else {
        panic!(
            "R5: three sends after the router stopped did not return within \
             {SAFETY_TIMEOUT:?}: a send must never block"
        )
    };
    join(worker);
    for (seq, outcome) in (1..).zip(sent) {
        let Err(error) = outcome else {
            panic!("R5: send after the router stopped succeeded; it must fail with Disconnected")
        };
        assert_disconnected(&error, pipe, "a send after the router stopped");
        assert_eq!(
            error.into_message(),
            Msg::new(0, seq),
            "R5: a refused send did not hand its message back"
        );
    }
}

/// **R5**: a sender of a previous run fails with
/// [`SendErrorKind::Disconnected`](router_api::SendErrorKind::Disconnected)
/// after the router was restarted: its
/// messages never reach the new run.
///
/// > R5 after `stop` returns, no thread that the router started is alive,
/// > no ping reaches the router again, and senders of that run get a
/// > "disconnected" error from `send` (never a panic, never a block).
///
/// # Panics
///
/// When the backend breaks R5.
pub fn sender_of_previous_run_fails_disconnected<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver) = started_with_pipe(&router, "R5");
    let pipe = receiver.pipe_id();
    sender.start().expect("R5: start of the sender failed");
    router.close_pipe(&receiver).expect("R5: close_pipe failed");
    router.stop().expect("R5: stop failed");
    router.start().expect("R5: restart failed");
    let outcome = sender.send(Msg::new(0, 0));
    let Err(error) = outcome else {
        panic!("R5: a sender of the previous run could send after the restart")
    };
    assert_disconnected(&error, pipe, "a sender of the previous run");
    round_trip(&event_loop, &router, "R5 (second run)");
    router.stop().expect("R5: stop failed");
}

/// R5's error: `Disconnected` for `pipe`, cut off because its router's run
/// ended (in-process) or its connection closed (another process); not a
/// channel's refusal while the router runs.
fn assert_disconnected(error: &SendError<Msg>, pipe: router_api::PipeId, what: &str) {
    assert!(
        error.pipe() == pipe
            && matches!(
                error.disconnect(),
                Some(Disconnect::RouterStopped | Disconnect::ConnectionClosed)
            ),
        "R5: {what} failed with {error:?}; expected Disconnected for {pipe} because its router \
         stopped (RouterStopped, or ConnectionClosed for a router in another process)"
    );
}
