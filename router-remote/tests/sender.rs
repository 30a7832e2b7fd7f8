//! The sender's states (S1), its end (E2, S3) and its faults, over a fake
//! dial whose lines write down what they are asked to do.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use router_api::{
    Disconnect, MessageSender, PipeId, SendErrorKind, SenderEnd, SenderStartError, SenderStopError,
};
use router_remote::{Dial, EncodeError, Line, LineFault, RemoteSender};
use serde::Serialize;

/// What the fake's lines were asked, and whether its dial refuses, its
/// lines break or the router said the pipe closed.
#[derive(Clone, Debug, Default)]
struct Wire {
    said: Arc<Mutex<Vec<String>>>,
    refuse: Arc<AtomicBool>,
    break_lines: Arc<AtomicBool>,
    closed: Arc<AtomicBool>,
}

impl Wire {
    fn said(&self) -> Vec<String> {
        self.said.lock().unwrap().clone()
    }

    fn say(&self, what: String) {
        self.said.lock().unwrap().push(what);
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no router")]
struct NoRouter;

impl Dial for Wire {
    type Line = FakeLine;
    type Error = NoRouter;

    fn pipe(&self) -> PipeId {
        PipeId::new(9)
    }

    fn dial<M: ?Sized>(&self) -> Result<FakeLine, NoRouter> {
        if self.refuse.load(Ordering::Relaxed) {
            return Err(NoRouter);
        }
        self.say("dial".to_owned());
        Ok(FakeLine(self.clone()))
    }
}

struct FakeLine(Wire);

impl Line for FakeLine {
    fn send<M: Serialize + ?Sized>(&mut self, message: &M) -> Result<(), LineFault> {
        let bytes = postcard::to_allocvec(message).map_err(|e| LineFault::Encode(e.into()))?;
        if bytes.len() > 4 {
            let limit = 4;
            let len = bytes.len();
            return Err(LineFault::Encode(EncodeError::TooLarge { len, limit }));
        }
        if self.0.break_lines.load(Ordering::Relaxed) {
            return Err(LineFault::Lost("cut".into()));
        }
        self.0.say(format!("send {bytes:?}"));
        Ok(())
    }

    fn end(&mut self, end: SenderEnd) {
        self.0.say(format!("end {end:?}"));
    }

    fn is_closed(&self) -> bool {
        self.0.closed.load(Ordering::Relaxed)
    }
}

fn new_sender() -> (RemoteSender<u32, Wire>, Wire) {
    let wire = Wire::default();
    (RemoteSender::new(wire.clone()), wire)
}

#[test]
fn s1_every_call_out_of_turn_fails_and_names_the_pipe() {
    let (mut sender, wire) = new_sender();
    let pipe = PipeId::new(9);
    assert!(matches!(
        sender.send(1).unwrap_err().kind(),
        SendErrorKind::NotStarted
    ));
    assert!(matches!(
        sender.stop(),
        Err(SenderStopError::NotStarted { pipe: p }) if p == pipe
    ));
    sender.start().unwrap();
    assert!(matches!(
        sender.start(),
        Err(SenderStartError::AlreadyStarted { pipe: p }) if p == pipe
    ));
    sender.send(1).unwrap();
    sender.stop().unwrap();
    assert!(matches!(
        sender.stop(),
        Err(SenderStopError::Stopped { .. })
    ));
    assert!(matches!(
        sender.start(),
        Err(SenderStartError::Stopped { .. })
    ));
    assert!(matches!(
        sender.send(2).unwrap_err().kind(),
        SendErrorKind::Stopped
    ));
    assert_eq!(sender.state(), "stopped");
    drop(sender);
    assert_eq!(wire.said(), ["dial", "send [1]", "end Stopped"]);
}

#[test]
fn failed_connect_leaves_the_sender_ready_to_try_again() {
    let (mut sender, wire) = new_sender();
    wire.refuse.store(true, Ordering::Relaxed);
    let error = sender.start().unwrap_err();
    assert!(error.cause::<NoRouter>().is_some(), "{error:?}");
    assert_eq!(sender.state(), "ready");
    wire.refuse.store(false, Ordering::Relaxed);
    sender.start().unwrap();
    sender.send(3).unwrap();
    assert_eq!(sender.state(), "open");
}

#[test]
fn message_that_cannot_travel_is_handed_back_and_the_sender_goes_on() {
    let (mut sender, wire) = new_sender();
    sender.start().unwrap();
    let error = sender.send(u32::MAX).unwrap_err();
    assert!(
        std::error::Error::source(&error)
            .and_then(|source| source.downcast_ref::<EncodeError>())
            .is_some_and(|cause| matches!(cause, EncodeError::TooLarge { len: 5, limit: 4 })),
        "{error:?}"
    );
    assert_eq!(error.into_message(), u32::MAX);
    sender.send(4).unwrap();
    assert_eq!(wire.said(), ["dial", "send [4]"]);
}

#[test]
fn broken_line_fails_every_send_as_disconnected_and_stops_quietly() {
    let (mut sender, wire) = new_sender();
    sender.start().unwrap();
    wire.break_lines.store(true, Ordering::Relaxed);
    for n in 0..2 {
        let error = sender.send(n).unwrap_err();
        assert_eq!(
            error.disconnect(),
            Some(Disconnect::ConnectionClosed),
            "{error:?}"
        );
        assert_eq!(error.into_message(), n);
    }
    assert_eq!(sender.state(), "disconnected");
    assert!(matches!(
        sender.start(),
        Err(SenderStartError::AlreadyStarted { .. })
    ));
    sender.stop().unwrap();
    drop(sender);
    assert_eq!(wire.said(), ["dial"]);
}

#[test]
fn sender_dropped_open_tells_dropped_and_in_a_panic_panicked() {
    let (mut sender, wire) = new_sender();
    sender.start().unwrap();
    drop(sender);
    assert_eq!(wire.said(), ["dial", "end Dropped"]);

    let (mut sender, wire) = new_sender();
    sender.start().unwrap();
    let panicked = std::thread::spawn(move || {
        let _sender = sender;
        panic!("the worker fails");
    })
    .join();
    assert!(panicked.is_err());
    assert_eq!(wire.said(), ["dial", "end Panicked"]);
}

#[test]
fn sender_dropped_unstarted_connects_to_tell_its_end_unless_handed_over() {
    let (sender, wire) = new_sender();
    drop(sender);
    assert_eq!(wire.said(), ["dial", "end Dropped"]);

    let (sender, wire) = new_sender();
    let _token = sender.hand_over();
    drop(sender);
    assert!(wire.said().is_empty());

    let (mut sender, wire) = new_sender();
    wire.refuse.store(true, Ordering::Relaxed);
    assert!(sender.start().is_err());
    wire.refuse.store(false, Ordering::Relaxed);
    drop(sender);
    assert!(wire.said().is_empty(), "a failed connect says nothing more");
}

#[test]
fn debug_names_the_state() {
    let (sender, _wire) = new_sender();
    let shown = format!("{sender:?}");
    assert!(shown.contains("RemoteSender"), "{shown}");
    assert!(shown.contains("ready"), "{shown}");
}

#[test]
fn c1_is_closed_is_the_lines_once_started_and_stays_true() {
    let (mut sender, wire) = new_sender();
    assert!(
        !sender.is_closed(),
        "rebuilt from a token, it knows nothing yet"
    );
    sender.start().unwrap();
    assert!(!sender.is_closed());
    wire.closed.store(true, Ordering::Relaxed);
    assert!(sender.is_closed());
    // The router's word is remembered, and the sender works on (R7).
    wire.closed.store(false, Ordering::Relaxed);
    assert!(sender.is_closed());
    sender.send(1).unwrap();
    sender.stop().unwrap();
    assert!(sender.is_closed());
}

#[test]
fn c1_broken_line_says_closed_stopped_or_not() {
    let (mut sender, wire) = new_sender();
    sender.start().unwrap();
    wire.break_lines.store(true, Ordering::Relaxed);
    assert!(sender.send(1).is_err());
    assert!(sender.is_closed());

    let (mut quiet, wire) = new_sender();
    quiet.start().unwrap();
    wire.break_lines.store(true, Ordering::Relaxed);
    assert!(quiet.send(1).is_err());
    quiet.stop().unwrap();
    assert!(quiet.is_closed(), "stopped after its line broke");
}
