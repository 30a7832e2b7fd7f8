//! The bodies of the fuzz targets that reach this crate's decoders (the
//! `fuzz/` project at the repository's root), their seeds, and the replay
//! of their committed corpus as plain tests: behind the `fuzzing`
//! feature, not public API.
//!
//! - [`frame_reader`] (`process_frames`): the length prefix and the frame
//!   reader, fed in chunks, before and after admission;
//! - [`connection`] (`process_connection`): one connection as the monitor
//!   serves it, over a real socket pair: the hello and its admission, the
//!   frames, their messages and end codes;
//! - [`sender_reads`] (`process_sender`): what a sender reads from the
//!   router: its answer, a refusal's detail, and the closed notice (C2);
//! - [`token`] (`tokens`, with router-nats'): the `rp1:` token parser.

use std::io::Write;
use std::net::Shutdown;
use std::sync::Arc;
use std::time::Duration;

use router_api::{DefaultEventLoop, MessageRouter, MessageSender, PipeId, SenderEnd};
use router_remote::fuzzing::{CrossbeamRouter, Reproducer, Shape, deep_shape, shape_seeds};
use router_remote::{DropLog, PipeBook};

use crate::connection::{Connection, Turn};
use crate::frames::{FrameReader, MIN_READ};
use crate::intake::Intake;
use crate::token::Token;
use crate::wire::{self, HEADER_LEN, Hello, MAX_FRAME_LEN, MAX_HELLO_LEN, payload_len};

/// The secret of the run a fuzzed connection speaks to: a hello that
/// carries it (as the seeds' do) is admitted.
pub const SECRET: u128 = 0x5eed_0000_0000_0000_0000_0000_0000_0001;

/// The pipe a fuzzed connection may be admitted for.
pub const PIPE: u64 = 1;

/// The most a reader not yet admitted may hold: a hello and a read.
const HELD_BEFORE_ADMISSION: usize = 2 * (HEADER_LEN + MAX_HELLO_LEN);

/// The target `process_frames`: the first byte says whether the
/// connection was admitted and how big the chunks are; the rest is the
/// byte stream.
///
/// # Panics
///
/// When the reader cuts other frames than the stream holds, refuses a
/// header within its limit or takes one over it, or holds more memory
/// than about twice the bytes fed (never more than a hello's before
/// admission).
pub fn frame_reader(data: &[u8]) {
    let Some((&mode, stream)) = data.split_first() else {
        return;
    };
    let admitted = mode & 1 == 1;
    let chunk = 1 + usize::from(mode >> 1) * 37;
    let limit = if admitted {
        MAX_FRAME_LEN
    } else {
        MAX_HELLO_LEN
    };
    let mut reader = FrameReader::new();
    if admitted {
        reader.admitted();
    }
    let (mut fed, mut cut, mut peak) = (0, 0, 0);
    for mut piece in stream.chunks(chunk) {
        while !piece.is_empty() {
            let spare = reader.spare();
            assert!(!spare.is_empty(), "no room to read into");
            let count = spare.len().min(piece.len());
            spare[..count].copy_from_slice(&piece[..count]);
            reader.filled(count);
            fed += count;
            piece = &piece[count..];
            peak = peak.max(reader.pending());
            let bound = if admitted {
                2 * peak + 2 * MIN_READ
            } else {
                HELD_BEFORE_ADMISSION
            };
            assert!(reader.held() <= bound, "{} held for {peak}", reader.held());
            loop {
                match reader.next_frame() {
                    Ok(Some(range)) => {
                        let header: [u8; HEADER_LEN] =
                            stream[cut..cut + HEADER_LEN].try_into().unwrap_or_default();
                        let len = payload_len(header);
                        assert!(len <= limit);
                        let expected = &stream[cut + HEADER_LEN..cut + HEADER_LEN + len];
                        assert_eq!(reader.payload(range), expected, "another payload");
                        cut += HEADER_LEN + len;
                    }
                    Ok(None) => break,
                    Err(oversized) => {
                        let header: [u8; HEADER_LEN] =
                            stream[cut..cut + HEADER_LEN].try_into().unwrap_or_default();
                        assert_eq!(oversized.len, payload_len(header));
                        assert!(oversized.len > limit && oversized.limit == limit);
                        return;
                    }
                }
            }
        }
    }
    assert_eq!(cut + reader.pending(), fed, "bytes lost or made up");
}

