//! A loom model of ping coalescing, run on the real [`ChannelRouter`].
//!
//! Nothing here re-implements the protocol: the router, its senders and
//! its ping gate (`src/gate.rs`) are router-channel's own code,
//! whose gate atomics come from loom when the crate is built with
//! `--cfg loom` (see `src/sync.rs`). What the model supplies is the world
//! around the router, built on loom primitives so loom sees every step:
//!
//! - two channels, both honouring the [`Channel`] contract:
//!   [`LockedQueue`] (a loom `Mutex<VecDeque>`, the shape of flume) and
//!   [`FlaggedSlots`] (slots published by a `Release` flag and found by an
//!   `Acquire` load, the shape of a lock-free list such as crossbeam's).
//!   The second gives the gate no help from a lock, so it is the one that
//!   catches a too-weak memory ordering;
//! - [`ModelLoop`], an event loop whose pinger queues pings under a loom
//!   mutex and *fails the model* when a second ping is queued while one
//!   is outstanding, and which the foreground model thread drives one ping
//!   at a time.
//!
//! The drain budget routes one message per ping (so every turn re-pings)
//! and does not linger (spinning would blow up loom's state space).
//!
//! Every model runs twice: with the gate's fast path (a sender reads the
//! gate after a light barrier and claims only a free one; the router's
//! release pays a heavy barrier) and without it (every send claims), as in
//! a process where the kernel's barrier is missing. Under loom both
//! barriers are `fence(SeqCst)` (see `src/sync.rs`): loom cannot model
//! `membarrier`, whose pairing promises the same ordering.
//!
//! Checked, over every interleaving loom explores:
//! - a manual router's `route_until`, waiting with no deadline, sees every
//!   message its senders send (no lost unpark);
//! - every message enqueued is routed, once, in order, when the senders
//!   are done and the loop has run out of pings (no lost wake-up);
//! - the gate is free again then: the next message pings;
//! - at most one ping is outstanding at any time;
//! - once `stop` has disconnected the pingee, no `on_ping` runs, the router
//!   pings no more and routes nothing, and a send fails with
//!   `Disconnected`, handing the message back;
//! - a sender's end of stream comes once, after its last message, also
//!   when its note is taken while other pipes' messages are queued (the
//!   count it carries), and a latest-value pipe's last value is routed
//!   before it (the notes of src/notes.rs);
//! - a bounded pipe's sender waiting for room is woken by the routing that
//!   makes it (src/credit.rs).
//!
//! # Running it
//!
//! The CI bound, about two minutes on two cores once built (the
//! three-sender models take most of it):
//!
//! ```text
//! RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 CARGO_TARGET_DIR=target/loom \
//!     cargo test -p router-channel --release --test loom_ping
//! ```
//!
//! Deeper: `LOOM_MAX_PREEMPTIONS=4` takes 48 minutes on two cores (all
//! pass); without the variable
//! loom explores every interleaving, which takes many hours. Add
//! `LOOM_LOG=info` to see how many interleavings each model explored, and
//! `LOOM_LOG=trace LOOM_LOCATION=1` to follow a failing one step by step.
//! A separate target directory keeps the loom build from evicting the
//! normal one.
//!
//! # Showing it can fail
//!
//! Each of these weakenings of the protocol makes models fail at the CI
//! bound (tried on a copy of the crate, never committed):
//! - skipping the second look at the queue after `PingGate::release`: a
//!   message is left queued with no ping on its way (both channels);
//! - weakening the gate's orderings: `release` as `swap(false, Relaxed)`
//!   or `swap(false, Release)` (no acquire), or `claim` as
//!   `swap(true, Relaxed)` (no release): the flagged-slots models lose a
//!   message, already at `LOOM_MAX_PREEMPTIONS=2`. The lock-based channel
//!   hides these (its mutex orders sender and router by itself), which is
//!   why the model runs on both. `AcqRel` on both sides passes: `SeqCst`
//!   is more than the protocol needs;
//! - making `release` a plain `store`: flagged too, but keep in mind that
//!   loom also reports a plain store racing another thread's swap falsely
//!   (tokio-rs/loom#254, the store slips inside the swap), so only
//!   read-modify-writes on the gate are judged soundly;
//! - on the fast path, dropping the router's heavy barrier after the
//!   release, or the sender's light barrier before it reads the gate: the
//!   flagged-slots models lose a message (the sender reads "held", the
//!   router's second look misses its message);
//! - in a manual router's wait (src/waiter.rs), dropping the heavy
//!   barrier between `waiting = true` and the look at the queue, or the
//!   sender's light barrier before it reads the flags: the flagged-slots
//!   models of `route_until` deadlock (the foreground parks with a message
//!   queued and no unpark coming); the lock-based one hides it;
//! - making `PingGate::claim` a load then a store: two pings outstanding;
//! - dropping the re-ping of a turn that spent its budget: a message left;
//! - re-pinging without asking whether the run is still current: the
//!   router pings after a listener stopped it;
//! - telling a parked end without comparing the pipe's routed messages
//!   with the count its note carries (`ReceiverShared::end_after` calling
//!   `finish` at once): the end comes before the quiet pipe's message
//!   (found by `end_under_a_flood_comes_after_its_last_message` on both
//!   channels);
//! - a bounded pipe's sender setting its waiting flag after its look at
//!   the count instead of before (src/credit.rs): both models of
//!   `bounded_sender_waits_until_routed` deadlock. The first version of
//!   the credit, with the flag and the count in two words and `SeqCst` on
//!   both, deadlocked too: loom does not model sequential consistency
//!   across two words, and the one-word hand-shake does not need it.
#![cfg(loom)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::time::Duration;

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Arc, Mutex};
use loom::thread;
use router_api::{
    Disconnect, DrainBudget, EventLoop, MessageReceiver, MessageRouter, MessageSender, Pingee,
    Pinger, PipeKind, SenderEnd,
};
use router_channel::{Channel, ChannelRouter, Envelope};

