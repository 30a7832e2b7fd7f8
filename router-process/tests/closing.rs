//! A sender in another process learns that its pipe closed (C1, C2): the
//! router writes one byte on its connection, which the sender reads
//! without a thread, and a worker looping `while !sender.is_closed()`
//! stops. The tests run one at a time: one of them counts the monitor
//! thread's wake-ups.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Read;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use router_api::{MessageRouter, MessageSender};
use router_process::{MONITOR_THREAD_NAME, ProcessSender, child, wire};
use support::{PATIENCE, RawClient, pipe_with_inbox, started_router, token_parts};

type Msg = (u32, u32);

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How long after `since` the sender said it is closed, asking as a busy
/// worker does; `None` if it did not within the patience.
fn learned_after(sender: &impl MessageSender<Msg>, since: Instant) -> Option<Duration> {
    while since.elapsed() < PATIENCE {
        if sender.is_closed() {
            return Some(since.elapsed());
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    None
}

#[test]
fn c2_worker_in_a_child_process_stops_once_its_pipe_closes() {
    let _serial = one_at_a_time();
    let (event_loop, router) = started_router::<Msg>();
    let (sender, receiver, inbox) = pipe_with_inbox(&router);
    let mut worker = child::test_command("child_works_until_closed", &sender.token())
        .unwrap()
        .spawn()
        .unwrap();
    // The worker reports as it goes: once a report came, it is connected.
    event_loop
        .run_until(|| inbox.len() >= 3, Some(PATIENCE))
        .unwrap();
    let closed_at = Instant::now();
    router.close_pipe(&receiver).unwrap();
    // No routing meanwhile: the monitor tells the child on its own.
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
    // C2's 100 ms, and the child's exit, on a loaded machine.
    assert!(took < Duration::from_secs(2), "{took:?}");
    router.stop().unwrap();
}

#[test]
fn c2_sender_learns_within_100_ms_of_close_pipe_at_the_median() {
    let _serial = one_at_a_time();
    let (_event_loop, router) = started_router::<Msg>();
    let mut took = Vec::new();
    for _ in 0..20 {
        let (sender, receiver) = router.pipe().unwrap();
        let mut sender = ProcessSender::<Msg>::from_token(&sender.token()).unwrap();
        sender.start().unwrap();
        assert!(!sender.is_closed());
        let closed_at = Instant::now();
        router.close_pipe(&receiver).unwrap();
        took.push(learned_after(&sender, closed_at).expect("the sender never learned"));
        sender.stop().unwrap();
    }
    took.sort();
    eprintln!(
        "close_pipe to is_closed, 20 pipes: min {:?}, median {:?}, max {:?}",
        took[0], took[10], took[19]
    );
    assert!(took[10] <= Duration::from_millis(100), "{took:?}");
    router.stop().unwrap();
}

#[test]
fn c2_sender_started_after_its_pipe_closed_learns_it_and_sends_on() {
    let _serial = one_at_a_time();
    let (event_loop, router) = started_router::<Msg>();
    let (sender, receiver, inbox) = pipe_with_inbox(&router);
    let (other, _other_receiver, other_inbox) = pipe_with_inbox(&router);
    let token = sender.token();
    router.close_pipe(&receiver).unwrap();
    let mut late = ProcessSender::<Msg>::from_token(&token).unwrap();
    assert!(
        !late.is_closed(),
        "rebuilt from a token, it has not asked yet"
    );
    late.start().unwrap();
    let took = learned_after(&late, Instant::now()).expect("the late sender never learned");
    assert!(took <= Duration::from_millis(100), "{took:?}");
    // R7: its sends still succeed, and are discarded.
    late.send((1, 0)).unwrap();
    late.stop().unwrap();
    let mut other = other;
    other.start().unwrap();
    other.send((2, 0)).unwrap();
    event_loop
        .run_until(|| other_inbox.len() == 1, Some(PATIENCE))
        .unwrap();
    assert_eq!(inbox.len(), 0);
    router.stop().unwrap();
}

#[test]
fn c2_router_writes_the_closed_byte_once_then_closes_as_it_stops() {
    let _serial = one_at_a_time();
    let (_event_loop, router) = started_router::<Msg>();
    let (sender, receiver) = router.pipe().unwrap();
    let parts = token_parts(&sender.token());
    let mut client = RawClient::admitted::<Msg>(&parts.socket, parts.secret, parts.pipe);
    router.close_pipe(&receiver).unwrap();
    let mut word = [0u8];
    client.stream.read_exact(&mut word).unwrap();
    assert_eq!(word[0], wire::CLOSED);
    router.stop().unwrap();
    let mut rest = Vec::new();
    // The stop closes the connection; nothing came after the byte.
    let _ = client.stream.read_to_end(&mut rest);
    assert!(rest.is_empty(), "{rest:?}");
}

/// The voluntary context switches of this process's monitor thread: one
/// per wake-up of its `poll`.
fn monitor_wakes() -> u64 {
    let deadline = Instant::now() + PATIENCE;
    // A new thread names itself a moment after it starts.
    let task = loop {
        let found = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(Result::ok)
            .find(|task| {
                std::fs::read_to_string(task.path().join("comm"))
                    .is_ok_and(|name| name.trim_end() == MONITOR_THREAD_NAME)
            });
        match found {
            Some(task) => break task,
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(1)),
            None => panic!("no monitor thread runs"),
        }
    };
    let status = std::fs::read_to_string(task.path().join("status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("voluntary_ctxt_switches:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// How many times the monitor woke up in `span`.
fn wakes_during(span: Duration) -> u64 {
    let before = monitor_wakes();
    std::thread::sleep(span);
    monitor_wakes() - before
}

#[test]
fn c2_monitor_wakes_on_a_timer_only_while_a_connected_sender_is_untold() {
    let _serial = one_at_a_time();
    let span = Duration::from_millis(500);
    let (_event_loop, router) = started_router::<Msg>();
    let (sender, receiver) = router.pipe().unwrap();
    let idle = wakes_during(span);
    let mut sender = sender;
    sender.start().unwrap();
    let watching = wakes_during(span);
    router.close_pipe(&receiver).unwrap();
    learned_after(&sender, Instant::now()).expect("the sender never learned");
    let told = wakes_during(span);
    eprintln!(
        "monitor wake-ups in {span:?}: no sender {idle}, one connected {watching}, \
         told {told}"
    );
    assert!(idle <= 2, "{idle}");
    // One look per 20 ms: 25 in half a second.
    assert!((10..=40).contains(&watching), "{watching}");
    assert!(told <= 2, "{told}");
    sender.stop().unwrap();
    router.stop().unwrap();
}

// ---- the child -----------------------------------------------------------

#[test]
#[ignore = "a child process of the tests above"]
fn child_works_until_closed() {
    let mut sender: ProcessSender<Msg> = child::sender_from_env().unwrap();
    sender.start().unwrap();
    let mut item = 0;
    while !sender.is_closed() {
        // A unit of work, and its report.
        std::thread::sleep(Duration::from_millis(1));
        sender.send((0, item)).unwrap();
        item += 1;
    }
    // R7: a closed pipe's sender still works; its messages are discarded.
    sender.send((0, item)).unwrap();
    sender.stop().unwrap();
}
