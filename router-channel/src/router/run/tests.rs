//! The backlog of a channel that takes batches, against listeners that
//! change the router in the middle of a batch (R5, R8, R11).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender};

use crate::{Channel, ChannelRouter, ChannelSender, Envelope, PipeReceiver};

const PATIENCE: Duration = Duration::from_secs(10);

/// std's mpsc, taking everything queued at each look.
struct Batched;

impl<T: Send + 'static> Channel<T> for Batched {
    type Tx = mpsc::Sender<T>;
    type Rx = mpsc::Receiver<T>;
    const TAKES_BATCHES: bool = true;

    fn unbounded() -> (Self::Tx, Self::Rx) {
        mpsc::channel()
    }
    fn send(tx: &Self::Tx, value: T) -> Result<(), T> {
        tx.send(value).map_err(|e| e.0)
    }
    fn try_recv(rx: &Self::Rx) -> Option<T> {
        rx.try_recv().ok()
    }
    fn try_recv_batch(rx: &Self::Rx, rest: &mut VecDeque<T>) -> Option<T> {
        let next = rx.try_recv().ok()?;
        rest.extend(rx.try_iter());
        Some(next)
    }
}

type BatchedRouter<M> = ChannelRouter<M, Batched>;

/// A started router over `C` on a loop of its own, and a pipe of it whose
/// sender is not started yet.
fn started<M: Send + 'static, C: Channel<Envelope<M>>>() -> (
    DefaultEventLoop,
    ChannelRouter<M, C>,
    ChannelSender<M, C>,
    PipeReceiver<M>,
) {
    let event_loop = DefaultEventLoop::new();
    let router = ChannelRouter::new(&event_loop);
    router.start().unwrap();
    let (sender, receiver) = router.pipe().unwrap();
    (event_loop, router, sender, receiver)
}

