//! The dispatcher (`src/router/dispatch.rs`): a routing loop remembers
//! the pipes it routed to, direct-mapped by table slot, each with a
//! snapshot of its listeners, and reuses a snapshot while nothing changed
//! its pipe (the hot path router-bench measures); and once two messages in
//! a row are for one plain pipe with one listener, it hands the messages
//! that follow straight to that listener (`Streak`).
//!
//! These tests queue a whole burst first, so it is routed in one
//! `route_until` call or one ping's turn. Some change a pipe from inside
//! a listener mid-burst, at the second message (while the snapshot is
//! fresh) or later in the streak (while the pipe is hot): the change must
//! take effect from the next message on (R11, V1, R7). Others interleave more pipes than a loop remembers,
//! so pipes share a remembered place and evict each other (`route_afresh`):
//! each pipe's messages must still reach its own listeners, once and in
//! order (R8). Every test runs in both modes, on crossbeam (which hands
//! messages over one by one) and on flume (which hands over batches).

// Real threads and channels: under `--cfg loom` the router's atomics are
// loom's, which only work inside a model (tests/loom_ping.rs).
#![cfg(not(loom))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender};
use router_channel::{Channel, ChannelRouter, Envelope};
use router_crossbeam::Crossbeam;
use router_flume::Flume;

const PATIENCE: Option<Duration> = Some(Duration::from_secs(10));

/// How a burst is routed.
#[derive(Clone, Copy, Debug)]
enum Mode {
    Manual,
    EventLoop,
}

/// Routes until `done` holds, by hand or by the loop.
fn route<C: Channel<Envelope<u64>>>(
    mode: Mode,
    event_loop: &DefaultEventLoop,
    router: &ChannelRouter<u64, C>,
    done: impl Fn() -> bool,
) {
    match mode {
        Mode::Manual => router.route_until(done, PATIENCE).unwrap(),
        Mode::EventLoop => event_loop.run_until(done, PATIENCE).unwrap(),
    }
}

/// Runs `check` in both modes on crossbeam and on flume.
fn each_case(on_crossbeam: fn(Mode), on_flume: fn(Mode)) {
    for mode in [Mode::Manual, Mode::EventLoop] {
        on_crossbeam(mode);
        on_flume(mode);
    }
}

/// A started router on a new event loop.
fn started<C: Channel<Envelope<u64>>>() -> (DefaultEventLoop, ChannelRouter<u64, C>) {
    let event_loop = DefaultEventLoop::new();
    let router = ChannelRouter::<u64, C>::new(&event_loop);
    router.start().unwrap();
    (event_loop, router)
}

#[test]
fn listener_connected_mid_burst_gets_the_rest_of_the_burst() {
    fn check<C: Channel<Envelope<u64>>>(mode: Mode) {
        let (event_loop, router) = started::<C>();
        let (mut sender, receiver) = router.pipe().unwrap();
        let receiver = Rc::new(receiver);
        let first = Rc::new(RefCell::new(Vec::new()));
        let second = Rc::new(RefCell::new(Vec::new()));
        receiver.connect({
            let (first, second, receiver) =
                (first.clone(), second.clone(), Rc::downgrade(&receiver));
            move |message: &u64| {
                first.borrow_mut().push(*message);
                if *message == 2 {
                    let second = second.clone();
                    receiver
                        .upgrade()
                        .unwrap()
                        .connect(move |message: &u64| second.borrow_mut().push(*message));
                }
            }
        });
        sender.start().unwrap();
        for message in 1..=5 {
            sender.send(message).unwrap();
        }
        route(mode, &event_loop, &router, || first.borrow().len() == 5);
        assert_eq!(*first.borrow(), [1, 2, 3, 4, 5], "{mode:?}");
        assert_eq!(*second.borrow(), [3, 4, 5], "{mode:?}");
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();
    }
    each_case(check::<Crossbeam>, check::<Flume>);
}

