//! Senders in worker processes: the test binary runs itself again as the
//! worker, filtered to one of the `worker_*` tests at the bottom (ignored
//! when run by hand), with its token in the environment.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use router_api::{MessageRouter, MessageSender};
use router_nats::NatsSender;
use support::{NatsServer, PATIENCE, pipe_with_inbox, run_until, started_router};

/// A message of the workers: its source and its place in that source's
/// sequence.
type Msg = (u32, u32);

const TOKEN_VAR: &str = "ROUTER_NATS_TEST_TOKEN";
const SOURCE_VAR: &str = "ROUTER_NATS_TEST_SOURCE";
const COUNT_VAR: &str = "ROUTER_NATS_TEST_COUNT";

fn spawn_worker(test: &str, token: &str, source: u32, count: u32) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            test,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(TOKEN_VAR, token)
        .env(SOURCE_VAR, source.to_string())
        .env(COUNT_VAR, count.to_string())
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// Whether a worker exited with success within the test's patience (a
/// thread waits for it, so the test waits no longer than it must); one
/// that outlives the patience is killed.
fn worker_succeeded(mut child: Child) -> bool {
    let pid = child.id();
    let (exited, exit) = std::sync::mpsc::channel();
    std::thread::spawn(move || exited.send(child.wait().map(|status| status.success())));
    exit.recv_timeout(PATIENCE).map_or_else(
        |_| {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            false
        },
        |status| status.unwrap_or(false),
    )
}

#[test]
fn four_worker_processes_deliver_every_message_once_in_order() {
    const WORKERS: u32 = 4;
    const COUNT: u32 = 2000;
    let server = NatsServer::shared();
    let (event_loop, router) = started_router::<Msg>(server);
    let mut pipes = Vec::new();
    let mut workers = Vec::new();
    for source in 0..WORKERS {
        let (sender, receiver, inbox) = pipe_with_inbox(&router);
        workers.push(spawn_worker(
            "worker_sends_sequence",
            &sender.token(),
            source,
            COUNT,
        ));
        pipes.push((receiver, inbox));
    }
    run_until(&event_loop, "every worker's messages", || {
        pipes.iter().all(|(_, inbox)| inbox.len() as u32 >= COUNT)
    });
    for worker in workers {
        assert!(worker_succeeded(worker), "a worker failed");
    }
    for (source, (receiver, inbox)) in (0..).zip(&pipes) {
        let expected: Vec<Msg> = (0..COUNT).map(|seq| (source, seq)).collect();
        assert_eq!(inbox.messages(), expected, "worker {source}");
        router.close_pipe(receiver).unwrap();
    }
    router.stop().unwrap();
}

#[test]
fn a_killed_worker_costs_only_its_own_pipe() {
    let server = NatsServer::shared();
    let (event_loop, router) = started_router::<Msg>(server);
    let (doomed, doomed_rx, doomed_inbox) = pipe_with_inbox(&router);
    let (mut survivor, survivor_rx, survivor_inbox) = pipe_with_inbox(&router);
    let mut child = spawn_worker("worker_sends_until_killed", &doomed.token(), 7, 0);
    run_until(&event_loop, "the doomed worker's first messages", || {
        doomed_inbox.len() >= 100
    });
    child.kill().unwrap();
    child.wait().unwrap();
    // What it sent before it died arrives whole, in order.
    support::run_for(&event_loop, Duration::from_millis(300));
    let got = doomed_inbox.messages();
    let expected: Vec<Msg> = (0..).map(|seq| (7, seq)).take(got.len()).collect();
    assert_eq!(got, expected);
    // The router and its other pipes carry on.
    survivor.start().unwrap();
    survivor.send((1, 0)).unwrap();
    run_until(&event_loop, "the surviving pipe's message", || {
        survivor_inbox.len() == 1
    });
    survivor.stop().unwrap();
    router.close_pipe(&doomed_rx).unwrap();
    router.close_pipe(&survivor_rx).unwrap();
    router.stop().unwrap();
}

#[test]
fn c2_worker_process_looping_until_closed_exits_once_its_pipe_closes() {
    let server = NatsServer::shared();
    let (event_loop, router) = started_router::<Msg>(server);
    let (sender, receiver, inbox) = pipe_with_inbox(&router);
    let mut worker = spawn_worker("worker_works_until_closed", &sender.token(), 5, 0);
    run_until(&event_loop, "the worker's first reports", || {
        inbox.len() >= 3
    });
    let closed_at = std::time::Instant::now();
    router.close_pipe(&receiver).unwrap();
    // No routing meanwhile: the consumer thread tells the worker.
    let status = loop {
        if let Some(status) = worker.try_wait().unwrap() {
            break status;
        }
        if closed_at.elapsed() > PATIENCE {
            let _ = worker.kill();
            panic!("the worker ran on for {PATIENCE:?} after its pipe was closed");
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let took = closed_at.elapsed();
    eprintln!("close_pipe to the worker process's exit: {took:?}");
    assert!(status.success(), "the worker failed: {status}");
    // C2's 100 ms, the worker's stop and its exit, on a loaded machine.
    assert!(took < Duration::from_secs(2), "{took:?}");
    router.stop().unwrap();
}

// ---- the workers ---------------------------------------------------------

fn env_number(variable: &str) -> u32 {
    std::env::var(variable).unwrap().parse().unwrap()
}

fn sender_from_env() -> NatsSender<Msg> {
    NatsSender::from_token(&std::env::var(TOKEN_VAR).unwrap()).unwrap()
}

#[test]
#[ignore = "a worker process of the tests above"]
fn worker_sends_sequence() {
    let source = env_number(SOURCE_VAR);
    let count = env_number(COUNT_VAR);
    let mut sender = sender_from_env();
    sender.set_window(16);
    let mut open = sender.open().unwrap();
    for seq in 0..count {
        open.send((source, seq)).unwrap();
    }
}

#[test]
#[ignore = "a worker process of the tests above"]
fn worker_sends_until_killed() {
    let source = env_number(SOURCE_VAR);
    let mut sender = sender_from_env();
    let mut open = sender.open().unwrap();
    for seq in 0.. {
        if open.send((source, seq)).is_err() {
            return;
        }
    }
}

#[test]
#[ignore = "a worker process of the tests above"]
fn worker_works_until_closed() {
    let source = env_number(SOURCE_VAR);
    let mut sender = sender_from_env();
    sender.start().unwrap();
    let mut seq = 0;
    while !sender.is_closed() {
        // A unit of work, and its report.
        std::thread::sleep(Duration::from_millis(1));
        sender.send((source, seq)).unwrap();
        seq += 1;
    }
    // R7: a closed pipe's sender still works; its messages are discarded.
    sender.send((source, seq)).unwrap();
    sender.stop().unwrap();
}
