//! The router reuses a pipe's listener snapshot while a burst from that
//! pipe lasts (the hot path this crate measures). These tests queue a
//! whole burst first, so it is routed in one `route_until` call or one
//! ping's turn, and change the pipe from inside a listener mid-burst: the
//! change must take effect from the next message on (R11, V1, R7).

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
        // Runs of one pipe, then another, then back: a snapshot kept for
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
