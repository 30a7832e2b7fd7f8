//! The bodies of the fuzz targets that reach this crate's decoders (the
//! `fuzz/` project at the repository's root), their seeds, and the replay
//! of their committed corpus as plain tests: behind the `fuzzing`
//! feature, not public API.
//!
//! - [`frame`] (`nats_frame`): a frame's split, its tag check and the
//!   decoding of what it carries;
//! - [`intake`] (`nats_intake`): a run's intake fed a sequence of frames,
//!   authentic or not, and the order it delivers them in;
//! - [`notices`] (`nats_notices`): the closed notice a sender reads, and
//!   the subjects of asks and frames the router reads;
//! - [`token`] (`tokens`, with router-process'): the `rn1:` token parser.
//!
//! Frames a fuzzer could not sign are signed here (the first byte of the
//! input says so), so the checks after the tag are reached.

mod intake;

use router_remote::decode_guarded;
use router_remote::fuzzing::{Reproducer, Shape, deep_shape, shape_seeds};

use self::intake::{end_op, message_op};
use crate::frame::{self, Header, Key, Kind, TAG_LEN};
use crate::notice;
use crate::token::{self, Token};

pub use self::intake::intake;

/// The run of the fuzzed intake and notices.
pub const RUN: u64 = 0xab;

/// The pipe the fuzzed intake's run made.
pub const PIPE: u64 = 1;

/// The key of [`PIPE`], with which the targets sign frames.
const KEY: Key = [7; 32];

/// `signed` with its tag under [`KEY`] after it: a frame.
fn signed(signed: &[u8]) -> Vec<u8> {
    use hmac::Mac;
    let mut mac = frame::keyed(&KEY);
    mac.update(signed);
    let mut bytes = signed.to_vec();
    bytes.extend_from_slice(&mac.finalize().into_bytes());
    bytes
}

/// The target `nats_frame`: a first byte of 0 takes the rest as a frame
/// as it came; of 1, as what a frame's tag covers, signed here.
///
/// # Panics
///
/// When a frame signed under the pipe's key does not verify, or its
/// split loses or makes up bytes.
pub fn frame(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode == 1 {
        signed(rest)
    } else {
        rest.to_vec()
    };
    let Ok(parts) = frame::split(&bytes) else {
        return;
    };
    let verifies = parts.verifies(&frame::keyed(&KEY));
    if mode == 1 {
        assert!(
            verifies,
            "a frame signed under the pipe's key does not verify"
        );
        let header = router_remote::decode_prefix::<Header>(rest).ok();
        assert_eq!(
            header.map(|(h, body)| (h, body.len())),
            Some((parts.header, parts.body.len()))
        );
    }
    if !verifies {
        return;
    }
    match parts.header.kind {
        Kind::Message => {
            let _ = decode_guarded::<Shape>(parts.body);
        }
        Kind::End { how, .. } => {
            let _ = frame::end_from_code(how);
        }
    }
}

/// The target `nats_notices`: a first byte of 0 takes the rest as a
/// closed notice a sender of pipe [`PIPE`] of run [`RUN`] hears; else as
/// a subject the router reads an ask or a frame on.
///
/// # Panics
///
/// When a notice the router did not write passes, or a subject is read
/// as a pipe whose own subject it is not.
pub fn notices(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode == 0 {
        let mac = frame::keyed(&KEY);
        let is_notice = rest == notice::closed_notice(&mac, RUN, PIPE).as_slice();
        assert_eq!(notice::is_closed_notice(&mac, RUN, PIPE, rest), is_notice);
        return;
    }
    let Ok(subject) = std::str::from_utf8(rest) else {
        return;
    };
    if let Some(pipe) = token::pipe_named(RUN, subject, "") {
        assert_eq!(subject, token::subject(RUN, pipe));
    }
    if let Some(pipe) = notice::pipe_of_ask(RUN, subject) {
        assert_eq!(subject, notice::ask_subject(RUN, pipe));
    }
}