#[test]
fn listener_that_disconnects_itself_mid_burst_gets_no_more_of_it() {
    fn check<C: Channel<Envelope<u64>>>(mode: Mode) {
        let (event_loop, router) = started::<C>();
        let (mut sender, receiver) = router.pipe().unwrap();
        let receiver = Rc::new(receiver);
        let quitter = Rc::new(RefCell::new(Vec::new()));
        let stayer = Rc::new(RefCell::new(Vec::new()));
        let quitter_id = Rc::new(RefCell::new(None));
        let id = receiver.connect({
            let (quitter, quitter_id, receiver) = (
                quitter.clone(),
                quitter_id.clone(),
                Rc::downgrade(&receiver),
            );
            move |message: &u64| {
                quitter.borrow_mut().push(*message);
                if *message == 2 {
                    let id = quitter_id.borrow().unwrap();
                    assert!(receiver.upgrade().unwrap().disconnect(id));
                }
            }
        });
        *quitter_id.borrow_mut() = Some(id);
        receiver.connect({
            let stayer = stayer.clone();
            move |message: &u64| stayer.borrow_mut().push(*message)
        });
        sender.start().unwrap();
        for message in 1..=5 {
            sender.send(message).unwrap();
        }
        route(mode, &event_loop, &router, || stayer.borrow().len() == 5);
        assert_eq!(*quitter.borrow(), [1, 2], "{mode:?}");
        assert_eq!(*stayer.borrow(), [1, 2, 3, 4, 5], "{mode:?}");
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();
    }
    each_case(check::<Crossbeam>, check::<Flume>);
}

#[test]
fn pipe_closed_mid_burst_drops_the_rest_of_its_burst() {
    fn check<C: Channel<Envelope<u64>>>(mode: Mode) {
        let event_loop = DefaultEventLoop::new();
        let router = Rc::new(ChannelRouter::<u64, C>::new(&event_loop));
        router.start().unwrap();
        let (mut closing, receiver) = router.pipe().unwrap();
        let (mut other, other_receiver) = router.pipe().unwrap();
        let receiver = Rc::new(receiver);
        let got = Rc::new(RefCell::new(Vec::new()));
        let other_got = Rc::new(RefCell::new(Vec::new()));
        receiver.connect({
            let (got, router, receiver) = (
                got.clone(),
                Rc::downgrade(&router),
                Rc::downgrade(&receiver),
            );
            move |message: &u64| {
                got.borrow_mut().push(*message);
                if *message == 2 {
                    let router = router.upgrade().unwrap();
                    router.close_pipe(&receiver.upgrade().unwrap()).unwrap();
                }
            }
        });
        other_receiver.connect({
            let other_got = other_got.clone();
            move |message: &u64| other_got.borrow_mut().push(*message)
        });
        closing.start().unwrap();
        other.start().unwrap();
        for message in 1..=4 {
            closing.send(message).unwrap();
        }
        other.send(10).unwrap();
        route(mode, &event_loop, &router, || {
            !other_got.borrow().is_empty()
        });
        assert_eq!(*got.borrow(), [1, 2], "{mode:?}");
        assert_eq!(*other_got.borrow(), [10], "{mode:?}");
        assert_eq!(router.stats().dropped, 2, "{mode:?}");
        router.close_pipe(&other_receiver).unwrap();
        router.stop().unwrap();
    }
    each_case(check::<Crossbeam>, check::<Flume>);
}

#[test]
fn interleaved_pipes_each_reach_only_their_own_listeners() {
    fn check<C: Channel<Envelope<u64>>>(mode: Mode) {
        let (event_loop, router) = started::<C>();
        let mut pipes = Vec::new();
        let got: Vec<Rc<RefCell<Vec<u64>>>> = (0..3).map(|_| Rc::default()).collect();
        for got in &got {
            let (mut sender, receiver) = router.pipe().unwrap();
            let got = got.clone();
            receiver.connect(move |message: &u64| got.borrow_mut().push(*message));
            sender.start().unwrap();
            pipes.push((sender, receiver));
        }
        // Streaks of one pipe, then another, then back: a snapshot kept for
        // one pipe must never serve another.
        for (pipe, message) in [
            (0, 1),
            (0, 2),
            (1, 3),
            (1, 4),
            (0, 5),
            (2, 6),
            (2, 7),
            (0, 8),
        ] {
            pipes[pipe].0.send(message).unwrap();
        }
        route(mode, &event_loop, &router, || {
            got.iter().map(|got| got.borrow().len()).sum::<usize>() == 8
        });
        assert_eq!(*got[0].borrow(), [1, 2, 5, 8], "{mode:?}");
        assert_eq!(*got[1].borrow(), [3, 4], "{mode:?}");
        assert_eq!(*got[2].borrow(), [6, 7], "{mode:?}");
        for (_, receiver) in &pipes {
            router.close_pipe(receiver).unwrap();
        }
        router.stop().unwrap();
    }
    each_case(check::<Crossbeam>, check::<Flume>);
}

