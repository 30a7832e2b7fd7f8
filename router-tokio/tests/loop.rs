//! What is particular to `TokioLoop` (the conformance kit, in
//! `conformance.rs`, checks the rest, the lost-wake-up storm included):
//! routing from threads and tasks, fairness under a flood, a panicking
//! listener, and what happens once the `LocalSet` is gone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use router_api::{DrainBudget, MessageReceiver, MessageRouter, MessageSender};
use router_crossbeam::CrossbeamRouter;
use router_tokio::TokioLoop;
use tokio::runtime::Runtime;
use tokio::task::LocalSet;

const PATIENCE: Duration = Duration::from_secs(10);

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// Drives `local` until `done` holds; false if the patience ran out.
fn drive_until(runtime: &Runtime, local: &LocalSet, done: impl Fn() -> bool) -> bool {
    local.block_on(runtime, async {
        tokio::time::timeout(PATIENCE, async {
            while !done() {
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
        })
        .await
        .is_ok()
    })
}

#[test]
fn messages_from_threads_and_tasks_reach_listeners_on_the_local_set() {
    let runtime = runtime();
    let local = LocalSet::new();
    let router = CrossbeamRouter::<u32>::new(&TokioLoop::new(&local));
    router.start().unwrap();
    let total = Rc::new(Cell::new(0));
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    for _ in 0..2 {
        let (sender, receiver) = router.pipe().unwrap();
        receiver.connect({
            let total = Rc::clone(&total);
            move |n: &u32| total.set(total.get() + n)
        });
        receivers.push(receiver);
        senders.push(sender);
    }
    let mut task_sender = senders.pop().unwrap();
    let mut thread_sender = senders.pop().unwrap();
    let worker = std::thread::spawn(move || {
        let mut open = thread_sender.open().unwrap();
        for n in 1..=100 {
            open.send(n).unwrap();
        }
    });
    // A `Send` task of the runtime reports through its own pipe.
    runtime.spawn(async move {
        let mut open = task_sender.open().unwrap();
        for n in 1..=100 {
            open.send(n).unwrap();
            tokio::task::yield_now().await;
        }
    });
    assert!(drive_until(&runtime, &local, || total.get() == 2 * 5050));
    worker.join().unwrap();
    for receiver in &receivers {
        router.close_pipe(receiver).unwrap();
    }
    router.stop().unwrap();
}

#[test]
fn a_flood_leaves_other_local_tasks_running() {
    let runtime = runtime();
    let local = LocalSet::new();
    let router = CrossbeamRouter::<u64>::new(&TokioLoop::new(&local));
    router.set_drain_budget(DrainBudget {
        max_messages: 1_000,
        ..DrainBudget::default()
    });
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let routed = Rc::new(Cell::new(0u64));
    let ticks_during_flood = Rc::new(Cell::new(0u64));
    receiver.connect({
        let routed = Rc::clone(&routed);
        move |_: &u64| routed.set(routed.get() + 1)
    });
    const FLOOD: u64 = 200_000;
    {
        // Queued before the loop runs: one long drain unless it yields.
        let mut open = sender.open().unwrap();
        for n in 0..FLOOD {
            open.send(n).unwrap();
        }
    }
    local.spawn_local({
        let (routed, ticks) = (Rc::clone(&routed), Rc::clone(&ticks_during_flood));
        async move {
            while routed.get() < FLOOD {
                if routed.get() > 0 {
                    ticks.set(ticks.get() + 1);
                }
                tokio::task::yield_now().await;
            }
        }
    });
    assert!(drive_until(&runtime, &local, || routed.get() == FLOOD));
    assert!(
        ticks_during_flood.get() >= 10,
        "another task ran only {} times while {FLOOD} messages were routed in turns of 1000",
        ticks_during_flood.get()
    );
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn once_the_local_set_is_gone_pings_do_nothing_and_stop_still_works() {
    let runtime = runtime();
    let local = LocalSet::new();
    let event_loop = TokioLoop::new(&local);
    let router = CrossbeamRouter::<u32>::new(&event_loop);
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let seen = Rc::new(Cell::new(0));
    receiver.connect({
        let seen = Rc::clone(&seen);
        move |n: &u32| seen.set(*n)
    });
    sender.start().unwrap();
    sender.send(1).unwrap();
    assert!(drive_until(&runtime, &local, || seen.get() == 1));
    drop(local);
    // The router is still running; its pings go nowhere, and nothing panics.
    sender.send(2).unwrap();
    std::thread::spawn(move || sender.send(3).unwrap())
        .join()
        .unwrap();
    assert_eq!(seen.get(), 1);
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
    drop(runtime);
}

#[test]
fn a_panicking_listener_does_not_end_routing() {
    let runtime = runtime();
    let local = LocalSet::new();
    let router = CrossbeamRouter::<u32>::new(&TokioLoop::new(&local));
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let seen = Rc::new(Cell::new(0));
    receiver.connect({
        let seen = Rc::clone(&seen);
        move |n: &u32| {
            seen.set(*n);
            assert!(*n != 1, "a listener panics on purpose");
        }
    });
    sender.start().unwrap();
    sender.send(1).unwrap();
    sender.send(2).unwrap();
    assert!(
        drive_until(&runtime, &local, || seen.get() == 2),
        "routing ended at the panic"
    );
    sender.send(3).unwrap();
    assert!(drive_until(&runtime, &local, || seen.get() == 3));
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn a_task_awaits_a_pipe_as_a_stream_to_its_end() {
    use std::future::poll_fn;
    use std::pin::Pin;

    use futures_core::Stream;
    use router_api::IntoMessageStream;

    let runtime = runtime();
    let local = LocalSet::new();
    let router = CrossbeamRouter::<String>::new(&TokioLoop::new(&local));
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().unwrap();
        for n in 0..1000 {
            open.send(format!("line {n}")).unwrap();
        }
    });
    // A1, A2 on a real executor: owned messages, in order, then the end.
    let task = local.spawn_local(async move {
        let mut stream = receiver.into_stream();
        let mut lines = Vec::new();
        while let Some(line) = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
            lines.push(line);
        }
        lines
    });
    let lines = local
        .block_on(&runtime, async {
            tokio::time::timeout(PATIENCE, task).await
        })
        .expect("the stream ended within the patience")
        .unwrap();
    worker.join().unwrap();
    let expected: Vec<String> = (0..1000).map(|n| format!("line {n}")).collect();
    assert_eq!(lines, expected);
    router.stop().unwrap();
}