/// Route one message per ping, never linger: every turn that routes
/// re-pings, and no turn spins.
const BUDGET: DrainBudget = DrainBudget {
    max_messages: 1,
    max_time: Duration::from_secs(3600),
    linger: Duration::ZERO,
};

// ---------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------

/// A channel that is a loom mutex around a queue (flume's shape).
struct LockedQueue;

struct Queue<T> {
    items: VecDeque<T>,
    receiver_alive: bool,
}

/// The receiving half: marks the channel disconnected when dropped.
struct QueueRx<T>(Arc<Mutex<Queue<T>>>);

impl<T> Drop for QueueRx<T> {
    fn drop(&mut self) {
        let left = {
            let mut queue = self.0.lock().unwrap();
            queue.receiver_alive = false;
            std::mem::take(&mut queue.items)
        };
        drop(left);
    }
}

impl<T: Send + 'static> Channel<T> for LockedQueue {
    type Tx = Arc<Mutex<Queue<T>>>;
    type Rx = QueueRx<T>;

    fn unbounded() -> (Self::Tx, Self::Rx) {
        let queue = Arc::new(Mutex::new(Queue {
            items: VecDeque::new(),
            receiver_alive: true,
        }));
        (Arc::clone(&queue), QueueRx(queue))
    }

    fn send(tx: &Self::Tx, value: T) -> Result<(), T> {
        let mut queue = tx.lock().unwrap();
        if !queue.receiver_alive {
            return Err(value);
        }
        queue.items.push_back(value);
        Ok(())
    }

    fn try_recv(rx: &Self::Rx) -> Option<T> {
        rx.0.lock().unwrap().items.pop_front()
    }
}

/// How many messages one run of a [`FlaggedSlots`] channel can carry.
const SLOTS: usize = 8;

/// A channel of fixed slots: a sender takes a slot with a `fetch_add`,
/// writes it and publishes it with a `Release` store of its flag; the
/// receiver takes the next slot once an `Acquire` load sees the flag. This
/// is the only synchronisation between a sender and the router, as in a
/// lock-free list, so the ping gate must order the rest by itself.
struct FlaggedSlots;

struct Slots<T> {
    tail: AtomicUsize,
    receiver_alive: AtomicBool,
    slots: Vec<Slot<T>>,
}

struct Slot<T> {
    // A std mutex, invisible to loom and never contended: loom switches
    // threads only at loom operations, and there is none inside. The value
    // is read only after the flag's `Acquire` load saw it published.
    value: std::sync::Mutex<Option<T>>,
    ready: AtomicBool,
}

