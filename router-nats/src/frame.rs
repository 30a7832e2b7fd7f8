//! What travels through NATS: one frame per message (or per end of a
//! sender), authenticated with the pipe's key.
//!
//! A frame is `postcard(Header) ++ postcard(message) ++ tag`, where the
//! tag is the 32-byte HMAC-SHA256 of everything before it under the
//! pipe's key. The pipe's key is the HMAC-SHA256 of the pipe's number
//! under the router run's key, so a token of one pipe cannot forge frames
//! of another.

use hmac::{Hmac, Mac};
use router_api::SenderEnd;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The version of this format; a frame of another version is dropped.
pub(crate) const PROTOCOL: u16 = 1;

/// The length of a frame's tag.
pub(crate) const TAG_LEN: usize = 32;

/// The largest serialized message a sender sends, in bytes (NATS servers
/// take payloads of up to 1 MiB unless configured otherwise).
pub const MAX_MESSAGE_LEN: usize = 512 * 1024;

/// The largest frame the router reads; a bigger one is dropped unread.
pub(crate) const MAX_FRAME_LEN: usize = MAX_MESSAGE_LEN + 256;

/// A key: the router run's, or a pipe's.
pub(crate) type Key = [u8; 32];

/// What a frame carries besides the message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) enum Kind {
    /// A message of the pipe follows the header.
    Message,
    /// The sender ended after `sent` messages; nothing follows.
    End {
        /// How many messages the sender sent.
        sent: u64,
        /// How it ended: an [`EndCode`] byte.
        how: u8,
    },
}

/// How a sender ended, on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum EndCode {
    /// It was stopped.
    Stopped = 1,
    /// It was dropped without being stopped.
    Dropped = 2,
    /// Its thread panicked.
    Panicked = 3,
}

/// The code an end frame carries for `end`; a sender never ends as
/// [`SenderEnd::Lost`], which the router tells when a sender is gone
/// without a word.
pub(crate) fn end_code(end: SenderEnd) -> u8 {
    let code = match end {
        SenderEnd::Stopped => EndCode::Stopped,
        SenderEnd::Panicked => EndCode::Panicked,
        _ => EndCode::Dropped,
    };
    code as u8
}

/// The end an end frame's code stands for; a code no sender writes is
/// taken as [`SenderEnd::Lost`].
pub(crate) fn end_from_code(code: u8) -> SenderEnd {
    match code {
        x if x == EndCode::Stopped as u8 => SenderEnd::Stopped,
        x if x == EndCode::Dropped as u8 => SenderEnd::Dropped,
        x if x == EndCode::Panicked as u8 => SenderEnd::Panicked,
        _ => SenderEnd::Lost,
    }
}

/// The fields every frame starts with.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Header {
    /// [`PROTOCOL`].
    pub(crate) protocol: u16,
    /// The pipe's number.
    pub(crate) pipe: u64,
    /// A number the sender draws at start: frames of another session of
    /// the same pipe come from a second sender, which the router refuses.
    pub(crate) session: u64,
    /// The frame's place in its session, from 0, with no gap.
    pub(crate) seq: u64,
    /// The [`fingerprint`] of the sender's message type.
    pub(crate) message_type: u64,
    /// What follows.
    pub(crate) kind: Kind,
}

