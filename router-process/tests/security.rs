//! The socket lets in only this router's senders: a connection without the
//! secret, or naming a pipe never made, is closed and logged, never routed;
//! a frame that does not decode or is over the limit is dropped, its
//! connection closed, and the router and every other pipe carry on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::thread;
use std::time::{Duration, Instant};

use router_api::{DefaultEventLoop, MessageRouter, MessageSender, SendErrorKind, SenderStartError};
use router_conformance::capture::capture;
use router_process::wire::Refusal;
use router_process::{ConnectError, DropReason, ProcessRouter, ProcessSender, wire};
use support::{
    Inbox, PATIENCE, RawClient, TokenParts, pipe_with_inbox, started_router, token_parts,
};

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

/// Starts a router with one pipe, lets `write` speak on a raw connection to
/// its socket (given the pipe's token), checks that the router refuses that
/// connection with `refusal` and closes it, and that the pipe then carries
/// ten lines.
fn refused_connection_leaves_pipe_carrying_on(
    refusal: Refusal,
    write: impl FnOnce(&mut RawClient, &TokenParts),
) -> (DefaultEventLoop, ProcessRouter<String>) {
    let (event_loop, router) = started_router::<String>();
    let (good, _good_rx, good_inbox) = pipe_with_inbox(&router);
    let parts = token_parts(&good.token());

    let mut client = RawClient::connect(&parts.socket);
    write(&mut client, &parts);
    assert_eq!(client.refusal(), Some(refusal));

    good_pipe_carries_on(&event_loop, good, &good_inbox, 10);
    (event_loop, router)
}

#[test]
fn connection_with_wrong_secret_is_closed_logged_and_never_routed() {
    let ((), captured) = capture(|| {
        let (event_loop, router) = started_router::<String>();
        let (target, _target_rx, target_inbox) = pipe_with_inbox(&router);
        let (good, _good_rx, good_inbox) = pipe_with_inbox(&router);
        let parts = token_parts(&target.token());

        let mut intruder = RawClient::connect(&parts.socket);
        intruder.hello::<String>(parts.secret ^ 1, parts.pipe);
        intruder.write_message(&"smuggled".to_owned());
        assert_eq!(intruder.refusal(), Some(Refusal::Secret));

        // Everything the intruder's connection could have queued was queued
        // before it was closed, so it would be routed before these.
        good_pipe_carries_on(&event_loop, good, &good_inbox, 10);
        assert!(target_inbox.messages().is_empty());
        assert_eq!(router.stats().routed, 10);
        router.stop().unwrap();
        assert_dropped_once(&router, DropReason::WrongSecret);
    });
    let warnings = captured.warnings_containing("did not present this router's secret");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert_eq!(warnings[0].field("reason"), Some("WrongSecret"));
}

/// Checks that the router dropped one thing, for `reason`.
fn assert_dropped_once(
    router: &ProcessRouter<impl serde::Serialize + serde::de::DeserializeOwned + Send + 'static>,
    reason: DropReason,
) {
    let counts = router.dropped_frames();
    assert_eq!(counts.get(reason), 1, "{counts:?}");
    assert_eq!(counts.total(), 1, "{counts:?}");
}