/// The target `tokens` (this crate's half): any text as an `rn1:` token.
///
/// # Panics
///
/// When a token read does not write back as itself.
pub fn token(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match text.parse::<Token>() {
        Ok(token) => {
            let again = token.to_string().parse::<Token>();
            assert_eq!(again, Ok(token));
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

/// The seeds of `target`, from this crate's own encoders.
#[must_use]
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    let shapes = shape_seeds();
    match target {
        "nats_frame" => {
            let header = Header {
                protocol: frame::PROTOCOL,
                pipe: PIPE,
                session: 9,
                seq: 3,
                message_type: frame::fingerprint::<Shape>(),
                kind: Kind::Message,
            };
            let mut seeds = Vec::new();
            for shape in &shapes {
                let mut covered = postcard::to_allocvec(&header).unwrap_or_default();
                covered.extend_from_slice(shape);
                seeds.push([&[1][..], &covered].concat());
                seeds.push([&[0][..], &signed(&covered)].concat());
            }
            let end = Header {
                kind: Kind::End { sent: 4, how: 1 },
                ..header
            };
            seeds.push([&[1][..], &postcard::to_allocvec(&end).unwrap_or_default()].concat());
            seeds.push([0; TAG_LEN + 1].to_vec());
            seeds
        }
        "nats_intake" => {
            let mut ops: Vec<u8> = Vec::new();
            for (seq, shape) in (0u8..).zip(&shapes) {
                ops.extend(message_op(seq, shape));
            }
            let in_order = [ops.clone(), end_op(11)].concat();
            let mut seeds = vec![in_order];
            // Out of order, with a copy, a refused one and garbage.
            seeds.push(
                [
                    message_op(1, &shapes[1]),
                    message_op(0, &shapes[0]),
                    message_op(1, &shapes[2]),
                    vec![40, 2],
                    vec![0x80 | 60, 3, 1, 2, 3],
                    end_op(3),
                ]
                .concat(),
            );
            seeds
        }
        "nats_notices" => {
            let notice = notice::closed_notice(&frame::keyed(&KEY), RUN, PIPE);
            vec![
                [&[0][..], &notice].concat(),
                [&[1][..], token::subject(RUN, 12).as_bytes()].concat(),
                [&[1][..], notice::ask_subject(RUN, 0).as_bytes()].concat(),
            ]
        }
        "tokens" => vec![
            b"rn1:42:ab00000000000000000000000000000000000000000000000000000000000001:0123456789abcdef:0000000000000007:nats://127.0.0.1:4222".to_vec(),
        ],
        _ => Vec::new(),
    }
}

/// The reproducers of the defects of issue 24 that reach this crate, by
/// target and name: what the targets must keep refusing.
#[must_use]
pub fn reproducers() -> Vec<Reproducer> {
    let number = |n: i64| postcard::to_allocvec(&Shape::Int(n)).unwrap_or_default();
    // A sender whose message 13 the router's type refuses: 1, 13, 2, 3, end.
    let mut refused_13 = vec![message_op(0, &number(1))];
    refused_13.push(message_op(1, &[0xFF; 11]));
    refused_13.extend([
        message_op(2, &number(2)),
        message_op(3, &number(3)),
        end_op(4),
    ]);
    let deep = deep_shape(40_000);
    let header = Header {
        protocol: frame::PROTOCOL,
        pipe: PIPE,
        session: 0,
        seq: 0,
        message_type: frame::fingerprint::<Shape>(),
        kind: Kind::Message,
    };
    let mut deep_frame = vec![1];
    deep_frame.extend(postcard::to_allocvec(&header).unwrap_or_default());
    deep_frame.extend_from_slice(&deep);
    vec![
        (
            "nats_intake",
            "refused-message-in-the-middle",
            refused_13.concat(),
        ),
        (
            "nats_intake",
            "message-nested-40000-deep",
            [message_op(0, &deep), message_op(1, &number(1)), end_op(2)].concat(),
        ),
        ("nats_frame", "message-nested-40000-deep", deep_frame),
    ]
}

router_remote::fuzz_corpus_tests! {
    "nats",
    [("nats_frame", frame), ("nats_intake", intake), ("nats_notices", notices), ("tokens", token)]
}
