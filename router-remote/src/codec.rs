//! How messages travel: as [postcard](https://docs.rs/postcard), each
//! within a size limit its transport sets; and how the router reads one
//! back without letting the message type's own code take its thread down.

use std::panic::{self, AssertUnwindSafe};

use serde::Serialize;
use serde::de::DeserializeOwned;

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

/// Reads bytes back into one whole value.
///
/// # Errors
///
/// postcard's error if the bytes are not one whole `T` (trailing bytes
/// count as an error).
pub fn decode_whole<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, postcard::Error> {
    match postcard::take_from_bytes(bytes)? {
        (value, []) => Ok(value),
        _ => Err(postcard::Error::DeserializeBadEncoding),
    }
}

/// Why [`decode_guarded`] read no value.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Undecoded {
    /// The bytes are not one whole value: postcard's error.
    Invalid(postcard::Error),
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
/// [`Undecoded`]: what postcard said, or that decoding panicked (the
/// panic's message went to the panic hook, as usual).
pub fn decode_guarded<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Undecoded> {
    match panic::catch_unwind(AssertUnwindSafe(|| decode_whole(bytes))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Undecoded::Invalid(error)),
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

    #[test]
    fn too_large_names_the_length_and_the_limit() {
        let error = EncodeError::TooLarge { len: 11, limit: 10 };
        assert_eq!(
            error.to_string(),
            "the message is 11 bytes serialized, over the limit of 10 bytes"
        );
    }
}