struct SlotsRx<T> {
    slots: Arc<Slots<T>>,
    head: Cell<usize>,
}

impl<T> Drop for SlotsRx<T> {
    fn drop(&mut self) {
        self.slots.receiver_alive.swap(false, Ordering::AcqRel);
    }
}

impl<T: Send + 'static> Channel<T> for FlaggedSlots {
    type Tx = Arc<Slots<T>>;
    type Rx = SlotsRx<T>;

    fn unbounded() -> (Self::Tx, Self::Rx) {
        let slots = Arc::new(Slots {
            tail: AtomicUsize::new(0),
            receiver_alive: AtomicBool::new(true),
            slots: (0..SLOTS)
                .map(|_| Slot {
                    value: std::sync::Mutex::new(None),
                    ready: AtomicBool::new(false),
                })
                .collect(),
        });
        let rx = SlotsRx {
            slots: Arc::clone(&slots),
            head: Cell::new(0),
        };
        (slots, rx)
    }

    fn send(tx: &Self::Tx, value: T) -> Result<(), T> {
        // A read-modify-write reads the latest value: a send that starts
        // after the receiver is gone fails, as the contract asks.
        if !tx.receiver_alive.fetch_or(false, Ordering::AcqRel) {
            return Err(value);
        }
        let index = tx.tail.fetch_add(1, Ordering::SeqCst);
        let slot = tx
            .slots
            .get(index)
            .expect("the model sends at most SLOTS messages a run");
        *slot.value.lock().unwrap() = Some(value);
        slot.ready.store(true, Ordering::Release);
        Ok(())
    }

    fn try_recv(rx: &Self::Rx) -> Option<T> {
        let slot = rx.slots.slots.get(rx.head.get())?;
        if !slot.ready.load(Ordering::Acquire) {
            return None;
        }
        rx.head.set(rx.head.get() + 1);
        slot.value.lock().unwrap().take()
    }
}

// ---------------------------------------------------------------------
// Event loop
// ---------------------------------------------------------------------

/// An event loop driven by the foreground model thread one ping at a
/// time. Its pingers check the coalescing promise as they ping.
#[derive(Clone)]
struct ModelLoop {
    local: Rc<Local>,
    shared: Arc<Mutex<Pings>>,
}

/// A registered callback and its pingee's id.
type Callback = (u64, Rc<dyn Fn()>);

/// The callbacks: foreground only.
struct Local {
    callbacks: RefCell<Vec<Callback>>,
    next: Cell<u64>,
}

/// What pingers on any thread touch.
#[derive(Default)]
struct Pings {
    /// Pings queued and not yet taken: at most one per pingee.
    queue: VecDeque<u64>,
    /// Pingees not yet disconnected.
    connected: Vec<u64>,
    /// Pings made after their pingee was disconnected (they do nothing).
    late: usize,
    /// Of those, the ones the foreground thread made: the router itself
    /// pinging after its own stop.
    late_from_router: usize,
}

impl ModelLoop {
    fn new() -> Self {
        Self {
            local: Rc::new(Local {
                callbacks: RefCell::new(Vec::new()),
                next: Cell::new(0),
            }),
            shared: Arc::new(Mutex::new(Pings::default())),
        }
    }

    /// Takes the next ping, if one is queued, and runs its callback if its
    /// pingee is still connected. Returns whether a ping was taken.
    fn run_one(&self) -> bool {
        let Some(id) = self.shared.lock().unwrap().queue.pop_front() else {
            return false;
        };
        let callback = self
            .local
            .callbacks
            .borrow()
            .iter()
            .find(|(registered, _)| *registered == id)
            .map(|(_, callback)| Rc::clone(callback));
        if let Some(callback) = callback {
            callback();
        }
        true
    }

    /// Runs pings until none is queued; fails the model if they never stop.
    fn run_out(&self, at_most: usize) {
        let mut ran = 0;
        while self.run_one() {
            ran += 1;
            assert!(
                ran <= at_most,
                "the router keeps pinging with nothing to route"
            );
        }
    }

    fn pending(&self) -> usize {
        self.shared.lock().unwrap().queue.len()
    }

