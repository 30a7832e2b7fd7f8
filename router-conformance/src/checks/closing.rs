//! A sender learns that its pipe was closed (C1): cooperative
//! cancellation of the work behind it.

use std::time::{Duration, Instant};

use router_api::{IntoMessageStream, MessageRouter, MessageSender};

use crate::fixtures::drive::{SAFETY_TIMEOUT, join, started_with_pipe};

/// How long a sender may take to learn its pipe closed: at once in this
/// process, within 100 ms from another (C2); 2 s leaves room for a slow
/// machine and keeps a backend that never learns from costing the
/// safety timeout per check.
const CLOSED_WITHIN: Duration = Duration::from_secs(2);
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// Waits until `sender` says it is closed; a sender in another process
/// learns it through its connection, a little later (C2). Fails `what`
/// after [`CLOSED_WITHIN`].
fn await_closed<S: MessageSender<Msg>>(sender: &S, what: &str) {
    let deadline = Instant::now() + CLOSED_WITHIN;
    while !sender.is_closed() {
        assert!(
            Instant::now() < deadline,
            "C1: {what}, yet the sender's is_closed() stayed false for {CLOSED_WITHIN:?}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// **C1**: a sender's `is_closed` is false while its pipe is open, started
/// or not, and true once the pipe is closed with `close_pipe`.
///
/// > C1 `is_closed` is false while the pipe is open; true once its pipe is
/// > closed (`close_pipe`, the receiver or its stream dropped) or the
/// > router stopped or was dropped.
///
/// # Panics
///
/// When the backend breaks C1.
pub fn sender_is_closed_once_close_pipe_closes_its_pipe<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver) = started_with_pipe(&router, "C1");
    assert!(
        !sender.is_closed(),
        "C1: a new sender of an open pipe says it is closed"
    );
    sender.start().expect("C1: start failed");
    assert!(
        !sender.is_closed(),
        "C1: an open sender of an open pipe says it is closed"
    );
    router.close_pipe(&receiver).expect("C1: close_pipe failed");
    await_closed(&sender, "its pipe was closed with close_pipe");
    sender.stop().expect("C1: stop failed");
    router.stop().expect("C1: stop failed");
}

/// **C1**: a sender's `is_closed` turns true once its receiver is dropped,
/// and once the stream its receiver became is dropped.
///
/// > C1 `is_closed` is false while the pipe is open; true once its pipe is
/// > closed (`close_pipe`, the receiver or its stream dropped) or the
/// > router stopped or was dropped.
///
/// # Panics
///
/// When the backend breaks C1.
pub fn sender_is_closed_once_its_receiver_or_stream_is_dropped<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<Msg>,
{
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (dropped, receiver) = started_with_pipe(&router, "C1");
    drop(receiver);
    await_closed(&dropped, "its receiver was dropped");
    let (streamed, receiver) = router.pipe().expect("C1: pipe failed");
    let stream = receiver.into_stream();
    assert!(
        !streamed.is_closed(),
        "C1: a receiver turned into a stream closed its pipe"
    );
    drop(stream);
    await_closed(&streamed, "the stream its receiver became was dropped");
    drop((dropped, streamed));
    router.stop().expect("C1: stop failed");
}

/// **C1**: a sender's `is_closed` turns true once its router stops, and
/// once its router is dropped.
///
/// > C1 `is_closed` is false while the pipe is open; true once its pipe is
/// > closed (`close_pipe`, the receiver or its stream dropped) or the
/// > router stopped or was dropped.
///
/// # Panics
///
/// When the backend breaks C1.
pub fn sender_is_closed_once_its_router_stops_or_is_dropped<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<Msg>,
{
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (stopped, receiver) = started_with_pipe(&router, "C1");
    router.close_pipe(&receiver).expect("C1: close_pipe failed");
    let (of_stop, _open) = router.pipe().expect("C1: pipe failed");
    // The unclosed-pipe warning is R4's business.
    let (result, _) = crate::capture::capture(|| router.stop());
    result.expect("C1: stop failed");
    await_closed(&of_stop, "its router was stopped");
    drop(stopped);
    let other = new_router(&event_loop);
    let (of_drop, _open) = started_with_pipe(&other, "C1");
    let ((), _) = crate::capture::capture(|| drop(other));
    await_closed(&of_drop, "its router was dropped");
}

/// **C1**: a worker that loops `while !sender.is_closed()` stops once the
/// foreground closes its pipe.
///
/// > C1 `is_closed` is false while the pipe is open; true once its pipe is
/// > closed.
///
/// # Panics
///
/// When the backend breaks C1, or the worker does not stop within the
/// safety timeout.
pub fn worker_looping_until_closed_stops_once_its_pipe_closes<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<Msg>,
{
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver) = started_with_pipe(&router, "C1");
    let (started, is_started) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        sender.start().expect("C1: start failed");
        let _ = started.send(());
        let deadline = Instant::now() + CLOSED_WITHIN;
        let mut rounds = 0u64;
        while !sender.is_closed() && Instant::now() < deadline {
            rounds += 1;
            std::thread::sleep(Duration::from_micros(200));
        }
        (sender.is_closed(), rounds)
    });
    is_started
        .recv_timeout(SAFETY_TIMEOUT)
        .expect("C1: the worker never started");
    router.close_pipe(&receiver).expect("C1: close_pipe failed");
    let (closed, rounds) = join(worker);
    assert!(
        closed,
        "C1: a worker looping while !is_closed() ran on for {CLOSED_WITHIN:?} ({rounds} rounds) \
         after its pipe was closed"
    );
    router.stop().expect("C1: stop failed");
}

/// **C2**: a sender learns that its pipe closed soon after `close_pipe`,
/// also from another process or machine: at once in this process, within
/// 100 ms on loopback from another.
///
/// > C2 a sender in another process or on another machine learns the
/// > same, within 100 ms on loopback.
///
/// The check allows five times that (a loaded machine), and runs the loop
/// meanwhile, for a backend whose foreground forwards the news.
///
/// # Panics
///
/// When the backend breaks C2.
pub fn sender_learns_its_pipe_closed_within_100_ms<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const ALLOWED: Duration = Duration::from_millis(500);
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver) = started_with_pipe(&router, "C2");
    sender.start().expect("C2: start failed");
    let (asked, answer) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = asked.send(());
        let deadline = Instant::now() + SAFETY_TIMEOUT;
        while !sender.is_closed() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(100));
        }
        (Instant::now(), sender.is_closed())
    });
    answer
        .recv_timeout(SAFETY_TIMEOUT)
        .expect("C2: the worker never started");
    let closed_at = Instant::now();
    router.close_pipe(&receiver).expect("C2: close_pipe failed");
    // The loop runs meanwhile, in short slices: the worker's end wakes
    // nothing (its pipe is closed), so the slices, not a wake, see it.
    let deadline = Instant::now() + SAFETY_TIMEOUT;
    while !worker.is_finished() && Instant::now() < deadline {
        let _ = event_loop.run_until(&mut || worker.is_finished(), Duration::from_millis(5));
    }
    let (learned_at, closed) = join(worker);
    assert!(closed, "C2: the sender never learned its pipe closed");
    let took = learned_at.saturating_duration_since(closed_at);
    assert!(
        took <= ALLOWED,
        "C2: the sender learned its pipe closed {took:?} after close_pipe (the rule asks for \
         100 ms on loopback; the check allows {ALLOWED:?})"
    );
    router.stop().expect("C2: stop failed");
}
