//! Listeners that panic: the panic reaches the code that drove the
//! routing, and the router stays usable (R11).

use std::panic::{AssertUnwindSafe, catch_unwind, panic_any, resume_unwind};

use router_api::{MessageReceiver, MessageRouter, MessageSender};

use crate::fixtures::drive::{
    SAFETY_TIMEOUT, drain, round_trip, route_until, run_loop_until, started_with_pipe, stop_clean,
};
use crate::fixtures::inbox::{Inbox, assert_messages, sequence};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// The payload of the panics the R11 checks make their listeners throw.
const LISTENER_PANIC: &str = "a conformance check's listener panics on purpose (R11)";

/// A listener that panics on message 0 of its pipe and records the others.
fn panicking_listener(inbox: &Inbox) -> impl Fn(&Msg) + 'static {
    let inbox = inbox.clone();
    move |message: &Msg| {
        if message.seq == 0 {
            panic_any(LISTENER_PANIC);
        }
        inbox.push(*message);
    }
}

/// Checks that `driving` panicked with the listener's panic, passing any
/// other panic on.
fn assert_listener_panic_reached_caller<T: std::fmt::Debug>(
    driving: std::thread::Result<T>,
    caller: &str,
) {
    match driving {
        Err(panic) if panic.downcast_ref::<&str>() == Some(&LISTENER_PANIC) => {}
        Err(panic) => resume_unwind(panic),
        Ok(result) => panic!(
            "R11: a listener panicked and {caller} returned {result:?}; the panic must reach \
             the caller that drove the routing"
        ),
    }
}

/// Starts `router`, makes a pipe whose listener panics on message 0, queues
/// messages 0..3 on it and lets `drive` route them; checks that the panic
/// reached `caller`'s caller and that the router still runs. Returns the
/// pipe's started sender, its receiver and what the listener recorded.
fn panic_while_routing<R: MessageRouter<Msg>, T: std::fmt::Debug>(
    router: &R,
    caller: &str,
    drive: impl FnOnce(&Inbox) -> T,
) -> (R::Sender, R::Receiver, Inbox) {
    let (mut sender, receiver) = started_with_pipe(router, "R11");
    let inbox = Inbox::default();
    receiver.connect(panicking_listener(&inbox));
    sender.start().expect("R11: start of the sender failed");
    for message in sequence(0, 3) {
        sender.send(message).expect("R11: send failed");
    }
    let driving = catch_unwind(AssertUnwindSafe(|| drive(&inbox)));
    assert_listener_panic_reached_caller(driving, caller);
    assert!(
        router.is_running(),
        "R11: the router stopped when a listener panicked"
    );
    (sender, receiver, inbox)
}

/// **R11**: a listener that panics while the event loop routes leaves the
/// router usable: the panic reaches the caller driving the loop, the
/// messages queued behind it are still routed by the loop with no new
/// send, and pipes can be made, used and closed.
///
/// > R11 a listener may call `close_pipe`, `pipe` or connect listeners
/// > while a message is being dispatched; a panic in a listener leaves the
/// > router usable.
///
/// Needs [`Capability::PassesPanics`](crate::Capability::PassesPanics):
/// an event loop that passes the panic on to the code driving it and runs
/// on after it. The harness of a loop that lacks it declares so, and this
/// check is skipped, by name;
/// [`panicking_listener_leaves_router_usable_in_manual_mode`] still runs
/// there.
///
/// # Panics
///
/// When the backend breaks R11.
pub fn panicking_listener_leaves_router_usable_in_event_loop_mode<
    L: KitLoop,
    R: MessageRouter<Msg>,
>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) =
        panic_while_routing(&router, "the event loop's run_until", |inbox| {
            event_loop.run_until(&mut || inbox.len() >= 2, SAFETY_TIMEOUT)
        });
    run_loop_until(
        &event_loop,
        || inbox.len() >= 2,
        || {
            format!(
                "R11: after a listener panicked, the event loop routed {} of the 2 messages \
                 queued behind the one that panicked",
                inbox.len()
            )
        },
    );
    sender
        .send(Msg::new(0, 3))
        .expect("R11: send after the panic failed");
    run_loop_until(
        &event_loop,
        || inbox.len() >= 3,
        || "R11: after a listener panicked, the event loop did not route a new message".to_owned(),
    );
    round_trip(&event_loop, &router, "R11 (after a listener panicked)");
    drain(&router, "R11");
    assert_messages(
        &inbox.messages(),
        &sequence(0, 4)[1..],
        "R11: messages after the one whose listener panicked",
    );
    sender.stop().expect("R11: stop of the sender failed");
    router
        .close_pipe(&receiver)
        .expect("R11: close_pipe failed");
    stop_clean(&router, "R11");
}

/// **R11**: a listener that panics while `route_until` routes leaves the
/// router usable: the panic reaches the caller of `route_until`, and the
/// next call routes the messages queued behind it.
///
/// > R11 a listener may call `close_pipe`, `pipe` or connect listeners
/// > while a message is being dispatched; a panic in a listener leaves the
/// > router usable.
///
/// # Panics
///
/// When the backend breaks R11.
pub fn panicking_listener_leaves_router_usable_in_manual_mode<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = panic_while_routing(&router, "route_until", |inbox| {
        router.route_until(|| inbox.len() >= 2, Some(SAFETY_TIMEOUT))
    });
    route_until(
        &router,
        || inbox.len() >= 2,
        || "R11: route_until after a listener panicked in route_until".to_owned(),
    );
    let (mut other_sender, other_receiver) = router
        .pipe()
        .unwrap_or_else(|error| panic!("R11: pipe after a listener panicked failed: {error}"));
    let other_inbox = Inbox::connect(&other_receiver);
    other_sender
        .start()
        .expect("R11: start of the sender failed");
    other_sender
        .send(Msg::new(1, 0))
        .expect("R11: send after the panic failed");
    route_until(
        &router,
        || other_inbox.len() >= 1,
        || "R11: route_until on a new pipe after a listener panicked".to_owned(),
    );
    drain(&router, "R11");
    assert_messages(
        &inbox.messages(),
        &sequence(0, 3)[1..],
        "R11: messages after the one whose listener panicked",
    );
    sender.stop().expect("R11: stop of the sender failed");
    other_sender.stop().expect("R11: stop of the sender failed");
    router
        .close_pipe(&receiver)
        .expect("R11: close_pipe failed");
    router
        .close_pipe(&other_receiver)
        .expect("R11: close_pipe failed");
    stop_clean(&router, "R11");
}
