//! Each reason to drop a frame, fed to an intake with no server: one bad
//! frame per reason, each counted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use router_api::{DefaultEventLoop, MessageRouter};
use router_conformance::capture::capture;
use router_crossbeam::CrossbeamRouter;
use serde::Serialize;

use super::*;
use crate::frame::{Header, Key, MAX_FRAME_LEN, encode, fingerprint, keyed};
use crate::order::HOLD_LIMIT;

const KEY: Key = [7; 32];

/// The run the frames are of.
const RUN: u64 = 0xab;

/// A frame of pipe 1, its fields as `change` leaves them, under `key`.
fn frame<T: Serialize>(key: &Key, message: &T, change: impl FnOnce(&mut Header)) -> Vec<u8> {
    let mut header = Header {
        protocol: frame::PROTOCOL,
        pipe: 1,
        session: 1,
        seq: 0,
        message_type: fingerprint::<u64>(),
        kind: Kind::Message,
    };
    change(&mut header);
    encode(&header, Some(message), &keyed(key), Vec::new()).unwrap()
}

/// Feeds `frames` to the intake of a run with pipe 1 (key [`KEY`]), each
/// on the subject of the pipe it is paired with, and returns the drops it
/// counted.
fn drops_on<M>(frames: &[(u64, Vec<u8>)]) -> DropLog<DropReason>
where
    M: DeserializeOwned + Send + 'static,
{
    let event_loop = DefaultEventLoop::new();
    let router = CrossbeamRouter::<M>::new(&event_loop);
    router.start().unwrap();
    let (sender, receiver) = router.pipe().unwrap();
    assert_eq!(sender.pipe_id(), PipeId::new(1));
    let book = Arc::new(PipeBook::new());
    book.record(sender.pipe_id(), keyed(&KEY), sender);
    let drops = DropLog::new();
    let mut intake = Intake::<M>::new(book, drops.clone(), RUN);
    for (pipe, bytes) in frames {
        assert!(
            intake.take(&token::subject(RUN, *pipe), bytes),
            "the run is on"
        );
    }
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
    drops
}

/// Feeds `frames` to the intake of a run with pipe 1, on its subject.
fn drops_of<M>(frames: &[Vec<u8>]) -> DropLog<DropReason>
where
    M: DeserializeOwned + Send + 'static,
{
    let on_pipe_1: Vec<(u64, Vec<u8>)> = frames.iter().map(|bytes| (1, bytes.clone())).collect();
    drops_on::<M>(&on_pipe_1)
}

#[test]
fn each_bad_frame_is_dropped_for_its_reason_and_counted() {
    let ((), captured) = capture(|| {
        let frames = [
            (1, frame(&KEY, &0u64, |_| {})),
            (1, frame(&KEY, &0u64, |_| {})),
            (1, vec![0; MAX_FRAME_LEN + 1]),
            (1, Vec::new()),
            (2, frame(&KEY, &1u64, |h| h.pipe = 2)),
            (2, frame(&KEY, &1u64, |h| h.seq = 1)),
            (1, frame(&[8; 32], &1u64, |h| h.seq = 1)),
            (1, frame(&KEY, &1u64, |h| (h.seq, h.protocol) = (1, 9))),
            (
                1,
                frame(&KEY, &1u32, |h| {
                    (h.seq, h.message_type) = (2, fingerprint::<u32>())
                }),
            ),
            (1, frame(&KEY, &"one", |h| h.seq = 3)),
            (1, frame(&KEY, &0u64, |h| h.session = 2)),
        ];
        let counts = drops_on::<u64>(&frames).counts();
        for reason in [
            DropReason::Duplicate,
            DropReason::Oversized,
            DropReason::Undecodable,
            DropReason::PipeNeverMade,
            DropReason::SubjectMismatch,
            DropReason::TagMismatch,
            DropReason::OtherProtocol,
            DropReason::OtherMessageType,
            DropReason::MessageUndecodable,
            DropReason::SecondSession,
        ] {
            assert_eq!(counts.get(reason), 1, "{reason:?} in {counts:?}");
        }
        assert_eq!(counts.total(), 10, "{counts:?}");
    });
    // Every drop but the duplicate, a routine copy, is a warning, and
    // its reason a field of it.
    let warnings: Vec<_> = captured.warnings().collect();
    assert_eq!(warnings.len(), 9, "{captured:?}");
    let subjects = [token::subject(RUN, 1), token::subject(RUN, 2)];
    assert!(
        warnings
            .iter()
            .all(|w| subjects.iter().any(|s| w.field("subject") == Some(s))),
        "{warnings:?}"
    );
    let tag = captured.warnings_containing("does not verify");
    assert_eq!(tag[0].field("reason"), Some("TagMismatch"));
    assert_eq!(tag[0].field("pipe"), Some("#1"));
    assert_eq!(tag[0].field("seq"), Some("1"));
    let replayed = captured.warnings_containing("subject of another pipe");
    assert_eq!(replayed[0].field("subject"), Some(subjects[1].as_str()));
}

