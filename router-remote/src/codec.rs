//! How messages travel: as [postcard](https://docs.rs/postcard), each
//! within a size limit its transport sets; and how the router reads one
//! back without letting the bytes, or the message type's own code, take
//! its thread down.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::nesting::{Depth, Nested};

/// The deepest a value read from a peer may nest: an element of a
/// sequence, a key or value of a map, the content of a variant, an
/// `Option` or a newtype struct is one level below what holds it (a
/// `Box` adds none). A value nested deeper does not decode
/// ([`Undecoded::TooDeep`]): postcard decodes by recursion, and a
/// recursive message type would otherwise let a peer's bytes run the
/// decoding thread out of stack, which aborts the process. 128 levels
/// take well under 1 MiB of stack, even unoptimized; a thread's default
/// is 2 MiB.
pub const MAX_DEPTH: usize = 128;

/// What a message must be to travel from another process: `Serialize`
/// for its sender, `DeserializeOwned` for its router, `Send + 'static`
/// to cross the router's threads. Every such type is one; the routers
/// and senders of this crate's backends take any.
pub trait RemoteMessage: Serialize + DeserializeOwned + Send + 'static {}

impl<M: Serialize + DeserializeOwned + Send + 'static> RemoteMessage for M {}

/// Why a message could not be made into a frame: the `source` of a
/// [`SendErrorKind::Encode`](router_api::SendErrorKind::Encode).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The message's `Serialize` implementation failed, or uses something
    /// postcard cannot write.
    #[error("the message cannot be serialized")]
    Serialize(#[from] postcard::Error),
    /// The serialized message is bigger than its transport takes.
    #[error("the message is {len} bytes serialized, over the limit of {limit} bytes")]
    TooLarge {
        /// Its serialized length.
        len: usize,
        /// The most the transport takes.
        limit: usize,
    },
}

/// Reads a value from the front of `bytes`, nested at most
/// [`MAX_DEPTH`] deep, and returns it with the bytes after it.
fn decode_front<T: DeserializeOwned>(bytes: &[u8]) -> Result<(T, &[u8]), Undecoded> {
    let too_deep = Cell::new(false);
    let mut deserializer = postcard::Deserializer::from_bytes(bytes);
    let nested = Nested {
        inner: &mut deserializer,
        depth: Depth::new(MAX_DEPTH, &too_deep),
    };
    let decoded = T::deserialize(nested);
    match decoded {
        Ok(value) => match deserializer.finalize() {
            Ok(rest) => Ok((value, rest)),
            Err(error) => Err(Undecoded::Invalid(error)),
        },
        Err(_) if too_deep.get() => Err(Undecoded::TooDeep),
        Err(error) => Err(Undecoded::Invalid(error)),
    }
}

/// The error of a decode that read no value, as postcard says it.
fn postcard_error(undecoded: Undecoded) -> postcard::Error {
    match undecoded {
        Undecoded::Invalid(error) => error,
        Undecoded::TooDeep | Undecoded::Panicked => postcard::Error::SerdeDeCustom,
    }
}

/// Reads bytes back into one whole value, nested at most [`MAX_DEPTH`]
/// deep.
///
/// # Errors
///
/// postcard's error if the bytes are not one whole `T` (trailing bytes
/// count as an error); `SerdeDeCustom` for a value nested deeper than
/// [`MAX_DEPTH`] (which [`decode_guarded`] tells apart).
pub fn decode_whole<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, postcard::Error> {
    match decode_front(bytes).map_err(postcard_error)? {
        (value, []) => Ok(value),
        _ => Err(postcard::Error::DeserializeBadEncoding),
    }
}

/// Reads a value from the front of bytes, nested at most [`MAX_DEPTH`]
/// deep, and returns it with the bytes after it: a header before a
/// message, a field read alone before the rest.
///
/// # Errors
///
/// postcard's error if the bytes do not start with a `T`;
/// `SerdeDeCustom` for a value nested deeper than [`MAX_DEPTH`].
pub fn decode_prefix<T: DeserializeOwned>(bytes: &[u8]) -> Result<(T, &[u8]), postcard::Error> {
    decode_front(bytes).map_err(postcard_error)
}

/// Why [`decode_guarded`] read no value.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Undecoded {
    /// The bytes are not one whole value: postcard's error.
    Invalid(postcard::Error),
    /// The value nests deeper than [`MAX_DEPTH`]: it was refused before
    /// its decoding could run the thread out of stack.
    TooDeep,
    /// The value's `Deserialize` implementation panicked.
    Panicked,
}

