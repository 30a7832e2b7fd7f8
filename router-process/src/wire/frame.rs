//! Frames: a 4-byte little-endian length, then that many bytes of
//! postcard; after the hello, each is a [`Frame`].

use router_api::SenderEnd;
pub use router_remote::EncodeError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The largest payload a frame may carry, in bytes. A sender refuses a
/// bigger message; the router closes a connection that announces one.
pub const MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// The length of a frame's header: its payload length as a little-endian
/// `u32`.
pub const HEADER_LEN: usize = 4;

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
        .ok_or(EncodeError::TooLarge {
            len,
            limit: MAX_FRAME_LEN,
        })?;
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
    router_remote::decode_whole(payload)
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
    fn message_over_the_limit_is_refused() {
        let big = vec![0u8; MAX_FRAME_LEN + 1];
        let error = encode_frame(&big, Vec::new()).unwrap_err();
        assert!(
            matches!(error, EncodeError::TooLarge { len, limit: MAX_FRAME_LEN } if len > MAX_FRAME_LEN)
        );
    }
}
