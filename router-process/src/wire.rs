//! The wire format between a sender and its router.
//!
//! A connection carries frames. A frame is a 4-byte little-endian length,
//! then that many bytes of [postcard](https://docs.rs/postcard), at most
//! [`MAX_FRAME_LEN`] of them. The first frame a sender writes is its
//! [`Hello`] (protocol version, the router's secret, the pipe number and
//! the message type); the router answers it with the single byte
//! [`ACCEPTED`], or refuses it with the one byte of a [`Refusal`], which
//! names the cause (for [`Refusal::MessageType`], a frame naming the
//! router's message type follows it), and closes the connection. Every
//! later frame is a [`Frame`]: one message of the pipe, in order, or the
//! sender's end of stream, the last frame of the connection. A
//! connection that closes without its end frame ends the pipe as
//! [`SenderEnd::Lost`].
//! A connection the router closes without any answer was cut by the
//! router stopping.
//!
//! This module is public so that a benchmark or a sender written in
//! another language can speak the same frames; a Rust program uses
//! [`ProcessSender`](crate::ProcessSender) and never needs it.

use router_api::SenderEnd;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The largest payload a frame may carry, in bytes. A sender refuses a
/// bigger message; the router closes a connection that announces one.
pub const MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// The length of a frame's header: its payload length as a little-endian
/// `u32`.
pub const HEADER_LEN: usize = 4;

/// The version of this format, carried in the hello. Version 2 added the
/// message type to the hello, version 3 the [`Frame`] around each message
/// and the end frame.
pub const PROTOCOL: u16 = 3;

/// A frame after the hello, as the router reads it.
#[derive(Debug, Deserialize)]
pub enum Frame<M> {
    /// One message of the pipe.
    Message(M),
    /// The sender ended, as [`end_from_code`] reads the byte; nothing
    /// follows.
    End(u8),
}

/// A frame after the hello, as a sender writes it: the message borrowed.
#[derive(Debug, Serialize)]
pub enum FrameRef<'a, M: ?Sized> {
    /// One message of the pipe.
    Message(&'a M),
    /// The sender ended ([`end_code`]).
    End(u8),
}

/// The byte an end frame carries for `end`.
#[must_use]
pub fn end_code(end: SenderEnd) -> u8 {
    match end {
        SenderEnd::Stopped => 0,
        SenderEnd::Dropped => 1,
        SenderEnd::Panicked => 2,
        // Lost is the router's word for a connection with no end frame; a
        // sender that says it is treated the same.
        _ => 3,
    }
}

/// How a sender ended, from the byte of its end frame; `None` for a byte
/// no version of this format writes.
#[must_use]
pub fn end_from_code(code: u8) -> Option<SenderEnd> {
    match code {
        0 => Some(SenderEnd::Stopped),
        1 => Some(SenderEnd::Dropped),
        2 => Some(SenderEnd::Panicked),
        3 => Some(SenderEnd::Lost),
        _ => None,
    }
}

/// Appends one frame holding `message` to `buffer`: what a sender writes
/// for each send.
///
/// # Errors
///
/// As [`encode_frame`].
pub fn encode_message<M: Serialize + ?Sized>(
    message: &M,
    buffer: Vec<u8>,
) -> Result<Vec<u8>, EncodeError> {
    encode_frame(&FrameRef::Message(message), buffer)
}

/// One end frame saying `end`: the last thing a sender writes.
#[must_use]
pub fn end_frame(end: SenderEnd) -> Vec<u8> {
    let mut frame = Vec::with_capacity(HEADER_LEN + 2);
    // Two bytes of postcard: the variant, then the code.
    frame.extend_from_slice(&2u32.to_le_bytes());
    frame.extend_from_slice(&[1, end_code(end)]);
    frame
}

/// The most a refusal's trailing frame may announce, as a sender reads it.
pub const MAX_REFUSAL_DETAIL: usize = 64 * 1024;

/// The byte the router answers an accepted hello with.
pub const ACCEPTED: u8 = 0xA5;

/// Why the router refused a connection: the byte it answers the hello
/// with, instead of [`ACCEPTED`], just before it closes the connection.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Refusal {
    /// The hello is not a [`Hello`] (it does not decode, or announces more
    /// than [`MAX_FRAME_LEN`]).
    BadHello,
    /// The hello speaks another [`PROTOCOL`] version.
    Protocol,
    /// The hello does not carry this router run's secret.
    Secret,
    /// The hello names a pipe this router run never made.
    UnknownPipe,
    /// The hello names a pipe whose sender connected already; a pipe
    /// takes one sender per run.
    AlreadyConnected,
    /// The whole hello did not arrive within the router's hello timeout.
    HelloTimeout,
    /// The hello's [`message_type`](Hello::message_type) is not the
    /// router's: the sender sends another type than the router routes. A
    /// frame holding the router's [`type_name`](Hello::type_name), a
    /// `String`, follows the byte.
    MessageType,
}