#[test]
fn sender_with_tampered_token_fails_to_start_with_connect_error() {
    let ((), captured) = capture(|| {
        let (_event_loop, router) = started_router::<String>();
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
            matches!(&error, SenderStartError::Connect { pipe, source }
                if *pipe == sender.pipe_id() && source.to_string().contains("refused")),
            "{error:?}"
        );
        // The refused sender stays un-started.
        assert!(matches!(
            forged.send("x".to_owned()).unwrap_err().kind(),
            SendErrorKind::NotStarted
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
        let (_event_loop, router) =
            refused_connection_leaves_pipe_carrying_on(Refusal::UnknownPipe, |stranger, parts| {
                stranger.hello::<String>(parts.secret, parts.pipe + 1000);
                stranger.write_message(&"lost".to_owned());
            });
        assert_eq!(router.stats().routed, 10);
        assert_eq!(router.stats().dropped, 0);
        router.stop().unwrap();
        assert_dropped_once(&router, DropReason::PipeNeverMade);
    });
    let warnings = captured.warnings_containing("never made");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert!(warnings[0].field("pipe").is_some());
}

#[test]
fn second_sender_for_one_pipe_is_refused_at_start() {
    let ((), captured) = capture(|| {
        let (event_loop, router) = started_router::<String>();
        let (mut first, _receiver, inbox) = pipe_with_inbox(&router);
        let mut copy = ProcessSender::<String>::from_token(&first.token()).unwrap();
        first.start().unwrap();
        let error = copy.start().unwrap_err();
        assert!(matches!(error, SenderStartError::Connect { .. }), "{error}");
        first.send("one".to_owned()).unwrap();
        event_loop
            .run_until(|| inbox.len() == 1, Some(PATIENCE))
            .unwrap();
        router.stop().unwrap();
        assert_dropped_once(&router, DropReason::SecondSender);
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
        let (_event_loop, router) =
            refused_connection_leaves_pipe_carrying_on(Refusal::BadHello, |client, _| {
                client.write_bytes(&[3, 0, 0, 0, 0xFF, 0xFF, 0xFF]);
            });
        router.stop().unwrap();
        assert_dropped_once(&router, DropReason::BadHello);
    });
    assert_eq!(
        captured.warnings_containing("hello does not decode").len(),
        1,
        "{captured:?}"
    );
}

/// Starts a router with a faulty pipe (#1) and a good one; an admitted raw
/// client on the faulty pipe writes "before", then `write_fault`. Checks
/// that the router closes that connection, that the good pipe then
/// carries a hundred lines, and that the faulty pipe got only "before".
fn faulty_frame_closes_only_its_connection(
    write_fault: impl FnOnce(&mut RawClient),
) -> (DefaultEventLoop, ProcessRouter<String>) {
    let (event_loop, router) = started_router::<String>();
    let (faulty, _faulty_rx, faulty_inbox) = pipe_with_inbox(&router);
    let (good, _good_rx, good_inbox) = pipe_with_inbox(&router);
    let parts = token_parts(&faulty.token());

    let mut client = RawClient::admitted::<String>(&parts.socket, parts.secret, parts.pipe);
    client.write_message(&"before".to_owned());
    write_fault(&mut client);
    client.wait_closed();

    good_pipe_carries_on(&event_loop, good, &good_inbox, 100);
    assert_eq!(faulty_inbox.messages(), vec!["before".to_owned()]);
    (event_loop, router)
}

#[test]
fn frame_that_does_not_decode_is_dropped_and_closes_only_its_connection() {
    let ((), captured) = capture(|| {
        let (_event_loop, router) = faulty_frame_closes_only_its_connection(|client| {
            // A message frame holding a string of one byte that is not
            // UTF-8.
            client.write_bytes(&[3, 0, 0, 0, 0, 1, 0xFF]);
            client.write_message(&"after".to_owned());
        });
        assert!(router.is_running());
        router.stop().unwrap();
        assert_dropped_once(&router, DropReason::Undecodable);
    });
    let warnings = captured.warnings_containing("does not decode");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert_eq!(warnings[0].field("pipe"), Some("#1"));
    assert_eq!(warnings[0].field("reason"), Some("Undecodable"));
    assert!(warnings[0].field("error").is_some(), "{:?}", warnings[0]);
}

#[test]
fn frame_over_the_size_limit_is_dropped_and_closes_only_its_connection() {
    let ((), captured) = capture(|| {
        let (_event_loop, router) = faulty_frame_closes_only_its_connection(|client| {
            let oversized = u32::try_from(wire::MAX_FRAME_LEN + 1).unwrap();
            client.write_bytes(&oversized.to_le_bytes());
            client.write_bytes(&[0; 64]);
        });
        router.stop().unwrap();
        assert_dropped_once(&router, DropReason::Oversized);
    });
    let warnings = captured.warnings_containing("over the limit");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert_eq!(warnings[0].field("pipe"), Some("#1"));
    let limit = wire::MAX_FRAME_LEN.to_string();
    assert_eq!(warnings[0].field("limit"), Some(limit.as_str()));
}

#[test]
fn message_over_the_size_limit_is_refused_by_the_sender_and_handed_back() {
    let (event_loop, router) = started_router::<Vec<u8>>();
    let (mut sender, _receiver, inbox) = pipe_with_inbox(&router);
    sender.start().unwrap();
    let big = vec![1u8; wire::MAX_FRAME_LEN + 1];
    let error = sender.send(big).unwrap_err();
    assert!(matches!(error.kind(), SendErrorKind::Encode(_)), "{error}");
    assert!(
        std::error::Error::source(&error)
            .and_then(|source| source.downcast_ref::<wire::EncodeError>())
            .is_some_and(|cause| matches!(cause, wire::EncodeError::TooLarge { .. })),
        "{error:?}"
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
    let (_event_loop, router) = started_router::<String>();
    let socket = router.socket_path().unwrap();
    let dir = socket.parent().unwrap();
    let mode = std::fs::metadata(dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "directory mode {mode:o}");
    router.stop().unwrap();
}

/// A message whose decoding panics on "boom": user code that the monitor
/// thread runs for every frame.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
struct Touchy(String);

impl<'de> serde::Deserialize<'de> for Touchy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        assert!(text != "boom", "Touchy will not decode boom");
        Ok(Self(text))
    }
}

