//! The sender's RAII guard (S2), and a sender that sends from any thread or
//! is dropped while open (S3).

use router_api::{MessageRouter, MessageSender, SendErrorKind, SenderStartError};

use crate::fixtures::drive::join;
use crate::fixtures::inbox::sequence;
use crate::fixtures::one_pipe::OnePipe;
use crate::fixtures::refusal::refused;
use crate::kit_loop::KitLoop;
use crate::message::Msg;
use crate::threads;

/// **S2**: the guard of `open` starts the sender, sends through it, and
/// stops it when dropped.
///
/// > S2 an RAII guard (the `with sender:` of the spec) starts the sender
/// > and stops it when dropped.
///
/// # Panics
///
/// When the backend breaks S2.
pub fn guard_starts_sender_and_stops_it_when_dropped<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let mut one = OnePipe::new(new_router, "S2");
    let pipe = one.sender().pipe_id();
    {
        let mut guard = one
            .sender()
            .open()
            .unwrap_or_else(|error| panic!("S2: open on a new sender failed: {error}"));
        guard
            .send(Msg::new(0, 0))
            .unwrap_or_else(|error| panic!("S2: send through the guard failed: {error}"));
        guard
            .send(Msg::new(0, 1))
            .unwrap_or_else(|error| panic!("S2: send through the guard failed: {error}"));
    }
    let error = refused(
        one.sender().send(Msg::new(0, 2)),
        "S2: send after the guard was dropped",
        "Stopped",
    );
    assert!(
        error.pipe() == pipe && matches!(error.kind(), SendErrorKind::Stopped),
        "S2: the dropped guard did not stop its sender: {error}"
    );
    let restart = one.sender().start();
    assert!(
        matches!(restart, Err(SenderStartError::Stopped { pipe: failed }) if failed == pipe),
        "S2: a sender stopped by its guard could start again: {restart:?}"
    );
    one.expect_routed(&sequence(0, 2), "S2");
    one.finish("S2");
}

/// **S2**: `open` on a started sender fails with
/// [`SenderStartError::AlreadyStarted`] and leaves it open.
///
/// > S2 an RAII guard (the `with sender:` of the spec) starts the sender
/// > and stops it when dropped.
///
/// # Panics
///
/// When the backend breaks S2.
pub fn open_on_started_sender_fails_already_started<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let mut one = OnePipe::new(new_router, "S2");
    let pipe = one.sender().pipe_id();
    one.sender().start().expect("S2: start failed");
    match one.sender().open() {
        Ok(_) => panic!("S2: open on a started sender succeeded; it must fail with AlreadyStarted"),
        Err(error) => assert!(
            matches!(error, SenderStartError::AlreadyStarted { pipe: failed } if failed == pipe),
            "S2: open on a started sender failed with the wrong error: {error}"
        ),
    }
    one.sender()
        .send(Msg::new(0, 0))
        .unwrap_or_else(|error| panic!("S2: a refused open closed the sender: {error}"));
    one.expect_routed(&sequence(0, 1), "S2");
    one.sender().stop().expect("S2: stop failed");
    one.finish("S2");
}

/// **S3**: a sender sends from the foreground thread too, and the event
/// loop routes what it sent.
///
/// > S3 a sender dropped while open stops itself; a sender sends from any
/// > thread, the foreground one included.
///
/// # Panics
///
/// When the backend breaks S3.
pub fn sender_sends_from_foreground_thread<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let mut one = OnePipe::new(new_router, "S3");
    one.sender().start().expect("S3: start failed");
    for message in sequence(0, 3) {
        one.sender()
            .send(message)
            .unwrap_or_else(|error| panic!("S3: send from the foreground failed: {error}"));
    }
    one.expect_routed(&sequence(0, 3), "S3");
    one.sender().stop().expect("S3: stop failed");
    one.finish("S3");
}

/// **S3**: a sender moved to another thread as a `Box<dyn MessageSender>`
/// sends from there.
///
/// > S3 a sender dropped while open stops itself; a sender sends from any
/// > thread, the foreground one included.
///
/// # Panics
///
/// When the backend breaks S3.
pub fn boxed_sender_sends_from_another_thread<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let mut one = OnePipe::new(new_router, "S3");
    let Some(sender) = one.sender.take() else {
        unreachable!("a new pipe holds its sender")
    };
    let mut sender: Box<dyn MessageSender<Msg>> = Box::new(sender);
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("S3: open on another thread failed");
        for message in sequence(0, 3) {
            open.send(message)
                .expect("S3: send from another thread failed");
        }
    });
    one.expect_routed(&sequence(0, 3), "S3");
    join(worker);
    one.finish("S3");
}