#[test]
fn a_gap_given_up_on_is_counted_once() {
    let frames: Vec<Vec<u8>> = (1..=HOLD_LIMIT as u64 + 1)
        .map(|seq| frame(&KEY, &seq, |h| h.seq = seq))
        .collect();
    let counts = drops_of::<u64>(&frames).counts();
    assert_eq!(counts.get(DropReason::FramesSkipped), 1, "{counts:?}");
    assert_eq!(counts.total(), 1, "{counts:?}");
}

/// A message whose decoding panics on 13.
#[derive(Debug)]
struct Touchy;

impl<'de> serde::Deserialize<'de> for Touchy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(deserializer)?;
        assert!(n != 13, "Touchy will not decode 13");
        Ok(Self)
    }
}

#[test]
fn a_message_whose_decoding_panics_is_dropped_and_counted() {
    let touchy = fingerprint::<Touchy>();
    let frames = [
        frame(&KEY, &12u64, |h| h.message_type = touchy),
        frame(&KEY, &13u64, |h| (h.seq, h.message_type) = (1, touchy)),
    ];
    let counts = drops_of::<Touchy>(&frames).counts();
    assert_eq!(counts.get(DropReason::DecodePanicked), 1, "{counts:?}");
    assert_eq!(counts.total(), 1, "{counts:?}");
}

/// A message whose type refuses to decode 13 (its `Deserialize` fails).
#[derive(Clone, PartialEq, Debug)]
struct Picky(u64);

impl<'de> serde::Deserialize<'de> for Picky {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(deserializer)?;
        if n == 13 {
            return Err(serde::de::Error::custom("Picky will not decode 13"));
        }
        Ok(Self(n))
    }
}

#[test]
fn a_bad_authentic_frame_costs_that_frame_only() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use router_api::{MessageReceiver, SenderEnd};

    let picky = fingerprint::<Picky>();
    let message = |seq: u64, n: u64| frame(&KEY, &n, |h| (h.seq, h.message_type) = (seq, picky));
    let header = Header {
        protocol: frame::PROTOCOL,
        pipe: 1,
        session: 1,
        seq: 4,
        message_type: picky,
        kind: Kind::End { sent: 4, how: 1 },
    };
    let end = encode::<()>(&header, None, &keyed(&KEY), Vec::new()).unwrap();
    let frames = [
        message(0, 1),
        message(1, 13),
        message(2, 2),
        message(3, 3),
        end,
    ];

    let event_loop = DefaultEventLoop::new();
    let router = CrossbeamRouter::<Picky>::new(&event_loop);
    router.start().unwrap();
    let (sender, receiver) = router.pipe().unwrap();
    let got = Rc::new(RefCell::new(Vec::new()));
    receiver.connect({
        let got = Rc::clone(&got);
        move |message: &Picky| got.borrow_mut().push(message.0)
    });
    let ended = Rc::new(RefCell::new(None));
    receiver.on_end({
        let ended = Rc::clone(&ended);
        move |end: &SenderEnd| *ended.borrow_mut() = Some(*end)
    });
    let book = Arc::new(PipeBook::new());
    book.record(sender.pipe_id(), keyed(&KEY), sender);
    let drops = DropLog::new();
    let mut intake = Intake::<Picky>::new(book, drops.clone(), RUN);
    let ((), _) = capture(|| {
        for bytes in &frames {
            assert!(intake.take(&token::subject(RUN, 1), bytes), "the run is on");
        }
    });
    let routed = router.route_until(|| ended.borrow().is_some(), Some(Duration::from_secs(5)));
    assert_eq!(*got.borrow(), [1, 2, 3], "{routed:?}");
    assert_eq!(*ended.borrow(), Some(SenderEnd::Stopped), "{routed:?}");
    let counts = drops.counts();
    assert_eq!(counts.get(DropReason::MessageUndecodable), 1, "{counts:?}");
    assert_eq!(counts.total(), 1, "{counts:?}");
    router.stop().unwrap();
}

/// Bytes written as they are, with no length before them: postcard
/// writes a tuple's elements one after another.
struct Raw(Vec<u8>);

impl Serialize for Raw {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut tuple = serializer.serialize_tuple(self.0.len())?;
        for byte in &self.0 {
            tuple.serialize_element(byte)?;
        }
        tuple.end()
    }
}

/// A type that nests as deep as its bytes say.
#[derive(Debug, serde::Deserialize)]
enum Tree {
    Leaf,
    Node(#[allow(dead_code)] Box<Tree>),
}

#[test]
fn a_deeply_nested_message_is_refused_and_the_pipe_goes_on() {
    let tree = fingerprint::<Tree>();
    let mut deep = vec![1u8; 80_000];
    deep.push(0);
    let frames = [
        frame(&KEY, &Raw(vec![1, 0]), |h| h.message_type = tree),
        frame(&KEY, &Raw(deep), |h| (h.seq, h.message_type) = (1, tree)),
        frame(&KEY, &Raw(vec![0]), |h| (h.seq, h.message_type) = (2, tree)),
    ];
    let counts = drops_of::<Tree>(&frames).counts();
    assert_eq!(counts.get(DropReason::TooDeep), 1, "{counts:?}");
    assert_eq!(counts.total(), 1, "{counts:?}");
}
