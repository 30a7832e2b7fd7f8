//! The target `nats_intake`: a run's intake fed a sequence of frames,
//! authentic or not, on its pipe's subject or another's, against a model
//! of what it must deliver: every message of an authentic frame, in
//! order, up to the first place no frame filled, whatever the frames it
//! refused among them.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender, SenderEnd};
use router_remote::fuzzing::{CrossbeamRouter, Shape};
use router_remote::{DropLog, PipeBook, decode_guarded};

use super::{KEY, PIPE, RUN, signed};
use crate::frame::{self, Header, Kind};
use crate::intake::Intake;
use crate::token;

/// What the model of the intake expects a pipe's place to hold.
enum Slot {
    /// A message that decodes, or `None` for one refused.
    Message(Option<Shape>),
    /// The sender's end.
    End(u8),
}

/// One operation of the `nats_intake` target: a frame, and the subject's
/// pipe it is published on.
struct Op {
    pipe_of_subject: u64,
    bytes: Vec<u8>,
    /// What the frame puts in its pipe's place, if it reaches its place.
    placed: Option<(u64, u64, Slot)>,
}

/// Reads the next operation from `data`, as
/// `kind`, then its fields, each a byte unless said.
fn next_op(data: &mut &[u8]) -> Option<Op> {
    let mut byte = || {
        let (&first, rest) = data.split_first()?;
        *data = rest;
        Some(first)
    };
    let op = byte()?;
    let pipe_of_subject = if op & 0x80 == 0 { PIPE } else { 2 };
    let seq = u64::from(byte()?);
    let mut header = Header {
        protocol: frame::PROTOCOL,
        pipe: PIPE,
        session: u64::from(op >> 6 & 1),
        seq,
        message_type: frame::fingerprint::<Shape>(),
        kind: Kind::Message,
    };
    let mut body = Vec::new();
    let mut refused = false;
    match op & 0x3f {
        // A message whose bytes follow: a length of three bytes, then them.
        0..=31 => {
            let len = [byte()?, byte()?, byte()?];
            let len = usize::from(len[0]) | usize::from(len[1]) << 8 | usize::from(len[2]) << 16;
            let taken = len.min(data.len());
            body = data[..taken].to_vec();
            *data = &data[taken..];
        }
        // The sender's end.
        32..=39 => {
            header.kind = Kind::End {
                sent: u64::from(byte()?),
                how: byte()?,
            };
        }
        // A message of another protocol, or another message type.
        40..=47 => {
            header.protocol = 2;
            refused = true;
        }
        48..=55 => {
            header.message_type ^= 1;
            refused = true;
        }
        // A frame of another pipe, signed with this one's key.
        56..=59 => header.pipe = 2,
        // Bytes as they are.
        _ => {
            let len = usize::from(byte()?).min(data.len());
            let bytes = data[..len].to_vec();
            *data = &data[len..];
            return Some(Op {
                pipe_of_subject,
                bytes,
                placed: None,
            });
        }
    }
    let mut covered = postcard::to_allocvec(&header).ok()?;
    covered.extend_from_slice(&body);
    let bytes = signed(&covered);
    let placed = (header.pipe == PIPE && pipe_of_subject == PIPE).then(|| {
        let slot = match header.kind {
            Kind::End { how, .. } if !refused => Slot::End(how),
            Kind::End { .. } => Slot::Message(None),
            Kind::Message if refused => Slot::Message(None),
            Kind::Message => Slot::Message(decode_guarded::<Shape>(&body).ok()),
        };
        (header.session, seq, slot)
    });
    Some(Op {
        pipe_of_subject,
        bytes,
        placed,
    })
}

/// What the intake must have delivered after `ops`: the messages of the
/// first session's places from 0 up to the first empty one (or its end),
/// and that end.
fn expected(ops: &[Op]) -> (Vec<Shape>, Option<SenderEnd>) {
    let mut session = None;
    let mut places = BTreeMap::new();
    for (op_session, seq, slot) in ops.iter().filter_map(|op| op.placed.as_ref()) {
        if *session.get_or_insert(*op_session) == *op_session {
            places.entry(*seq).or_insert(slot);
        }
    }
    let mut messages = Vec::new();
    for seq in 0.. {
        match places.get(&seq) {
            None => break,
            Some(Slot::End(how)) => return (messages, Some(frame::end_from_code(*how))),
            Some(Slot::Message(Some(shape))) => messages.push(shape.clone()),
            Some(Slot::Message(None)) => {}
        }
    }
    (messages, None)
}

/// The target `nats_intake`: `data` is a sequence of frames for the
/// intake of a run with one pipe, authentic or not, on its subject or
/// another's.
///
/// # Panics
///
/// When the messages routed, or the end told, are not what the frames'
/// places say: every message of an authentic frame, in order, up to the
/// first place no frame filled, whatever the frames refused among them.
pub fn intake(data: &[u8]) {
    let mut rest = data;
    let mut ops = Vec::new();
    while let Some(op) = next_op(&mut rest) {
        ops.push(op);
    }
    let event_loop = DefaultEventLoop::new();
    let router = CrossbeamRouter::<Shape>::new(&event_loop);
    if router.start().is_err() {
        return;
    }
    let Ok((sender, receiver)) = router.pipe() else {
        return;
    };
    let got = Rc::new(RefCell::new(Vec::new()));
    receiver.connect({
        let got = Rc::clone(&got);
        move |shape: &Shape| got.borrow_mut().push(shape.clone())
    });
    let book = Arc::new(PipeBook::new());
    book.record(sender.pipe_id(), frame::keyed(&KEY), sender);
    let mut intake = Intake::<Shape>::new(book, DropLog::new(), RUN);
    for op in &ops {
        let subject = token::subject(RUN, op.pipe_of_subject);
        assert!(intake.take(&subject, &op.bytes), "the run is on");
    }
    let (messages, end) = expected(&ops);
    let _ = router.route_until(
        || got.borrow().len() >= messages.len() && receiver.end() == end,
        Some(Duration::from_secs(5)),
    );
    let encoded = |shapes: &[Shape]| -> Vec<Vec<u8>> {
        (shapes.iter())
            .filter_map(|shape| postcard::to_allocvec(shape).ok())
            .collect()
    };
    assert_eq!(
        encoded(&got.borrow()),
        encoded(&messages),
        "other messages routed"
    );
    assert_eq!(receiver.end(), end, "another end told");
    drop(intake);
    let _ = router.close_pipe(&receiver);
    let _ = router.stop();
}

/// The bytes of an intake operation: a message of `seq` holding `body`.
pub(super) fn message_op(seq: u8, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).unwrap_or(0).to_le_bytes();
    [&[0, seq, len[0], len[1], len[2]][..], body].concat()
}

/// The bytes of an intake operation: the end at `seq`, stopped.
pub(super) fn end_op(seq: u8) -> Vec<u8> {
    vec![32, seq, seq, 1]
}