    fn late_pings(&self) -> (usize, usize) {
        let pings = self.shared.lock().unwrap();
        (pings.late, pings.late_from_router)
    }
}

impl EventLoop for ModelLoop {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        let id = self.local.next.get() + 1;
        self.local.next.set(id);
        self.local
            .callbacks
            .borrow_mut()
            .push((id, Rc::from(on_ping)));
        self.shared.lock().unwrap().connected.push(id);
        Box::new(ModelPingee {
            id,
            local: Rc::downgrade(&self.local),
            pinger: std::sync::Arc::new(ModelPinger {
                id,
                shared: Arc::clone(&self.shared),
                foreground: thread::current().id(),
            }),
        })
    }
}

struct ModelPingee {
    id: u64,
    local: Weak<Local>,
    pinger: std::sync::Arc<ModelPinger>,
}

impl Pingee for ModelPingee {
    fn pinger(&self) -> std::sync::Arc<dyn Pinger> {
        self.pinger.clone()
    }

    fn disconnect(&mut self) {
        self.pinger
            .shared
            .lock()
            .unwrap()
            .connected
            .retain(|id| *id != self.id);
        if let Some(local) = self.local.upgrade() {
            let removed: Vec<_> = {
                let mut callbacks = local.callbacks.borrow_mut();
                let (removed, kept) = callbacks.drain(..).partition(|(id, _)| *id == self.id);
                *callbacks = kept;
                removed
            };
            drop(removed);
        }
    }
}

impl Drop for ModelPingee {
    fn drop(&mut self) {
        self.disconnect();
    }
}

struct ModelPinger {
    id: u64,
    shared: Arc<Mutex<Pings>>,
    foreground: thread::ThreadId,
}

impl Pinger for ModelPinger {
    fn ping(&self) {
        let mut pings = self.shared.lock().unwrap();
        if !pings.connected.contains(&self.id) {
            pings.late += 1;
            if thread::current().id() == self.foreground {
                pings.late_from_router += 1;
            }
            return;
        }
        assert!(
            !pings.queue.contains(&self.id),
            "a second ping was queued while one was outstanding"
        );
        pings.queue.push_back(self.id);
    }
}

// ---------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------

type Log = Rc<RefCell<Vec<(usize, u32)>>>;

/// Lets a sender go without its end of stream: the models of the gate and
/// the wait are not about ends, which `end_comes_after_the_last_message`
/// checks, and a note per sender multiplies their interleavings (the CI
/// bound took five times as long with them).
fn quiet<C: Channel<Envelope<u32>>>(sender: router_channel::ChannelSender<u32, C>) {
    sender.drop_without_end();
}

/// Connects a listener that logs `(pipe index, message)`.
fn log_into(log: &Log, index: usize, receiver: &impl MessageReceiver<u32>) {
    let log = Rc::clone(log);
    receiver.connect(move |message: &u32| log.borrow_mut().push((index, *message)));
}

fn messages_of(log: &Log, index: usize) -> Vec<u32> {
    log.borrow()
        .iter()
        .filter(|(pipe, _)| *pipe == index)
        .map(|(_, message)| *message)
        .collect()
}