/// More pipes than a routing loop remembers (`ROUTES_REMEMBERED`, 64, in
/// `src/tuning.rs`): slots 0, 64 and 128 share one remembered place, and so
/// on, so each message of the interleaving below evicts another pipe's
/// snapshot.
const PIPES: u64 = 130;

/// Messages per pipe in the interleaving tests.
const ROUNDS: u64 = 24;

/// The message `seq` of pipe `pipe`: the pipe in the high half, so a
/// listener can tell a message meant for another pipe.
fn tagged(pipe: u64, seq: u64) -> u64 {
    (pipe << 32) | seq
}

/// `PIPES` started pipes on `router`, each with a listener that records
/// the sequence numbers it gets and the messages that were not its own.
struct ManyPipes<C: Channel<Envelope<u64>>> {
    senders: Vec<router_channel::ChannelSender<u64, C>>,
    receivers: Vec<router_channel::PipeReceiver<u64>>,
    got: Vec<Rc<RefCell<Vec<u64>>>>,
    misrouted: Rc<RefCell<Vec<(u64, u64, u64)>>>,
}

impl<C: Channel<Envelope<u64>>> ManyPipes<C> {
    fn open(router: &ChannelRouter<u64, C>) -> Self {
        let misrouted = Rc::new(RefCell::new(Vec::new()));
        let mut pipes = Self {
            senders: Vec::new(),
            receivers: Vec::new(),
            got: Vec::new(),
            misrouted: Rc::clone(&misrouted),
        };
        for pipe in 0..PIPES {
            let (mut sender, receiver) = router.pipe().unwrap();
            let got = Rc::new(RefCell::new(Vec::new()));
            receiver.connect({
                let (got, misrouted) = (Rc::clone(&got), Rc::clone(&misrouted));
                move |message: &u64| {
                    if message >> 32 == pipe {
                        got.borrow_mut().push(message & 0xffff_ffff);
                    } else {
                        misrouted
                            .borrow_mut()
                            .push((pipe, message >> 32, message & 0xffff_ffff));
                    }
                }
            });
            sender.start().unwrap();
            pipes.senders.push(sender);
            pipes.receivers.push(receiver);
            pipes.got.push(got);
        }
        // The premise: the pipes really do share remembered places.
        let widest = pipes
            .senders
            .iter()
            .map(|sender| sender.route().slot())
            .max()
            .unwrap();
        assert!(widest >= 64, "the pipes use table slots 0..={widest} only");
        pipes
    }

    fn delivered(&self) -> usize {
        self.got.iter().map(|got| got.borrow().len()).sum::<usize>() + self.misrouted.borrow().len()
    }

    /// Routes until every message sent arrived, then checks that each
    /// pipe got exactly its own, once and in order.
    fn expect_all(
        &self,
        mode: Mode,
        event_loop: &DefaultEventLoop,
        router: &ChannelRouter<u64, C>,
    ) {
        let total = usize::try_from(PIPES * ROUNDS).unwrap();
        route(mode, event_loop, router, || self.delivered() >= total);
        let misrouted = self.misrouted.borrow();
        assert!(
            misrouted.is_empty(),
            "{mode:?}: {} messages reached another pipe's listener; the first \
             (listener's pipe, message's pipe, seq): {:?}",
            misrouted.len(),
            &misrouted[..misrouted.len().min(8)]
        );
        drop(misrouted);
        let expected: Vec<u64> = (0..ROUNDS).collect();
        for (pipe, got) in self.got.iter().enumerate() {
            assert_eq!(*got.borrow(), expected, "{mode:?}: pipe {pipe}");
        }
        assert_eq!(router.stats().routed, PIPES * ROUNDS, "{mode:?}");
    }

    fn close(&self, router: &ChannelRouter<u64, C>) {
        for receiver in &self.receivers {
            router.close_pipe(receiver).unwrap();
        }
    }
}

