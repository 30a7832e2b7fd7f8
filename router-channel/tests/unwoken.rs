//! `ChannelSender::try_send_unwoken` and `ChannelSender::wake`: a
//! backend's thread that forwards many messages at once (the process
//! backend's monitor, one socket read's frames) queues them without waking
//! the router, then wakes it once. Until the wake nothing pings; the wake
//! pings once, and that one ping's turn routes them all, in order, on
//! every kind of pipe.

// Real threads and channels: under `--cfg loom` the router's atomics are
// loom's, which only work inside a model (tests/loom_ping.rs).
#![cfg(not(loom))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use router_api::{
    DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender, PipeKind, SendErrorKind,
};
use router_channel::{Channel, ChannelRouter, ChannelSender, Envelope, PipeReceiver};
use router_crossbeam::Crossbeam;
use router_flume::Flume;

const PATIENCE: Option<Duration> = Some(Duration::from_secs(10));

type Seen = Rc<RefCell<Vec<u64>>>;

/// A started router on its loop, a started sender of one of its pipes, the
/// pipe's receiver, and what the receiver's listener saw.
type Rig<C> = (
    DefaultEventLoop,
    ChannelRouter<u64, C>,
    ChannelSender<u64, C>,
    PipeReceiver<u64>,
    Seen,
);

/// A [`Rig`] with a pipe of `kind`.
fn pipe_of<C: Channel<Envelope<u64>>>(kind: PipeKind) -> Rig<C> {
    let event_loop = DefaultEventLoop::new();
    let router = ChannelRouter::<u64, C>::new(&event_loop);
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe_of(kind).unwrap();
    let seen: Seen = Rc::default();
    receiver.connect({
        let seen = Rc::clone(&seen);
        move |value: &u64| seen.borrow_mut().push(*value)
    });
    sender.start().unwrap();
    (event_loop, router, sender, receiver, seen)
}

fn no_ping_until_the_wake_then_one_routes_them_all<C: Channel<Envelope<u64>>>(kind: PipeKind) {
    let (event_loop, router, mut sender, receiver, seen) = pipe_of::<C>(kind);
    for value in 1..=3 {
        sender.try_send_unwoken(value).unwrap();
    }
    assert_eq!(event_loop.pending(), 0, "{kind:?}: an unwoken send pinged");
    sender.wake();
    assert_eq!(event_loop.pending(), 1, "{kind:?}: the wake did not ping");
    assert_eq!(event_loop.run_pending(), 1);
    let expected: &[u64] = match kind {
        PipeKind::Latest => &[3],
        _ => &[1, 2, 3],
    };
    assert_eq!(*seen.borrow(), expected, "{kind:?}");
    // A second wake with nothing new queued routes nothing more.
    sender.wake();
    event_loop.run_pending();
    assert_eq!(*seen.borrow(), expected, "{kind:?}");
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn unwoken_sends_wait_for_one_wake_on_every_kind_of_pipe() {
    for kind in [
        PipeKind::Unbounded,
        PipeKind::Bounded { capacity: 8 },
        PipeKind::Latest,
    ] {
        no_ping_until_the_wake_then_one_routes_them_all::<Crossbeam>(kind);
        no_ping_until_the_wake_then_one_routes_them_all::<Flume>(kind);
    }
}

#[test]
fn a_full_bounded_pipe_hands_an_unwoken_send_back() {
    let (event_loop, router, mut sender, receiver, seen) =
        pipe_of::<Crossbeam>(PipeKind::Bounded { capacity: 2 });
    sender.try_send_unwoken(1).unwrap();
    sender.try_send_unwoken(2).unwrap();
    let error = sender.try_send_unwoken(3).unwrap_err();
    assert!(
        matches!(error.kind(), SendErrorKind::Full { capacity: 2 }),
        "{error}"
    );
    assert_eq!(error.into_message(), 3);
    sender.wake();
    event_loop
        .run_until(|| seen.borrow().len() == 2, PATIENCE)
        .unwrap();
    assert_eq!(*seen.borrow(), [1, 2]);
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn a_sender_that_is_not_open_neither_sends_unwoken_nor_wakes() {
    let event_loop = DefaultEventLoop::new();
    let router = ChannelRouter::<u64, Crossbeam>::new(&event_loop);
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let error = sender.try_send_unwoken(1).unwrap_err();
    assert!(matches!(error.kind(), SendErrorKind::NotStarted), "{error}");
    sender.wake();
    assert_eq!(event_loop.pending(), 0);
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn a_sender_on_another_thread_wakes_a_waiting_route_until() {
    let (_event_loop, router, mut sender, receiver, seen) =
        pipe_of::<Crossbeam>(PipeKind::Unbounded);
    // Manual mode: the wake unparks `route_until` rather than pinging.
    router.route_until(|| true, None).unwrap();
    let worker = std::thread::spawn(move || {
        for value in 0..1000 {
            sender.try_send_unwoken(value).unwrap();
            if value % 100 == 99 {
                sender.wake();
            }
        }
        sender
    });
    router
        .route_until(|| seen.borrow().len() == 1000, PATIENCE)
        .unwrap();
    assert_eq!(*seen.borrow(), (0..1000).collect::<Vec<_>>());
    drop(worker.join().unwrap());
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}