/// `SENDERS` threads send `MESSAGES` messages each while the foreground
/// takes `TURNS` pings (when there are any); once the senders are done and
/// the loop has run out of pings, every message has been routed, and the
/// gate is free again.
///
/// With `one_wake`, each sender queues its messages unwoken
/// (`try_send_unwoken`, as the process backend's monitor forwards a
/// socket read) and wakes the router once after the last: that one wake
/// must cover them all.
fn every_message_is_routed<C, const SENDERS: usize, const MESSAGES: u32, const TURNS: usize>(
    one_wake: bool,
) where
    C: Channel<Envelope<u32>>,
{
    let total = SENDERS as u64 * u64::from(MESSAGES);
    both_gate_paths(move || {
        let event_loop = ModelLoop::new();
        let router = ChannelRouter::<u32, C>::new(&event_loop);
        router.set_drain_budget(BUDGET);
        router.start().unwrap();
        let log: Log = Rc::default();
        let mut receivers = Vec::new();
        let mut workers = Vec::new();
        for index in 0..SENDERS {
            let (mut sender, receiver) = router.pipe().unwrap();
            log_into(&log, index, &receiver);
            receivers.push(receiver);
            workers.push(thread::spawn(move || {
                sender.start().unwrap();
                for message in 0..MESSAGES {
                    if one_wake {
                        sender.try_send_unwoken(message).unwrap();
                    } else {
                        sender.send(message).unwrap();
                    }
                }
                if one_wake {
                    sender.wake();
                }
                quiet(sender);
            }));
        }
        for _ in 0..TURNS {
            event_loop.run_one();
        }
        for worker in workers {
            worker.join().unwrap();
        }
        event_loop.run_out(2 * total as usize + 2);

        for index in 0..SENDERS {
            assert_eq!(
                messages_of(&log, index),
                (0..MESSAGES).collect::<Vec<_>>(),
                "a message was lost, duplicated or reordered (lost wake-up?)"
            );
        }
        assert_eq!(router.stats().routed, total);

        // The gate is free again: the next message pings.
        let (mut sender, receiver) = router.pipe().unwrap();
        log_into(&log, SENDERS, &receiver);
        sender.start().unwrap();
        sender.send(7).unwrap();
        assert_eq!(event_loop.pending(), 1, "the gate was left held: no ping");
        event_loop.run_out(3);
        assert_eq!(messages_of(&log, SENDERS), [7]);

        for receiver in receivers.iter().chain([&receiver]) {
            router.close_pipe(receiver).unwrap();
        }
        router.stop().unwrap();
        assert_eq!(event_loop.late_pings(), (0, 0));
    });
}

/// A sender sends while the foreground routes and then stops the router:
/// after the stop nothing runs, nothing is routed, and sends fail with the
/// message handed back. Every message is routed once, handed back, or was
/// queued at the stop.
fn nothing_runs_after_stop<C>()
where
    C: Channel<Envelope<u32>>,
{
    const MESSAGES: u32 = 3;
    both_gate_paths(|| {
        let event_loop = ModelLoop::new();
        let router = ChannelRouter::<u32, C>::new(&event_loop);
        router.set_drain_budget(BUDGET);
        router.start().unwrap();
        let log: Log = Rc::default();
        let (mut sender, receiver) = router.pipe().unwrap();
        log_into(&log, 0, &receiver);
        let worker = thread::spawn(move || {
            sender.start().unwrap();
            let mut handed_back = Vec::new();
            for message in 0..MESSAGES {
                if let Err(error) = sender.send(message) {
                    assert_eq!(
                        (error.pipe(), error.disconnect()),
                        (sender.pipe_id(), Some(Disconnect::RouterStopped))
                    );
                    handed_back.push(error.into_message());
                }
            }
            quiet(sender);
            handed_back
        });
        event_loop.run_one();
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();
        let routed_at_stop = router.stats().routed;
        let delivered_at_stop = messages_of(&log, 0);

        // Pings queued before the stop, and any the sender makes after it,
        // run no callback.
        event_loop.run_one();
        let handed_back = worker.join().unwrap();
        event_loop.run_out(MESSAGES as usize + 1);

        assert_eq!(router.stats().routed, routed_at_stop, "routed after stop");
        assert_eq!(
            messages_of(&log, 0),
            delivered_at_stop,
            "delivered after stop"
        );
        assert_eq!(
            event_loop.late_pings().1,
            0,
            "the router pinged after its stop"
        );
        // Delivered messages come first, in order; handed-back ones last.
        let delivered = delivered_at_stop.len() as u32;
        assert_eq!(delivered_at_stop, (0..delivered).collect::<Vec<_>>());
        assert!(handed_back.iter().all(|message| *message >= delivered));
        assert_eq!(
            handed_back,
            (MESSAGES - handed_back.len() as u32..MESSAGES).collect::<Vec<_>>(),
            "once a send fails, every later send fails"
        );
    });
}