#[test]
fn more_interleaved_pipes_than_remembered_each_get_their_own_once_in_order() {
    fn check<C: Channel<Envelope<u64>>>(mode: Mode) {
        let (event_loop, router) = started::<C>();
        let mut pipes = ManyPipes::open(&router);
        // Round robin over all pipes: no two messages in a row are of one
        // pipe, and pipes 64 apart take turns in one remembered place.
        // Every third pipe sends a streak of two, so a snapshot is also
        // reused while a streak lasts.
        for round in (0..ROUNDS).step_by(2) {
            for (pipe, sender) in (0..).zip(&mut pipes.senders) {
                sender.send(tagged(pipe, round)).unwrap();
                if pipe % 3 != 0 {
                    continue;
                }
                sender.send(tagged(pipe, round + 1)).unwrap();
            }
            for (pipe, sender) in (0..).zip(&mut pipes.senders) {
                if pipe % 3 != 0 {
                    sender.send(tagged(pipe, round + 1)).unwrap();
                }
            }
        }
        pipes.expect_all(mode, &event_loop, &router);
        pipes.close(&router);
        router.stop().unwrap();
    }
    each_case(check::<Crossbeam>, check::<Flume>);
}

#[test]
fn more_pipes_than_remembered_sending_from_several_threads_each_keep_their_order() {
    fn check<C: Channel<Envelope<u64>>>(mode: Mode) {
        const THREADS: usize = 5;
        let (event_loop, router) = started::<C>();
        let mut pipes = ManyPipes::open(&router);
        // Each thread sends round robin over its share of the pipes (every
        // fifth one); the threads' messages interleave in the channel.
        let mut shares: Vec<Vec<(u64, router_channel::ChannelSender<u64, C>)>> =
            (0..THREADS).map(|_| Vec::new()).collect();
        for (pipe, sender) in (0..).zip(pipes.senders.drain(..)) {
            shares[usize::try_from(pipe).unwrap() % THREADS].push((pipe, sender));
        }
        let threads: Vec<_> = shares
            .into_iter()
            .map(|mut share| {
                std::thread::spawn(move || {
                    for round in 0..ROUNDS {
                        for (pipe, sender) in &mut share {
                            sender.send(tagged(*pipe, round)).unwrap();
                        }
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        pipes.expect_all(mode, &event_loop, &router);
        pipes.close(&router);
        router.stop().unwrap();
    }
    each_case(check::<Crossbeam>, check::<Flume>);
}

#[test]
fn slot_reused_mid_burst_serves_the_new_pipe_not_the_old_snapshot() {
    fn check<C: Channel<Envelope<u64>>>(mode: Mode) {
        let event_loop = DefaultEventLoop::new();
        let router = Rc::new(ChannelRouter::<u64, C>::new(&event_loop));
        router.start().unwrap();
        let (mut old, old_receiver) = router.pipe().unwrap();
        let old_slot = old.route().slot();
        let old_receiver = Rc::new(old_receiver);
        let old_got = Rc::new(RefCell::new(Vec::new()));
        let new_got = Rc::new(RefCell::new(Vec::new()));
        // The new pipe, made inside the old pipe's listener: its receiver
        // and its slot.
        let new_pipe = Rc::new(RefCell::new(None));
        old_receiver.connect({
            let (old_got, new_got, new_pipe) = (old_got.clone(), new_got.clone(), new_pipe.clone());
            let (router, old_receiver) = (Rc::downgrade(&router), Rc::downgrade(&old_receiver));
            move |message: &u64| {
                old_got.borrow_mut().push(*message);
                if *message != 2 {
                    return;
                }
                // Close this pipe and open one in its slot, mid-burst; the
                // new pipe sends from here, behind the old pipe's queue.
                let router = router.upgrade().unwrap();
                router.close_pipe(&old_receiver.upgrade().unwrap()).unwrap();
                let (mut sender, receiver) = router.pipe().unwrap();
                let new_got = new_got.clone();
                receiver.connect(move |message: &u64| new_got.borrow_mut().push(*message));
                sender.start().unwrap();
                for message in [100, 101] {
                    sender.send(message).unwrap();
                }
                *new_pipe.borrow_mut() = Some((receiver, sender.route().slot()));
            }
        });
        old.start().unwrap();
        for message in 1..=4 {
            old.send(message).unwrap();
        }
        route(mode, &event_loop, &router, || new_got.borrow().len() == 2);
        let (new_receiver, new_slot) = new_pipe.borrow_mut().take().unwrap();
        assert_eq!(new_slot, old_slot, "{mode:?}: the new pipe reuses the slot");
        assert_eq!(*old_got.borrow(), [1, 2], "{mode:?}");
        assert_eq!(*new_got.borrow(), [100, 101], "{mode:?}");
        assert_eq!(
            router.stats().dropped,
            2,
            "{mode:?}: the old pipe's 3 and 4"
        );
        router.close_pipe(&new_receiver).unwrap();
        router.stop().unwrap();
    }
    each_case(check::<Crossbeam>, check::<Flume>);
}

/// What a pipe's sole listener does when its message `AT` comes, in the
/// middle of a streak of messages for that one pipe: the messages before it
/// went straight to that listener (the routing loop's hot pipe,
/// `Streak` in src/router/dispatch.rs), and the change must take effect from
/// the next message on.
#[derive(Clone, Copy, Debug)]
enum Change {
    /// Connects a second listener.
    Connect,
    /// Disconnects itself.
    Disconnect,
    /// Closes its pipe.
    Close,
}

const AT: u64 = 5;
const RUN: u64 = 9;

fn change_mid_run<C: Channel<Envelope<u64>>>(mode: Mode, change: Change) {
    let event_loop = DefaultEventLoop::new();
    let router = Rc::new(ChannelRouter::<u64, C>::new(&event_loop));
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let (mut last, last_receiver) = router.pipe().unwrap();
    let receiver = Rc::new(receiver);
    let got = Rc::new(RefCell::new(Vec::new()));
    let second = Rc::new(RefCell::new(Vec::new()));
    let id = Rc::new(RefCell::new(None));
    let listener = receiver.connect({
        let (got, second, id) = (got.clone(), second.clone(), id.clone());
        let (router, receiver) = (Rc::downgrade(&router), Rc::downgrade(&receiver));
        move |message: &u64| {
            got.borrow_mut().push(*message);
            if *message != AT {
                return;
            }
            let receiver = receiver.upgrade().unwrap();
            match change {
                Change::Connect => {
                    let second = second.clone();
                    receiver.connect(move |message: &u64| second.borrow_mut().push(*message));
                }
                Change::Disconnect => {
                    assert!(receiver.disconnect(id.borrow().unwrap()));
                }
                Change::Close => router.upgrade().unwrap().close_pipe(&receiver).unwrap(),
            }
        }
    });
    *id.borrow_mut() = Some(listener);
    let done = Rc::new(RefCell::new(false));
    last_receiver.connect({
        let done = done.clone();
        move |_: &u64| *done.borrow_mut() = true
    });
    sender.start().unwrap();
    last.start().unwrap();
    for message in 1..=RUN {
        sender.send(message).unwrap();
    }
    last.send(0).unwrap();
    route(mode, &event_loop, &router, || *done.borrow());
    let (got_expected, second_expected): (Vec<u64>, Vec<u64>) = match change {
        Change::Connect => ((1..=RUN).collect(), (AT + 1..=RUN).collect()),
        Change::Disconnect | Change::Close => ((1..=AT).collect(), Vec::new()),
    };
    assert_eq!(*got.borrow(), got_expected, "{mode:?} {change:?}");
    assert_eq!(*second.borrow(), second_expected, "{mode:?} {change:?}");
    let dropped = match change {
        Change::Close => RUN - AT,
        Change::Connect | Change::Disconnect => 0,
    };
    assert_eq!(router.stats().dropped, dropped, "{mode:?} {change:?}");
    if !matches!(change, Change::Close) {
        router.close_pipe(&receiver).unwrap();
    }
    router.close_pipe(&last_receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn listener_connected_mid_run_of_one_pipe_gets_the_rest_of_the_run() {
    each_case(
        |mode| change_mid_run::<Crossbeam>(mode, Change::Connect),
        |mode| change_mid_run::<Flume>(mode, Change::Connect),
    );
}

#[test]
fn sole_listener_that_disconnects_itself_mid_run_gets_no_more_of_it() {
    each_case(
        |mode| change_mid_run::<Crossbeam>(mode, Change::Disconnect),
        |mode| change_mid_run::<Flume>(mode, Change::Disconnect),
    );
}

#[test]
fn pipe_closed_by_its_listener_mid_run_drops_the_rest_of_the_run() {
    each_case(
        |mode| change_mid_run::<Crossbeam>(mode, Change::Close),
        |mode| change_mid_run::<Flume>(mode, Change::Close),
    );
}
