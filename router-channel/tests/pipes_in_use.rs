//! What users of several pipes at once tripped on, each pinned: a stream
//! made from a pipe already closed, a latest value left at stop, a bounded
//! send from the router's own thread, and a bounded pipe read as a stream.

// Real threads and channels: under `--cfg loom` the router's atomics are
// loom's, which only work inside a model (tests/loom_ping.rs).
#![cfg(not(loom))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_core::Stream;
use router_api::{
    DefaultEventLoop, IntoMessageStream, MessageRouter, MessageSender, SendErrorKind,
};
use router_crossbeam::CrossbeamRouter;

const PATIENCE: Duration = Duration::from_secs(10);

/// Polls `stream` once, with a waker that does nothing.
fn poll<S: Stream + Unpin>(stream: &mut S) -> Poll<Option<S::Item>> {
    Pin::new(stream).poll_next(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_stream_of_a_pipe_closed_before_ends_at_once() {
    let event_loop = DefaultEventLoop::new();
    let router = CrossbeamRouter::<u64>::new(&event_loop);
    router.start().unwrap();
    let (_sender, receiver) = router.pipe().unwrap();
    router.close_pipe(&receiver).unwrap();
    let mut stream = receiver.into_stream();
    assert_eq!(poll(&mut stream), Poll::Ready(None), "A2: no end will come");
    router.stop().unwrap();
}

#[test]
fn a_stream_of_a_stopped_router_ends_at_once() {
    let event_loop = DefaultEventLoop::new();
    let router = CrossbeamRouter::<u64>::new(&event_loop);
    router.start().unwrap();
    let (_sender, receiver) = router.pipe().unwrap();
    let _ = router.stop();
    let mut stream = receiver.into_stream();
    assert_eq!(poll(&mut stream), Poll::Ready(None), "A2: no end will come");
}

#[test]
fn a_latest_value_left_in_its_slot_at_stop_counts_as_dropped() {
    let event_loop = DefaultEventLoop::new();
    let router = CrossbeamRouter::<u64>::new(&event_loop);
    router.start().unwrap();
    let (mut sender, _receiver) = router.pipe_latest().unwrap();
    sender.start().unwrap();
    sender.send(1).unwrap();
    sender.send(2).unwrap();
    let _ = router.stop();
    assert_eq!(
        router.stats().dropped,
        1,
        "R4: the value waiting in the slot was dropped unrouted"
    );
}

#[test]
fn a_send_on_a_full_bounded_pipe_from_the_router_thread_fails_at_once() {
    let (done, outcome) = mpsc::channel();
    // On a thread of its own: if the send hangs, only that thread does.
    std::thread::spawn(move || {
        let event_loop = DefaultEventLoop::new();
        let router = CrossbeamRouter::<u64>::new(&event_loop);
        router.start().unwrap();
        let (mut sender, receiver) = router.pipe_bounded(1).unwrap();
        sender.start().unwrap();
        sender.send(1).unwrap();
        let error = sender.send(2).unwrap_err();
        let _ = done.send((
            matches!(
                error.kind(),
                SendErrorKind::FullOnRouterThread { capacity: 1 }
            ),
            error.is_full(),
            error.to_string(),
            error.into_message(),
        ));
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();
    });
    let (on_router_thread, full, said, message) = outcome
        .recv_timeout(PATIENCE)
        .expect("a send on a full pipe from the router's thread hung");
    assert!(on_router_thread && full, "{said}");
    assert!(said.contains("router's own thread"), "{said}");
    assert_eq!(message, 2);
}

#[test]
fn a_send_on_a_closed_bounded_pipe_from_the_router_thread_fails_as_closed() {
    let event_loop = DefaultEventLoop::new();
    let router = CrossbeamRouter::<u64>::new(&event_loop);
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe_bounded(4).unwrap();
    sender.start().unwrap();
    router.close_pipe(&receiver).unwrap();
    let error = sender.send(1).unwrap_err();
    assert_eq!(
        error.disconnect(),
        Some(router_api::Disconnect::PipeClosed),
        "B2: {error}"
    );
    router.stop().unwrap();
}

#[test]
fn a_bounded_pipe_read_as_a_stream_holds_its_sender_back() {
    const CAPACITY: u64 = 4;
    const MESSAGES: u64 = 1000;
    let event_loop = DefaultEventLoop::new();
    let router = CrossbeamRouter::<u64>::new(&event_loop);
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe_bounded(CAPACITY as usize).unwrap();
    let mut stream = receiver.into_stream();
    let sent = Arc::new(AtomicU64::new(0));
    let worker = std::thread::spawn({
        let sent = Arc::clone(&sent);
        move || {
            sender.start().unwrap();
            for n in 0..MESSAGES {
                sender.send(n).unwrap();
                sent.store(n + 1, Ordering::Release);
            }
        }
    });
    // The loop routes for a while; the stream's reader is idle.
    let _ = event_loop.run_until(|| false, Some(Duration::from_millis(300)));
    let ahead = sent.load(Ordering::Acquire);
    assert!(
        ahead <= CAPACITY,
        "B1: {ahead} messages were sent while the stream yielded none: at most {CAPACITY} may wait"
    );
    let mut got = Vec::new();
    let done = Rc::new(Cell::new(false));
    event_loop
        .run_until(
            || {
                while let Poll::Ready(item) = poll(&mut stream) {
                    match item {
                        Some(message) => got.push(message),
                        None => {
                            done.set(true);
                            break;
                        }
                    }
                }
                done.get()
            },
            Some(PATIENCE),
        )
        .expect("the stream ended");
    worker.join().unwrap();
    assert_eq!(got, (0..MESSAGES).collect::<Vec<_>>());
    drop(stream);
    router.stop().unwrap();
}
