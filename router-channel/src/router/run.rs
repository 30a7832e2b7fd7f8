//! One run of a router, from `start` to `stop`: the channel's receiving
//! half, the backlog of a channel that takes batches, and what the run's
//! senders share.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;

use router_api::Pingee;

use crate::link::Link;
use crate::tuning::{BACKLOG_KEPT, BACKOFF_SPINS, DEEP_BATCH};
use crate::{Channel, Envelope};

use super::discards::DiscardLog;

/// One run: from `start` to `stop`.
pub(super) struct Run<M, C: Channel<Envelope<M>>> {
    pub(super) number: u64,
    pub(super) rx: C::Rx,
    /// Messages taken from `rx` and not routed yet: older than any still
    /// in `rx`, so always routed first (R8). It belongs to the run, so a
    /// listener that stops, restarts or switches to `route_until` in the
    /// middle of a batch finds the rest where it looks next, and a stop
    /// drops it with the run (R5). Only the foreground touches it, and
    /// never while a listener runs (R11).
    backlog: RefCell<VecDeque<Envelope<M>>>,
    /// How many batches in a row were shallow (see [`DEEP_BATCH`]): none
    /// after a deep batch or a look that found nothing.
    shallow: Cell<u8>,
    /// The most the backlog held since [`trim_backlog`](Self::trim_backlog)
    /// last decided: what the routing calls in between needed of it.
    peak: Cell<usize>,
    pub(super) link: Arc<Link<M, C>>,
    pub(super) pingee: RefCell<Box<dyn Pingee>>,
    /// Where the messages this run leaves unrouted are counted, when it
    /// drops.
    discards: Rc<DiscardLog>,
}

impl<M, C: Channel<Envelope<M>>> Run<M, C> {
    pub(super) fn new(
        number: u64,
        rx: C::Rx,
        link: Arc<Link<M, C>>,
        pingee: Box<dyn Pingee>,
        discards: Rc<DiscardLog>,
    ) -> Self {
        Self {
            number,
            rx,
            backlog: RefCell::new(VecDeque::new()),
            shallow: Cell::new(0),
            peak: Cell::new(0),
            link,
            pingee: RefCell::new(pingee),
            discards,
        }
    }

    /// Gives back what a flood grew the backlog to, once it is empty and
    /// the routing calls since the last look here used under a quarter of
    /// it: for a routing call that ends with the backlog empty.
    ///
    /// Not at the end of the flood itself: the next flood would grow the
    /// backlog again, and each growth of a large buffer is fresh memory,
    /// paid in page faults (about 4,000 for a million `u64` messages),
    /// which cost more than the routing. So a router that takes floods one
    /// after another keeps the backlog the size they need, and the first
    /// routing call after them gives it back. Not per batch either: a
    /// backlog shrunk between the batches of one burst grows again at once.
    pub(super) fn trim_backlog(&self) {
        if !C::TAKES_BATCHES {
            return;
        }
        let mut backlog = self.backlog.borrow_mut();
        if !backlog.is_empty() {
            return;
        }
        let used = self.peak.replace(0);
        if backlog.capacity() > BACKLOG_KEPT && used < backlog.capacity() / 4 {
            backlog.shrink_to(BACKLOG_KEPT);
        }
    }

    /// What the backlog can hold without growing (see
    /// [`trim_backlog`](Self::trim_backlog)).
    #[cfg(test)]
    pub(super) fn backlog_capacity(&self) -> usize {
        self.backlog.borrow().capacity()
    }

    /// Whether the backlog's messages run round the end of its ring buffer.
    #[cfg(test)]
    pub(super) fn backlog_wraps(&self) -> bool {
        !self.backlog.borrow().as_slices().1.is_empty()
    }

