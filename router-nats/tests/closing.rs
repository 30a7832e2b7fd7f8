//! A sender on another machine learns that its pipe closed (C1, C2): the
//! router publishes a notice on a subject the sender listens on, and a
//! worker looping `while !sender.is_closed()` stops. The senders here are
//! rebuilt from their tokens, as a remote worker's are. The tests run one
//! at a time: some count threads and their wake-ups.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use router_api::{MessageReceiver, MessageRouter, MessageSender};
use router_nats::{CONSUMER_THREAD_NAME, LISTENER_THREAD_NAME, NatsSender};
use support::{NatsServer, PATIENCE, pipe_with_inbox, run_until, started_router};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How long after `since` the sender said it is closed, asking as a busy
/// worker does; `None` if it did not within the patience.
fn learned_after(sender: &impl MessageSender<u32>, since: Instant) -> Option<Duration> {
    while since.elapsed() < PATIENCE {
        if sender.is_closed() {
            return Some(since.elapsed());
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    None
}

#[test]
fn c2_worker_with_a_sender_from_a_token_stops_once_its_pipe_closes() {
    let _serial = one_at_a_time();
    let (event_loop, router) = started_router::<u32>(NatsServer::shared());
    let (sender, receiver, inbox) = pipe_with_inbox(&router);
    let token = sender.token();
    let (done, is_done) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let mut sender = NatsSender::<u32>::from_token(&token).unwrap();
        sender.start().unwrap();
        let mut item = 0;
        while !sender.is_closed() {
            // A unit of work, and its report.
            std::thread::sleep(Duration::from_millis(1));
            sender.send(item).unwrap();
            item += 1;
        }
        let _ = done.send(Instant::now());
        // R7: a closed pipe's sender still works; its messages are
        // discarded.
        sender.send(item).unwrap();
        sender.stop().unwrap();
    });
    run_until(&event_loop, "the worker's first reports", || {
        inbox.len() >= 3
    });
    let closed_at = Instant::now();
    router.close_pipe(&receiver).unwrap();
    // No routing meanwhile: the consumer thread tells the worker.
    let stopped_at = is_done
        .recv_timeout(PATIENCE)
        .expect("the worker ran on after its pipe was closed");
    worker.join().unwrap();
    let took = stopped_at.saturating_duration_since(closed_at);
    eprintln!("close_pipe to the worker's loop ending: {took:?}");
    // C2's 100 ms, on a loaded machine.
    assert!(took < Duration::from_secs(1), "{took:?}");
    router.stop().unwrap();
}

