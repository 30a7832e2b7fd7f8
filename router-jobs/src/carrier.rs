//! What a job's values travel as: the one message type of the executor's
//! router, which carries each job's own types.

use std::any::Any;
use std::cell::Cell;
use std::fmt;

use router_api::BoxError;

/// What a job's worker tells the foreground on the job's outcome pipe, in
/// this order: `Started`, then one last word (or `Abandoned` alone).
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Outcome<T, E> {
    /// The worker started the body.
    Started,
    /// The body returned `Ok`.
    Returned(T),
    /// The body returned `Err`.
    Raised(E),
    /// The body panicked, with this message.
    Panicked(String),
    /// The job was cancelled before it started: the body never ran.
    Abandoned,
}

/// A router message type that carries values of type `T`: how the
/// executor's one router carries every job's results, progress and items,
/// whatever their types.
///
/// [`JobMessage`] carries any `Send` value in this process. A carrier for
/// workers in other processes serializes instead.
///
/// # Contract
///
/// `unpack(&pack(value))` gives `value` back, once: a router hands its
/// listeners a reference, so `unpack` takes the value out of the message
/// (a second `unpack` of the same message may fail). `unpack` of a
/// message packed from another type fails; it never panics.
pub trait Carries<T>: Sized {
    /// `value`, as a message.
    ///
    /// # Errors
    ///
    /// The carrier's own error, when `value` cannot travel (it does not
    /// serialize, say). [`JobMessage`] never fails.
    fn pack(value: T) -> Result<Self, BoxError>;

    /// The value `message` carries, taken out of it.
    ///
    /// # Errors
    ///
    /// When the message does not carry a `T` (a bug, or a worker of
    /// another build), or its value was taken already.
    fn unpack(message: &Self) -> Result<T, BoxError>;
}

/// The message type of an executor's router for jobs in this process: any
/// `Send` value, boxed.
///
/// ```
/// use router_jobs::{Carries, JobMessage};
///
/// let message = JobMessage::pack(42u64)?;
/// assert_eq!(<JobMessage as Carries<u64>>::unpack(&message)?, 42);
/// assert!(<JobMessage as Carries<u64>>::unpack(&message).is_err(), "taken once");
/// let other = JobMessage::pack("text")?;
/// assert!(<JobMessage as Carries<u64>>::unpack(&other).is_err());
/// # Ok::<(), router_api::BoxError>(())
/// ```
pub struct JobMessage(Cell<Option<Box<dyn Any + Send>>>);

impl<T: Send + 'static> Carries<T> for JobMessage {
    fn pack(value: T) -> Result<Self, BoxError> {
        Ok(Self(Cell::new(Some(Box::new(value)))))
    }

    fn unpack(message: &Self) -> Result<T, BoxError> {
        let wrong = || Box::new(WrongType(std::any::type_name::<T>())) as BoxError;
        let value = message.0.take().ok_or_else(wrong)?;
        match value.downcast::<T>() {
            Ok(value) => Ok(*value),
            Err(value) => {
                message.0.set(Some(value));
                Err(wrong())
            }
        }
    }
}

impl fmt::Debug for JobMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobMessage").finish_non_exhaustive()
    }
}

/// A message that does not carry the type asked for (or no longer does).
#[derive(Debug, thiserror::Error)]
#[error("the message does not carry a `{0}` (or it was taken already)")]
struct WrongType(&'static str);
