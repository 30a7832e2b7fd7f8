//! End of stream: a receiver is told once, after the last message, that
//! its sender ended, and how (E1, E2).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{MessageReceiver, MessageRouter, MessageSender, SenderEnd};

use crate::capture::capture;
use crate::fixtures::drive::{join, run_loop_until, started_with_inbox};
use crate::fixtures::inbox::{Inbox, assert_messages, sequence};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// How many messages the E1 sender sends before it ends: enough that a
/// backend which tells the end as soon as it learns it, rather than after
/// the messages queued before it, is caught.
const BEFORE_END: u32 = 200;

/// What the end callbacks of one receiver were told: each end, with how
/// many messages the receiver had got when it came, in the order the
/// callbacks ran.
#[derive(Clone, Default)]
struct Ends {
    told: Rc<RefCell<Vec<Told>>>,
}

/// One call of an end callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Told {
    /// Which of the receiver's callbacks ran: the order it was registered.
    callback: usize,
    end: SenderEnd,
    /// How many messages the receiver had got by then.
    routed: usize,
}

impl Ends {
    /// Registers `callbacks` end callbacks on `receiver`, numbered in the
    /// order they are registered.
    fn watch(receiver: &impl MessageReceiver<Msg>, inbox: &Inbox, callbacks: usize) -> Self {
        let ends = Self::default();
        for callback in 0..callbacks {
            let told = Rc::clone(&ends.told);
            let inbox = inbox.clone();
            receiver.on_end(move |end: &SenderEnd| {
                told.borrow_mut().push(Told {
                    callback,
                    end: *end,
                    routed: inbox.len(),
                });
            });
        }
        ends
    }

    fn told(&self) -> Vec<Told> {
        self.told.borrow().clone()
    }

    fn len(&self) -> usize {
        self.told.borrow().len()
    }
}

/// Runs the event loop until `ends` were told `count` times.
fn until_told<L: KitLoop>(event_loop: &L, ends: &Ends, count: usize, rule: &str, what: &str) {
    run_loop_until(
        event_loop,
        || ends.len() >= count,
        || format!("{rule}: the receiver was not told the end of {what}"),
    );
}

/// Runs the event loop for `time` whatever happens: for the checks that
/// something does *not* happen.
fn run_loop_for<L: KitLoop>(event_loop: &L, time: Duration) {
    let until = Instant::now() + time;
    let _ = event_loop.run_until(&mut || Instant::now() >= until, time * 2);
}

/// **E1**: the receiver is told its sender ended once, after the sender's
/// last message; each end callback runs once, in the order registered.
///
/// > E1 each pipe's receiver is told exactly once that its sender has
/// > ended, on the foreground, after the sender's last message; a pipe
/// > closed first is told nothing.
///
/// A worker thread sends 200 messages and stops its sender through the
/// guard. Two callbacks are registered; each must run once, the first
/// first, when all 200 messages have been routed. The check then routes
/// whatever is still queued and looks again.
///
/// # Panics
///
/// When the backend breaks E1.
pub fn end_comes_once_after_the_last_message<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "E1");
    let ends = Ends::watch(&receiver, &inbox, 2);
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("E1: start failed");
        for message in sequence(0, BEFORE_END) {
            open.send(message).expect("E1: send failed");
        }
    });
    until_told(
        &event_loop,
        &ends,
        2,
        "E1",
        "a sender that sent 200 messages and stopped",
    );
    join(worker);
    let routed = BEFORE_END as usize;
    for told in ends.told() {
        assert_eq!(
            told.routed, routed,
            "E1: the end came after {} of the {routed} messages the sender sent before it ended",
            told.routed
        );
    }
    // A second end would come with what is still queued, if anything.
    run_loop_for(&event_loop, Duration::from_millis(50));
    let (stopped, _) = capture(|| router.stop());
    stopped.expect("E1: stop failed");
    let callbacks: Vec<usize> = ends.told().iter().map(|told| told.callback).collect();
    assert_eq!(
        callbacks,
        [0, 1],
        "E1: the end callbacks did not each run once, in the order registered"
    );
    assert_messages(
        &inbox.messages(),
        &sequence(0, BEFORE_END),
        "E1: messages before the end",
    );
    assert_eq!(
        receiver.end(),
        Some(SenderEnd::Stopped),
        "E1: the receiver does not report the end it was told"
    );
}