impl Refusal {
    /// Every refusal, in the order of their codes.
    pub const ALL: [Self; 7] = [
        Self::BadHello,
        Self::Protocol,
        Self::Secret,
        Self::UnknownPipe,
        Self::AlreadyConnected,
        Self::HelloTimeout,
        Self::MessageType,
    ];

    /// The byte that stands for this refusal on the wire.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::BadHello => 0x01,
            Self::Protocol => 0x02,
            Self::Secret => 0x03,
            Self::UnknownPipe => 0x04,
            Self::AlreadyConnected => 0x05,
            Self::HelloTimeout => 0x06,
            Self::MessageType => 0x07,
        }
    }

    /// The refusal a byte stands for, if it stands for one.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|refusal| refusal.code() == code)
    }
}

/// The first frame of a connection: who the sender is and that it may
/// speak to this router. On the wire it is its fields in order, as
/// postcard writes a struct; the protocol comes first in every version,
/// so a router reads it alone first and refuses another version with
/// [`Refusal::Protocol`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// [`PROTOCOL`].
    pub protocol: u16,
    /// The router run's secret, from the sender's token.
    pub secret: u128,
    /// The pipe's number, from the sender's token.
    pub pipe: u64,
    /// The [`message_type`] of the messages the sender sends; the router
    /// refuses a hello whose fingerprint is not its own.
    pub message_type: u64,
    /// [`std::any::type_name`] of those messages, to name them in errors.
    pub type_name: String,
}

impl Hello {
    /// The hello of a sender of `M` messages on `pipe`.
    #[must_use]
    pub fn new<M: ?Sized>(secret: u128, pipe: u64) -> Self {
        Self {
            protocol: PROTOCOL,
            secret,
            pipe,
            message_type: message_type::<M>(),
            type_name: std::any::type_name::<M>().to_owned(),
        }
    }
}

impl std::fmt::Debug for Hello {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of logs.
        f.debug_struct("Hello")
            .field("protocol", &self.protocol)
            .field("pipe", &self.pipe)
            .field("message_type", &format_args!("{:#018x}", self.message_type))
            .field("type_name", &self.type_name)
            .finish_non_exhaustive()
    }
}

/// The protocol version a hello's payload announces, read alone (it is
/// the first field in every version).
///
/// # Errors
///
/// postcard's error if the payload does not start with a `u16`.
pub fn hello_protocol(payload: &[u8]) -> Result<u16, postcard::Error> {
    postcard::take_from_bytes::<u16>(payload).map(|(protocol, _)| protocol)
}

/// The fingerprint of message type `M` that a hello carries: a 64-bit
/// FNV-1a hash of the [`PROTOCOL`] version and
/// [`std::any::type_name::<M>()`](std::any::type_name), so that a sender
/// of one type is refused by a router of another instead of having its
/// frames decoded as the wrong type (a `u32` read as a `u64`) or dropped.
///
/// The check is as good as `type_name`, which is meant for diagnostics:
///
/// - it compares names, not shapes: a type mirrored in another crate, with
///   the same fields at another path, is refused; put the message type in
///   a crate both programs use;
/// - two types with one name pass: the same path in two versions of a
///   crate, or a type whose definition changed between the parent's build
///   and the child's (build both from the same source);
/// - the text of a name may change between compiler versions, so a parent
///   and a child built by different compilers may be refused;
/// - lifetimes are erased, and aliases are the type they stand for.
#[must_use]
pub fn message_type<M: ?Sized>() -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    PROTOCOL
        .to_le_bytes()
        .iter()
        .chain(std::any::type_name::<M>().as_bytes())
        .fold(OFFSET, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(PRIME)
        })
}

/// Why a value could not be made into a frame.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The value's `Serialize` implementation failed, or uses something
    /// postcard cannot write.
    #[error("the message cannot be serialized: {0}")]
    Serialize(#[from] postcard::Error),
    /// The serialized value is bigger than [`MAX_FRAME_LEN`].
    #[error("the message is {len} bytes serialized, over the limit of {MAX_FRAME_LEN} bytes")]
    TooLarge {
        /// Its serialized length.
        len: usize,
    },
}

/// Appends one frame holding `value` to `buffer` and returns the buffer.
///
/// # Errors
///
/// [`EncodeError::Serialize`] if postcard cannot write the value,
/// [`EncodeError::TooLarge`] if it is over [`MAX_FRAME_LEN`]; the buffer
/// is lost then, as with postcard's own `to_extend`.
pub fn encode_frame<T: Serialize + ?Sized>(
    value: &T,
    mut buffer: Vec<u8>,
) -> Result<Vec<u8>, EncodeError> {
    let header_at = buffer.len();
    buffer.extend_from_slice(&[0; HEADER_LEN]);
    let mut buffer = postcard::to_extend(value, buffer)?;
    let len = buffer.len() - header_at - HEADER_LEN;
    let header = u32::try_from(len)
        .ok()
        .filter(|_| len <= MAX_FRAME_LEN)
        .ok_or(EncodeError::TooLarge { len })?;
    buffer[header_at..header_at + HEADER_LEN].copy_from_slice(&header.to_le_bytes());
    Ok(buffer)
}

