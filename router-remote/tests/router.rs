//! The shell over the loopback transport: the conformance kit, every rule
//! as the backends built on the shell keep it, and what the shell itself
//! promises (the transport opened after the core and closed before it, a
//! failed open rolled back, drops counted by reason).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod loopback;

use std::sync::atomic::Ordering;
use std::time::Duration;

use loopback::{Loopback, Refused, Why};
use router_api::{
    DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender, RouterStartError,
};
use router_conformance::Msg;
use router_remote::RemoteRouter;

// A send goes through the line at once, but `try_send` and `send_timeout`
// are the sender's plain `send`, as over a socket: the checks that count
// room from the foreground are skipped by name, as for the real backends.
router_conformance::conformance_tests!(
    shell_over_loopback,
    |event_loop| RemoteRouter::<Msg, _>::new(event_loop, Loopback::default()),
    lacks: [ImmediateSends]
);

#[test]
fn transport_opens_after_the_core_and_closes_before_it() {
    let event_loop = DefaultEventLoop::new();
    let router = RemoteRouter::<u32, _>::new(&event_loop, Loopback::default());
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    sender.start().unwrap();
    sender.send(5).unwrap();
    drop(sender);
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
    assert_eq!(
        router.transport().journal(),
        ["open", "#1 ended Dropped", "close with 1 pipes"]
    );
    assert!(router.with_run(|_| ()).is_none());
}

#[test]
fn failed_open_leaves_the_router_stopped_and_startable() {
    let event_loop = DefaultEventLoop::new();
    let router = RemoteRouter::<u32, _>::new(&event_loop, Loopback::default());
    router
        .transport()
        .refuse_open
        .store(true, Ordering::Relaxed);
    let error = router.start().unwrap_err();
    assert!(
        matches!(&error, RouterStartError::Setup { .. }),
        "{error:?}"
    );
    assert!(error.cause::<Refused>().is_some(), "{error:?}");
    assert!(!router.is_running());
    assert!(router.pipe().is_err());
    router
        .transport()
        .refuse_open
        .store(false, Ordering::Relaxed);
    router.start().unwrap();
    assert!(router.with_run(|_| ()).is_some());
    router.stop().unwrap();
}

#[test]
fn dropped_router_closes_its_transport() {
    let event_loop = DefaultEventLoop::new();
    let journal = {
        let router = RemoteRouter::<u32, _>::new(&event_loop, Loopback::default());
        router.start().unwrap();
        std::sync::Arc::clone(&router.transport().journal)
    };
    assert_eq!(*journal.lock().unwrap(), ["open", "close with 0 pipes"]);
}

#[test]
fn frame_the_transport_drops_is_counted_by_reason() {
    let event_loop = DefaultEventLoop::new();
    // The router routes u8; the sender claims to send u8 too, but a u32
    // over 255 does not decode as one.
    let router = RemoteRouter::<u8, _>::new(&event_loop, Loopback::default());
    router.start().unwrap();
    let (sender, receiver) = router.pipe().unwrap();
    let got = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    receiver.connect({
        let got = got.clone();
        move |n: &u8| got.borrow_mut().push(*n)
    });
    let mut sender = sender;
    sender.start().unwrap();
    sender.send(1).unwrap();
    // A frame of another type, as a peer built from other source would
    // write it: the line's router side drops it.
    let ((), captured) = router_conformance::capture::capture(|| {
        send_foreign(&router);
    });
    sender.send(2).unwrap();
    event_loop
        .run_until(|| got.borrow().len() == 2, Some(Duration::from_secs(10)))
        .unwrap();
    assert_eq!(*got.borrow(), [1, 2]);
    let counts = router.dropped_frames();
    assert_eq!(counts.get(Why::Undecodable), 1, "{counts:?}");
    assert_eq!(counts.total(), 1);
    let warnings = captured.warnings_containing("drops a frame");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert_eq!(warnings[0].field("reason"), Some("Undecodable"));
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

/// Sends a `u32` that no `u8` decodes from on a new pipe of `router`.
fn send_foreign(router: &RemoteRouter<u8, Loopback>) {
    let (sender, _receiver) = router.pipe().unwrap();
    // The loopback's line is generic over what it encodes, as a socket is.
    let mut line = router_remote::Dial::dial::<u32>(sender.hand_over()).unwrap();
    router_remote::Line::send(&mut line, &70_000u32).unwrap();
}