/// **S3**: a sender dropped while open (never stopped) still delivers
/// what it sent: all of it is routed, in order, and the run ends with no
/// warning.
///
/// > S3 a sender dropped while open stops itself; a sender sends from any
/// > thread, the foreground one included.
///
/// A sender that holds messages back until `stop` (a buffer, a batch)
/// must send them when it is dropped, as `stop` would. That the drop stops
/// the sender is checked by
/// [`sender_dropped_while_open_stops_itself`], where threads can be
/// counted.
///
/// # Panics
///
/// When the backend breaks S3.
pub fn sender_dropped_while_open_delivers_what_it_sent<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let mut one = OnePipe::new(new_router, "S3");
    let Some(mut sender) = one.sender.take() else {
        unreachable!("a new pipe holds its sender")
    };
    let worker = std::thread::spawn(move || {
        sender.start().expect("S3: start failed");
        for message in sequence(0, 3) {
            sender.send(message).expect("S3: send failed");
        }
        drop(sender);
    });
    join(worker);
    one.expect_routed(&sequence(0, 3), "S3");
    one.finish("S3");
}

/// **S3**: a sender dropped while open (never stopped) stops itself: what
/// its `start` set up ends with the drop, as `stop` would end it, and what
/// it sent is routed, in order, with no warning.
///
/// > S3 a sender dropped while open stops itself; a sender sends from any
/// > thread, the foreground one included.
///
/// What a stop does is seen through the traits only by what it releases
/// (after it the sender sends no more, but a dropped sender cannot be
/// asked). What the kit can see released is threads: the check lists the
/// process's threads (`/proc/self/task`) after the pipe is made, lets a
/// worker thread start the sender, send three messages and drop it, and
/// lists them again once the worker has ended. A thread in the second list
/// and not in the first was started during the sender's life (by its
/// `start`: a flusher, a heartbeat, a connection's reader) and outlived
/// the drop: the sender did not stop. As for R5's thread check
/// ([`no_router_thread_alive_after_stop`](super::shutdown::no_router_thread_alive_after_stop)),
/// tests running in parallel start threads too, so the check runs up to 7
/// times and passes as soon as one run leaves no new thread behind.
///
/// A sender whose `start` sets up nothing but its share of the router's
/// channel (a `ChannelSender`) passes by releasing that share when
/// dropped; no check can see that share.
///
/// Needs [`Capability::CountThreads`](crate::Capability::CountThreads):
/// where the platform cannot list threads (not Linux), or the backend
/// declares it lacks it, `conformance_tests!` marks this check's test
/// ignored and [`Check::outcome`](crate::Check::outcome) reports it
/// skipped, by name;
/// [`sender_dropped_while_open_delivers_what_it_sent`] still runs there.
///
/// # Panics
///
/// When the backend breaks S3 (a thread started during the sender's life
/// is alive after its drop, in every run), and where the platform cannot
/// list threads (the check cannot look).
pub fn sender_dropped_while_open_stops_itself<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let outcome = threads::until_none_left(|_| {
        let mut one = OnePipe::new(new_router, "S3");
        let Some(mut sender) = one.sender.take() else {
            unreachable!("a new pipe holds its sender")
        };
        let before = threads::census("S3");
        let worker = std::thread::spawn(move || {
            let worker = threads::current();
            sender.start().expect("S3: start failed");
            for message in sequence(0, 3) {
                sender.send(message).expect("S3: send failed");
            }
            drop(sender);
            worker
        });
        // The worker is the check's own thread; it may still be listed for
        // a moment after it was joined.
        let worker = join(worker);
        let left = threads::new_since(&before, worker.as_slice());
        one.expect_routed(&sequence(0, 3), "S3");
        one.finish("S3");
        left
    });
    if let Err(left_alive) = outcome {
        panic!(
            "S3: a sender dropped while open did not stop itself: threads started during its \
             life were alive after the drop, in each of {} runs: {left_alive:?}",
            threads::RUNS
        );
    }
}