/// A router run of [`Shape`]s with pipe [`PIPE`], and the intake a
/// monitor would check connections against.
fn run() -> Option<(DefaultEventLoop, CrossbeamRouter<Shape>, Intake<Shape>)> {
    let event_loop = DefaultEventLoop::new();
    let router = CrossbeamRouter::<Shape>::new(&event_loop);
    router.start().ok()?;
    let (sender, receiver) = router.pipe().ok()?;
    // The sender speaks for the pipe now; the receiver's drop closes it,
    // which the fuzzed connection may be told.
    drop(receiver);
    let book = Arc::new(PipeBook::new());
    book.record(sender.pipe_id(), (), sender);
    let intake = Intake {
        secret: SECRET,
        book,
        hello_timeout: Duration::from_secs(10),
        message_type: wire::message_type::<Shape>(),
        type_name: std::any::type_name::<Shape>(),
        drops: DropLog::new(),
    };
    Some((event_loop, router, intake))
}

/// The target `process_connection`: `data` is what a peer writes on its
/// connection, served as the monitor serves it.
///
/// # Panics
///
/// When the connection holds more memory than its bytes warrant, or its
/// turns do not end once the peer's bytes are all read.
pub fn connection(data: &[u8]) {
    let Some((_event_loop, router, intake)) = run() else {
        return;
    };
    let Ok((ours, mut theirs)) = mio::net::UnixStream::pair() else {
        return;
    };
    let mut connection = Connection::<Shape>::new(2, ours);
    let mut written = 0;
    let mut shut = false;
    for _ in 0..10_000 {
        // The peer writes what the socket takes, then closes its side.
        while written < data.len() {
            match theirs.write(&data[written..]) {
                Ok(count) if count > 0 => written += count,
                _ => break,
            }
        }
        if written == data.len() && !shut {
            // Its side only: the router's answers still have room.
            let _ = theirs.shutdown(Shutdown::Write);
            shut = true;
        }
        let turn = connection.read_turn(&intake);
        let bound = if connection.awaits_hello() {
            HELD_BEFORE_ADMISSION
        } else {
            2 * written + 2 * MIN_READ
        };
        assert!(connection.held() <= bound, "{} held", connection.held());
        match turn {
            Turn::Closed => break,
            Turn::Drained if shut => {}
            Turn::Drained | Turn::More => continue,
            Turn::Paused => panic!("an unbounded pipe paused"),
        }
    }
    let _ = router.route_until(|| false, Some(Duration::ZERO));
    drop(connection);
    let _ = router.stop();
}

