//! Bounded and latest-value pipes over the socket: the monitor thread
//! sends through the pipe's in-process sender, so the pipe's kind holds
//! for a sender in another thread or process too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use router_api::{MessageReceiver, MessageRouter, MessageSender, SenderEnd};
use support::{Inbox, PATIENCE, started_router};

type Msg = (u32, u32);

#[test]
fn bounded_pipe_holds_its_sender_back_and_loses_nothing() {
    const CAPACITY: usize = 8;
    const COUNT: u32 = 20_000;
    let (event_loop, router) = started_router::<Msg>();
    let (mut sender, receiver) = router.pipe_bounded(CAPACITY).unwrap();
    let inbox = Inbox::connect(&receiver);
    let sent = Arc::new(AtomicU32::new(0));
    let worker = std::thread::spawn({
        let sent = Arc::clone(&sent);
        move || {
            let mut open = sender.open().unwrap();
            for seq in 0..COUNT {
                open.send((0, seq)).unwrap();
                sent.store(seq + 1, Ordering::SeqCst);
            }
        }
    });
    // Nothing routes: the pipe fills, the monitor holds the next message
    // back, the socket fills, and the worker waits in its writes.
    let until = Instant::now() + PATIENCE;
    while receiver.queued() != Some(CAPACITY) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(receiver.queued(), Some(CAPACITY));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        receiver.queued(),
        Some(CAPACITY),
        "B1: more waited than the capacity"
    );
    let held_back = sent.load(Ordering::SeqCst);
    assert!(
        held_back < COUNT,
        "the worker sent all {COUNT} messages into a full pipe"
    );
    // Routing lets it go on; every message arrives once, in order.
    let most = std::cell::Cell::new(0);
    event_loop
        .run_until(
            || {
                most.set(most.get().max(receiver.queued().unwrap_or(usize::MAX)));
                receiver.end().is_some()
            },
            Some(PATIENCE),
        )
        .unwrap();
    worker.join().unwrap();
    assert!(most.get() <= CAPACITY, "B1: {} waited unrouted", most.get());
    assert_eq!(receiver.end(), Some(SenderEnd::Stopped));
    let expected: Vec<Msg> = (0..COUNT).map(|seq| (0, seq)).collect();
    assert_eq!(inbox.messages(), expected);
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn latest_value_pipe_routes_the_newest_value_and_the_last() {
    const COUNT: u32 = 20_000;
    let (event_loop, router) = started_router::<Msg>();
    let (mut sender, receiver) = router.pipe_latest().unwrap();
    let inbox = Inbox::connect(&receiver);
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().unwrap();
        for seq in 0..COUNT {
            open.send((0, seq)).unwrap();
        }
    });
    event_loop
        .run_until(|| receiver.end().is_some(), Some(PATIENCE))
        .unwrap();
    worker.join().unwrap();
    let got = inbox.messages();
    assert_eq!(
        got.last(),
        Some(&(0, COUNT - 1)),
        "L2: the last value was lost"
    );
    assert!(
        got.windows(2).all(|pair| pair[0].1 < pair[1].1),
        "L1: out of order"
    );
    assert!(
        got.len() < COUNT as usize,
        "L1: every one of {COUNT} values was routed: nothing was replaced"
    );
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}
