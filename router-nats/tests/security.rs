//! Other clients of the same server cannot inject messages: forged,
//! altered, oversized, undecodable and wrong-type frames are dropped and
//! logged, and the pipes carry on. Frames are published here by a plain
//! async-nats client, as any client of the server could.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use router_api::{MessageReceiver, MessageRouter, MessageSender};
use router_nats::{ConnectError, DropReason, NatsRouter, NatsSender, TokenError};
use support::{NatsServer, await_log, pipe_with_inbox, run_for, run_until, started_router};

#[test]
fn forged_frames_are_dropped_and_logged_while_other_pipes_carry_on() {
    let server = NatsServer::shared();
    let (event_loop, router) = started_router::<u64>(server);
    let (mut victim, victim_rx, victim_inbox) = pipe_with_inbox(&router);
    let (mut other, other_rx, other_inbox) = pipe_with_inbox(&router);
    let subject = router.subject_of(victim_rx.pipe_id()).unwrap();
    support::log_lines_containing("");
    victim.start().unwrap();
    other.start().unwrap();
    victim.send(1).unwrap();

    // A frame made with a guessed key, one with a real frame's bytes
    // altered, garbage, an empty frame and a huge one.
    let mut forged = postcard::to_allocvec(&(1u16, victim_rx.pipe_id().get(), 0u64, 1u64)).unwrap();
    forged.extend_from_slice(&[0u8; 40]);
    let oversized = vec![7u8; router_nats::MAX_MESSAGE_LEN + 1024];
    let garbage = b"not a frame at all, but long enough for a tag".to_vec();
    support::publish_raw(
        &server.url(),
        &subject,
        vec![forged, garbage, Vec::new(), oversized],
    );
    other.send(10).unwrap();
    victim.send(2).unwrap();
    run_until(&event_loop, "both pipes' messages", || {
        victim_inbox.len() == 2 && other_inbox.len() == 1
    });
    assert_eq!(victim_inbox.messages(), [1, 2]);
    assert_eq!(other_inbox.messages(), [10]);
    // Each bad frame was logged, with the subject it came on.
    await_log(&[&subject, "does not verify"]);
    await_log(&[&subject, "does not decode"]);
    await_log(&[&subject, "over the limit"]);
    await_log(&[&subject, "reason=\"TagMismatch\""]);
    victim.stop().unwrap();
    other.stop().unwrap();
    router.close_pipe(&victim_rx).unwrap();
    router.close_pipe(&other_rx).unwrap();
    router.stop().unwrap();
    // Each of the four was dropped once, for its reason; the garbage is
    // either undecodable or names a pipe never made, as its bytes fall.
    let counts = router.dropped_frames();
    assert_eq!(counts.get(DropReason::TagMismatch), 1, "{counts:?}");
    assert_eq!(counts.get(DropReason::Oversized), 1, "{counts:?}");
    assert!(counts.get(DropReason::Undecodable) >= 1, "{counts:?}");
    assert_eq!(counts.total(), 4, "{counts:?}");
}

#[test]
fn a_sender_with_a_wrong_key_is_dropped_and_logged() {
    let server = NatsServer::shared();
    let (event_loop, router) = started_router::<u64>(server);
    let (sender, receiver, inbox) = pipe_with_inbox(&router);
    let (mut honest, honest_rx, honest_inbox) = pipe_with_inbox(&router);
    // The key is the second field: flip its first digit.
    let token = sender.token();
    let mut fields: Vec<String> = token.splitn(3, ':').map(str::to_owned).collect();
    let flipped = if fields[2].starts_with('0') { "1" } else { "0" };
    fields[2].replace_range(0..1, flipped);
    let mut forger = NatsSender::<u64>::from_token(&fields.join(":")).unwrap();
    forger.start().unwrap();
    honest.start().unwrap();
    let subject = router.subject_of(receiver.pipe_id()).unwrap();
    support::log_lines_containing("");
    for n in 0..5 {
        forger.send(n).unwrap();
    }
    honest.send(99).unwrap();
    run_until(&event_loop, "the honest pipe's message", || {
        honest_inbox.len() == 1
    });
    await_log(&[&subject, "does not verify", "seq=4"]);
    run_for(&event_loop, Duration::from_millis(100));
    assert_eq!(inbox.len(), 0, "frames with a wrong key were delivered");
    assert_eq!(honest_inbox.messages(), [99]);
    drop(forger);
    honest.stop().unwrap();
    router.close_pipe(&receiver).unwrap();
    router.close_pipe(&honest_rx).unwrap();
    router.stop().unwrap();
    // Its five messages at least (its end frame too, if it came in time).
    let counts = router.dropped_frames();
    assert!(counts.get(DropReason::TagMismatch) >= 5, "{counts:?}");
    assert_eq!(counts.total(), counts.get(DropReason::TagMismatch));
}

