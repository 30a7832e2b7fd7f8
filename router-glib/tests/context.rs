//! What is particular to `GlibLoop`, on a fresh `MainContext` per test (the
//! conformance kit, in `conformance.rs`, checks the rest, the lost-wake-up
//! storm included): fairness under a flood, the owner check, a panicking
//! listener, and what happens once the context is gone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use router_conformance::until_deadline;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

use glib::MainContext;
use router_api::{DrainBudget, MessageReceiver, MessageRouter, MessageSender};
use router_crossbeam::CrossbeamRouter;
use router_glib::{GlibLoop, GlibLoopError};

const PATIENCE: Duration = Duration::from_secs(10);

/// Iterates `context` until `done` holds; false if the patience ran out.
fn iterate_until(context: &MainContext, done: impl Fn() -> bool) -> bool {
    // Non-blocking, with a short sleep: a blocking iteration could sleep
    // past the deadline if nothing came.
    until_deadline(&mut || done(), PATIENCE, |_| {
        if !context.iteration(false) {
            std::thread::sleep(Duration::from_micros(200));
        }
    })
}

#[test]
fn a_flood_leaves_the_contexts_other_sources_running() {
    let context = MainContext::new();
    let router = CrossbeamRouter::<u64>::new(&GlibLoop::new(&context).unwrap());
    router.set_drain_budget(DrainBudget {
        max_messages: 1_000,
        ..DrainBudget::default()
    });
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let routed = Rc::new(Cell::new(0u64));
    receiver.connect({
        let routed = Rc::clone(&routed);
        move |_: &u64| routed.set(routed.get() + 1)
    });
    const FLOOD: u64 = 200_000;
    {
        let mut open = sender.open().unwrap();
        for n in 0..FLOOD {
            open.send(n).unwrap();
        }
    }
    let ticks = Rc::new(Cell::new(0u64));
    context.spawn_local({
        let (routed, ticks) = (Rc::clone(&routed), Rc::clone(&ticks));
        async move {
            while routed.get() < FLOOD {
                if routed.get() > 0 {
                    ticks.set(ticks.get() + 1);
                }
                glib::timeout_future(Duration::ZERO).await;
            }
        }
    });
    assert!(iterate_until(&context, || routed.get() == FLOOD));
    assert!(
        ticks.get() >= 10,
        "another future ran only {} times while {FLOOD} messages were routed in turns of 1000",
        ticks.get()
    );
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn a_context_owned_by_another_thread_is_refused_with_an_error() {
    let context = MainContext::new();
    let (owned, release) = (mpsc::channel(), mpsc::channel::<()>());
    let owner = std::thread::spawn({
        let context = context.clone();
        let (owned, release) = (owned.0, release.1);
        move || {
            let _guard = context.acquire().unwrap();
            owned.send(()).unwrap();
            release.recv().unwrap();
        }
    });
    owned.1.recv().unwrap();
    let refused = GlibLoop::new(&context);
    assert!(
        matches!(refused, Err(GlibLoopError::NotOwner)),
        "{refused:?}"
    );
    release.0.send(()).unwrap();
    owner.join().unwrap();
    assert!(
        GlibLoop::new(&context).is_ok(),
        "free again: the loop can be made"
    );
}

#[test]
fn once_the_context_is_gone_pings_do_nothing_and_stop_still_works() {
    let context = MainContext::new();
    let router = CrossbeamRouter::<u32>::new(&GlibLoop::new(&context).unwrap());
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let seen = Rc::new(Cell::new(0));
    receiver.connect({
        let seen = Rc::clone(&seen);
        move |n: &u32| seen.set(*n)
    });
    sender.start().unwrap();
    sender.send(1).unwrap();
    assert!(iterate_until(&context, || seen.get() == 1));
    drop(context);
    sender.send(2).unwrap();
    std::thread::spawn(move || sender.send(3).unwrap())
        .join()
        .unwrap();
    assert_eq!(seen.get(), 1);
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn a_panicking_listener_does_not_end_routing() {
    let context = MainContext::new();
    let router = CrossbeamRouter::<u32>::new(&GlibLoop::new(&context).unwrap());
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
        iterate_until(&context, || seen.get() == 2),
        "routing ended at the panic"
    );
    sender.send(3).unwrap();
    assert!(iterate_until(&context, || seen.get() == 3));
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
}

#[test]
fn a_local_future_awaits_a_pipe_as_a_stream_to_its_end() {
    use std::cell::RefCell;
    use std::future::poll_fn;
    use std::pin::Pin;

    use futures_core::Stream;
    use router_api::IntoMessageStream;

    let context = MainContext::new();
    let router = CrossbeamRouter::<String>::new(&GlibLoop::new(&context).unwrap());
    router.start().unwrap();
    let (mut sender, receiver) = router.pipe().unwrap();
    let lines = Rc::new(RefCell::new(None));
    // A1, A2 on glib's executor: owned messages, in order, then the end.
    context.spawn_local({
        let lines = Rc::clone(&lines);
        async move {
            let mut stream = receiver.into_stream();
            let mut got = Vec::new();
            while let Some(line) = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
                got.push(line);
            }
            *lines.borrow_mut() = Some(got);
        }
    });
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().unwrap();
        for n in 0..1000 {
            open.send(format!("line {n}")).unwrap();
        }
    });
    assert!(iterate_until(&context, || lines.borrow().is_some()));
    worker.join().unwrap();
    let expected: Vec<String> = (0..1000).map(|n| format!("line {n}")).collect();
    assert_eq!(lines.borrow_mut().take(), Some(expected));
    router.stop().unwrap();
}
