//! The hello: the first frame of a connection, which says who the
//! sender is, and the fingerprint of its message type.

use serde::{Deserialize, Serialize};

/// The version of this format, carried in the hello. Version 2 added the
/// message type to the hello, version 3 the [`Frame`](crate::wire::Frame) around each message
/// and the end frame.
pub const PROTOCOL: u16 = 3;

/// The largest hello payload a router reads, in bytes. Before a
/// connection is admitted, its first header may announce no more: the
/// router refuses one that does ([`Refusal::BadHello`](crate::wire::Refusal::BadHello)) at once,
/// so a peer that can open the socket but holds no token pins no more
/// than this much memory while its hello is awaited.
pub const MAX_HELLO_LEN: usize = 4096;

/// The most bytes of [`Hello::type_name`] a hello carries; a longer name
/// is cut, at a character's boundary, to keep the hello within
/// [`MAX_HELLO_LEN`]. The name only names the type in errors: the
/// [`message_type`] fingerprint covers all of it.
pub const MAX_TYPE_NAME_LEN: usize = 4000;

/// The first frame of a connection: who the sender is and that it may
/// speak to this router. On the wire it is its fields in order, as
/// postcard writes a struct; the protocol comes first in every version,
/// so a router reads it alone first and refuses another version with
/// [`Refusal::Protocol`](crate::wire::Refusal::Protocol).
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
    /// The hello of a sender of `M` messages on `pipe`: its type's name
    /// cut to [`MAX_TYPE_NAME_LEN`] bytes.
    #[must_use]
    pub fn new<M: ?Sized>(secret: u128, pipe: u64) -> Self {
        let name = std::any::type_name::<M>();
        let cut = (0..=MAX_TYPE_NAME_LEN.min(name.len()))
            .rev()
            .find(|&at| name.is_char_boundary(at))
            .unwrap_or(0);
        Self {
            protocol: PROTOCOL,
            secret,
            pipe,
            message_type: message_type::<M>(),
            type_name: name.get(..cut).unwrap_or_default().to_owned(),
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
    router_remote::decode_prefix::<u16>(payload).map(|(protocol, _)| protocol)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::wire::frame::{HEADER_LEN, decode_payload, encode_frame};

    #[test]
    fn message_types_differ_by_name_and_are_stable() {
        assert_eq!(message_type::<u64>(), message_type::<u64>());
        assert_ne!(message_type::<u64>(), message_type::<u32>());
        assert_ne!(message_type::<u64>(), message_type::<String>());
        assert_ne!(message_type::<(u32, u32)>(), message_type::<[u32; 2]>());
        // FNV-1a of [3, 0] then "u64": the same in every build.
        assert_eq!(message_type::<u64>(), 0x8bd6_4205_1bc9_500b);
    }

    /// A type whose name is longer than a hello carries.
    struct LongName<T>(T);
    type Long = LongName<LongName<LongName<LongName<LongName<LongName<LongName<u8>>>>>>>;
    type Longer = (Long, Long, Long, Long, Long, Long, Long, Long, Long, Long);
    type Longest = (Longer, Longer, Longer, Longer);

    #[test]
    fn hello_of_a_long_type_name_is_cut_to_fit() {
        assert!(std::any::type_name::<Longest>().len() > MAX_TYPE_NAME_LEN);
        let hello = Hello::new::<Longest>(u128::MAX, u64::MAX);
        assert!(hello.type_name.len() <= MAX_TYPE_NAME_LEN);
        assert!(std::any::type_name::<Longest>().starts_with(&hello.type_name));
        assert_eq!(hello.message_type, message_type::<Longest>());
        let frame = encode_frame(&hello, Vec::new()).unwrap();
        assert!(frame.len() - HEADER_LEN <= MAX_HELLO_LEN, "{}", frame.len());
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
}