#[test]
fn a_token_of_another_message_type_is_refused() {
    let server = NatsServer::shared();
    let (_event_loop, router) = started_router::<u64>(server);
    let (sender, receiver) = router.pipe().unwrap();
    let error = NatsSender::<u32>::from_token(&sender.token()).unwrap_err();
    assert!(
        matches!(error, TokenError::MessageType { sender: "u32" }),
        "{error}"
    );
    assert!(error.to_string().contains("`u32`"), "{error}");
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn an_unreachable_server_fails_start_at_once_for_router_and_sender() {
    let url = support::dead_url();
    let event_loop = router_api::DefaultEventLoop::new();
    let router = NatsRouter::<u64>::new(&event_loop, &url);
    let started = std::time::Instant::now();
    let error = router.start().unwrap_err();
    assert!(
        matches!(
            error.cause::<ConnectError>(),
            Some(ConnectError::Unreachable { .. } | ConnectError::NoAnswer { .. })
        ),
        "{error:?}"
    );
    assert!(!router.is_running());
    // A sender of a run whose server went away: its start fails too.
    let server = NatsServer::shared();
    let (_loop2, live) = started_router::<u64>(server);
    let (sender, receiver) = live.pipe().unwrap();
    let token = sender.token().replace(&server.url(), &url);
    let mut sender = NatsSender::<u64>::from_token(&token).unwrap();
    let error = sender.start().unwrap_err();
    assert!(
        matches!(
            error.cause::<ConnectError>(),
            Some(ConnectError::Unreachable { .. } | ConnectError::NoAnswer { .. })
        ),
        "expected an unreachable server, got {error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    live.close_pipe(&receiver).unwrap();
    live.stop().unwrap();
}

#[test]
fn a_sender_of_a_stopped_run_cannot_start() {
    let server = NatsServer::shared();
    let (_event_loop, router) = started_router::<u64>(server);
    let (mut sender, receiver) = router.pipe().unwrap();
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
    let error = sender.start().unwrap_err();
    match error.cause::<ConnectError>() {
        Some(cause @ ConnectError::NoRouter { .. }) => {
            assert!(
                cause.to_string().contains("no router is running"),
                "{cause}"
            );
        }
        other => panic!("expected no router running, got {error:?} ({other:?})"),
    }
}

/// What the server says of stream `name`: its config and state.
fn stream_info(url: &str, name: &str) -> async_nats::jetstream::stream::Info {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(url).await.unwrap();
        let context = async_nats::jetstream::new(client);
        let mut stream = context.get_stream(name).await.unwrap();
        stream.info().await.unwrap().clone()
    })
}

#[test]
fn the_run_s_stream_holds_no_more_than_its_limits() {
    let server = NatsServer::shared();
    let event_loop = router_api::DefaultEventLoop::new();
    let router = router_nats::NatsRouter::<u64>::new(&event_loop, &server.url());
    assert_eq!(
        router.max_stream_bytes(),
        router_nats::DEFAULT_MAX_STREAM_BYTES
    );
    assert_eq!(
        router.max_stream_messages(),
        router_nats::DEFAULT_MAX_STREAM_MESSAGES
    );
    router.set_max_stream_bytes(64 * 1024);
    router.set_max_stream_messages(100);
    router.start().unwrap();
    let (mut sender, receiver, inbox) = pipe_with_inbox(&router);
    let subject = router.subject_of(receiver.pipe_id()).unwrap();
    let stream = router.stream_name().unwrap();
    let info = stream_info(&server.url(), &stream);
    assert_eq!(info.config.max_bytes, 64 * 1024);
    assert_eq!(info.config.max_messages, 100);
    // A client floods the run's subjects, in frames of 1 KiB.
    support::publish_raw(&server.url(), &subject, vec![vec![0xEE; 1024]; 300]);
    let state = stream_info(&server.url(), &stream).state;
    assert!(state.messages <= 100, "{state:?}");
    assert!(state.bytes <= 64 * 1024, "{state:?}");
    // The pipe still carries what its sender sends.
    sender.start().unwrap();
    sender.send(5).unwrap();
    support::run_until(&event_loop, "the pipe's message", || inbox.len() == 1);
    assert_eq!(inbox.messages(), [5]);
    sender.stop().unwrap();
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}