#[test]
fn route_until_called_by_a_listener_mid_batch_routes_the_rest_in_order() {
    let (event_loop, router, mut sender, receiver) = started::<u32, Batched>();
    let router = Rc::new(router);
    let seen = Rc::new(RefCell::new(Vec::new()));
    let weak: Weak<BatchedRouter<u32>> = Rc::downgrade(&router);
    receiver.connect({
        let seen = Rc::clone(&seen);
        move |n: &u32| {
            seen.borrow_mut().push(*n);
            if *n == 2 {
                let router = weak.upgrade().unwrap();
                let seen = Rc::clone(&seen);
                router
                    .route_until(move || seen.borrow().len() >= 4, Some(PATIENCE))
                    .unwrap();
            }
        }
    });
    {
        // All six are queued before the first ping: one batch.
        let mut open = sender.open().unwrap();
        for n in 1..=6 {
            open.send(n).unwrap();
        }
    }
    event_loop
        .run_until(|| seen.borrow().len() >= 4, Some(PATIENCE))
        .unwrap();
    router
        .route_until(|| seen.borrow().len() >= 6, Some(PATIENCE))
        .unwrap();
    assert_eq!(*seen.borrow(), vec![1, 2, 3, 4, 5, 6]);
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn a_backlog_is_kept_while_floods_go_on_and_given_back_after() {
    use crate::tuning::BACKLOG_KEPT;

    let (_event_loop, router, mut sender, receiver) = started::<usize, Batched>();
    let routed = Rc::new(Cell::new(0));
    receiver.connect({
        let routed = Rc::clone(&routed);
        move |_: &usize| routed.set(routed.get() + 1)
    });
    sender.start().unwrap();
    // Queues `sent` messages and routes `taken` of what is queued (the
    // `sent` are one batch: all queued before the router looks); says
    // what the backlog can hold after, and whether it wraps round.
    let mut step = |sent: usize, taken: usize| {
        for n in 0..sent {
            sender.send(n).unwrap();
        }
        let want = routed.get() + taken;
        router
            .route_until(|| routed.get() == want, Some(PATIENCE))
            .unwrap();
        let run = router.inner.current().unwrap();
        (run.backlog_capacity(), run.backlog_wraps())
    };
    let large = 4 * BACKLOG_KEPT;
    let (first, _) = step(large, large);
    assert!(first >= large - 1, "the batch behind the first message");
    assert_eq!(
        step(large, large).0,
        first,
        "a second flood finds the room kept"
    );
    // The last batch ended near the back of the ring: the next starts
    // at the front, in the memory the floods used, not round the end.
    assert_eq!(step(large, 1), (first, false));
    step(0, large - 1);
    assert_eq!(
        step(10, 10).0,
        BACKLOG_KEPT,
        "the call after the floods gives the room back"
    );
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

/// Counts its drops.
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn stop_called_by_a_listener_mid_batch_drops_the_rest_of_the_batch() {
    let (event_loop, router, mut sender, receiver) = started::<Tracked, Batched>();
    let router = Rc::new(router);
    let drops = Arc::new(AtomicUsize::new(0));
    let routed = Rc::new(RefCell::new(0));
    let stopped = Rc::new(Cell::new(false));
    let weak = Rc::downgrade(&router);
    receiver.connect({
        let (routed, stopped) = (Rc::clone(&routed), Rc::clone(&stopped));
        move |_: &Tracked| {
            *routed.borrow_mut() += 1;
            weak.upgrade().unwrap().stop().unwrap();
            stopped.set(true);
        }
    });
    let mut open = sender.open().unwrap();
    for _ in 0..6 {
        open.send(Tracked(Arc::clone(&drops))).unwrap();
    }
    event_loop
        .run_until(|| stopped.get(), Some(PATIENCE))
        .unwrap();
    // The five behind the one being dispatched went with the run, when
    // the turn that held it returned; the dispatched one after its
    // listeners. None was routed.
    assert_eq!(drops.load(Ordering::SeqCst), 6);
    assert_eq!(*routed.borrow(), 1);
    assert_eq!(
        router.stats().dropped,
        5,
        "the five the stop left unrouted count as dropped"
    );
    let refused = open.send(Tracked(Arc::clone(&drops)));
    assert!(refused.is_err(), "a sender of a stopped run must fail");
    drop(refused);
    drop(open);
    assert_eq!(event_loop.run_pending(), 0);
    assert_eq!(*routed.borrow(), 1);
    assert_eq!(drops.load(Ordering::SeqCst), 7);
}

#[test]
fn stop_counts_the_messages_it_leaves_unrouted_as_dropped() {
    let (_event_loop, router, mut sender, receiver) = started::<u32, Batched>();
    receiver.connect(|_: &u32| {});
    sender.start().unwrap();
    for n in 0..10 {
        sender.send(n).unwrap();
    }
    // Three routed (two of them taken into the backlog by the batch and
    // routed from it), seven left: some in the backlog, some not.
    let mut routed = 0;
    router
        .route_until(
            || {
                routed += 1;
                routed > 3
            },
            Some(PATIENCE),
        )
        .unwrap();
    router.stop().unwrap();
    let stats = router.stats();
    assert_eq!(stats.routed, 3);
    assert_eq!(
        stats.dropped, 7,
        "a stop's unrouted messages count as dropped"
    );
    drop(receiver);
}

/// Code generic over routers reaches the stats, the open pipes and the
/// drain budget through `RouterControl`.
fn report<R: MessageRouter<u32> + router_api::RouterControl>(router: &R) -> (u64, usize) {
    router.set_drain_budget(router_api::DrainBudget {
        max_messages: 7,
        ..router.drain_budget()
    });
    (router.stats().routed, router.open_pipes())
}

#[test]
fn router_control_reaches_stats_pipes_and_budget_generically() {
    let (event_loop, router, mut sender, receiver) = started::<u32, Batched>();
    receiver.connect(|_: &u32| {});
    sender.start().unwrap();
    sender.send(1).unwrap();
    event_loop.run_pending();
    assert_eq!(report(&router), (1, 1));
    assert_eq!(router.drain_budget().max_messages, 7);
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

/// std's bounded mpsc with room for one: full at the second send.
struct RoomForOne;

impl<T: Send + 'static> Channel<T> for RoomForOne {
    type Tx = mpsc::SyncSender<T>;
    type Rx = mpsc::Receiver<T>;

    fn unbounded() -> (Self::Tx, Self::Rx) {
        mpsc::sync_channel(1)
    }
    fn send(tx: &Self::Tx, value: T) -> Result<(), T> {
        tx.try_send(value).map_err(|error| match error {
            mpsc::TrySendError::Full(value) | mpsc::TrySendError::Disconnected(value) => value,
        })
    }
    fn try_recv(rx: &Self::Rx) -> Option<T> {
        rx.try_recv().ok()
    }
}

#[test]
fn a_send_refused_says_whether_the_channel_refused_it_or_the_run_ended() {
    use router_api::Disconnect;

    let (_event_loop, router, mut sender, receiver) = started::<u32, RoomForOne>();
    let pipe = receiver.pipe_id();
    sender.start().unwrap();
    sender.send(1).unwrap();
    let full = sender.send(2).unwrap_err();
    assert_eq!(
        (full.pipe(), full.disconnect()),
        (pipe, Some(Disconnect::ChannelRefused)),
        "the router runs: the channel refused it"
    );
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
    let stopped = sender.send(3).unwrap_err();
    assert_eq!(
        (stopped.pipe(), stopped.disconnect()),
        (pipe, Some(Disconnect::RouterStopped))
    );
}