/// The target `process_sender`: `data` is what the router answers a
/// sender's hello with, and what it writes after.
///
/// # Panics
///
/// When an accepted sender's look for the closed notice says otherwise
/// than the bytes after the accept byte do.
pub fn sender_reads(data: &[u8]) {
    // What the socket takes without a reader: its buffer is far bigger.
    let data = &data[..data.len().min(64 * 1024)];
    let Ok((mut ours, mut theirs)) = std::os::unix::net::UnixStream::pair() else {
        return;
    };
    if theirs.write_all(data).is_err() || theirs.shutdown(Shutdown::Write).is_err() {
        return;
    }
    match crate::dial::read_answer::<Shape>(&mut ours, PipeId::new(PIPE)) {
        Ok(()) => {
            let after = &data[1..];
            let looked = &after[..after.len().min(wire::MAX_CLOSED_READ)];
            let closed = after.is_empty() || looked.contains(&wire::CLOSED);
            assert_eq!(crate::line::router_said_closed(&ours), closed);
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

/// The target `tokens` (this crate's half): any text as an `rp1:` token.
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
            let again = token.to_string().parse::<Token>().ok();
            assert!(
                again.as_ref() == Some(&token),
                "{token:?} reads back otherwise"
            );
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

/// The frames a sender of [`Shape`]s on [`PIPE`] writes: its hello, its
/// messages, its end.
fn sender_stream(messages: &[Vec<u8>], end: Option<SenderEnd>) -> Vec<u8> {
    let hello = Hello::new::<Shape>(SECRET, PIPE);
    let mut stream = wire::encode_frame(&hello, Vec::new()).unwrap_or_default();
    for message in messages {
        // The frame's variant (a message), then the message's bytes.
        let len = u32::try_from(1 + message.len()).unwrap_or(u32::MAX);
        stream.extend_from_slice(&len.to_le_bytes());
        stream.push(0);
        stream.extend_from_slice(message);
    }
    if let Some(end) = end {
        stream.extend_from_slice(&wire::end_frame(end));
    }
    stream
}

/// The seeds of `target`, from this crate's own encoders.
#[must_use]
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    let shapes = shape_seeds();
    match target {
        "process_frames" => {
            let stream = sender_stream(&shapes, Some(SenderEnd::Stopped));
            let mut seeds: Vec<Vec<u8>> = [0u8, 1, 2, 3, 255]
                .iter()
                .map(|&mode| [&[mode][..], &stream].concat())
                .collect();
            seeds.push(vec![0, 0, 0, 0, 1]);
            seeds
        }
        "process_connection" => vec![
            sender_stream(&shapes, Some(SenderEnd::Stopped)),
            sender_stream(&shapes[..2], Some(SenderEnd::Dropped)),
            sender_stream(&shapes[..1], None),
            wire::encode_frame(&Hello::new::<Shape>(SECRET ^ 1, PIPE), Vec::new())
                .unwrap_or_default(),
            wire::encode_frame(&Hello::new::<u64>(SECRET, PIPE), Vec::new()).unwrap_or_default(),
            wire::encode_frame(&(1u16, SECRET, PIPE), Vec::new()).unwrap_or_default(),
            vec![0, 0, 0, 1],
        ],
        "process_sender" => {
            let name = wire::encode_frame("alloc::string::String", Vec::new()).unwrap_or_default();
            let mut seeds = vec![
                vec![wire::ACCEPTED],
                vec![wire::ACCEPTED, wire::CLOSED],
                vec![wire::ACCEPTED, 0, 0, wire::CLOSED],
                [&[wire::Refusal::MessageType.code()][..], &name].concat(),
            ];
            seeds.extend(
                wire::Refusal::ALL
                    .iter()
                    .map(|refusal| vec![refusal.code()]),
            );
            seeds
        }
        "tokens" => vec![
            b"rp1:42:0123456789abcdef0011223344556677:/tmp/router-process-x/socket".to_vec(),
            b" rp1:1:00000000000000000000000000000001:/a:b \n".to_vec(),
        ],
        _ => Vec::new(),
    }
}

/// The reproducers of the defects of issue 24 that reach this crate, by
/// target and name: what the targets must keep refusing.
#[must_use]
pub fn reproducers() -> Vec<Reproducer> {
    let mut deep = sender_stream(&[], None);
    let message = deep_shape(40_000);
    deep.extend_from_slice(&u32::try_from(1 + message.len()).unwrap_or(0).to_le_bytes());
    deep.push(0);
    deep.extend_from_slice(&message);
    vec![
        (
            "process_connection",
            "hello-announcing-16-mib",
            vec![0, 0, 0, 1],
        ),
        (
            "process_frames",
            "hello-announcing-16-mib",
            vec![0, 0, 0, 0, 1],
        ),
        ("process_connection", "message-nested-40000-deep", deep),
    ]
}

router_remote::fuzz_corpus_tests! {
    "process",
    [("process_frames", frame_reader), ("process_connection", connection),
     ("process_sender", sender_reads), ("tokens", token)]
}
