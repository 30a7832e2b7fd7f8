//! Calls back into the router from a listener (R11). Listeners that panic
//! are in `listener_panics.rs`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use router_api::{
    ClosePipeError, ListenerId, MessageReceiver, MessageRouter, MessageSender, PipeError,
};

use crate::capture::capture_live;
use crate::fixtures::drive::{drain, round_trip, run_loop_until, started_with_pipe, stop_clean};
use crate::fixtures::inbox::{Inbox, assert_messages, sequence};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// **R11**: a listener may close its own pipe while its message is being
/// dispatched; the pipe's later messages are dropped with the closed-pipe
/// warning and the router goes on working.
///
/// > R11 a listener may call `close_pipe`, `pipe` or connect listeners
/// > while a message is being dispatched; a panic in a listener leaves the
/// > router usable.
///
/// # Panics
///
/// When the backend breaks R11.
pub fn listener_may_close_its_own_pipe<L: KitLoop, R>(new_router: &dyn Fn(&L) -> R)
where
    R: MessageRouter<Msg> + 'static,
    R::Receiver: 'static,
{
    let event_loop = L::new_loop();
    let router = Rc::new(new_router(&event_loop));
    let (mut sender, receiver) = started_with_pipe(&*router, "R11");
    let receiver = Rc::new(receiver);
    let pipe = receiver.pipe_id();
    let inbox = Inbox::default();
    let closed: Rc<RefCell<Option<Result<(), ClosePipeError>>>> = Rc::default();
    receiver.connect({
        let (router, me) = (Rc::downgrade(&router), Rc::downgrade(&receiver));
        let (inbox, closed) = (inbox.clone(), Rc::clone(&closed));
        move |message: &Msg| {
            inbox.push(*message);
            let first = closed.borrow().is_none();
            if first && let (Some(router), Some(me)) = (router.upgrade(), me.upgrade()) {
                let result = router.close_pipe(&me);
                *closed.borrow_mut() = Some(result);
            }
        }
    });
    sender.start().expect("R11: start of the sender failed");
    for message in sequence(0, 3) {
        sender.send(message).expect("R11: send failed");
    }
    let text = format!("discarding message from closed pipe {pipe}");
    let ((), _) = capture_live(|recording| {
        run_loop_until(
            &event_loop,
            || recording.has_warning_containing(&text),
            || {
                format!(
                    "R11: after a listener closed its own pipe, no WARN \"{text}\" for the \
                     pipe's later messages (close_pipe from the listener returned {:?})",
                    closed.borrow()
                )
            },
        );
    });
    assert_eq!(
        *closed.borrow(),
        Some(Ok(())),
        "R11: close_pipe called from the pipe's own listener"
    );
    assert_messages(
        &inbox.messages(),
        &sequence(0, 1),
        "R11: a pipe closed by its own listener",
    );
    assert_eq!(
        router.close_pipe(&receiver),
        Err(ClosePipeError::NotOpen { pipe }),
        "R11: a second close_pipe of a pipe its listener closed"
    );
    round_trip(
        &event_loop,
        &*router,
        "R11 (after a listener closed its pipe)",
    );
    sender.stop().expect("R11: stop of the sender failed");
    stop_clean(&*router, "R11");
}

/// **R11**: a listener may make a new pipe while a message is being
/// dispatched, and that pipe works.
///
/// > R11 a listener may call `close_pipe`, `pipe` or connect listeners
/// > while a message is being dispatched; a panic in a listener leaves the
/// > router usable.
///
/// # Panics
///
/// When the backend breaks R11.
pub fn listener_may_open_a_pipe<L: KitLoop, R>(new_router: &dyn Fn(&L) -> R)
where
    R: MessageRouter<Msg> + 'static,
    R::Receiver: 'static,
{
    type Made<R> = Option<
        Result<
            (
                <R as MessageRouter<Msg>>::Sender,
                <R as MessageRouter<Msg>>::Receiver,
            ),
            PipeError,
        >,
    >;
    let event_loop = L::new_loop();
    let router = Rc::new(new_router(&event_loop));
    let (mut sender, receiver) = started_with_pipe(&*router, "R11");
    let inbox = Inbox::default();
    let made: Rc<RefCell<Made<R>>> = Rc::new(RefCell::new(None));
    receiver.connect({
        let router = Rc::downgrade(&router);
        let (inbox, made) = (inbox.clone(), Rc::clone(&made));
        move |message: &Msg| {
            inbox.push(*message);
            let first = made.borrow().is_none();
            if first && let Some(router) = router.upgrade() {
                let pipe = router.pipe();
                *made.borrow_mut() = Some(pipe);
            }
        }
    });
    sender.start().expect("R11: start of the sender failed");
    sender.send(Msg::new(0, 0)).expect("R11: send failed");
    run_loop_until(
        &event_loop,
        || inbox.len() >= 1,
        || "R11: the event loop did not route the message".to_owned(),
    );
    let taken = made.borrow_mut().take();
    let (mut new_sender, new_receiver) = match taken {
        Some(Ok(pipe)) => pipe,
        Some(Err(error)) => panic!("R11: pipe called from a listener failed: {error}"),
        None => panic!("R11: the listener did not run"),
    };
    assert_ne!(
        new_receiver.pipe_id(),
        receiver.pipe_id(),
        "R11: a pipe made from a listener has the id of the pipe being dispatched"
    );
    let new_inbox = Inbox::connect(&new_receiver);
    new_sender
        .start()
        .expect("R11: start of the new pipe's sender failed");
    new_sender
        .send(Msg::new(1, 0))
        .expect("R11: send on the new pipe failed");
    run_loop_until(
        &event_loop,
        || new_inbox.len() >= 1,
        || {
            "R11: the event loop did not route a message on the pipe made from a listener"
                .to_owned()
        },
    );
    drain(&*router, "R11");
    assert_messages(
        &new_inbox.messages(),
        &sequence(1, 1),
        "R11: the pipe made from a listener",
    );
    assert_messages(&inbox.messages(), &sequence(0, 1), "R11: the first pipe");
    sender.stop().expect("R11: stop of the sender failed");
    new_sender.stop().expect("R11: stop of the sender failed");
    router
        .close_pipe(&receiver)
        .expect("R11: close_pipe failed");
    router
        .close_pipe(&new_receiver)
        .expect("R11: close_pipe of the pipe made from a listener failed");
    stop_clean(&*router, "R11");
}

