//! The socket lets in only this router's senders: a connection without the
//! secret, or naming a pipe never made, is closed and logged, never routed;
//! a frame that does not decode or is over the limit is dropped, its
//! connection closed, and the router and every other pipe carry on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::thread;

use router_api::{DefaultEventLoop, MessageRouter, MessageSender, SenderError};
use router_conformance::capture::capture;
use router_process::{ProcessRouter, ProcessSender, wire};
use support::{Inbox, PATIENCE, RawClient, token_parts};

/// Sends `count` lines on `sender` from a thread, and routes until they
/// are in: the proof that the router and this pipe carry on.
fn good_pipe_carries_on(
    event_loop: &DefaultEventLoop,
    sender: ProcessSender<String>,
    inbox: &Inbox<String>,
    count: usize,
) {
    let worker = thread::spawn(move || {
        let mut sender = sender;
        let mut open = sender.open().unwrap();
        for n in 0..count {
            open.send(format!("good {n}")).unwrap();
        }
    });
    event_loop
        .run_until(|| inbox.len() == count, Some(PATIENCE))
        .unwrap();
    worker.join().unwrap();
    let expected: Vec<String> = (0..count).map(|n| format!("good {n}")).collect();
    assert_eq!(inbox.messages(), expected);
}

#[test]
fn connection_with_wrong_secret_is_closed_logged_and_never_routed() {
    let ((), captured) = capture(|| {
        let event_loop = DefaultEventLoop::new();
        let router = ProcessRouter::<String>::new(&event_loop);
        router.start().unwrap();
        let (target, target_rx) = router.pipe().unwrap();
        let (good, good_rx) = router.pipe().unwrap();
        let target_inbox = Inbox::connect(&target_rx);
        let good_inbox = Inbox::connect(&good_rx);
        let parts = token_parts(&target.token());

        let mut intruder = RawClient::connect(&parts.socket);
        intruder.hello(parts.secret ^ 1, parts.pipe);
        intruder.write_value(&"smuggled".to_owned());
        assert!(intruder.closed_without_answer());

        // Everything the intruder's connection could have queued was queued
        // before it was closed, so it would be routed before these.
        good_pipe_carries_on(&event_loop, good, &good_inbox, 10);
        assert!(target_inbox.messages().is_empty());
        assert_eq!(router.stats().routed, 10);
        router.stop().unwrap();
    });
    let warnings = captured.warnings_containing("did not present this router's secret");
    assert_eq!(warnings.len(), 1, "{captured:?}");
}

#[test]
fn sender_with_tampered_token_fails_to_start_with_connect_error() {
    let ((), captured) = capture(|| {
        let event_loop = DefaultEventLoop::new();
        let router = ProcessRouter::<String>::new(&event_loop);
        router.start().unwrap();
        let (sender, _receiver) = router.pipe().unwrap();
        let parts = token_parts(&sender.token());
        let forged = format!(
            "rp1:{}:{:032x}:{}",
            parts.pipe,
            parts.secret.wrapping_add(1),
            parts.socket
        );
        let mut forged = ProcessSender::<String>::from_token(&forged).unwrap();
        let error = forged.start().unwrap_err();
        assert!(
            matches!(&error, SenderError::Connect { pipe, reason }
                if *pipe == sender.pipe_id() && reason.contains("refused")),
            "{error}"
        );
        // The refused sender stays un-started.
        assert!(matches!(
            forged.send("x".to_owned()).unwrap_err().reason(),
            SenderError::NotStarted { .. }
        ));
        router.stop().unwrap();
    });
    assert_eq!(
        captured
            .warnings_containing("did not present this router's secret")
            .len(),
        1
    );
}

#[test]
fn connection_naming_a_pipe_never_made_is_closed_and_logged() {
    let ((), captured) = capture(|| {
        let event_loop = DefaultEventLoop::new();
        let router = ProcessRouter::<String>::new(&event_loop);
        router.start().unwrap();
        let (good, good_rx) = router.pipe().unwrap();
        let good_inbox = Inbox::connect(&good_rx);
        let parts = token_parts(&good.token());

        let mut stranger = RawClient::connect(&parts.socket);
        stranger.hello(parts.secret, parts.pipe + 1000);
        stranger.write_value(&"lost".to_owned());
        assert!(stranger.closed_without_answer());

        good_pipe_carries_on(&event_loop, good, &good_inbox, 10);
        assert_eq!(router.stats().routed, 10);
        assert_eq!(router.stats().dropped, 0);
        router.stop().unwrap();
    });
    let warnings = captured.warnings_containing("never made");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert!(warnings[0].field("pipe").is_some());
}

#[test]
fn second_sender_for_one_pipe_is_refused_at_start() {
    let ((), captured) = capture(|| {
        let event_loop = DefaultEventLoop::new();
        let router = ProcessRouter::<String>::new(&event_loop);
        router.start().unwrap();
        let (mut first, receiver) = router.pipe().unwrap();
        let inbox = Inbox::connect(&receiver);
        let mut copy = ProcessSender::<String>::from_token(&first.token()).unwrap();
        first.start().unwrap();
        let error = copy.start().unwrap_err();
        assert!(matches!(error, SenderError::Connect { .. }), "{error}");
        first.send("one".to_owned()).unwrap();
        event_loop
            .run_until(|| inbox.len() == 1, Some(PATIENCE))
            .unwrap();
        router.stop().unwrap();
    });
    assert_eq!(
        captured
            .warnings_containing("a pipe takes one sender")
            .len(),
        1
    );
}

