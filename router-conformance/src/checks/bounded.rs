//! Bounded pipes: at most `capacity` messages wait unrouted (B1..B4).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use router_api::{
    Disconnect, MessageReceiver, MessageRouter, MessageSender, PipeKind, SendError, SendErrorKind,
};

use crate::capture::capture;
use crate::fixtures::drive::{SAFETY_TIMEOUT, join, loop_with_pipe_of, run_loop_until};
use crate::fixtures::inbox::{Inbox, assert_messages, sequence};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// A started router with one bounded pipe of `capacity` and an inbox on it.
fn bounded_pipe<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
    capacity: usize,
    rule: &str,
) -> (L, R, R::Sender, R::Receiver, Inbox) {
    loop_with_pipe_of(new_router, PipeKind::Bounded { capacity }, rule)
}

/// How long a check lets a send that must wait show that it waits.
const WAITS: Duration = Duration::from_millis(100);

/// **B1**: a bounded pipe of capacity 4 takes 4 messages the router has
/// not routed, and no fifth; once they are routed it takes 4 more.
///
/// > B1 at most `n` messages of a bounded pipe wait unrouted.
///
/// Counted with `try_send` from the foreground, which does not route.
/// Needs [`Capability::ImmediateSends`](crate::Capability::ImmediateSends).
///
/// # Panics
///
/// When the backend breaks B1.
pub fn bounded_pipe_takes_its_capacity_and_no_more<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const CAPACITY: usize = 4;
    let (event_loop, router, mut sender, receiver, inbox) =
        bounded_pipe(new_router, CAPACITY, "B1");
    sender.start().expect("B1: start failed");
    let mut seq = 0;
    let mut fill = |sender: &mut R::Sender| {
        let mut taken = 0;
        while taken <= CAPACITY {
            match sender.try_send(Msg::new(0, seq)) {
                Ok(()) => {
                    taken += 1;
                    seq += 1;
                }
                Err(error) if error.is_full() => break,
                Err(error) => panic!("B1: try_send on a bounded pipe failed: {error}"),
            }
        }
        taken
    };
    let taken = fill(&mut sender);
    assert_eq!(
        taken, CAPACITY,
        "B1: a bounded pipe of capacity {CAPACITY} took {taken} messages the router had not routed"
    );
    run_loop_until(
        &event_loop,
        || inbox.len() == CAPACITY,
        || {
            format!(
                "B1: the router routed {} of {CAPACITY} messages",
                inbox.len()
            )
        },
    );
    let taken = fill(&mut sender);
    assert_eq!(
        taken, CAPACITY,
        "B1: once routed, a bounded pipe of capacity {CAPACITY} took {taken} more"
    );
    sender.stop().expect("B1: stop failed");
    router.close_pipe(&receiver).expect("B1: close_pipe failed");
    router.stop().expect("B1: stop failed");
}

/// **B2**: `send` on a full bounded pipe waits until the router routes,
/// then sends; nothing is lost or reordered.
///
/// > B2 `send` on a full pipe blocks until there is room, and fails with
/// > `Disconnected`, never hangs, once the router stops or the pipe is
/// > closed.
///
/// A worker sends 3 messages on a pipe of capacity 2 while the
/// foreground does not route: after 100 ms it must still be in its third
/// send. Then the loop routes all three.
/// Needs [`Capability::ImmediateSends`](crate::Capability::ImmediateSends).
///
/// # Panics
///
/// When the backend breaks B2.
pub fn send_on_a_full_pipe_waits_for_room<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (event_loop, router, mut sender, receiver, inbox) = bounded_pipe(new_router, 2, "B2");
    let sent = Arc::new(AtomicUsize::new(0));
    let worker = std::thread::spawn({
        let sent = Arc::clone(&sent);
        move || {
            let mut open = sender.open().expect("B2: start failed");
            for message in sequence(0, 3) {
                open.send(message).expect("B2: send failed");
                sent.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let until = Instant::now() + WAITS;
    while Instant::now() < until && sent.load(Ordering::SeqCst) < 3 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let before_routing = sent.load(Ordering::SeqCst);
    assert_eq!(
        before_routing, 2,
        "B2: a worker sent {before_routing} messages on a pipe of capacity 2 that nothing routed"
    );
    run_loop_until(
        &event_loop,
        || inbox.len() == 3,
        || format!("B2: the router routed {} of 3 messages", inbox.len()),
    );
    join(worker);
    assert_messages(
        &inbox.messages(),
        &sequence(0, 3),
        "B2: messages of a bounded pipe",
    );
    router.close_pipe(&receiver).expect("B2: close_pipe failed");
    router.stop().expect("B2: stop failed");
}

/// What a send blocked on a full pipe came to, once `unblock` ran.
fn blocked_send_after<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
    unblock: impl FnOnce(&R, R::Receiver),
) -> Result<(), SendError<()>> {
    let (_event_loop, router, mut sender, receiver, _inbox) = bounded_pipe(new_router, 1, "B2");
    let (done, result) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        sender.start().expect("B2: start failed");
        sender.send(Msg::new(0, 0)).expect("B2: send failed");
        let second = sender
            .send(Msg::new(0, 1))
            .map_err(SendError::without_message);
        let _ = done.send(second);
    });
    assert!(
        result.recv_timeout(WAITS).is_err(),
        "B2: a send on a full pipe returned while nothing routed"
    );
    let ((), _) = capture(|| unblock(&router, receiver));
    let outcome = result.recv_timeout(SAFETY_TIMEOUT).unwrap_or_else(|_| {
        panic!("B2: a send waiting on a full pipe hung after its pipe or router went (gave up after {SAFETY_TIMEOUT:?})")
    });
    join(worker);
    if router.is_running() {
        router.stop().expect("B2: stop failed");
    }
    outcome
}

