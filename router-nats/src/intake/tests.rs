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

/// Feeds `frames` to the intake of a run with pipe 1 (key [`KEY`]) and
/// returns the drops it counted.
fn drops_of<M>(frames: &[Vec<u8>]) -> DropLog<DropReason>
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
    let mut intake = Intake::<M>::new(book, drops.clone());
    for bytes in frames {
        assert!(intake.take("rnats.test.1", bytes), "the run is on");
    }
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
    drops
}

#[test]
fn each_bad_frame_is_dropped_for_its_reason_and_counted() {
    let ((), captured) = capture(|| {
        let frames = [
            frame(&KEY, &0u64, |_| {}),
            frame(&KEY, &0u64, |_| {}),
            vec![0; MAX_FRAME_LEN + 1],
            Vec::new(),
            frame(&KEY, &1u64, |h| h.pipe = 2),
            frame(&[8; 32], &1u64, |h| h.seq = 1),
            frame(&KEY, &1u64, |h| (h.seq, h.protocol) = (1, 9)),
            frame(&KEY, &1u32, |h| {
                (h.seq, h.message_type) = (1, fingerprint::<u32>())
            }),
            frame(&KEY, &"one", |h| h.seq = 1),
            frame(&KEY, &0u64, |h| h.session = 2),
        ];
        let counts = drops_of::<u64>(&frames).counts();
        for reason in [
            DropReason::Duplicate,
            DropReason::Oversized,
            DropReason::Undecodable,
            DropReason::PipeNeverMade,
            DropReason::TagMismatch,
            DropReason::OtherProtocol,
            DropReason::OtherMessageType,
            DropReason::MessageUndecodable,
            DropReason::SecondSession,
        ] {
            assert_eq!(counts.get(reason), 1, "{reason:?} in {counts:?}");
        }
        assert_eq!(counts.total(), 9, "{counts:?}");
    });
    // Every drop but the duplicate, a routine copy, is a warning, and
    // its reason a field of it.
    let warnings: Vec<_> = captured.warnings().collect();
    assert_eq!(warnings.len(), 8, "{captured:?}");
    assert!(
        warnings
            .iter()
            .all(|w| w.field("subject") == Some("rnats.test.1"))
    );
    let tag = captured.warnings_containing("does not verify");
    assert_eq!(tag[0].field("reason"), Some("TagMismatch"));
    assert_eq!(tag[0].field("pipe"), Some("#1"));
    assert_eq!(tag[0].field("seq"), Some("1"));
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