/// The fingerprint of message type `M`: the first 8 bytes of the SHA-256
/// of this format's name and version and `std::any::type_name::<M>()`.
///
/// It tells types apart by name, as `type_name` does: build the router
/// and its workers from the same source, with the message type in a
/// crate both use.
#[must_use]
pub fn fingerprint<M: ?Sized>() -> u64 {
    let digest = Sha256::new()
        .chain_update(b"router-nats frame ")
        .chain_update(PROTOCOL.to_le_bytes())
        .chain_update(std::any::type_name::<M>().as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

/// The key of `pipe` under the run's key.
pub(crate) fn pipe_key(run_key: &Key, pipe: u64) -> Key {
    let mut mac = keyed(run_key);
    mac.update(b"router-nats pipe ");
    mac.update(&pipe.to_le_bytes());
    mac.finalize().into_bytes().into()
}

/// A MAC keyed once, to be cloned for each frame.
pub(crate) fn keyed(key: &Key) -> Hmac<Sha256> {
    // HMAC takes keys of any length: this cannot fail.
    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

/// Writes a frame into `buffer` (cleared first): the header, the message
/// if there is one, the tag.
///
/// # Errors
///
/// postcard's error when the message cannot be serialized.
pub(crate) fn encode<M: Serialize + ?Sized>(
    header: &Header,
    message: Option<&M>,
    mac: &Hmac<Sha256>,
    mut buffer: Vec<u8>,
) -> Result<Vec<u8>, postcard::Error> {
    buffer.clear();
    let mut buffer = postcard::to_extend(header, buffer)?;
    if let Some(message) = message {
        buffer = postcard::to_extend(message, buffer)?;
    }
    let mut mac = mac.clone();
    mac.update(&buffer);
    buffer.extend_from_slice(&mac.finalize().into_bytes());
    Ok(buffer)
}

/// Why a frame was dropped unread.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Unread {
    /// Over [`MAX_FRAME_LEN`].
    Oversized,
    /// Too short for a tag, or the header does not decode.
    Undecodable,
}

/// A frame cut into its parts, not yet authenticated.
#[derive(Debug)]
pub(crate) struct Parts<'a> {
    pub(crate) header: Header,
    /// What the tag covers.
    signed: &'a [u8],
    /// The message's bytes (empty for an end).
    pub(crate) body: &'a [u8],
    tag: &'a [u8],
}

/// Cuts a frame into header, message bytes and tag.
///
/// # Errors
///
/// [`Unread`] for a frame that is too big or does not decode.
pub(crate) fn split(frame: &[u8]) -> Result<Parts<'_>, Unread> {
    if frame.len() > MAX_FRAME_LEN {
        return Err(Unread::Oversized);
    }
    let cut = frame
        .len()
        .checked_sub(TAG_LEN)
        .ok_or(Unread::Undecodable)?;
    let (signed, tag) = frame.split_at(cut);
    let (header, body) =
        router_remote::decode_prefix::<Header>(signed).map_err(|_| Unread::Undecodable)?;
    Ok(Parts {
        header,
        signed,
        body,
        tag,
    })
}

impl Parts<'_> {
    /// Whether the tag is the pipe's: checked in constant time.
    pub(crate) fn verifies(&self, mac: &Hmac<Sha256>) -> bool {
        let mut mac = mac.clone();
        mac.update(self.signed);
        mac.verify_slice(self.tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn header(kind: Kind) -> Header {
        Header {
            protocol: PROTOCOL,
            pipe: 7,
            session: 99,
            seq: 3,
            message_type: fingerprint::<String>(),
            kind,
        }
    }

    #[test]
    fn frame_reads_back_and_verifies_under_its_pipe_key_only() {
        let run = [5u8; 32];
        let mac = keyed(&pipe_key(&run, 7));
        let frame = encode(
            &header(Kind::Message),
            Some(&"hello".to_owned()),
            &mac,
            Vec::new(),
        )
        .unwrap();
        let parts = split(&frame).unwrap();
        assert_eq!(parts.header, header(Kind::Message));
        assert!(parts.verifies(&mac));
        assert!(!parts.verifies(&keyed(&pipe_key(&run, 8))));
        assert!(!parts.verifies(&keyed(&pipe_key(&[6u8; 32], 7))));
        let message = router_remote::decode_whole::<String>(parts.body).unwrap();
        assert_eq!(message, "hello");
    }

    #[test]
    fn altered_frame_does_not_verify() {
        let mac = keyed(&[1u8; 32]);
        let mut frame = encode(&header(Kind::Message), Some(&42u64), &mac, Vec::new()).unwrap();
        let last_body_byte = frame.len() - TAG_LEN - 1;
        frame[last_body_byte] ^= 1;
        assert!(!split(&frame).unwrap().verifies(&mac));
    }

    #[test]
    fn end_frame_has_no_body() {
        let mac = keyed(&[1u8; 32]);
        let end = Kind::End {
            sent: 12,
            how: EndCode::Stopped as u8,
        };
        let frame = encode::<()>(&header(end), None, &mac, Vec::new()).unwrap();
        let parts = split(&frame).unwrap();
        assert_eq!(parts.header.kind, end);
        assert!(parts.body.is_empty());
    }

    #[test]
    fn short_and_oversized_frames_are_unread() {
        assert_eq!(split(&[0u8; TAG_LEN - 1]).unwrap_err(), Unread::Undecodable);
        assert_eq!(
            split(&[0xffu8; TAG_LEN + 1]).unwrap_err(),
            Unread::Undecodable
        );
        assert_eq!(
            split(&vec![0u8; MAX_FRAME_LEN + 1]).unwrap_err(),
            Unread::Oversized
        );
    }

    #[test]
    fn fingerprints_differ_by_type() {
        assert_ne!(fingerprint::<u64>(), fingerprint::<u32>());
        assert_eq!(fingerprint::<u64>(), fingerprint::<u64>());
    }
}
