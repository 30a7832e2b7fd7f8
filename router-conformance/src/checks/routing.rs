//! Routing proper: closed pipes (R7) and per-pipe order (R8).

use std::sync::mpsc;
use std::sync::{Arc, Barrier};

use router_api::{MessageReceiver, MessageRouter, MessageSender, SendError};

use crate::capture::{Captured, capture_live};
use crate::fixtures::drive::{SAFETY_TIMEOUT, drain, join, run_loop_until, started_with_inbox};
use crate::fixtures::inbox::{Inbox, assert_messages, sequence};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// Checks that a closed-pipe warning saying `text` was logged, with the
/// field `pipe`.
fn assert_discard_warning(captured: &Captured, text: &str, pipe: &str) {
    let warnings = captured.warnings_containing(text);
    let Some(warning) = warnings.first() else {
        panic!(
            "R7: no WARN \"{text}\" was logged; events: {:?}",
            captured.events()
        )
    };
    assert_eq!(
        warning.field("pipe"),
        Some(pipe),
        "R7: the closed-pipe warning lacks the field pipe = {pipe}: {warning:?}"
    );
}

/// **R7**: a message sent after its pipe was closed is dropped, with a
/// `WARN` "discarding message from closed pipe #N" (field `pipe`); the
/// send itself succeeds.
///
/// > R7 a message that arrives for a closed pipe is dropped and logs a
/// > `WARN` ("discarding message from closed pipe #N"); the send itself
/// > succeeded.
///
/// The warning must be logged on the thread that routes (the foreground).
///
/// # Panics
///
/// When the backend breaks R7.
pub fn message_sent_after_close_is_dropped_with_warning<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R7");
    let pipe = receiver.pipe_id();
    let (go, go_on) = mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("R7: start failed");
        open.send(Msg::new(0, 0))
            .expect("R7: send on an open pipe failed");
        // No go: the check gave up already.
        go_on.recv_timeout(SAFETY_TIMEOUT).ok()?;
        Some(
            open.send(Msg::new(0, 1))
                .map_err(SendError::without_message),
        )
    });
    run_loop_until(
        &event_loop,
        || inbox.len() == 1,
        || "R7: the event loop did not route the message sent before close_pipe".to_owned(),
    );
    router.close_pipe(&receiver).expect("R7: close_pipe failed");
    let text = format!("discarding message from closed pipe {pipe}");
    let ((), captured) = capture_live(|recording| {
        // The worker is waiting for this; it cannot have hung up.
        let _ = go.send(());
        run_loop_until(
            &event_loop,
            || recording.has_warning_containing(&text) || inbox.len() > 1,
            || format!("R7: no WARN \"{text}\" for a message sent after its pipe was closed"),
        );
    });
    match join(worker) {
        Some(Ok(())) => {}
        Some(Err(error)) => {
            panic!("R7: a send after close_pipe failed ({error}); the send itself must succeed")
        }
        None => unreachable!("the worker was told to go on"),
    }
    assert_messages(
        &inbox.messages(),
        &sequence(0, 1),
        "R7: a closed pipe's listener was called",
    );
    assert_discard_warning(&captured, &text, &pipe.to_string());
    router.stop().expect("R7: stop failed");
}

/// **R7**: messages queued but not yet routed when their pipe is closed
/// are dropped, with the closed-pipe `WARN`.
///
/// > R7 a message that arrives for a closed pipe is dropped and logs a
/// > `WARN` ("discarding message from closed pipe #N"); the send itself
/// > succeeded.
///
/// # Panics
///
/// When the backend breaks R7.
pub fn message_queued_before_close_is_dropped_with_warning<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R7");
    let pipe = receiver.pipe_id();
    sender.start().expect("R7: start failed");
    for message in sequence(0, 2) {
        sender.send(message).expect("R7: send failed");
    }
    router.close_pipe(&receiver).expect("R7: close_pipe failed");
    let text = format!("discarding message from closed pipe {pipe}");
    let ((), captured) = capture_live(|recording| {
        run_loop_until(
            &event_loop,
            || recording.has_warning_containing(&text) || inbox.len() > 0,
            || format!("R7: no WARN \"{text}\" for messages queued when their pipe was closed"),
        );
    });
    assert_messages(
        &inbox.messages(),
        &[],
        "R7: a closed pipe's listener was called",
    );
    assert_discard_warning(&captured, &text, &pipe.to_string());
    sender.stop().expect("R7: stop of the sender failed");
    router.stop().expect("R7: stop failed");
}

/// **R8**: the messages of one sender on another thread reach the receiver
/// in the order they were sent, each once.
///
/// > R8 messages of one pipe reach its receiver in the order they were
/// > sent; no message is lost or delivered twice.
///
/// # Panics
///
/// When the backend breaks R8.
pub fn one_sender_messages_arrive_in_order_once<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const MESSAGES: u32 = 1000;
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R8");
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("R8: start failed");
        for message in sequence(0, MESSAGES) {
            open.send(message).expect("R8: send failed");
        }
    });
    run_loop_until(
        &event_loop,
        || inbox.len() >= MESSAGES as usize,
        || {
            format!(
                "R8: the event loop routed {} of {MESSAGES} messages",
                inbox.len()
            )
        },
    );
    join(worker);
    drain(&router, "R8");
    assert_messages(
        &inbox.messages(),
        &sequence(0, MESSAGES),
        "R8: the messages of one pipe",
    );
    router.close_pipe(&receiver).expect("R8: close_pipe failed");
    router.stop().expect("R8: stop failed");
}

/// **R8**: 64 senders on 64 threads, sending 64 messages each at the same
/// time: every receiver gets its own pipe's messages, in order, each once.
///
/// > R8 messages of one pipe reach its receiver in the order they were
/// > sent; no message is lost or delivered twice.
///
/// # Panics
///
/// When the backend breaks R8.
pub fn concurrent_senders_each_keep_their_order<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const SENDERS: u32 = 64;
    const MESSAGES: u32 = 64;
    const TOTAL: usize = (SENDERS * MESSAGES) as usize;
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router.start().expect("R8: start failed");
    let barrier = Arc::new(Barrier::new(SENDERS as usize));
    let mut receivers = Vec::new();
    let mut inboxes = Vec::new();
    let mut workers = Vec::new();
    for source in 0..SENDERS {
        let (mut sender, receiver) = router.pipe().expect("R8: pipe failed");
        inboxes.push(Inbox::connect(&receiver));
        receivers.push(receiver);
        let barrier = Arc::clone(&barrier);
        workers.push(std::thread::spawn(move || {
            let mut open = sender.open().expect("R8: start failed");
            barrier.wait();
            for message in sequence(source, MESSAGES) {
                open.send(message).expect("R8: send failed");
            }
        }));
    }
    let routed = || inboxes.iter().map(Inbox::len).sum::<usize>();
    run_loop_until(
        &event_loop,
        || routed() >= TOTAL,
        || format!("R8: the event loop routed {} of {TOTAL} messages", routed()),
    );
    workers.into_iter().for_each(join);
    drain(&router, "R8");
    for (source, inbox) in (0..SENDERS).zip(&inboxes) {
        assert_messages(
            &inbox.messages(),
            &sequence(source, MESSAGES),
            &format!("R8: the messages of sender {source} of {SENDERS} concurrent ones"),
        );
    }
    for receiver in &receivers {
        router.close_pipe(receiver).expect("R8: close_pipe failed");
    }
    router.stop().expect("R8: stop failed");
}
