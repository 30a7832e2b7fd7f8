//! Senders in child processes: the test binary re-runs itself as the child
//! (see `router_process::child`), filtered to one of the `child_*` tests
//! at the bottom, which are ignored when run by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Child;
use std::time::Instant;

use router_api::{MessageReceiver, MessageRouter, MessageSender, SenderEnd};
use router_process::ConnectError;
use router_process::{ProcessSender, TokenError, child};
use support::{PATIENCE, RawClient, pipe_with_inbox, started_router, token_parts};

/// A message of the children: its source and its place in that source's
/// sequence.
type Msg = (u32, u32);

const COUNT_VAR: &str = "ROUTER_PROCESS_TEST_COUNT";
const SOURCE_VAR: &str = "ROUTER_PROCESS_TEST_SOURCE";

fn spawn_child(test: &str, token: &str, source: u32, count: u32) -> Child {
    child::test_command(test, token)
        .unwrap()
        .env(SOURCE_VAR, source.to_string())
        .env(COUNT_VAR, count.to_string())
        .spawn()
        .unwrap()
}

/// Waits for a child and says whether it succeeded, killing it if it
/// outlives the test's patience.
fn child_succeeded(mut child: Child) -> bool {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

fn sequence(source: u32, count: u32) -> Vec<Msg> {
    (0..count).map(|seq| (source, seq)).collect()
}

#[test]
fn sixteen_child_processes_deliver_every_message_once_in_order() {
    const CHILDREN: u32 = 16;
    const COUNT: u32 = 10_000;
    let (event_loop, router) = started_router::<Msg>();
    let mut pipes = Vec::new();
    for source in 0..CHILDREN {
        let (sender, receiver, inbox) = pipe_with_inbox(&router);
        let child = spawn_child("child_sends_sequence", &sender.token(), source, COUNT);
        pipes.push((receiver, inbox, child));
    }
    let total = CHILDREN as usize * COUNT as usize;
    event_loop
        .run_until(
            || pipes.iter().map(|(_, inbox, _)| inbox.len()).sum::<usize>() >= total,
            Some(PATIENCE * 4),
        )
        .unwrap();
    // E1, E2: each child stopped its sender; the end comes after its last
    // message.
    event_loop
        .run_until(
            || {
                pipes
                    .iter()
                    .all(|(receiver, _, _)| receiver.end().is_some())
            },
            Some(PATIENCE),
        )
        .unwrap();
    for (source, (receiver, inbox, child)) in (0..CHILDREN).zip(pipes) {
        assert!(child_succeeded(child), "child {source} failed");
        assert_eq!(receiver.end(), Some(SenderEnd::Stopped), "child {source}");
        assert_eq!(
            inbox.messages(),
            sequence(source, COUNT),
            "pipe of child {source}"
        );
        router.close_pipe(&receiver).unwrap();
    }
    assert_eq!(router.stats().routed, total as u64);
    assert_eq!(router.stats().dropped, 0);
    router.stop().unwrap();
}

#[test]
fn child_killed_mid_stream_disturbs_no_other_pipe() {
    const COUNT: u32 = 10_000;
    let (event_loop, router) = started_router::<Msg>();
    let (doomed_sender, doomed_receiver, doomed_inbox) = pipe_with_inbox(&router);
    let mut doomed = spawn_child("child_sends_until_killed", &doomed_sender.token(), 99, 0);
    let mut others = Vec::new();
    let mut receivers = Vec::new();
    for source in 0..2 {
        // Kept: dropping a receiver closes its pipe (D1).
        let (sender, receiver, inbox) = pipe_with_inbox(&router);
        receivers.push(receiver);
        let child = spawn_child("child_sends_sequence", &sender.token(), source, COUNT);
        others.push((source, inbox, child));
    }

    event_loop
        .run_until(|| doomed_inbox.len() >= 1000, Some(PATIENCE))
        .unwrap();
    doomed.kill().unwrap();
    assert!(!doomed.wait().unwrap().success());
    // E2: a sender whose process died, with no end frame, ends lost.
    event_loop
        .run_until(|| doomed_receiver.end().is_some(), Some(PATIENCE))
        .unwrap();
    assert_eq!(doomed_receiver.end(), Some(SenderEnd::Lost));

    event_loop
        .run_until(
            || {
                others
                    .iter()
                    .all(|(_, inbox, _)| inbox.len() == COUNT as usize)
            },
            Some(PATIENCE),
        )
        .unwrap();
    for (source, inbox, child) in others {
        assert!(child_succeeded(child));
        assert_eq!(inbox.messages(), sequence(source, COUNT));
    }

    // The router takes new senders after the fault.
    let (late_sender, _late_receiver, late_inbox) = pipe_with_inbox(&router);
    let late = spawn_child("child_sends_sequence", &late_sender.token(), 7, 1000);
    event_loop
        .run_until(|| late_inbox.len() == 1000, Some(PATIENCE))
        .unwrap();
    assert!(child_succeeded(late));
    assert_eq!(late_inbox.messages(), sequence(7, 1000));

    // What the killed child got out is a clean prefix of its sequence.
    let got = doomed_inbox.messages();
    let sent = u32::try_from(got.len()).unwrap();
    assert!(sent >= 1000);
    assert_eq!(got, sequence(99, sent));
    assert!(router.is_running());
    router.stop().unwrap();
}

#[test]
fn sender_that_dies_mid_frame_loses_only_its_partial_frame() {
    let ((), captured) = router_conformance::capture::capture(|| {
        let (event_loop, router) = started_router::<Msg>();
        let (dying, _dying_receiver, dying_inbox) = pipe_with_inbox(&router);
        let (good, _good_receiver, good_inbox) = pipe_with_inbox(&router);
        let parts = token_parts(&dying.token());

        let mut client = RawClient::admitted::<Msg>(&parts.socket, parts.secret, parts.pipe);
        client.write_message(&(5u32, 0u32));
        let frame = router_process::wire::encode_message(&(5u32, 1u32), Vec::new()).unwrap();
        client.write_bytes(&frame[..frame.len() - 1]);
        drop(client);

        let good = std::thread::spawn(move || {
            let mut good = good;
            let mut open = good.open().unwrap();
            for seq in 0..100 {
                open.send((1, seq)).unwrap();
            }
        });
        event_loop
            .run_until(
                || good_inbox.len() == 100 && dying_inbox.len() == 1,
                Some(PATIENCE),
            )
            .unwrap();
        good.join().unwrap();
        assert_eq!(good_inbox.messages(), sequence(1, 100));
        // A warning is the sign the monitor saw the end; wait for it by
        // stopping, which joins the monitor.
        router.stop().unwrap();
        assert_eq!(dying_inbox.messages(), vec![(5, 0)]);
        let counts = router.dropped_frames();
        assert_eq!(
            counts.get(router_process::DropReason::CutShort),
            1,
            "{counts:?}"
        );
    });
    let warnings = captured.warnings_containing("in the middle of a frame");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert_eq!(warnings[0].field("pipe"), Some("#1"));
    assert_eq!(warnings[0].field("reason"), Some("CutShort"));
}

#[test]
fn child_started_after_router_stopped_gets_a_clear_connect_error() {
    let (_event_loop, router) = started_router::<Msg>();
    let (sender, _receiver) = router.pipe().unwrap();
    router.stop().unwrap();
    let child = spawn_child("child_expects_no_router", &sender.token(), 0, 0);
    assert!(child_succeeded(child));
}

#[test]
fn child_started_before_its_router_listens_gets_a_clear_connect_error() {
    // The token names a socket where no router listens yet.
    let dir = tempfile::tempdir().unwrap();
    let token = format!(
        "rp1:1:{:032x}:{}",
        0x1234_u128,
        dir.path().join("socket").display()
    );
    let child = spawn_child("child_expects_no_router", &token, 0, 0);
    assert!(child_succeeded(child));
}

#[test]
fn child_of_another_message_type_is_refused_naming_both_types() {
    let (_event_loop, router) = started_router::<u64>();
    let (sender, _receiver) = router.pipe().unwrap();
    let child = spawn_child("child_sends_u32_into_a_u64_router", &sender.token(), 0, 0);
    assert!(child_succeeded(child));
    router.stop().unwrap();
}

#[test]
fn grandchild_of_a_child_does_not_inherit_the_token() {
    let (event_loop, router) = started_router::<Msg>();
    let (sender, _receiver, inbox) = pipe_with_inbox(&router);
    let child = spawn_child("child_spawns_a_grandchild", &sender.token(), 3, 1);
    assert!(child_succeeded(child), "the child or its grandchild failed");
    // The child's token still worked after the grandchild ran.
    event_loop
        .run_until(|| inbox.len() == 1, Some(PATIENCE))
        .unwrap();
    assert_eq!(inbox.messages(), sequence(3, 1));
    router.stop().unwrap();
}

#[test]
fn token_file_is_private_read_once_and_gone_with_its_router() {
    use std::os::unix::fs::PermissionsExt;

    let (_event_loop, router) = started_router::<Msg>();
    let (sender, _receiver) = router.pipe().unwrap();
    let socket_dir = router.socket_path().unwrap().parent().unwrap().to_owned();

    let mut command = child::test_command("child_reads_its_token_twice", &sender.token()).unwrap();
    let path = command
        .get_envs()
        .find(|(name, _)| *name == child::TOKEN_FILE_VAR)
        .and_then(|(_, value)| value)
        .map(std::path::PathBuf::from)
        .unwrap();
    assert_eq!(path.parent(), Some(socket_dir.as_path()));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "token file mode {mode:o}");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains(&sender.token())
    );
    assert!(child_succeeded(command.spawn().unwrap()));
    assert!(!path.exists(), "the child did not remove its token file");

    // A file no child read goes with the router's directory.
    let unread =
        child::pass_token(&mut std::process::Command::new("true"), &sender.token()).unwrap();
    assert!(unread.exists());
    router.stop().unwrap();
    assert!(!unread.exists(), "an unread token file outlived its router");
}