/// **E1**: a pipe closed before its sender ends is told nothing.
///
/// > E1 each pipe's receiver is told exactly once that its sender has
/// > ended, on the foreground, after the sender's last message; a pipe
/// > closed first is told nothing.
///
/// Pipe A is closed, then A's sender and then B's sender stop. B's end is
/// the sign that the router has handled what came before it; the loop runs
/// 100 ms more for backends whose senders do not share one queue. A's
/// callback must not have run.
///
/// # Panics
///
/// When the backend breaks E1.
pub fn closed_pipe_is_told_no_end<L: KitLoop, R: MessageRouter<Msg>>(new_router: &dyn Fn(&L) -> R) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut closed_sender, closed, closed_inbox) = started_with_inbox(&router, "E1");
    let (mut open_sender, open) = router.pipe().expect("E1: pipe failed");
    let open_inbox = Inbox::connect(&open);
    let closed_ends = Ends::watch(&closed, &closed_inbox, 1);
    let open_ends = Ends::watch(&open, &open_inbox, 1);
    closed_sender.start().expect("E1: start failed");
    open_sender.start().expect("E1: start failed");
    router.close_pipe(&closed).expect("E1: close_pipe failed");
    closed_sender.stop().expect("E1: stop failed");
    open_sender.stop().expect("E1: stop failed");
    until_told(
        &event_loop,
        &open_ends,
        1,
        "E1",
        "an open pipe whose sender stopped",
    );
    run_loop_for(&event_loop, Duration::from_millis(100));
    assert_eq!(
        closed_ends.told(),
        [],
        "E1: a pipe closed before its sender stopped was told an end"
    );
    assert_eq!(closed.end(), None, "E1: a closed pipe reports an end");
    router.stop().expect("E1: stop failed");
}

/// Makes a pipe, hands its sender to `worker` on another thread, and
/// returns how the receiver was told the sender ended, with the messages
/// it got.
fn end_of<L, R>(
    new_router: &dyn Fn(&L) -> R,
    what: &str,
    worker: impl FnOnce(R::Sender) + Send + 'static,
) -> (SenderEnd, Vec<Msg>)
where
    L: KitLoop,
    R: MessageRouter<Msg>,
{
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (sender, receiver, inbox) = started_with_inbox(&router, "E2");
    let ends = Ends::watch(&receiver, &inbox, 1);
    let worker = std::thread::spawn(move || worker(sender));
    until_told(&event_loop, &ends, 1, "E2", what);
    // A worker that panicked on purpose: its panic is the point.
    let _ = worker.join();
    router.close_pipe(&receiver).expect("E2: close_pipe failed");
    router.stop().expect("E2: stop failed");
    (ends.told()[0].end, inbox.messages())
}

/// **E2**: a sender stopped (by `stop`, or by its guard) ends `Stopped`.
///
/// > E2 it says how: stopped; dropped without stop (or never started);
/// > dropped while its thread was panicking; or (for senders outside the
/// > process) lost with its process or connection.
///
/// # Panics
///
/// When the backend breaks E2.
pub fn stopped_sender_ends_stopped<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (end, messages) = end_of(new_router, "a stopped sender", |mut sender: R::Sender| {
        sender.start().expect("E2: start failed");
        sender.send(Msg::new(0, 0)).expect("E2: send failed");
        sender.stop().expect("E2: stop failed");
    });
    assert_eq!(
        end,
        SenderEnd::Stopped,
        "E2: a stopped sender ended {end:?}"
    );
    assert_messages(
        &messages,
        &sequence(0, 1),
        "E2: messages of a stopped sender",
    );
}

/// **E2**: a sender dropped while open, and one dropped without ever being
/// started, end `Dropped`.
///
/// > E2 it says how: stopped; dropped without stop (or never started);
/// > dropped while its thread was panicking; or (for senders outside the
/// > process) lost with its process or connection.
///
/// # Panics
///
/// When the backend breaks E2.
pub fn dropped_sender_ends_dropped<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (end, messages) = end_of(
        new_router,
        "a sender dropped open",
        |mut sender: R::Sender| {
            sender.start().expect("E2: start failed");
            sender.send(Msg::new(0, 0)).expect("E2: send failed");
            drop(sender);
        },
    );
    assert_eq!(
        end,
        SenderEnd::Dropped,
        "E2: a sender dropped while open ended {end:?}"
    );
    assert_messages(
        &messages,
        &sequence(0, 1),
        "E2: messages of a dropped sender",
    );
    let (end, _) = end_of(new_router, "a sender never started", drop::<R::Sender>);
    assert_eq!(
        end,
        SenderEnd::Dropped,
        "E2: a sender dropped un-started ended {end:?}"
    );
}

/// **E2**: a sender whose thread panics (its open guard, or the sender
/// itself, dropped while unwinding) ends `Panicked`.
///
/// > E2 it says how: stopped; dropped without stop (or never started);
/// > dropped while its thread was panicking; or (for senders outside the
/// > process) lost with its process or connection.
///
/// # Panics
///
/// When the backend breaks E2.
pub fn sender_of_a_panicking_thread_ends_panicked<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let (end, messages) = end_of(
        new_router,
        "a guard dropped by a panic",
        |mut sender: R::Sender| {
            let mut open = sender.open().expect("E2: start failed");
            open.send(Msg::new(0, 0)).expect("E2: send failed");
            panic!("E2: a worker panicking on purpose, with its sender's guard open");
        },
    );
    assert_eq!(
        end,
        SenderEnd::Panicked,
        "E2: a guard dropped by a panic ended {end:?}"
    );
    assert_messages(
        &messages,
        &sequence(0, 1),
        "E2: messages of a panicking worker",
    );
    let (end, _) = end_of(
        new_router,
        "a sender dropped by a panic",
        |mut sender: R::Sender| {
            sender.start().expect("E2: start failed");
            panic!("E2: a worker panicking on purpose, with its sender open");
        },
    );
    assert_eq!(
        end,
        SenderEnd::Panicked,
        "E2: a sender dropped by a panic ended {end:?}"
    );
}