/// A listener stops the router in the middle of a turn: the turn ends
/// without re-pinging, and no callback runs for the sender's later pings.
fn listener_stop_mid_turn_pings_no_more<C>()
where
    C: Channel<Envelope<u32>>,
{
    both_gate_paths(|| {
        let event_loop = ModelLoop::new();
        let router = Rc::new(ChannelRouter::<u32, C>::new(&event_loop));
        router.set_drain_budget(BUDGET);
        router.start().unwrap();
        let (mut sender, receiver) = router.pipe().unwrap();
        let seen = Rc::new(Cell::new(0u32));
        receiver.connect({
            let router = Rc::downgrade(&router);
            let seen = Rc::clone(&seen);
            move |_: &u32| {
                seen.set(seen.get() + 1);
                if let Some(router) = router.upgrade() {
                    router.stop().unwrap();
                }
            }
        });
        let worker = thread::spawn(move || {
            sender.start().unwrap();
            let first = sender.send(1).is_ok();
            let second = sender.send(2).is_ok();
            quiet(sender);
            (first, second)
        });
        event_loop.run_one();
        let (first, _) = worker.join().unwrap();
        assert!(
            first,
            "the router was running when the first message was sent"
        );
        event_loop.run_out(3);
        assert!(seen.get() <= 1, "a message was routed after the stop");
        assert_eq!(
            event_loop.late_pings().1,
            0,
            "the router pinged after its stop"
        );
        assert!(!router.is_running() || seen.get() == 0);
    });
}

/// Runs `model` under loom twice: with the gate's fast path (senders read
/// the gate after a light barrier; the router's release pays a heavy one)
/// and without it (every send claims the gate).
fn both_gate_paths(model: impl Fn() + Sync + Send + 'static) {
    let model = std::sync::Arc::new(model);
    for fast in [true, false] {
        router_channel::loom_gate_fast_path(fast);
        let model = std::sync::Arc::clone(&model);
        loom::model(move || model());
    }
}

macro_rules! every_message_is_routed {
    ($($name:ident: $channel:ty, $senders:literal x $messages:literal, $turns:literal turns;)*) => {$(
        #[test]
        fn $name() {
            every_message_is_routed::<$channel, $senders, $messages, $turns>(false);
        }
    )*};
}

every_message_is_routed! {
    locked_queue_two_senders_of_one_every_message_is_routed: LockedQueue, 2 x 1, 3 turns;
    locked_queue_two_senders_of_two_every_message_is_routed: LockedQueue, 2 x 2, 2 turns;
    locked_queue_one_sender_of_three_every_message_is_routed: LockedQueue, 1 x 3, 3 turns;
    locked_queue_three_senders_of_two_every_message_is_routed: LockedQueue, 3 x 2, 3 turns;
    flagged_slots_two_senders_of_one_every_message_is_routed: FlaggedSlots, 2 x 1, 3 turns;
    flagged_slots_two_senders_of_two_every_message_is_routed: FlaggedSlots, 2 x 2, 2 turns;
    flagged_slots_one_sender_of_three_every_message_is_routed: FlaggedSlots, 1 x 3, 3 turns;
    flagged_slots_three_senders_of_two_every_message_is_routed: FlaggedSlots, 3 x 2, 3 turns;
}

#[test]
fn locked_queue_one_wake_covers_every_message_before_it() {
    every_message_is_routed::<LockedQueue, 2, 2, 2>(true);
}

#[test]
fn flagged_slots_one_wake_covers_every_message_before_it() {
    every_message_is_routed::<FlaggedSlots, 2, 2, 2>(true);
}

#[test]
fn locked_queue_nothing_runs_after_stop() {
    nothing_runs_after_stop::<LockedQueue>();
}

#[test]
fn flagged_slots_nothing_runs_after_stop() {
    nothing_runs_after_stop::<FlaggedSlots>();
}

#[test]
fn locked_queue_listener_stop_mid_turn_pings_no_more() {
    listener_stop_mid_turn_pings_no_more::<LockedQueue>();
}

#[test]
fn flagged_slots_listener_stop_mid_turn_pings_no_more() {
    listener_stop_mid_turn_pings_no_more::<FlaggedSlots>();
}