// ---- the children --------------------------------------------------------

fn env_number(variable: &str) -> u32 {
    std::env::var(variable).unwrap().parse().unwrap()
}

#[test]
#[ignore = "a child process of the tests above"]
fn child_sends_sequence() {
    let source = env_number(SOURCE_VAR);
    let count = env_number(COUNT_VAR);
    let mut sender: ProcessSender<Msg> = child::sender_from_env().unwrap();
    let mut open = sender.open().unwrap();
    for seq in 0..count {
        open.send((source, seq)).unwrap();
    }
}

#[test]
#[ignore = "a child process of the tests above"]
fn child_sends_until_killed() {
    let source = env_number(SOURCE_VAR);
    let mut sender: ProcessSender<Msg> = child::sender_from_env().unwrap();
    let mut open = sender.open().unwrap();
    for seq in 0.. {
        if open.send((source, seq)).is_err() {
            return;
        }
    }
}

#[test]
#[ignore = "a child process of the tests above"]
fn child_expects_no_router() {
    let mut sender: ProcessSender<Msg> = child::sender_from_env().unwrap();
    let error = sender.start().unwrap_err();
    eprintln!("child: {error}");
    match error.cause::<ConnectError>() {
        Some(cause @ ConnectError::NoRouter { .. }) => {
            assert!(
                cause.to_string().contains("no router is listening"),
                "{cause}"
            );
        }
        other => panic!("expected no router listening, got {error:?} ({other:?})"),
    }
}