/// **B2**: a send waiting on a full bounded pipe fails with
/// `Disconnected` when the router stops, and when the pipe is closed.
///
/// > B2 `send` on a full pipe blocks until there is room, and fails with
/// > `Disconnected`, never hangs, once the router stops or the pipe is
/// > closed.
///
/// # Panics
///
/// When the backend breaks B2.
pub fn send_waiting_on_a_full_pipe_fails_when_it_cannot_go_on<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let stopped = blocked_send_after(new_router, |router: &R, _receiver| {
        router.stop().expect("B2: stop failed");
    });
    assert!(
        matches!(&stopped, Err(error) if error.is_disconnected()),
        "B2: a send waiting on a full pipe came to {stopped:?} when the router stopped"
    );
    let closed = blocked_send_after(new_router, |router: &R, receiver| {
        router.close_pipe(&receiver).expect("B2: close_pipe failed");
    });
    assert!(
        matches!(&closed, Err(error) if error.disconnect() == Some(Disconnect::PipeClosed)),
        "B2: a send waiting on a full pipe came to {closed:?} when the pipe was closed"
    );
}

/// **B3**: on a full bounded pipe, `try_send` hands the message back in
/// `Full`, and `send_timeout` in `Timeout` once its timeout has passed.
///
/// > B3 `try_send` on a full pipe hands the message back with `Full`;
/// > `send_timeout` with a timeout error.
///
/// Needs [`Capability::ImmediateSends`](crate::Capability::ImmediateSends).
///
/// # Panics
///
/// When the backend breaks B3.
pub fn full_pipe_hands_the_message_back<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (event_loop, router, mut sender, receiver, inbox) = bounded_pipe(new_router, 1, "B3");
    sender.start().expect("B3: start failed");
    sender
        .try_send(Msg::new(0, 0))
        .expect("B3: try_send on an empty pipe failed");
    let pipe = sender.pipe_id();
    let full = sender
        .try_send(Msg::new(0, 1))
        .expect_err("B3: try_send on a full pipe succeeded");
    assert!(
        full.pipe() == pipe && matches!(full.kind(), SendErrorKind::Full { capacity: 1 }),
        "B3: try_send on a full pipe failed with {full}"
    );
    assert_eq!(
        full.into_message(),
        Msg::new(0, 1),
        "B3: try_send on a full pipe did not hand its message back"
    );
    let started = Instant::now();
    let timeout = Duration::from_millis(50);
    let timed_out = sender
        .send_timeout(Msg::new(0, 2), timeout)
        .expect_err("B3: send_timeout on a full pipe succeeded");
    assert!(
        started.elapsed() >= timeout,
        "B3: send_timeout gave up after {:?}, before its timeout of {timeout:?}",
        started.elapsed()
    );
    assert!(
        timed_out.pipe() == pipe
            && matches!(timed_out.kind(), SendErrorKind::TimedOut { timeout: given } if *given == timeout),
        "B3: send_timeout on a full pipe failed with {timed_out}"
    );
    assert_eq!(
        timed_out.into_message(),
        Msg::new(0, 2),
        "B3: send_timeout on a full pipe did not hand its message back"
    );
    run_loop_until(
        &event_loop,
        || inbox.len() == 1,
        || "B3: the message taken was not routed".to_owned(),
    );
    sender
        .send_timeout(Msg::new(0, 3), timeout)
        .expect("B3: send_timeout on a pipe with room failed");
    sender.stop().expect("B3: stop failed");
    router.close_pipe(&receiver).expect("B3: close_pipe failed");
    router.stop().expect("B3: stop failed");
}

/// **B4**: a bounded pipe's receiver tells how many of its messages wait
/// unrouted.
///
/// > B4 a receiver can tell how many of its messages wait unrouted.
///
/// Two messages are sent on a pipe of capacity 3: `queued` comes to 2
/// (the check waits for it, for senders whose messages travel), and to 0
/// once they are routed.
///
/// # Panics
///
/// When the backend breaks B4.
pub fn receiver_counts_its_waiting_messages<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (event_loop, router, mut sender, receiver, inbox) = bounded_pipe(new_router, 3, "B4");
    assert_eq!(receiver.queued(), Some(0), "B4: a new bounded pipe's count");
    sender.start().expect("B4: start failed");
    for message in sequence(0, 2) {
        sender.send(message).expect("B4: send failed");
    }
    let until = Instant::now() + SAFETY_TIMEOUT;
    while receiver.queued() != Some(2) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        receiver.queued(),
        Some(2),
        "B4: two messages sent and not routed; the receiver counts otherwise"
    );
    run_loop_until(
        &event_loop,
        || inbox.len() == 2,
        || "B4: the two messages were not routed".to_owned(),
    );
    assert_eq!(
        receiver.queued(),
        Some(0),
        "B4: the count once both were routed"
    );
    sender.stop().expect("B4: stop failed");
    router.close_pipe(&receiver).expect("B4: close_pipe failed");
    router.stop().expect("B4: stop failed");
}