#[test]
fn frame_whose_decoding_panics_is_dropped_and_closes_only_its_connection() {
    let ((), captured) = capture(|| {
        let (event_loop, router) = started_router::<Touchy>();
        let (faulty, _faulty_rx, faulty_inbox) = pipe_with_inbox(&router);
        let (mut good, _good_rx, good_inbox) = pipe_with_inbox(&router);
        let parts = token_parts(&faulty.token());

        let mut client = RawClient::admitted::<Touchy>(&parts.socket, parts.secret, parts.pipe);
        client.write_message(&"before".to_owned());
        client.write_message(&"boom".to_owned());
        client.write_message(&"after".to_owned());
        client.wait_closed();

        let worker = thread::spawn(move || {
            let mut open = good.open().unwrap();
            for n in 0..10 {
                open.send(Touchy(format!("good {n}"))).unwrap();
            }
        });
        event_loop
            .run_until(|| good_inbox.len() == 10, Some(PATIENCE))
            .unwrap();
        worker.join().unwrap();
        assert_eq!(faulty_inbox.messages(), vec![Touchy("before".to_owned())]);
        assert!(router.is_running());
        router.stop().unwrap();
        assert_dropped_once(&router, DropReason::DecodePanicked);
    });
    let warnings = captured.warnings_containing("panicked");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert_eq!(warnings[0].field("pipe"), Some("#1"));
}

#[test]
fn connection_that_never_sends_its_hello_is_closed_after_the_timeout() {
    const HELLO_TIMEOUT: Duration = Duration::from_millis(300);
    let ((), captured) = capture(|| {
        let event_loop = DefaultEventLoop::new();
        let router = ProcessRouter::<String>::new(&event_loop);
        router.set_hello_timeout(HELLO_TIMEOUT);
        router.start().unwrap();
        let (good, _good_rx, good_inbox) = pipe_with_inbox(&router);
        let socket = router.socket_path().unwrap();
        let socket = socket.to_str().unwrap();

        let opened = Instant::now();
        // One says nothing, one stops in the middle of its hello.
        let mut silent = RawClient::connect(socket);
        let mut halting = RawClient::connect(socket);
        halting.write_bytes(&[40, 0]);
        // Well short of PATIENCE, so that a router that never closes them
        // fails the test soon.
        for client in [&silent, &halting] {
            client
                .stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
        }

        // Meanwhile the router lets other senders in and routes them.
        good_pipe_carries_on(&event_loop, good, &good_inbox, 10);

        assert_eq!(
            silent.refusal(),
            Some(Refusal::HelloTimeout),
            "the silent one"
        );
        assert_eq!(
            halting.refusal(),
            Some(Refusal::HelloTimeout),
            "the halting one"
        );
        let waited = opened.elapsed();
        assert!(waited >= HELLO_TIMEOUT, "closed after {waited:?}");
        router.stop().unwrap();
        assert_eq!(router.dropped_frames().get(DropReason::HelloTimeout), 2);
    });
    let warnings = captured.warnings_containing("no hello");
    assert_eq!(warnings.len(), 2, "{captured:?}");
    for warning in warnings {
        assert!(warning.field("connection").is_some(), "{warning:?}");
        assert_eq!(warning.field("timeout_ms"), Some("300"), "{warning:?}");
    }
}

