//! A connection that arrives while the router's process is out of file
//! descriptors waits in the socket's backlog, and the router picks it up
//! once descriptors are free again, logging the condition once.
//!
//! Running out of descriptors would break any other test sharing the
//! process, so the test re-runs this binary as a child under
//! `sh -c 'ulimit -n …'` (a low limit makes running out quick), filtered
//! to the `#[ignore]`d scenario below, and waits for it to succeed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs::File;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use router_api::{MessageRouter, MessageSender};
use router_conformance::capture::capture_live;
use support::{PATIENCE, pipe_with_inbox, started_router};

/// Set in the child: the descriptor limit it runs under.
const LIMIT_VAR: &str = "ROUTER_PROCESS_TEST_NOFILE";

/// Low enough to run out in a moment, high enough for the test harness.
const LIMIT: u32 = 64;

/// How much sooner than the sender's own 30 s connect timeout the
/// connection must be accepted once descriptors are free.
const PROMPTLY: Duration = Duration::from_secs(10);

#[test]
fn connection_that_arrives_out_of_descriptors_is_accepted_once_they_are_free() {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(r#"ulimit -n "$0" && exec "$@""#)
        .arg(LIMIT.to_string())
        .arg(std::env::current_exe().unwrap())
        .args([
            "scenario_out_of_descriptors",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(LIMIT_VAR, LIMIT.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + PATIENCE * 2;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the scenario did not end within {:?}", PATIENCE * 2);
        }
        thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "the scenario failed: {status}");
}

#[test]
#[ignore = "runs in a child process with a low descriptor limit; see the test above"]
fn scenario_out_of_descriptors() {
    assert!(
        std::env::var_os(LIMIT_VAR).is_some(),
        "run by connection_that_arrives_out_of_descriptors_is_accepted_once_they_are_free"
    );
    let ((), captured) = capture_live(|recording| {
        let (event_loop, router) = started_router::<u64>();
        let (sender, _receiver, inbox) = pipe_with_inbox(&router);

        // Take every free descriptor but one, which the sender's socket takes.
        let mut hog = Vec::new();
        let full = loop {
            match File::open("/dev/null") {
                Ok(file) => hog.push(file),
                Err(error) => break error,
            }
            assert!(hog.len() <= LIMIT as usize, "the limit is not in force");
        };
        eprintln!("scenario: out of descriptors after {}: {full}", hog.len());
        hog.pop();

        let (started_tx, started_rx) = mpsc::channel();
        let worker = thread::spawn(move || {
            let mut sender = sender;
            let started = sender.start();
            let sent = started.is_ok() && sender.send(7).is_ok();
            started_tx.send(started.map(|()| sent)).unwrap();
        });

        // The router sees the connection and cannot accept it ...
        let deadline = Instant::now() + PATIENCE;
        while !recording.has_warning_containing("cannot accept") {
            assert!(
                Instant::now() < deadline,
                "the router never tried to accept"
            );
            thread::sleep(Duration::from_millis(5));
        }
        // ... and stays out of descriptors a while, long enough for many
        // retries, each of which must not log again.
        thread::sleep(Duration::from_millis(500));
        drop(hog);

        let started = started_rx
            .recv_timeout(PROMPTLY)
            .expect("the connection was not accepted once descriptors were free");
        assert!(matches!(started, Ok(true)), "{started:?}");
        worker.join().unwrap();
        event_loop
            .run_until(|| inbox.len() == 1, Some(PATIENCE))
            .unwrap();
        assert_eq!(inbox.messages(), vec![7]);
        router.stop().unwrap();
    });
    let warnings = captured.warnings_containing("cannot accept");
    assert_eq!(warnings.len(), 1, "{captured:?}");
    assert!(warnings[0].field("error").is_some(), "{:?}", warnings[0]);
    // It retried many times in the half second, and said so once, at the end.
    let again: Vec<_> = captured
        .events()
        .iter()
        .filter(|event| event.message.contains("accepting connections again"))
        .collect();
    assert_eq!(again.len(), 1, "{captured:?}");
    let retries: u64 = again[0].field("retries").unwrap().parse().unwrap();
    assert!(retries >= 2, "{:?}", again[0]);
}