#[test]
fn c2_sender_learns_within_100_ms_of_close_pipe_at_the_median() {
    let _serial = one_at_a_time();
    let (_event_loop, router) = started_router::<u32>(NatsServer::shared());
    let mut took = Vec::new();
    for _ in 0..20 {
        let (sender, receiver) = router.pipe().unwrap();
        let mut sender = NatsSender::<u32>::from_token(&sender.token()).unwrap();
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
fn c2_sender_started_after_its_pipe_closed_is_told_when_it_asks() {
    let _serial = one_at_a_time();
    let (_event_loop, router) = started_router::<u32>(NatsServer::shared());
    let (sender, receiver) = router.pipe().unwrap();
    let token = sender.token();
    router.close_pipe(&receiver).unwrap();
    let mut late = NatsSender::<u32>::from_token(&token).unwrap();
    assert!(
        !late.is_closed(),
        "rebuilt from a token, it has not asked yet"
    );
    late.start().unwrap();
    let took = learned_after(&late, Instant::now()).expect("the late sender never learned");
    assert!(took <= Duration::from_millis(100), "{took:?}");
    late.send(1).unwrap();
    late.stop().unwrap();
    router.stop().unwrap();
}

#[test]
fn c2_listening_senders_are_told_when_the_router_stops() {
    let _serial = one_at_a_time();
    let (_event_loop, router) = started_router::<u32>(NatsServer::shared());
    let (sender, _receiver) = router.pipe().unwrap();
    let mut sender = NatsSender::<u32>::from_token(&sender.token()).unwrap();
    sender.start().unwrap();
    sender.send(1).unwrap();
    let stopped_at = Instant::now();
    let ((), _) = router_conformance::capture::capture(|| router.stop().unwrap());
    let took = learned_after(&sender, stopped_at).expect("the sender never learned");
    eprintln!("stop to is_closed: {took:?}");
    // Told by a notice, before any send of its found the stream gone.
    assert!(took <= Duration::from_millis(500), "{took:?}");
    let _ = sender.stop();
}

#[test]
fn c2_notices_that_do_not_verify_are_passed_over() {
    let _serial = one_at_a_time();
    let server = NatsServer::shared();
    let (_event_loop, router) = started_router::<u32>(server);
    let (sender, receiver) = router.pipe().unwrap();
    let subject = format!("{}.closed", router.subject_of(receiver.pipe_id()).unwrap());
    let mut sender = NatsSender::<u32>::from_token(&sender.token()).unwrap();
    sender.start().unwrap();
    // Any client of the server can publish there: a notice with a
    // guessed tag, garbage, nothing, and a big payload.
    let mut guessed = vec![1u8];
    guessed.extend_from_slice(&[0x5a; 32]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(server.url()).await.unwrap();
        for payload in [
            guessed,
            b"closed".to_vec(),
            Vec::new(),
            vec![1u8; 64 * 1024],
        ] {
            client
                .publish(subject.clone(), payload.into())
                .await
                .unwrap();
        }
        client.flush().await.unwrap();
    });
    std::thread::sleep(Duration::from_millis(200));
    assert!(!sender.is_closed(), "a forged notice closed the pipe");
    let closed_at = Instant::now();
    router.close_pipe(&receiver).unwrap();
    learned_after(&sender, closed_at).expect("the sender never learned");
    sender.stop().unwrap();
    router.stop().unwrap();
}

/// The threads of this process named `name` (as the system cuts it, 15
/// bytes), each with its voluntary context switches: one per wake-up.
fn threads_named(name: &str) -> Vec<(String, u64)> {
    let name = &name[..name.len().min(15)];
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|comm| comm.trim_end() == name)
        })
        .filter_map(|task| {
            let status = std::fs::read_to_string(task.path().join("status")).ok()?;
            let switches = status
                .lines()
                .find_map(|line| line.strip_prefix("voluntary_ctxt_switches:"))?
                .trim()
                .parse()
                .ok()?;
            Some((task.file_name().to_string_lossy().into_owned(), switches))
        })
        .collect()
}

/// How many times the one thread named `name` woke up in `span`.
fn wakes_during(name: &str, span: Duration) -> u64 {
    let before = threads_named(name);
    assert_eq!(before.len(), 1, "threads named {name}: {before:?}");
    std::thread::sleep(span);
    let after = threads_named(name);
    let same = after.iter().find(|(tid, _)| *tid == before[0].0).unwrap();
    same.1 - before[0].1
}

#[test]
fn c2_the_ear_thread_sleeps_and_the_consumer_looks_only_while_one_listens() {
    let _serial = one_at_a_time();
    let span = Duration::from_millis(500);
    let (_event_loop, router) = started_router::<u32>(NatsServer::shared());
    let (sender, receiver) = router.pipe().unwrap();
    let no_one = wakes_during(CONSUMER_THREAD_NAME, span);
    let mut sender = NatsSender::<u32>::from_token(&sender.token()).unwrap();
    sender.start().unwrap();
    let listening = wakes_during(CONSUMER_THREAD_NAME, span);
    let ear = wakes_during(LISTENER_THREAD_NAME, span);
    router.close_pipe(&receiver).unwrap();
    learned_after(&sender, Instant::now()).expect("the sender never learned");
    let told = wakes_during(CONSUMER_THREAD_NAME, span);
    eprintln!(
        "wake-ups in {span:?}: consumer with no sender listening {no_one}, with one {listening}, \
         after telling it {told}; the sender's ear {ear}"
    );
    // One look per 20 ms: 25 in half a second.
    assert!(no_one <= 5, "{no_one}");
    assert!((10..=50).contains(&listening), "{listening}");
    assert!(told <= 5, "{told}");
    assert!(ear <= 5, "{ear}");
    // Told, the ear is gone; the sender's stop would join it otherwise.
    let deadline = Instant::now() + PATIENCE;
    while !threads_named(LISTENER_THREAD_NAME).is_empty() {
        assert!(Instant::now() < deadline, "the ear outlived its notice");
        std::thread::sleep(Duration::from_millis(5));
    }
    sender.stop().unwrap();
    router.stop().unwrap();
}