/// The payload length a frame header announces.
#[must_use]
pub fn payload_len(header: [u8; HEADER_LEN]) -> usize {
    // A u32 always fits a usize on the platforms this crate builds for
    // (Unix sockets, 32 bits and up).
    u32::from_le_bytes(header) as usize
}

/// Reads a frame's payload back into a value.
///
/// # Errors
///
/// postcard's error if the bytes are not one whole value of type `T`
/// (trailing bytes count as an error).
pub fn decode_payload<T: DeserializeOwned>(payload: &[u8]) -> Result<T, postcard::Error> {
    let (value, rest) = postcard::take_from_bytes(payload)?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(postcard::Error::DeserializeBadEncoding)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn end_frame_decodes_as_the_end_it_says() {
        for end in [
            SenderEnd::Stopped,
            SenderEnd::Dropped,
            SenderEnd::Panicked,
            SenderEnd::Lost,
        ] {
            let frame = end_frame(end);
            let len = payload_len(frame[..HEADER_LEN].try_into().unwrap());
            assert_eq!(len, frame.len() - HEADER_LEN);
            match decode_payload::<Frame<u64>>(&frame[HEADER_LEN..]).unwrap() {
                Frame::End(code) => assert_eq!(end_from_code(code), Some(end)),
                Frame::Message(message) => panic!("an end frame read as message {message}"),
            }
        }
        let message = encode_message(&7u64, Vec::new()).unwrap();
        assert!(matches!(
            decode_payload::<Frame<u64>>(&message[HEADER_LEN..]).unwrap(),
            Frame::Message(7)
        ));
    }

    #[test]
    fn frame_is_length_then_postcard_payload() {
        let frame = encode_frame(&(7u32, String::from("seven")), Vec::new()).unwrap();
        let len = payload_len(frame[..HEADER_LEN].try_into().unwrap());
        assert_eq!(len, frame.len() - HEADER_LEN);
        let value: (u32, String) = decode_payload(&frame[HEADER_LEN..]).unwrap();
        assert_eq!(value, (7, "seven".to_owned()));
    }

    #[test]
    fn frames_append_to_what_the_buffer_holds() {
        let buffer = encode_frame(&1u8, Vec::new()).unwrap();
        let first = buffer.len();
        let buffer = encode_frame(&2u8, buffer).unwrap();
        let second: u8 = decode_payload(&buffer[first + HEADER_LEN..]).unwrap();
        assert_eq!(second, 2);
    }

    #[test]
    fn payload_with_trailing_bytes_does_not_decode() {
        let mut frame = encode_frame(&5u8, Vec::new()).unwrap();
        frame.push(0);
        assert!(decode_payload::<u8>(&frame[HEADER_LEN..]).is_err());
    }

    #[test]
    fn refusal_codes_are_distinct_read_back_and_never_the_accept_byte() {
        for refusal in Refusal::ALL {
            assert_ne!(refusal.code(), ACCEPTED);
            assert_eq!(Refusal::from_code(refusal.code()), Some(refusal));
        }
        let mut codes: Vec<u8> = Refusal::ALL.iter().map(|r| r.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), Refusal::ALL.len());
        assert_eq!(Refusal::from_code(ACCEPTED), None);
        assert_eq!(Refusal::from_code(0), None);
    }

    #[test]
    fn message_types_differ_by_name_and_are_stable() {
        assert_eq!(message_type::<u64>(), message_type::<u64>());
        assert_ne!(message_type::<u64>(), message_type::<u32>());
        assert_ne!(message_type::<u64>(), message_type::<String>());
        assert_ne!(message_type::<(u32, u32)>(), message_type::<[u32; 2]>());
        // FNV-1a of [3, 0] then "u64": the same in every build.
        assert_eq!(message_type::<u64>(), 0x8bd6_4205_1bc9_500b);
    }

    #[test]
    fn protocol_is_read_from_a_hello_of_any_version() {
        let hello = Hello::new::<u64>(7, 3);
        let frame = encode_frame(&hello, Vec::new()).unwrap();
        assert_eq!(hello_protocol(&frame[HEADER_LEN..]), Ok(PROTOCOL));
        // A version 1 hello: protocol, secret, pipe.
        let old = encode_frame(&(1u16, 7u128, 3u64), Vec::new()).unwrap();
        assert_eq!(hello_protocol(&old[HEADER_LEN..]), Ok(1));
        assert!(decode_payload::<Hello>(&old[HEADER_LEN..]).is_err());
    }

    #[test]
    fn message_over_the_limit_is_refused() {
        let big = vec![0u8; MAX_FRAME_LEN + 1];
        let error = encode_frame(&big, Vec::new()).unwrap_err();
        assert!(matches!(error, EncodeError::TooLarge { len } if len > MAX_FRAME_LEN));
    }
}
