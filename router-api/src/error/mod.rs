//! The errors of routers, senders and event loops: one type per
//! operation, as crossbeam-channel's `err.rs` has, so each says what failed
//! and a caller matches only the causes that operation can have.
//!
//! | operation | error |
//! |---|---|
//! | [`MessageRouter::start`](crate::MessageRouter::start) | [`RouterStartError`] |
//! | [`MessageRouter::stop`](crate::MessageRouter::stop) | [`RouterStopError`] |
//! | [`MessageRouter::pipe`](crate::MessageRouter::pipe), `pipe_of`, ... | [`PipeError`] |
//! | [`MessageRouter::close_pipe`](crate::MessageRouter::close_pipe) | [`ClosePipeError`] |
//! | [`MessageRouter::route_until`](crate::MessageRouter::route_until) | [`RouteError`] |
//! | [`MessageSender::start`](crate::MessageSender::start) | [`SenderStartError`] |
//! | [`MessageSender::send`](crate::MessageSender::send), `try_send`, `send_timeout` | [`SendError`] (with the message) |
//! | [`MessageSender::stop`](crate::MessageSender::stop) | [`SenderStopError`] |
//! | [`DefaultEventLoop::run_until`](crate::DefaultEventLoop::run_until) | [`TimedOut`] |
//!
//! Each enum is `#[non_exhaustive]`, with one variant per cause and a
//! message a user can act on. None wraps a channel's type, so a backend
//! can change its channel without changing its errors. A cause only one
//! backend has (a socket that refused, a message that would not
//! serialize) travels as that backend's own error type behind
//! [`std::error::Error::source`], boxed as a [`BoxError`]: downcast it to
//! tell its causes apart, and the `Display` of the error above it stays
//! one sentence (print the chain, as `anyhow`'s `{:#}` does, for all of
//! it).

mod router;
mod sender;

use std::time::Duration;

pub use router::{ClosePipeError, PipeError, RouteError, RouterStartError, RouterStopError};
pub use sender::{Disconnect, SendError, SendErrorKind, SenderStartError, SenderStopError};

/// A backend's own error, behind the `source` of one of these errors.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A wait that reached its deadline before its condition held: a router's
/// [`route_until`](crate::MessageRouter::route_until) (inside
/// [`RouteError::TimedOut`]), or an event loop's `run_until`.
///
/// ```
/// use std::time::Duration;
/// use router_api::DefaultEventLoop;
///
/// let event_loop = DefaultEventLoop::new();
/// let error = event_loop.run_until(|| false, Some(Duration::ZERO)).unwrap_err();
/// assert_eq!(error.timeout, Duration::ZERO);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("timed out after {timeout:?} before its condition became true")]
#[non_exhaustive]
pub struct TimedOut {
    /// The timeout the call was given (`Duration::MAX` for a deadline too
    /// far to name).
    pub timeout: Duration,
}

impl TimedOut {
    /// A timeout after `timeout`.
    #[must_use]
    pub const fn after(timeout: Duration) -> Self {
        Self { timeout }
    }
}

/// The error of a backend, found behind `source` as its own type `E`.
pub(crate) fn downcast<E: std::error::Error + 'static>(source: &BoxError) -> Option<&E> {
    source.downcast_ref::<E>()
}
