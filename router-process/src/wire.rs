//! The wire format between a sender and its router.
//!
//! A connection carries frames. A frame is a 4-byte little-endian length,
//! then that many bytes of [postcard](https://docs.rs/postcard), at most
//! [`MAX_FRAME_LEN`] of them. The first frame a sender writes is its
//! [`Hello`] (protocol version, the router's secret, the pipe number); the
//! router answers it with the single byte [`ACCEPTED`], or refuses it with
//! the one byte of a [`Refusal`], which names the cause, and closes the
//! connection. Every later frame is one message of the pipe, in order.
//! A connection the router closes without any answer was cut by the
//! router stopping.
//!
//! This module is public so that a benchmark or a sender written in
//! another language can speak the same frames; a Rust program uses
//! [`ProcessSender`](crate::ProcessSender) and never needs it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The largest payload a frame may carry, in bytes. A sender refuses a
/// bigger message; the router closes a connection that announces one.
pub const MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// The length of a frame's header: its payload length as a little-endian
/// `u32`.
pub const HEADER_LEN: usize = 4;

/// The version of this format, carried in the hello.
pub const PROTOCOL: u16 = 1;

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
}

impl Refusal {
    /// Every refusal, in the order of their codes.
    pub const ALL: [Self; 6] = [
        Self::BadHello,
        Self::Protocol,
        Self::Secret,
        Self::UnknownPipe,
        Self::AlreadyConnected,
        Self::HelloTimeout,
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
        }
    }

    /// The refusal a byte stands for, if it stands for one.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|refusal| refusal.code() == code)
    }
}

/// The first frame of a connection: who the sender is and that it may
/// speak to this router. On the wire it is the three numbers in order,
/// as postcard writes a struct.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// [`PROTOCOL`].
    pub protocol: u16,
    /// The router run's secret, from the sender's token.
    pub secret: u128,
    /// The pipe's number, from the sender's token.
    pub pipe: u64,
}

impl std::fmt::Debug for Hello {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of logs.
        f.debug_struct("Hello")
            .field("protocol", &self.protocol)
            .field("pipe", &self.pipe)
            .finish_non_exhaustive()
    }
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
    fn message_over_the_limit_is_refused() {
        let big = vec![0u8; MAX_FRAME_LEN + 1];
        let error = encode_frame(&big, Vec::new()).unwrap_err();
        assert!(matches!(error, EncodeError::TooLarge { len } if len > MAX_FRAME_LEN));
    }
}