/// The cause of the connect error `start` fails with.
fn connect_cause<M: serde::Serialize + 'static>(sender: &mut ProcessSender<M>) -> ConnectError {
    match sender.start().unwrap_err() {
        SenderStartError::Connect { source, .. } => *source
            .downcast::<ConnectError>()
            .unwrap_or_else(|other| panic!("the cause is not a ConnectError: {other}")),
        other => panic!("expected a connect error, got {other}"),
    }
}

/// The words of the connect error's cause.
fn connect_reason(sender: &mut ProcessSender<String>) -> String {
    connect_cause(sender).to_string()
}

#[test]
fn refused_sender_is_told_the_one_cause() {
    let (_event_loop, router) = started_router::<String>();
    let (mut first, _receiver) = router.pipe().unwrap();
    let parts = token_parts(&first.token());
    let token = |pipe: u64, secret: u128| format!("rp1:{pipe}:{secret:032x}:{}", parts.socket);

    let mut wrong_secret =
        ProcessSender::<String>::from_token(&token(parts.pipe, parts.secret ^ 1)).unwrap();
    let mut unknown_pipe =
        ProcessSender::<String>::from_token(&token(parts.pipe + 1000, parts.secret)).unwrap();
    let mut second = ProcessSender::<String>::from_token(&first.token()).unwrap();
    first.start().unwrap();

    let cases = [
        (
            connect_reason(&mut wrong_secret),
            "secret is not this router run's",
        ),
        (connect_reason(&mut unknown_pipe), "never made pipe #1001"),
        (
            connect_reason(&mut second),
            "pipe #1 has a sender connected already",
        ),
    ];
    for (reason, cause) in &cases {
        assert!(reason.contains(cause), "{reason:?} does not say {cause:?}");
        // One cause, not a list of what it might be.
        assert!(!reason.contains("log says which"), "{reason:?}");
        for (_, other) in cases.iter().filter(|(_, other)| other != cause) {
            assert!(!reason.contains(other), "{reason:?} also says {other:?}");
        }
    }

    // The same causes as types; each sender stays un-started and is
    // refused the same way again.
    let wrong = connect_cause(&mut wrong_secret);
    assert!(matches!(wrong, ConnectError::WrongSecret), "{wrong:?}");
    let unknown = connect_cause(&mut unknown_pipe);
    assert!(
        matches!(unknown, ConnectError::UnknownPipe { pipe } if pipe == unknown_pipe.pipe_id()),
        "{unknown:?}"
    );
    let taken = connect_cause(&mut second);
    assert!(
        matches!(taken, ConnectError::AlreadyConnected { pipe } if pipe == first.pipe_id()),
        "{taken:?}"
    );
    let again = first.start();
    assert!(
        matches!(again, Err(SenderStartError::AlreadyStarted { pipe }) if pipe == first.pipe_id()),
        "{again:?}"
    );
    router.stop().unwrap();
}

#[test]
fn close_without_answer_and_unknown_answer_are_told_apart() {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixListener;

    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("socket");
    let listener = UnixListener::bind(&socket).unwrap();
    // Reads the hello's header and payload, then answers `answer`
    // (nothing at all when `None`) and closes.
    let impostor = thread::spawn(move || {
        for answer in [None, Some(0x77u8)] {
            let (mut stream, _) = listener.accept().unwrap();
            let mut header = [0u8; wire::HEADER_LEN];
            stream.read_exact(&mut header).unwrap();
            let mut hello = vec![0u8; wire::payload_len(header)];
            stream.read_exact(&mut hello).unwrap();
            if let Some(answer) = answer {
                stream.write_all(&[answer]).unwrap();
            }
        }
    });
    let token = format!("rp1:1:{:032x}:{}", 7u128, socket.display());
    let cause = || connect_cause(&mut ProcessSender::<String>::from_token(&token).unwrap());
    let closed = cause();
    assert!(matches!(closed, ConnectError::Closed { .. }), "{closed}");
    assert!(closed.to_string().contains("without answering"), "{closed}");
    let unknown = cause();
    assert!(
        matches!(unknown, ConnectError::UnknownAnswer { answer: 0x77 }),
        "{unknown:?}"
    );
    impostor.join().unwrap();
}