    /// The run's next message, if one is queued: the backlog's first, or
    /// else the channel's, with what the channel hands over behind it.
    #[inline]
    pub(super) fn try_recv(&self) -> Option<Envelope<M>> {
        if !C::TAKES_BATCHES {
            return C::try_recv(&self.rx);
        }
        let mut backlog = self.backlog.borrow_mut();
        if let Some(envelope) = backlog.pop_front() {
            return Some(envelope);
        }
        if self.shallow.get() >= 2 {
            // The last two batches were shallow: the router is on the
            // senders' heels, and a look now would contend for the
            // channel's lock with the sender it waits for. A short pause
            // lets the queue fill without it, so the next look takes a
            // batch. Not after one shallow batch: a lone message is one,
            // and the look after it finds nothing, which the pause would
            // only delay (tuning.rs).
            for _ in 0..BACKOFF_SPINS {
                std::hint::spin_loop();
            }
        }
        // Empty, but a ring buffer: its next batch would start where the
        // last one ended, and wrap into memory that batch never touched
        // (fresh pages for a flood). `clear` starts it at the front again.
        backlog.clear();
        let next = C::try_recv_batch(&self.rx, &mut backlog);
        let taken = backlog.len();
        let shallow = if next.is_some() && taken + 1 < DEEP_BATCH {
            self.shallow.get().saturating_add(1)
        } else {
            0
        };
        self.shallow.set(shallow);
        self.peak.set(self.peak.get().max(taken));
        next
    }
}

impl<M, C: Channel<Envelope<M>>> Drop for Run<M, C> {
    /// A run drops when the router stops and no routing loop holds it any
    /// more: what it still holds, in its backlog and its channel, was never
    /// routed, and counts as dropped. Each message drops here, one at a
    /// time, with no borrow of the router held (its drop may call it).
    fn drop(&mut self) {
        let mut unrouted = 0;
        for envelope in std::mem::take(self.backlog.get_mut()) {
            unrouted += 1;
            drop(envelope);
        }
        while let Some(envelope) = C::try_recv(&self.rx) {
            unrouted += 1;
            drop(envelope);
        }
        if unrouted > 0 {
            self.discards.unrouted(unrouted);
        }
    }
}

#[cfg(test)]
mod tests {
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

    use crate::{Channel, ChannelRouter};

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

    #[test]
    fn route_until_called_by_a_listener_mid_batch_routes_the_rest_in_order() {
        let event_loop = DefaultEventLoop::new();
        let router = Rc::new(BatchedRouter::<u32>::new(&event_loop));
        router.start().unwrap();
        let (mut sender, receiver) = router.pipe().unwrap();
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

        let event_loop = DefaultEventLoop::new();
        let router = BatchedRouter::<usize>::new(&event_loop);
        router.start().unwrap();
        let (mut sender, receiver) = router.pipe().unwrap();
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
        let event_loop = DefaultEventLoop::new();
        let router = Rc::new(BatchedRouter::<Tracked>::new(&event_loop));
        router.start().unwrap();
        let (mut sender, receiver) = router.pipe().unwrap();
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
        let event_loop = DefaultEventLoop::new();
        let router = BatchedRouter::<u32>::new(&event_loop);
        router.start().unwrap();
        let (mut sender, receiver) = router.pipe().unwrap();
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
        let event_loop = DefaultEventLoop::new();
        let router = BatchedRouter::<u32>::new(&event_loop);
        router.start().unwrap();
        let (mut sender, receiver) = router.pipe().unwrap();
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
        use router_api::{Disconnect, SenderError};

        let event_loop = DefaultEventLoop::new();
        let router = ChannelRouter::<u32, RoomForOne>::new(&event_loop);
        router.start().unwrap();
        let (mut sender, receiver) = router.pipe().unwrap();
        let pipe = receiver.pipe_id();
        sender.start().unwrap();
        sender.send(1).unwrap();
        let full = sender.send(2).unwrap_err();
        assert_eq!(
            full.reason(),
            &SenderError::Disconnected {
                pipe,
                cause: Disconnect::ChannelRefused
            },
            "the router runs: the channel refused it"
        );
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();
        let stopped = sender.send(3).unwrap_err();
        assert_eq!(
            stopped.reason(),
            &SenderError::Disconnected {
                pipe,
                cause: Disconnect::RouterStopped
            }
        );
    }
}