/// A manual router's `route_until` waits for messages by parking, and its
/// senders unpark it (src/waiter.rs): `SENDERS` threads send `MESSAGES`
/// each while the foreground waits for all of them with no deadline. A
/// lost wake-up leaves the foreground parked for good, which loom reports
/// as a deadlock.
fn manual_wait_sees_every_message<C, const SENDERS: usize, const MESSAGES: u32>()
where
    C: Channel<Envelope<u32>>,
{
    let total = SENDERS * MESSAGES as usize;
    both_gate_paths(move || {
        let event_loop = ModelLoop::new();
        let router = ChannelRouter::<u32, C>::new(&event_loop);
        router.start().unwrap();
        let log: Log = Rc::default();
        let mut receivers = Vec::new();
        let mut senders = Vec::new();
        for index in 0..SENDERS {
            let (mut sender, receiver) = router.pipe().unwrap();
            sender.start().unwrap();
            log_into(&log, index, &receiver);
            receivers.push(receiver);
            senders.push(sender);
        }
        // Manual from here on, before anything is sent.
        router.route_until(|| true, Some(Duration::ZERO)).unwrap();
        let workers: Vec<_> = senders
            .into_iter()
            .map(|mut sender| {
                thread::spawn(move || {
                    for message in 0..MESSAGES {
                        sender.send(message).unwrap();
                    }
                    quiet(sender);
                })
            })
            .collect();
        router
            .route_until(|| log.borrow().len() == total, None)
            .unwrap();
        // Not joined: a sender's unpark may land after its last message is
        // routed, and loom mixes that late unpark up with `join`'s own
        // wake-up (its park and join share the thread's notification).
        // loom waits for every thread before the next interleaving anyway.
        drop(workers);
        for index in 0..SENDERS {
            assert_eq!(messages_of(&log, index), (0..MESSAGES).collect::<Vec<_>>());
        }
        for receiver in &receivers {
            router.close_pipe(receiver).unwrap();
        }
        router.stop().unwrap();
    });
}

#[test]
fn locked_queue_manual_wait_sees_every_message() {
    manual_wait_sees_every_message::<LockedQueue, 1, 2>();
}

#[test]
fn flagged_slots_manual_wait_sees_every_message() {
    manual_wait_sees_every_message::<FlaggedSlots, 1, 2>();
}

#[test]
fn flagged_slots_manual_wait_sees_every_message_of_two_senders() {
    manual_wait_sees_every_message::<FlaggedSlots, 2, 1>();
}

/// End of stream (E1), latest values (L2) and a bounded pipe's wait (B2),
/// which ride on the same notes and wake-ups: a sender thread sends on a
/// pipe of `kind` and stops while the foreground takes `TURNS` pings; once
/// it is done and the loop has run out of pings, the end has come, once,
/// after the last message (for a latest-value pipe: after the last value,
/// which was routed).
fn end_comes_after_the_last_message<C, const TURNS: usize>(kind: PipeKind)
where
    C: Channel<Envelope<u32>>,
{
    both_gate_paths(move || {
        let event_loop = ModelLoop::new();
        let router = ChannelRouter::<u32, C>::new(&event_loop);
        router.set_drain_budget(BUDGET);
        router.start().unwrap();
        let log: Log = Rc::default();
        let (mut sender, receiver) = router.pipe_of(kind).unwrap();
        log_into(&log, 0, &receiver);
        let ended: Rc<RefCell<Vec<(SenderEnd, Vec<u32>)>>> = Rc::default();
        receiver.on_end({
            let (ended, log) = (Rc::clone(&ended), Rc::clone(&log));
            move |end: &SenderEnd| ended.borrow_mut().push((*end, messages_of(&log, 0)))
        });
        let worker = thread::spawn(move || {
            sender.start().unwrap();
            sender.send(0).unwrap();
            sender.send(1).unwrap();
            sender.stop().unwrap();
        });
        for _ in 0..TURNS {
            event_loop.run_one();
        }
        worker.join().unwrap();
        event_loop.run_out(8);
        let ended = ended.borrow();
        assert_eq!(ended.len(), 1, "the end of stream did not come once");
        let (end, before) = &ended[0];
        assert_eq!(*end, SenderEnd::Stopped);
        match kind {
            PipeKind::Latest => assert_eq!(before.last(), Some(&1), "the last value was lost"),
            _ => assert_eq!(*before, [0, 1], "the end came before the last message"),
        }
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();
    });
}

#[test]
fn locked_queue_end_comes_after_the_last_message() {
    end_comes_after_the_last_message::<LockedQueue, 2>(PipeKind::Unbounded);
}