#[test]
fn hello_that_does_not_decode_is_closed_and_logged() {
    let ((), captured) = capture(|| {
        let event_loop = DefaultEventLoop::new();
        let router = ProcessRouter::<String>::new(&event_loop);
        router.start().unwrap();
        let (good, good_rx) = router.pipe().unwrap();
        let good_inbox = Inbox::connect(&good_rx);
        let parts = token_parts(&good.token());

        let mut client = RawClient::connect(&parts.socket);
        client.write_bytes(&[3, 0, 0, 0, 0xFF, 0xFF, 0xFF]);
        assert!(client.closed_without_answer());

        good_pipe_carries_on(&event_loop, good, &good_inbox, 10);
        router.stop().unwrap();
    });
    assert_eq!(
        captured.warnings_containing("hello does not decode").len(),
        1,
        "{captured:?}"
    );
}

#[test]
fn frame_that_does_not_decode_is_dropped_and_closes_only_its_connection() {
    let ((), captured) = capture(|| {
        let event_loop = DefaultEventLoop::new();
        let router = ProcessRouter::<String>::new(&event_loop);
        router.start().unwrap();
        let (faulty, faulty_rx) = router.pipe().unwrap();
        let (good, good_rx) = router.pipe().unwrap();
        let faulty_inbox = Inbox::connect(&faulty_rx);
        let good_inbox = Inbox::connect(&good_rx);
        let parts = token_parts(&faulty.token());

        let mut client = RawClient::admitted(&parts.socket, parts.secret, parts.pipe);
        client.write_value(&"before".to_owned());
        // A string of one byte that is not UTF-8.
        client.write_bytes(&[2, 0, 0, 0, 1, 0xFF]);
        client.write_value(&"after".to_owned());
        client.wait_closed();

        good_pipe_carries_on(&event_loop, good, &good_inbox, 100);
        assert_eq!(faulty_inbox.messages(), vec!["before".to_owned()]);
        assert!(router.is_running());
        router.stop().unwrap();
    });
    let warnings = captured.warnings_containing("does not decode");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert_eq!(warnings[0].field("pipe"), Some("#1"));
}

#[test]
fn frame_over_the_size_limit_is_dropped_and_closes_only_its_connection() {
    let ((), captured) = capture(|| {
        let event_loop = DefaultEventLoop::new();
        let router = ProcessRouter::<String>::new(&event_loop);
        router.start().unwrap();
        let (faulty, faulty_rx) = router.pipe().unwrap();
        let (good, good_rx) = router.pipe().unwrap();
        let faulty_inbox = Inbox::connect(&faulty_rx);
        let good_inbox = Inbox::connect(&good_rx);
        let parts = token_parts(&faulty.token());

        let mut client = RawClient::admitted(&parts.socket, parts.secret, parts.pipe);
        client.write_value(&"before".to_owned());
        let oversized = u32::try_from(wire::MAX_FRAME_LEN + 1).unwrap();
        client.write_bytes(&oversized.to_le_bytes());
        client.write_bytes(&[0; 64]);
        client.wait_closed();

        good_pipe_carries_on(&event_loop, good, &good_inbox, 100);
        assert_eq!(faulty_inbox.messages(), vec!["before".to_owned()]);
        router.stop().unwrap();
    });
    let warnings = captured.warnings_containing("over the limit");
    assert_eq!(warnings.len(), 1, "{captured:?}");
}

#[test]
fn message_over_the_size_limit_is_refused_by_the_sender_and_handed_back() {
    let event_loop = DefaultEventLoop::new();
    let router = ProcessRouter::<Vec<u8>>::new(&event_loop);
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let inbox = Inbox::connect(&receiver);
    sender.start().unwrap();
    let big = vec![1u8; wire::MAX_FRAME_LEN + 1];
    let error = sender.send(big).unwrap_err();
    assert!(
        matches!(error.reason(), SenderError::Encode { .. }),
        "{error}"
    );
    assert_eq!(error.into_message().len(), wire::MAX_FRAME_LEN + 1);
    // The sender goes on.
    sender.send(vec![2]).unwrap();
    event_loop
        .run_until(|| inbox.len() == 1, Some(PATIENCE))
        .unwrap();
    assert_eq!(inbox.messages(), vec![vec![2]]);
    router.stop().unwrap();
}

#[test]
fn socket_directory_is_private_to_the_user() {
    let event_loop = DefaultEventLoop::new();
    let router = ProcessRouter::<String>::new(&event_loop);
    router.start().unwrap();
    let socket = router.socket_path().unwrap();
    let dir = socket.parent().unwrap();
    let mode = std::fs::metadata(dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "directory mode {mode:o}");
    router.stop().unwrap();
}