/// **R11**: a listener may connect a listener, and a listener may
/// disconnect itself, while a message is being dispatched; each change
/// takes effect from the next message on.
///
/// > R11 a listener may call `close_pipe`, `pipe` or connect listeners
/// > while a message is being dispatched; a panic in a listener leaves the
/// > router usable.
///
/// Listener A connects listener B during message 0; B disconnects itself
/// during message 1. So B gets message 1 alone.
///
/// # Panics
///
/// When the backend breaks R11.
pub fn listener_may_connect_and_disconnect_listeners<L: KitLoop, R>(new_router: &dyn Fn(&L) -> R)
where
    R: MessageRouter<Msg> + 'static,
    R::Receiver: 'static,
{
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver) = started_with_pipe(&router, "R11");
    let receiver = Rc::new(receiver);
    let log: Rc<RefCell<Vec<(char, u32)>>> = Rc::default();
    let listener_b: Rc<Cell<Option<ListenerId>>> = Rc::default();
    let b_disconnected: Rc<Cell<Option<bool>>> = Rc::default();
    receiver.connect({
        let me = Rc::downgrade(&receiver);
        let (log, listener_b, b_disconnected) = (
            Rc::clone(&log),
            Rc::clone(&listener_b),
            Rc::clone(&b_disconnected),
        );
        move |message: &Msg| {
            log.borrow_mut().push(('a', message.seq));
            if message.seq != 0 {
                return;
            }
            let Some(receiver) = me.upgrade() else { return };
            let b = receiver.connect({
                let me = me.clone();
                let (log, listener_b, b_disconnected) = (
                    Rc::clone(&log),
                    Rc::clone(&listener_b),
                    Rc::clone(&b_disconnected),
                );
                move |message: &Msg| {
                    log.borrow_mut().push(('b', message.seq));
                    if message.seq == 1
                        && let (Some(receiver), Some(b)) = (me.upgrade(), listener_b.get())
                    {
                        b_disconnected.set(Some(receiver.disconnect(b)));
                    }
                }
            });
            listener_b.set(Some(b));
        }
    });
    sender.start().expect("R11: start of the sender failed");
    for message in sequence(0, 3) {
        sender.send(message).expect("R11: send failed");
    }
    let a_calls = || log.borrow().iter().filter(|(who, _)| *who == 'a').count();
    run_loop_until(
        &event_loop,
        || a_calls() >= 3,
        || "R11: the event loop did not route the three messages".to_owned(),
    );
    drain(&router, "R11");
    assert_eq!(
        b_disconnected.get(),
        Some(true),
        "R11: a listener's disconnect of itself, from inside the listener"
    );
    assert_eq!(
        *log.borrow(),
        [('a', 0), ('a', 1), ('b', 1), ('a', 2)],
        "R11: (listener, message) in the order listeners were called; A connected B during \
         message 0 and B disconnected itself during message 1, each taking effect from the \
         next message on"
    );
    assert_eq!(
        receiver.listener_count(),
        1,
        "R11: listener_count after B disconnected itself"
    );
    sender.stop().expect("R11: stop of the sender failed");
    router
        .close_pipe(&receiver)
        .expect("R11: close_pipe failed");
    stop_clean(&router, "R11");
}