#[test]
fn sender_of_another_message_type_is_refused_naming_both_types() {
    let ((), captured) = capture(|| {
        let (event_loop, router) = started_router::<u64>();
        let (numbers, _numbers_rx, numbers_inbox) = pipe_with_inbox(&router);
        let (words, _words_rx, words_inbox) = pipe_with_inbox(&router);

        let mut as_u32 = ProcessSender::<u32>::from_token(&numbers.token()).unwrap();
        let said = connect_cause(&mut as_u32).to_string();
        assert!(said.contains("`u32`") && said.contains("`u64`"), "{said}");
        let mut as_string = ProcessSender::<String>::from_token(&words.token()).unwrap();
        let said = connect_reason(&mut as_string);
        assert!(
            said.contains("`alloc::string::String`") && said.contains("`u64`"),
            "{said}"
        );

        // A refused sender does not take the pipe: one of the right type may.
        let mut rightly = ProcessSender::<u64>::from_token(&numbers.token()).unwrap();
        rightly.start().unwrap();
        rightly.send(5).unwrap();
        event_loop
            .run_until(|| numbers_inbox.len() == 1, Some(PATIENCE))
            .unwrap();
        assert_eq!(numbers_inbox.messages(), vec![5]);
        assert!(words_inbox.messages().is_empty());
        router.stop().unwrap();
        assert_eq!(router.dropped_frames().get(DropReason::OtherMessageType), 2);
    });
    let warnings = captured.warnings_containing("message type");
    assert_eq!(warnings.len(), 2, "{captured:?}");
    assert_eq!(warnings[0].field("sender_type"), Some("u32"));
    assert_eq!(warnings[0].field("router_type"), Some("u64"));
    assert_eq!(
        warnings[1].field("sender_type"),
        Some("alloc::string::String")
    );
}

#[test]
fn hello_of_another_protocol_version_is_refused_as_such() {
    let ((), captured) = capture(|| {
        let (_event_loop, router) =
            refused_connection_leaves_pipe_carrying_on(Refusal::Protocol, |old, parts| {
                // Version 1's hello: protocol, secret, pipe.
                old.write_value(&(1u16, parts.secret, parts.pipe));
            });
        router.stop().unwrap();
        assert_dropped_once(&router, DropReason::OtherProtocol);
    });
    let warnings = captured.warnings_containing("another protocol version");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert_eq!(warnings[0].field("protocol"), Some("1"));
}

#[test]
fn message_after_the_end_frame_is_dropped_and_counted() {
    let ((), captured) = capture(|| {
        let (_event_loop, router) = faulty_frame_closes_only_its_connection(|client| {
            client.write_bytes(&wire::end_frame(router_api::SenderEnd::Stopped));
            client.write_message(&"late".to_owned());
        });
        router.stop().unwrap();
        assert_dropped_once(&router, DropReason::AfterEnd);
    });
    let warnings = captured.warnings_containing("after its sender's end");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert_eq!(warnings[0].field("reason"), Some("AfterEnd"));
}

#[test]
fn end_frame_of_an_unknown_code_ends_the_pipe_as_lost_and_is_counted() {
    let ((), captured) = capture(|| {
        let (event_loop, router) = started_router::<String>();
        let (faulty, receiver, _inbox) = pipe_with_inbox(&router);
        let ends = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        router_api::MessageReceiver::on_end(&receiver, {
            let ends = ends.clone();
            move |end: &router_api::SenderEnd| ends.borrow_mut().push(*end)
        });
        let parts = token_parts(&faulty.token());
        let mut client = RawClient::admitted::<String>(&parts.socket, parts.secret, parts.pipe);
        // An end frame: variant 1, then a code no sender writes.
        client.write_bytes(&[2, 0, 0, 0, 1, 9]);
        event_loop
            .run_until(|| !ends.borrow().is_empty(), Some(PATIENCE))
            .unwrap();
        assert_eq!(*ends.borrow(), [router_api::SenderEnd::Lost]);
        router.stop().unwrap();
        assert_dropped_once(&router, DropReason::UnknownEndCode);
    });
    let warnings = captured.warnings_containing("which no sender writes");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert_eq!(warnings[0].field("code"), Some("9"));
}
