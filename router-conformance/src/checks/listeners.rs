//! A receiver's listeners (V1).

use std::cell::RefCell;
use std::rc::Rc;

use router_api::{MessageReceiver, MessageRouter, MessageSender};

use crate::fixtures::drive::{close_and_stop, drain, run_loop_until};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// Who got which message, in the order they got it.
type Log = Rc<RefCell<Vec<(usize, Msg)>>>;

fn connect_logged<V: MessageReceiver<Msg>>(
    receiver: &V,
    log: &Log,
    listener: usize,
) -> router_api::ListenerId {
    let log = Rc::clone(log);
    receiver.connect(move |message: &Msg| log.borrow_mut().push((listener, *message)))
}

/// **V1**: every message goes to every listener, in the order they were
/// connected.
///
/// > V1 any number of listeners; each message goes to every listener, in
/// > the order they were connected; a listener can be disconnected.
///
/// # Panics
///
/// When the backend breaks V1.
pub fn every_listener_gets_each_message_in_connect_order<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const LISTENERS: usize = 5;
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router.start().expect("V1: start failed");
    let (mut sender, receiver) = router.pipe().expect("V1: pipe failed");
    let log = Log::default();
    for listener in 0..LISTENERS {
        connect_logged(&receiver, &log, listener);
    }
    assert_eq!(
        receiver.listener_count(),
        LISTENERS,
        "V1: listener_count after connecting {LISTENERS} listeners"
    );
    sender.start().expect("V1: start of the sender failed");
    let messages = [Msg::new(0, 0), Msg::new(0, 1)];
    for message in messages {
        sender.send(message).expect("V1: send failed");
    }
    run_loop_until(
        &event_loop,
        || log.borrow().len() >= LISTENERS * messages.len(),
        || "V1: the event loop did not give both messages to every listener".to_owned(),
    );
    drain(&router, "V1");
    let expected: Vec<_> = messages
        .iter()
        .flat_map(|message| (0..LISTENERS).map(move |listener| (listener, *message)))
        .collect();
    assert_eq!(
        *log.borrow(),
        expected,
        "V1: (listener, message) in the order listeners were called; each message must go \
         to every listener in the order they were connected"
    );
    close_and_stop(&router, &mut sender, &receiver, "V1");
}

/// **V1**: a disconnected listener is no longer called, the others still
/// are, and disconnecting it again returns `false`.
///
/// > V1 any number of listeners; each message goes to every listener, in
/// > the order they were connected; a listener can be disconnected.
///
/// # Panics
///
/// When the backend breaks V1.
pub fn disconnected_listener_is_no_longer_called<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router.start().expect("V1: start failed");
    let (mut sender, receiver) = router.pipe().expect("V1: pipe failed");
    let log = Log::default();
    connect_logged(&receiver, &log, 0);
    let middle = connect_logged(&receiver, &log, 1);
    connect_logged(&receiver, &log, 2);
    assert!(
        receiver.disconnect(middle),
        "V1: disconnect of a connected listener returned false"
    );
    assert!(
        !receiver.disconnect(middle),
        "V1: a second disconnect of the same listener returned true"
    );
    assert_eq!(
        receiver.listener_count(),
        2,
        "V1: listener_count after connecting 3 listeners and disconnecting one"
    );
    sender.start().expect("V1: start of the sender failed");
    sender.send(Msg::new(0, 0)).expect("V1: send failed");
    run_loop_until(
        &event_loop,
        || log.borrow().len() >= 2,
        || "V1: the event loop did not give the message to the two listeners left".to_owned(),
    );
    connect_logged(&receiver, &log, 3);
    sender.send(Msg::new(0, 1)).expect("V1: send failed");
    run_loop_until(
        &event_loop,
        || log.borrow().len() >= 5,
        || "V1: the event loop did not give the second message to the three listeners".to_owned(),
    );
    drain(&router, "V1");
    let (first, second) = (Msg::new(0, 0), Msg::new(0, 1));
    assert_eq!(
        *log.borrow(),
        [
            (0, first),
            (2, first),
            (0, second),
            (2, second),
            (3, second)
        ],
        "V1: (listener, message) in the order listeners were called, listener 1 disconnected \
         and listener 3 connected between the messages"
    );
    close_and_stop(&router, &mut sender, &receiver, "V1");
}

/// **V1**: a receiver does not disconnect a listener of another receiver
/// when given its id: `disconnect` returns `false` and both keep their
/// listeners.
///
/// > V1 any number of listeners; each message goes to every listener, in
/// > the order they were connected; a listener can be disconnected.
///
/// # Panics
///
/// When the backend breaks V1.
pub fn disconnect_with_another_receivers_listener_returns_false<
    L: KitLoop,
    R: MessageRouter<Msg>,
>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router.start().expect("V1: start failed");
    let (mut sender, receiver) = router.pipe().expect("V1: pipe failed");
    let (_other_sender, other_receiver) = router.pipe().expect("V1: pipe failed");
    let log = Log::default();
    let listener = connect_logged(&receiver, &log, 0);
    let other_listener = connect_logged(&other_receiver, &log, 1);
    assert!(
        !other_receiver.disconnect(listener),
        "V1: a receiver disconnected a listener given the id of another receiver's listener"
    );
    assert!(
        !receiver.disconnect(other_listener),
        "V1: a receiver disconnected a listener given the id of another receiver's listener"
    );
    assert_eq!(
        (receiver.listener_count(), other_receiver.listener_count()),
        (1, 1),
        "V1: listener counts after refused disconnects"
    );
    sender.start().expect("V1: start of the sender failed");
    sender.send(Msg::new(0, 0)).expect("V1: send failed");
    run_loop_until(
        &event_loop,
        || !log.borrow().is_empty(),
        || "V1: the listener did not get the message".to_owned(),
    );
    assert_eq!(
        *log.borrow(),
        [(0, Msg::new(0, 0))],
        "V1: (listener, message) after refused disconnects"
    );
    sender.stop().expect("V1: stop of the sender failed");
    router.close_pipe(&receiver).expect("V1: close_pipe failed");
    router
        .close_pipe(&other_receiver)
        .expect("V1: close_pipe failed");
    router.stop().expect("V1: stop failed");
}
