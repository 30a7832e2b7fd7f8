//! A flood beside quiet pipes: ends and latest values are not starved
//! by a flood of other pipes' messages (E3, L4).

use std::cell::Cell;
use std::rc::Rc;

use router_api::{MessageReceiver, MessageRouter, MessageSender, PipeKind, SenderEnd};

use crate::fixtures::drive::{join, run_loop_until};
use crate::fixtures::inbox::{Inbox, assert_messages};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// How many messages the flood queues before anything is routed.
const FLOOD: u32 = 100_000;

/// How many of the flood's messages may be routed before the quiet pipe
/// is served: a quarter of it, far more than the few turns of the default
/// drain budget the rules allow, far less than the whole flood.
const SERVED_WITHIN: u32 = FLOOD / 4;

/// A started router with a flooded pipe whose routed messages are counted.
fn flooded_router<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
    rule: &str,
) -> (L, R, R::Sender, R::Receiver, Rc<Cell<u32>>) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router
        .start()
        .unwrap_or_else(|error| panic!("{rule}: start failed: {error}"));
    let (flood, flood_rx) = router
        .pipe()
        .unwrap_or_else(|error| panic!("{rule}: pipe failed: {error}"));
    let flooded = Rc::new(Cell::new(0));
    flood_rx.connect({
        let flooded = Rc::clone(&flooded);
        move |_: &Msg| flooded.set(flooded.get() + 1)
    });
    (event_loop, router, flood, flood_rx, flooded)
}

/// Sends the flood on `flood`, from this thread.
fn send_flood<S: MessageSender<Msg>>(flood: &mut S, rule: &str) {
    flood
        .start()
        .unwrap_or_else(|error| panic!("{rule}: start of the flood failed: {error}"));
    for seq in 0..FLOOD {
        flood
            .send(Msg::new(1, seq))
            .unwrap_or_else(|error| panic!("{rule}: a send of the flood failed: {error}"));
    }
}

/// **E3**: a sender's end is told within a turn of its pipe's last
/// message being routed, whatever other pipes still have queued, and still
/// after that last message (E1).
///
/// > E3 an end is told within one turn after its pipe's last message is
/// > routed, whatever other pipes still have queued.
///
/// A worker sends one message on a quiet pipe, then 100,000 on another,
/// then stops the quiet pipe's sender, all before the loop runs. The end
/// must come before a quarter of the flood is routed, after the quiet
/// pipe's message.
///
/// Needs [`Capability::ImmediateSends`](crate::Capability::ImmediateSends).
///
/// # Panics
///
/// When the backend breaks E3 (or E1).
pub fn end_comes_within_a_turn_of_its_last_message_under_a_flood<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<Msg>,
{
    let (event_loop, router, mut flood, flood_rx, flooded) = flooded_router(new_router, "E3");
    let (mut quiet, quiet_rx) = router.pipe().expect("E3: pipe failed");
    let inbox = Inbox::connect(&quiet_rx);
    let ended = Rc::new(Cell::new(None));
    quiet_rx.on_end({
        let (ended, flooded, inbox) = (Rc::clone(&ended), Rc::clone(&flooded), inbox.clone());
        move |end: &SenderEnd| ended.set(Some((*end, flooded.get(), inbox.len())))
    });
    let worker = std::thread::spawn(move || {
        quiet.start().expect("E3: start failed");
        quiet.send(Msg::new(0, 0)).expect("E3: send failed");
        send_flood(&mut flood, "E3");
        quiet.stop().expect("E3: stop failed");
        flood
    });
    let flood = join(worker);
    run_loop_until(
        &event_loop,
        || ended.get().is_some(),
        || "E3: the quiet pipe's end never came".to_owned(),
    );
    let (end, routed, quiet_seen) = ended.get().expect("E3: the end came");
    assert_eq!(
        end,
        SenderEnd::Stopped,
        "E3: the end says how the sender ended"
    );
    assert_eq!(
        quiet_seen, 1,
        "E3: the end came before the quiet pipe's message (E1)"
    );
    assert!(
        routed < SERVED_WITHIN,
        "E3: the end of a pipe whose message was routed first came only after {routed} of \
         the flood's {FLOOD} messages were routed: a flood starves ends"
    );
    run_loop_until(
        &event_loop,
        || flooded.get() == FLOOD,
        || {
            format!(
                "E3: {} of the flood's {FLOOD} messages routed",
                flooded.get()
            )
        },
    );
    assert_messages(&inbox.messages(), &[Msg::new(0, 0)], "E3: the quiet pipe");
    drop(flood);
    router.close_pipe(&flood_rx).expect("E3: close_pipe failed");
    router.close_pipe(&quiet_rx).expect("E3: close_pipe failed");
    router.stop().expect("E3: stop failed");
}

/// **L4**: while other pipes flood, a latest-value pipe's newest value
/// reaches its listener within a turn, not only once the queue is empty.
///
/// > L4 while other pipes flood, a latest-value pipe's newest value
/// > reaches its listener within one turn.
///
/// A worker sends 100,000 messages on one pipe, then one value on a
/// latest-value pipe, before the loop runs. The value must be delivered
/// before a quarter of the flood is routed.
///
/// Needs [`Capability::ImmediateSends`](crate::Capability::ImmediateSends).
///
/// # Panics
///
/// When the backend breaks L4.
pub fn latest_value_is_delivered_within_a_turn_under_a_flood<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<Msg>,
{
    let (event_loop, router, mut flood, flood_rx, flooded) = flooded_router(new_router, "L4");
    let (mut progress, progress_rx) = router.pipe_of(PipeKind::Latest).expect("L4: pipe failed");
    let seen_at = Rc::new(Cell::new(None));
    progress_rx.connect({
        let (seen_at, flooded) = (Rc::clone(&seen_at), Rc::clone(&flooded));
        move |value: &Msg| {
            if seen_at.get().is_none() {
                seen_at.set(Some((*value, flooded.get())));
            }
        }
    });
    let worker = std::thread::spawn(move || {
        send_flood(&mut flood, "L4");
        progress.start().expect("L4: start failed");
        progress.send(Msg::new(0, 7)).expect("L4: send failed");
        (flood, progress)
    });
    let senders = join(worker);
    run_loop_until(
        &event_loop,
        || seen_at.get().is_some(),
        || "L4: the latest value never came".to_owned(),
    );
    let (value, routed) = seen_at.get().expect("L4: a value came");
    assert_eq!(value, Msg::new(0, 7), "L4: the value sent");
    assert!(
        routed < SERVED_WITHIN,
        "L4: a latest value came only after {routed} of the flood's {FLOOD} messages were \
         routed: a flood starves latest values"
    );
    run_loop_until(
        &event_loop,
        || flooded.get() == FLOOD,
        || {
            format!(
                "L4: {} of the flood's {FLOOD} messages routed",
                flooded.get()
            )
        },
    );
    drop(senders);
    router.close_pipe(&flood_rx).expect("L4: close_pipe failed");
    router
        .close_pipe(&progress_rx)
        .expect("L4: close_pipe failed");
    router.stop().expect("L4: stop failed");
}
