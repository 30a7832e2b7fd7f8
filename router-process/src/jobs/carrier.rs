//! What a job's values travel as between a child process and its parent:
//! postcard bytes tagged with their type, or the child's refusal of the
//! job.

use std::any::type_name;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};

use router_api::BoxError;
use router_jobs::Carries;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::jobs::refusal::JobRefusal;
use crate::wire::{self, EncodeError};

/// The largest value a [`JobWire`] carries, in bytes of postcard: a
/// frame's limit ([`MAX_FRAME_LEN`](wire::MAX_FRAME_LEN)) less room for
/// the tag and the frame's own bytes.
pub const MAX_VALUE_LEN: usize = wire::MAX_FRAME_LEN - 64;

/// The message type of the router of an executor whose jobs run in child
/// processes: any serde value, as postcard bytes tagged with a fingerprint
/// of its type ([`wire::message_type`]), so a message of another type (a
/// child of another build) fails to unpack instead of decoding as
/// garbage; or a child's [`JobRefusal`] of a job.
///
/// It carries every `T: Serialize + DeserializeOwned`
/// ([`Carries`]): a job's `Outcome`, its progress values, its items.
///
/// ```
/// use router_jobs::Carries;
/// use router_process::jobs::JobWire;
///
/// let message = JobWire::pack(42u64)?;
/// assert_eq!(<JobWire as Carries<u64>>::unpack(&message)?, 42);
/// assert!(<JobWire as Carries<String>>::unpack(&message).is_err(), "another type");
/// # Ok::<(), router_api::BoxError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobWire(Carried);

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Carried {
    /// A value: its type's fingerprint, and its bytes.
    Value { tag: u64, bytes: Vec<u8> },
    /// The child did not run the job, and says why.
    Refused(JobRefusal),
}

impl JobWire {
    /// The message that tells the parent its job was refused.
    pub(crate) fn refusal(refusal: JobRefusal) -> Self {
        Self(Carried::Refused(refusal))
    }
}

impl<T: Serialize + DeserializeOwned> Carries<T> for JobWire {
    /// # Errors
    ///
    /// An [`EncodeError`]: the value does not serialize, or is over
    /// [`MAX_VALUE_LEN`].
    fn pack(value: T) -> Result<Self, BoxError> {
        let bytes = postcard::to_stdvec(&value).map_err(EncodeError::Serialize)?;
        if bytes.len() > MAX_VALUE_LEN {
            return Err(Box::new(EncodeError::TooLarge {
                len: bytes.len(),
                limit: MAX_VALUE_LEN,
            }));
        }
        Ok(Self(Carried::Value {
            tag: wire::message_type::<T>(),
            bytes,
        }))
    }

    /// # Errors
    ///
    /// An [`UnpackError`] when the message carries another type or its
    /// bytes do not decode (a panic of `T`'s `Deserialize` included); the
    /// [`JobRefusal`] when it carries the child's refusal.
    fn unpack(message: &Self) -> Result<T, BoxError> {
        let expected = type_name::<T>();
        match &message.0 {
            Carried::Value { tag, bytes } if *tag == wire::message_type::<T>() => {
                // `T`'s `Deserialize` is user code, run on the foreground
                // thread inside a listener: its panic costs this message.
                match panic::catch_unwind(AssertUnwindSafe(|| wire::decode_payload::<T>(bytes))) {
                    Ok(Ok(value)) => Ok(value),
                    Ok(Err(source)) => Err(Box::new(UnpackError::Undecodable { expected, source })),
                    Err(_) => Err(Box::new(UnpackError::DecodePanicked { expected })),
                }
            }
            Carried::Value { .. } => Err(Box::new(UnpackError::OtherType { expected })),
            Carried::Refused(refusal) => Err(Box::new(refusal.clone())),
        }
    }
}

impl fmt::Debug for JobWire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Carried::Value { tag, bytes } => f
                .debug_struct("JobWire")
                .field("tag", &format_args!("{tag:#018x}"))
                .field("len", &bytes.len())
                .finish(),
            Carried::Refused(refusal) => f.debug_tuple("JobWire").field(refusal).finish(),
        }
    }
}

/// Why a [`JobWire`] did not give the value asked for: a job fails with
/// [`JobError::BadMessage`](router_jobs::JobError::BadMessage), this as
/// its source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnpackError {
    /// The message carries a value of another type: the child process
    /// runs another build, or registered the job with other types.
    #[error("the message carries a value of another type than `{expected}`")]
    OtherType {
        /// The type asked for.
        expected: &'static str,
    },
    /// The bytes are not one whole value of the type.
    #[error("the message's bytes do not decode as a `{expected}`")]
    Undecodable {
        /// The type asked for.
        expected: &'static str,
        /// What postcard said.
        #[source]
        source: postcard::Error,
    },
    /// The type's `Deserialize` panicked on the bytes.
    #[error("decoding the message as a `{expected}` panicked")]
    DecodePanicked {
        /// The type asked for.
        expected: &'static str,
    },
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use router_jobs::Outcome;

    use super::*;

    fn unpack<T: Serialize + DeserializeOwned>(message: &JobWire) -> Result<T, BoxError> {
        <JobWire as Carries<T>>::unpack(message)
    }

    #[test]
    fn a_value_unpacks_as_its_own_type_only() {
        let message = JobWire::pack(Outcome::<u64, String>::Returned(7)).unwrap();
        assert_eq!(
            unpack::<Outcome<u64, String>>(&message).unwrap(),
            Outcome::Returned(7)
        );
        let error = unpack::<Outcome<u32, String>>(&message).unwrap_err();
        assert!(matches!(
            error.downcast_ref::<UnpackError>(),
            Some(UnpackError::OtherType { .. })
        ));
    }

    #[test]
    fn bytes_of_a_peer_that_do_not_decode_fail_without_a_panic() {
        let cases = [vec![], vec![0xff; 12], vec![5, b'a']];
        for bytes in cases {
            let message = JobWire(Carried::Value {
                tag: wire::message_type::<String>(),
                bytes,
            });
            let error = unpack::<String>(&message).unwrap_err();
            assert!(
                matches!(
                    error.downcast_ref::<UnpackError>(),
                    Some(UnpackError::Undecodable { .. })
                ),
                "{error}"
            );
        }
        // A string that claims more bytes than there are allocates nothing.
        let message = JobWire(Carried::Value {
            tag: wire::message_type::<String>(),
            bytes: vec![0xff, 0xff, 0xff, 0xff, 0x0f],
        });
        assert!(unpack::<String>(&message).is_err());
    }

    #[test]
    fn a_refusal_unpacks_as_itself_whatever_the_type() {
        let refusal = JobRefusal::UnknownJob {
            name: "nope".to_owned(),
            known: vec!["sum".to_owned()],
        };
        let message = JobWire::refusal(refusal.clone());
        let error = unpack::<Outcome<u64, String>>(&message).unwrap_err();
        assert_eq!(error.downcast_ref::<JobRefusal>(), Some(&refusal));
    }

    #[test]
    fn a_job_wire_travels_in_a_frame_and_back() {
        let message = JobWire::pack(vec![1u8, 2, 3]).unwrap();
        let frame = wire::encode_message(&message, Vec::new()).unwrap();
        let back: wire::Frame<JobWire> = wire::decode_payload(&frame[wire::HEADER_LEN..]).unwrap();
        match back {
            wire::Frame::Message(back) => assert_eq!(back, message),
            wire::Frame::End(_) => panic!("a message frame read as an end"),
        }
    }
}