#[test]
#[ignore = "a child process of the tests above"]
fn child_sends_u32_into_a_u64_router() {
    let mut sender: ProcessSender<u32> = child::sender_from_env().unwrap();
    let error = sender.start().unwrap_err();
    eprintln!("child: {error}");
    match error.cause::<ConnectError>() {
        Some(cause @ ConnectError::MessageType { .. }) => {
            let said = cause.to_string();
            assert!(said.contains("`u32`"), "{said}");
            assert!(said.contains("`u64`"), "{said}");
        }
        other => panic!("expected a message-type refusal, got {error:?} ({other:?})"),
    }
}

#[test]
#[ignore = "a child process of the tests above"]
fn child_spawns_a_grandchild() {
    let source = env_number(SOURCE_VAR);
    let mut sender: ProcessSender<Msg> = child::sender_from_env().unwrap();
    // A careless grandchild: it inherits all this process can give it.
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "grandchild_finds_no_token",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the grandchild found a token: {status}");
    let mut open = sender.open().unwrap();
    open.send((source, 0)).unwrap();
}

#[test]
#[ignore = "a grandchild process of the tests above"]
fn grandchild_finds_no_token() {
    for (name, value) in std::env::vars_os() {
        assert!(
            !value.to_string_lossy().contains("rp1:"),
            "the grandchild inherited a token in {name:?}"
        );
    }
    // It inherited the path of the token file, which its parent removed.
    let found = child::sender_from_env::<Msg>();
    assert!(
        matches!(found, Err(TokenError::FileGone { .. })),
        "the grandchild got {found:?}"
    );
}

#[test]
#[ignore = "a child process of the tests above"]
fn child_reads_its_token_twice() {
    let path = std::env::var_os(child::TOKEN_FILE_VAR).unwrap();
    let token = child::token_from_env().unwrap();
    assert!(token.starts_with("rp1:"));
    assert!(
        !std::path::Path::new(&path).exists(),
        "the file outlived its read"
    );
    // Read once, kept: the same token again.
    assert_eq!(child::token_from_env().unwrap(), token);
}