/// Reads bytes back into one whole value as [`decode_whole`] does, on a
/// thread that serves other pipes too: the value's `Deserialize` is user
/// code, and a panic in it must cost that one frame, not the thread and
/// with it every pipe.
///
/// # Errors
///
/// [`Undecoded`]: what postcard said, that the value nests too deep, or
/// that decoding panicked (the panic's message went to the panic hook,
/// as usual).
pub fn decode_guarded<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Undecoded> {
    let decoded = panic::catch_unwind(AssertUnwindSafe(|| decode_front(bytes)));
    match decoded {
        Ok(Ok((value, []))) => Ok(value),
        Ok(Ok(_)) => Err(Undecoded::Invalid(postcard::Error::DeserializeBadEncoding)),
        Ok(Err(undecoded)) => Err(undecoded),
        Err(_) => Err(Undecoded::Panicked),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[derive(Debug, serde::Serialize)]
    struct Touchy(u8);

    impl<'de> serde::Deserialize<'de> for Touchy {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let n = u8::deserialize(deserializer)?;
            assert!(n != 13, "Touchy will not decode 13");
            Ok(Self(n))
        }
    }

    #[test]
    fn whole_value_decodes_and_trailing_bytes_do_not() {
        let bytes = postcard::to_allocvec(&(5u8, 6u8)).unwrap();
        assert_eq!(decode_whole::<(u8, u8)>(&bytes).unwrap(), (5, 6));
        assert!(decode_whole::<u8>(&bytes).is_err());
    }

    #[test]
    fn guarded_decode_tells_an_invalid_value_from_a_panic() {
        let twelve = postcard::to_allocvec(&Touchy(12)).unwrap();
        assert!(matches!(decode_guarded::<Touchy>(&twelve), Ok(Touchy(12))));
        let thirteen = postcard::to_allocvec(&Touchy(13)).unwrap();
        assert_eq!(
            decode_guarded::<Touchy>(&thirteen).unwrap_err(),
            Undecoded::Panicked
        );
        assert!(matches!(
            decode_guarded::<Touchy>(&[]),
            Err(Undecoded::Invalid(_))
        ));
    }

    /// A type that nests as deep as its bytes say.
    #[derive(Debug, serde::Deserialize)]
    enum Tree {
        Leaf,
        Node(#[allow(dead_code)] Box<Tree>),
    }

    /// A tree `depth` nodes deep, as postcard writes it: a node's variant
    /// `depth` times, then a leaf's.
    fn tree_bytes(depth: usize) -> Vec<u8> {
        let mut bytes = vec![1u8; depth];
        bytes.push(0);
        bytes
    }

    #[test]
    fn value_nested_deeper_than_a_stack_takes_is_refused() {
        let decoded = decode_guarded::<Tree>(&tree_bytes(80_000));
        assert_eq!(decoded.unwrap_err(), Undecoded::TooDeep);
        assert!(decode_whole::<Tree>(&tree_bytes(80_000)).is_err());
    }

    #[test]
    fn value_nested_to_the_limit_decodes_on_a_small_stack() {
        // Each node's content is one level below it.
        let decode = || {
            let deepest = decode_guarded::<Tree>(&tree_bytes(MAX_DEPTH));
            let over = decode_guarded::<Tree>(&tree_bytes(MAX_DEPTH + 1));
            (deepest.is_ok(), over)
        };
        let (deepest, over) = std::thread::Builder::new()
            .stack_size(STACK_NEEDED)
            .spawn(decode)
            .unwrap()
            .join()
            .unwrap();
        assert!(deepest);
        assert_eq!(over.unwrap_err(), Undecoded::TooDeep);
    }

    /// What [`MAX_DEPTH`]'s docs promise a decode needs at most.
    const STACK_NEEDED: usize = 1024 * 1024;

    #[test]
    fn every_kind_of_nesting_counts_one_level() {
        // Option, newtype struct, sequence, map and struct each add one.
        #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        struct Wrap(Option<Vec<std::collections::BTreeMap<u8, (u8,)>>>);
        let value = Wrap(Some(vec![[(1, (2,))].into_iter().collect()]));
        let bytes = postcard::to_allocvec(&value).unwrap();
        assert_eq!(decode_whole::<Wrap>(&bytes).unwrap(), value);
        // Nested in as many options as leave no room for its own levels.
        type Deep = Option<Option<Option<Wrap>>>;
        let deep: Deep = Some(Some(Some(value)));
        let bytes = postcard::to_allocvec(&deep).unwrap();
        assert_eq!(decode_whole::<Deep>(&bytes).unwrap(), deep);
    }

    #[test]
    fn front_of_bytes_decodes_and_leaves_the_rest() {
        let mut bytes = postcard::to_allocvec(&(7u16, 8u8)).unwrap();
        bytes.extend_from_slice(&[9, 10]);
        let ((a, b), rest) = decode_prefix::<(u16, u8)>(&bytes).unwrap();
        assert_eq!((a, b, rest), (7, 8, &[9u8, 10][..]));
    }

    #[test]
    fn too_large_names_the_length_and_the_limit() {
        let error = EncodeError::TooLarge { len: 11, limit: 10 };
        assert_eq!(
            error.to_string(),
            "the message is 11 bytes serialized, over the limit of 10 bytes"
        );
    }
}