#[test]
fn flagged_slots_end_comes_after_the_last_message() {
    end_comes_after_the_last_message::<FlaggedSlots, 2>(PipeKind::Unbounded);
}

#[test]
fn flagged_slots_end_comes_after_the_last_latest_value() {
    end_comes_after_the_last_message::<FlaggedSlots, 2>(PipeKind::Latest);
}

/// An end taken while other pipes' messages are still queued (E3): one
/// thread queues a message on a flooded pipe, then one on a quiet pipe,
/// and stops the quiet pipe's sender, while the foreground routes one
/// message a turn and acts on the notes at the end of each turn. However
/// the turns and the note fall, the quiet pipe's end comes once, after its
/// message: the count its note carries holds it until that message is
/// routed.
fn end_under_a_flood_comes_after_its_last_message<C, const TURNS: usize>()
where
    C: Channel<Envelope<u32>>,
{
    both_gate_paths(move || {
        let event_loop = ModelLoop::new();
        let router = ChannelRouter::<u32, C>::new(&event_loop);
        router.set_drain_budget(BUDGET);
        router.start().unwrap();
        let log: Log = Rc::default();
        let (mut flood, flood_rx) = router.pipe().unwrap();
        let (mut lone, lone_rx) = router.pipe().unwrap();
        log_into(&log, 0, &flood_rx);
        log_into(&log, 1, &lone_rx);
        let ended: Rc<RefCell<Vec<Vec<u32>>>> = Rc::default();
        lone_rx.on_end({
            let (ended, log) = (Rc::clone(&ended), Rc::clone(&log));
            move |_: &SenderEnd| ended.borrow_mut().push(messages_of(&log, 1))
        });
        let worker = thread::spawn(move || {
            flood.start().unwrap();
            lone.start().unwrap();
            flood.send(0).unwrap();
            lone.send(7).unwrap();
            lone.stop().unwrap();
            quiet(flood);
        });
        for _ in 0..TURNS {
            event_loop.run_one();
        }
        worker.join().unwrap();
        event_loop.run_out(8);
        assert_eq!(
            messages_of(&log, 0),
            [0],
            "the flood's message was not routed once"
        );
        assert_eq!(
            *ended.borrow(),
            [vec![7]],
            "the quiet pipe's end did not come once, after its message"
        );
        router.close_pipe(&flood_rx).unwrap();
        router.close_pipe(&lone_rx).unwrap();
        router.stop().unwrap();
    });
}

#[test]
fn locked_queue_end_under_a_flood_comes_after_its_last_message() {
    end_under_a_flood_comes_after_its_last_message::<LockedQueue, 2>();
}

#[test]
fn flagged_slots_end_under_a_flood_comes_after_its_last_message() {
    end_under_a_flood_comes_after_its_last_message::<FlaggedSlots, 2>();
}

/// A bounded pipe of capacity 1 whose sender sends two messages while a
/// manual router waits for both with no deadline: the second send waits
/// for room (src/credit.rs) and the router's routing of the first makes
/// it. A lost wake-up on either side leaves a thread waiting for good,
/// which loom reports as a deadlock.
fn bounded_sender_waits_until_routed<C>()
where
    C: Channel<Envelope<u32>>,
{
    both_gate_paths(move || {
        let event_loop = ModelLoop::new();
        let router = ChannelRouter::<u32, C>::new(&event_loop);
        router.start().unwrap();
        let log: Log = Rc::default();
        let (mut sender, receiver) = router.pipe_bounded(1).unwrap();
        log_into(&log, 0, &receiver);
        router.route_until(|| true, Some(Duration::ZERO)).unwrap();
        let worker = thread::spawn(move || {
            sender.start().unwrap();
            sender.send(0).unwrap();
            sender.send(1).unwrap();
        });
        router
            .route_until(|| log.borrow().len() == 2, None)
            .unwrap();
        // Not joined, as in `manual_wait_sees_every_message`.
        drop(worker);
        assert_eq!(messages_of(&log, 0), [0, 1]);
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();
    });
}

#[test]
fn locked_queue_bounded_sender_waits_until_routed() {
    bounded_sender_waits_until_routed::<LockedQueue>();
}

#[test]
fn flagged_slots_bounded_sender_waits_until_routed() {
    bounded_sender_waits_until_routed::<FlaggedSlots>();
}
