//! Dropping a receiver closes its pipe (D1).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use router_api::{MessageReceiver, MessageRouter, MessageSender};

use crate::capture::{capture, capture_live};
use crate::fixtures::drive::{run_loop_until, started_with_inbox};
use crate::fixtures::inbox::{Inbox, assert_messages, sequence};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// Sets its flag when dropped: tells when a listener (which owns one) was
/// let go.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

/// Runs the event loop until the closed-pipe warning of R7 names `pipe`,
/// and fails under D1 if the pipe's listener got a message meanwhile.
fn expect_discarded<L: KitLoop>(event_loop: &L, pipe: &str, inbox: &Inbox, delivered: usize) {
    let text = format!("discarding message from closed pipe {pipe}");
    let ((), _) = capture_live(|recording| {
        run_loop_until(
            event_loop,
            || recording.has_warning_containing(&text) || inbox.len() > delivered,
            || format!("D1: no WARN \"{text}\" for a message sent after the receiver was dropped"),
        );
    });
    assert_eq!(
        inbox.len(),
        delivered,
        "D1: a message sent after its receiver was dropped was delivered; the pipe stayed open"
    );
}

/// Stops `router`, whose only pipe's receiver was dropped: no
/// unclosed-pipe warning may come (R4 counts receivers still alive).
fn stop_with_no_unclosed_pipe<R: MessageRouter<Msg>>(router: &R) {
    let (stopped, captured) = capture(|| router.stop());
    stopped.expect("D1: stop failed");
    let warnings: Vec<_> = captured.warnings_containing("unclosed");
    assert!(
        warnings.is_empty(),
        "D1: stop warned of an unclosed pipe whose receiver was dropped: {warnings:?}"
    );
}

/// **D1**: dropping a receiver closes its pipe: its listeners are dropped
/// at once, a message sent later is discarded with the closed-pipe
/// warning (R7), and `stop` has no unclosed pipe to warn of.
///
/// > D1 dropping the last handle of a receiver closes its pipe as
/// > `close_pipe` does (so R7 applies to later messages), also inside a
/// > listener; `stop`'s warning (R4) counts only receivers still alive.
///
/// # Panics
///
/// When the backend breaks D1.
pub fn dropped_receiver_closes_its_pipe<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "D1");
    let pipe = receiver.pipe_id().to_string();
    let let_go = Rc::new(Cell::new(false));
    let flag = DropFlag(Rc::clone(&let_go));
    receiver.connect(move |_: &Msg| {
        let _ = &flag;
    });
    sender.start().expect("D1: start failed");
    sender.send(Msg::new(0, 0)).expect("D1: send failed");
    run_loop_until(
        &event_loop,
        || inbox.len() == 1,
        || "D1: the message sent before the drop was not routed".to_owned(),
    );
    drop(receiver);
    assert!(
        let_go.get(),
        "D1: the listeners of a dropped receiver were not dropped with it"
    );
    sender
        .send(Msg::new(0, 1))
        .expect("D1: a send after the receiver was dropped failed; the send itself must succeed");
    expect_discarded(&event_loop, &pipe, &inbox, 1);
    stop_with_no_unclosed_pipe(&router);
}

/// **D1**: a receiver dropped by its own listener, while it runs, closes
/// its pipe: that message is delivered once, and the next is discarded
/// with the closed-pipe warning.
///
/// > D1 dropping the last handle of a receiver closes its pipe as
/// > `close_pipe` does (so R7 applies to later messages), also inside a
/// > listener; `stop`'s warning (R4) counts only receivers still alive.
///
/// # Panics
///
/// When the backend breaks D1.
pub fn receiver_dropped_by_its_own_listener_closes_its_pipe<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "D1");
    let pipe = receiver.pipe_id().to_string();
    let held: Rc<RefCell<Option<R::Receiver>>> = Rc::default();
    let weak = Rc::downgrade(&held);
    receiver.connect(move |_: &Msg| {
        if let Some(held) = weak.upgrade() {
            // Dropped here, inside its own listener.
            let receiver = held.borrow_mut().take();
            drop(receiver);
        }
    });
    *held.borrow_mut() = Some(receiver);
    sender.start().expect("D1: start failed");
    sender.send(Msg::new(0, 0)).expect("D1: send failed");
    run_loop_until(
        &event_loop,
        || inbox.len() == 1 && held.borrow().is_none(),
        || {
            "D1: the first message was not routed to the listener that drops its receiver"
                .to_owned()
        },
    );
    sender
        .send(Msg::new(0, 1))
        .expect("D1: a send after the receiver was dropped failed; the send itself must succeed");
    expect_discarded(&event_loop, &pipe, &inbox, 1);
    assert_messages(
        &inbox.messages(),
        &sequence(0, 1),
        "D1: messages before the drop",
    );
    stop_with_no_unclosed_pipe(&router);
}

/// **D1**: `stop`'s unclosed-pipe warning counts only the receivers still
/// alive: of three pipes whose receivers two were dropped, it says 1.
///
/// > D1 dropping the last handle of a receiver closes its pipe as
/// > `close_pipe` does (so R7 applies to later messages), also inside a
/// > listener; `stop`'s warning (R4) counts only receivers still alive.
///
/// # Panics
///
/// When the backend breaks D1.
pub fn stop_warns_only_of_receivers_still_alive<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router.start().expect("D1: start failed");
    let pipes: Vec<_> = (0..3)
        .map(|_| router.pipe().expect("D1: pipe failed"))
        .collect();
    let mut kept = None;
    for (index, (_sender, receiver)) in pipes.into_iter().enumerate() {
        if index == 1 {
            kept = Some(receiver);
        }
    }
    let (stopped, captured) = capture(|| router.stop());
    stopped.expect("D1: stop failed");
    let warnings = captured.warnings_containing("unclosed");
    let Some(warning) = warnings.first() else {
        panic!("D1: stop with one receiver alive and open did not warn (R4)");
    };
    assert_eq!(
        warning.field("unclosed_pipes"),
        Some("1"),
        "D1: stop counted receivers that were dropped: {warning:?}"
    );
    drop(kept);
}
