//! A run's socket and thread live from `start` to `stop` (R5): after `stop`
//! the monitor thread is gone, the socket and its directory are removed,
//! and senders fail cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;

use router_api::{
    DefaultEventLoop, MessageRouter, MessageSender, PipeError, RouterStartError, RouterStopError,
    SenderStartError,
};
use router_process::{MONITOR_THREAD_NAME, ProcessRouter, ProcessSender};
use support::{PATIENCE, pipe_with_inbox, started_router};

/// The tests here count this process's monitor threads, so they run one
/// at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether the number of monitor threads becomes `count`, waiting as long
/// as the test's patience at most: a new thread names itself a moment
/// after it starts, and a joined one leaves the system's list a moment
/// after it ends.
fn monitor_threads_become(count: usize) -> bool {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let now = monitor_threads();
        if now == count {
            return true;
        }
        if std::time::Instant::now() > deadline {
            eprintln!("{now} monitor threads, expected {count}");
            return false;
        }
        thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// How many threads of this process carry the monitor's name.
fn monitor_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.trim_end() == MONITOR_THREAD_NAME)
        })
        .count()
}

#[test]
fn stop_joins_the_monitor_and_removes_socket_and_directory() {
    let _serial = one_at_a_time();
    let event_loop = DefaultEventLoop::new();
    let router = ProcessRouter::<u64>::new(&event_loop);
    assert!(monitor_threads_become(0));
    router.start().unwrap();
    assert!(monitor_threads_become(1));
    let socket = router.socket_path().unwrap();
    let dir = socket.parent().unwrap().to_owned();
    assert!(socket.exists());

    let (sender, receiver, inbox) = pipe_with_inbox(&router);
    let worker = thread::spawn(move || {
        let mut sender = sender;
        let mut open = sender.open().unwrap();
        for n in 0..1000 {
            open.send(n).unwrap();
        }
    });
    event_loop
        .run_until(|| inbox.len() == 1000, Some(PATIENCE))
        .unwrap();
    worker.join().unwrap();
    assert_eq!(inbox.messages(), (0..1000).collect::<Vec<u64>>());
    router.close_pipe(&receiver).unwrap();

    router.stop().unwrap();
    assert!(
        monitor_threads_become(0),
        "the monitor thread outlived stop"
    );
    assert!(!socket.exists());
    assert!(!dir.exists());
    assert_eq!(router.socket_path(), None);
}

#[test]
fn dropping_a_running_router_stops_it_and_removes_its_socket() {
    let _serial = one_at_a_time();
    let (_event_loop, router) = started_router::<u64>();
    let socket = router.socket_path().unwrap();
    drop(router);
    assert!(monitor_threads_become(0));
    assert!(!socket.parent().unwrap().exists());
}

#[test]
fn send_after_stop_fails_disconnected_without_blocking() {
    let _serial = one_at_a_time();
    let (event_loop, router) = started_router::<u64>();
    let (sender, _receiver, inbox) = pipe_with_inbox(&router);
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (stopped_tx, stopped_rx) = std::sync::mpsc::channel::<()>();
    let worker = thread::spawn(move || {
        let mut sender = sender;
        sender.start().unwrap();
        sender.send(1).unwrap();
        started_tx.send(()).unwrap();
        stopped_rx.recv().unwrap();
        let error = sender.send(2).unwrap_err();
        let again = sender.send(3).unwrap_err();
        (error.without_message(), again.into_message(), sender.stop())
    });
    started_rx.recv_timeout(PATIENCE).unwrap();
    event_loop
        .run_until(|| inbox.len() == 1, Some(PATIENCE))
        .unwrap();
    router.stop().unwrap();
    stopped_tx.send(()).unwrap();
    let (error, message, stopped) = worker.join().unwrap();
    assert!(error.is_disconnected(), "{error}");
    assert_eq!(message, 3);
    assert_eq!(stopped, Ok(()));
}

#[test]
fn start_after_router_stopped_fails_with_connect_error() {
    let _serial = one_at_a_time();
    let (_event_loop, router) = started_router::<u64>();
    let (mut sender, _receiver) = router.pipe().unwrap();
    router.stop().unwrap();
    let error = sender.start().unwrap_err();
    match &error {
        SenderStartError::Connect { pipe, source } => {
            assert_eq!(*pipe, sender.pipe_id());
            let cause = source.to_string();
            assert!(cause.contains("no router is listening"), "{cause}");
        }
        other => panic!("expected a connect error, got {other}"),
    }
    assert!(
        matches!(
            error.cause::<router_process::ConnectError>(),
            Some(router_process::ConnectError::NoRouter { .. })
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("could not connect"), "{error}");
}

#[test]
fn tokens_of_an_earlier_run_do_not_reach_the_next_one() {
    let _serial = one_at_a_time();
    let (event_loop, router) = started_router::<u64>();
    let (old, _old_receiver) = router.pipe().unwrap();
    let old_socket = router.socket_path().unwrap();
    router.stop().unwrap();
    router.start().unwrap();
    assert_ne!(router.socket_path().unwrap(), old_socket);
    let (mut new, receiver, inbox) = pipe_with_inbox(&router);
    let mut replay = ProcessSender::<u64>::from_token(&old.token()).unwrap();
    assert!(matches!(
        replay.start().unwrap_err(),
        SenderStartError::Connect { .. }
    ));
    new.start().unwrap();
    new.send(5).unwrap();
    event_loop
        .run_until(|| inbox.len() == 1, Some(PATIENCE))
        .unwrap();
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn router_lifecycle_errors_are_the_core_ones() {
    let _serial = one_at_a_time();
    let event_loop = DefaultEventLoop::new();
    let router = ProcessRouter::<u64>::new(&event_loop);
    assert!(matches!(router.stop(), Err(RouterStopError::NotRunning)));
    assert!(matches!(router.pipe(), Err(PipeError::NotRunning)));
    router.start().unwrap();
    assert!(matches!(
        router.start(),
        Err(RouterStartError::AlreadyRunning)
    ));
    // A monitor made by the refused start would outlive the one stop.
    router.stop().unwrap();
    assert!(monitor_threads_become(0), "a refused start left a thread");
}

/// Code generic over routers reaches a process router's stats, open pipes
/// and drain budget through `RouterControl`.
fn control<R: MessageRouter<u64> + router_api::RouterControl>(router: &R) -> (usize, usize) {
    router.set_drain_budget(router_api::DrainBudget {
        max_messages: 9,
        ..router.drain_budget()
    });
    (router.open_pipes(), router.drain_budget().max_messages)
}

#[test]
fn router_control_reaches_a_process_router_generically() {
    let _serial = one_at_a_time();
    let (_event_loop, router) = started_router::<u64>();
    let (_sender, receiver) = router.pipe().unwrap();
    assert_eq!(control(&router), (1, 9));
    assert_eq!(router_api::RouterControl::stats(&router).routed, 0);
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}
