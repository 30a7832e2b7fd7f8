//! Latest-value pipes: a send replaces the value not yet routed (L1..L3).

use router_api::{MessageReceiver, MessageRouter, MessageSender, PipeKind, SenderEnd};

use crate::fixtures::drive::{join, loop_with_pipe_of, run_loop_until};
use crate::fixtures::inbox::{Inbox, assert_messages};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// A started router with one latest-value pipe and an inbox on it.
fn latest_pipe<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
    rule: &str,
) -> (L, R, R::Sender, R::Receiver, Inbox) {
    loop_with_pipe_of(new_router, PipeKind::Latest, rule)
}

/// **L1**: each routing of a latest-value pipe delivers only the newest
/// value sent since the one before.
///
/// > L1 a routing delivers only the newest value sent since the last one.
///
/// Values 0..1000 are sent before the loop runs: the receiver gets 999
/// alone. Then 1000..1005: it gets 1004.
///
/// # Panics
///
/// When the backend breaks L1.
pub fn each_routing_delivers_only_the_newest_value<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (event_loop, router, mut sender, receiver, inbox) = latest_pipe(new_router, "L1");
    sender.start().expect("L1: start failed");
    let mut burst = |values: std::ops::Range<u32>, newest: u32| {
        for seq in values {
            sender.send(Msg::new(0, seq)).expect("L1: send failed");
        }
        run_loop_until(
            &event_loop,
            || inbox.messages().last() == Some(&Msg::new(0, newest)),
            || {
                format!(
                    "L1: the newest value {newest} was not routed; the receiver got {:?}",
                    inbox.messages()
                )
            },
        );
    };
    burst(0..1000, 999);
    burst(1000..1005, 1004);
    let got = inbox.messages();
    assert!(
        got.len() <= 4,
        "L1: two bursts of a latest-value pipe delivered {} values, not the newest of each: {got:?}",
        got.len()
    );
    assert_messages(
        got.get(got.len().saturating_sub(2)..).unwrap_or_default(),
        &[Msg::new(0, 999), Msg::new(0, 1004)],
        "L1: the newest value of each burst",
    );
    sender.stop().expect("L1: stop failed");
    router.close_pipe(&receiver).expect("L1: close_pipe failed");
    router.stop().expect("L1: stop failed");
}

/// **L2**: the last value sent before the sender ends is always routed,
/// before the end; what the receiver gets is in the order sent, each once.
///
/// > L2 the last value sent before the sender ends is always delivered,
/// > unless the pipe was closed first.
///
/// A worker sends 0..20000 while the loop routes, and stops.
///
/// # Panics
///
/// When the backend breaks L2.
pub fn last_value_before_the_end_is_delivered<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const SENT: u32 = 20_000;
    let (event_loop, router, mut sender, receiver, inbox) = latest_pipe(new_router, "L2");
    let last_seen = std::rc::Rc::new(std::cell::Cell::new(None));
    receiver.on_end({
        let (inbox, last_seen) = (inbox.clone(), std::rc::Rc::clone(&last_seen));
        move |end: &SenderEnd| last_seen.set(Some((*end, inbox.messages().last().copied())))
    });
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("L2: start failed");
        for seq in 0..SENT {
            open.send(Msg::new(0, seq)).expect("L2: send failed");
        }
    });
    run_loop_until(
        &event_loop,
        || last_seen.get().is_some(),
        || "L2: the latest-value pipe's sender stopped and no end came".to_owned(),
    );
    join(worker);
    let got = inbox.messages();
    assert_eq!(
        last_seen.get(),
        Some((SenderEnd::Stopped, Some(Msg::new(0, SENT - 1)))),
        "L2: the end did not come right after the last value sent ({} values routed, the last {:?})",
        got.len(),
        got.last()
    );
    assert!(
        got.windows(2).all(|pair| pair[0].seq < pair[1].seq),
        "L2: a latest-value pipe delivered values out of order or twice"
    );
    router.close_pipe(&receiver).expect("L2: close_pipe failed");
    router.stop().expect("L2: stop failed");
}

/// **L3**: a burst of sends on a latest-value pipe costs one wake-up of
/// the event loop.
///
/// > L3 a burst of sends costs at most one ping.
///
/// Ten values are sent from the foreground, then the loop runs what is
/// pending once: one callback, which routes the newest value; and then
/// nothing is pending.
///
/// Needs [`Capability::ImmediateSends`](crate::Capability::ImmediateSends):
/// the burst must have reached the router when the loop runs.
///
/// # Panics
///
/// When the backend breaks L3.
pub fn a_burst_of_sends_costs_one_wake_up<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (event_loop, router, mut sender, receiver, inbox) = latest_pipe(new_router, "L3");
    sender.start().expect("L3: start failed");
    for seq in 0..10 {
        sender.send(Msg::new(0, seq)).expect("L3: send failed");
    }
    let ran = event_loop.run_pending();
    assert_eq!(
        ran, 1,
        "L3: a burst of 10 sends on a latest-value pipe woke the loop {ran} times"
    );
    assert_messages(
        &inbox.messages(),
        &[Msg::new(0, 9)],
        "L3: what one wake-up routed",
    );
    let more = event_loop.run_pending();
    assert_eq!(
        more, 0,
        "L3: {more} more wake-ups after the burst was routed"
    );
    sender.stop().expect("L3: stop failed");
    router.close_pipe(&receiver).expect("L3: close_pipe failed");
    router.stop().expect("L3: stop failed");
}
