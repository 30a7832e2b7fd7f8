//! The errors of routers, senders and event loops.
//!
//! Each enum has one variant per cause and says, in its message, what went
//! wrong in words a user understands. None of them wraps a channel type,
//! so a backend can change its channel without changing its errors.

use std::fmt;
use std::time::Duration;

use crate::PipeId;

/// The router operation that failed, named in [`RouterError::NotRunning`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Operation {
    /// [`MessageRouter::stop`](crate::MessageRouter::stop).
    Stop,
    /// [`MessageRouter::pipe`](crate::MessageRouter::pipe).
    Pipe,
    /// [`MessageRouter::close_pipe`](crate::MessageRouter::close_pipe).
    ClosePipe,
    /// [`MessageRouter::route_until`](crate::MessageRouter::route_until).
    RouteUntil,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Stop => "stop",
            Self::Pipe => "pipe",
            Self::ClosePipe => "close_pipe",
            Self::RouteUntil => "route_until",
        })
    }
}

/// Why a router operation failed.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RouterError {
    /// `start` was called on a router that is already running (R1).
    #[error("the router is already running; stop it before starting it again")]
    AlreadyRunning,
    /// The operation needs a running router and this one is not running
    /// (R2, R3): it was never started, or it was stopped, possibly by a
    /// listener while the operation was under way.
    #[error("cannot {operation}: the router is not running")]
    NotRunning {
        /// The operation that was refused.
        operation: Operation,
    },
    /// `close_pipe` was given a receiver whose pipe this router has
    /// already closed, or closed when it stopped (R6).
    #[error("pipe {pipe} is not open on this router: it was closed already")]
    PipeNotOpen {
        /// The pipe named by the receiver.
        pipe: PipeId,
    },
    /// `close_pipe` was given a receiver made by another router (R6).
    #[error("pipe {pipe} was made by another router and cannot be closed by this one")]
    ForeignPipe {
        /// The pipe named by the receiver.
        pipe: PipeId,
    },
    /// `route_until` reached its deadline before its condition held (R9).
    #[error("route_until timed out after {timeout:?} before its condition became true")]
    Timeout {
        /// The timeout the call was given.
        timeout: Duration,
    },
    /// The router could not set up what its senders reach it through (a
    /// backend whose senders live in other processes opens a socket at
    /// `start`, for instance); the router stays stopped.
    #[error("the router could not start: {reason}")]
    StartFailed {
        /// What failed, in words.
        reason: String,
    },
    /// The router's routing table is full (more than `u32::MAX` pipes open
    /// at once).
    #[error("the router cannot open another pipe: {open} pipes are open already")]
    TooManyPipes {
        /// How many pipes are open.
        open: usize,
    },
    /// `pipe_of` was asked for a pipe this router cannot make: a bounded
    /// pipe of capacity 0, or a kind the backend does not have.
    #[error("cannot make a {kind} pipe: {reason}")]
    BadPipeKind {
        /// The kind asked for.
        kind: crate::PipeKind,
        /// Why not.
        reason: &'static str,
    },
}

/// Why a sender operation failed (S1), or why a message could not be sent.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SenderError {
    /// `start` was called on a sender that was started before.
    #[error("the sender of pipe {pipe} was already started; a sender starts once")]
    AlreadyStarted {
        /// The sender's pipe.
        pipe: PipeId,
    },
    /// `send` or `stop` was called before `start`.
    #[error("the sender of pipe {pipe} has not been started; call start() (or open()) first")]
    NotStarted {
        /// The sender's pipe.
        pipe: PipeId,
    },
    /// The sender was stopped; it cannot send, stop or start again.
    #[error("the sender of pipe {pipe} was stopped and cannot be used again")]
    Stopped {
        /// The sender's pipe.
        pipe: PipeId,
    },
    /// Nothing can receive the message: the sender is cut off from its
    /// router, for the reason `cause` gives (R5). The message was not
    /// delivered, and no later send of this sender will be.
    #[error("the message for pipe {pipe} was not delivered: {cause}")]
    Disconnected {
        /// The sender's pipe.
        pipe: PipeId,
        /// What cut the sender off.
        cause: Disconnect,
    },
    /// `try_send` on a bounded pipe whose `capacity` messages all wait
    /// unrouted (B3): the message comes back, and the sender can go on.
    #[error("pipe {pipe} is full: {capacity} messages wait unrouted")]
    Full {
        /// The sender's pipe.
        pipe: PipeId,
        /// The pipe's capacity.
        capacity: usize,
    },
    /// `send_timeout` on a bounded pipe that stayed full for `timeout`
    /// (B3): the message comes back, and the sender can go on.
    #[error("pipe {pipe} stayed full for {timeout:?}")]
    Timeout {
        /// The sender's pipe.
        pipe: PipeId,
        /// The timeout the call was given.
        timeout: Duration,
    },
    /// `start` could not reach the router: a sender in another process
    /// found no router listening (not started yet, or stopped), or the
    /// router refused it. The sender stays un-started.
    #[error("the sender of pipe {pipe} could not connect to its router: {reason}")]
    Connect {
        /// The sender's pipe.
        pipe: PipeId,
        /// What failed, in words.
        reason: String,
    },
    /// The message could not be encoded for a router in another process
    /// (its serialization failed, or it is over the size limit); it was
    /// not sent, and the sender can go on.
    #[error("the sender of pipe {pipe} could not encode the message: {reason}")]
    Encode {
        /// The sender's pipe.
        pipe: PipeId,
        /// What failed, in words.
        reason: String,
    },
}

/// What cut a sender off from its router ([`SenderError::Disconnected`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Disconnect {
    /// The run of the router that made the pipe has ended: the router was
    /// stopped or dropped. A router started again makes new pipes; this
    /// sender belongs to the run that ended.
    #[error(
        "the run of its router has ended (the router was stopped or dropped; a router started again makes new pipes)"
    )]
    RouterStopped,
    /// The connection to a router in another process is closed: the router
    /// stopped, closed this connection (over a bad frame, say), or its
    /// process ended.
    #[error(
        "the connection to its router in another process is closed (the router stopped, closed the connection, or its process ended)"
    )]
    ConnectionClosed,
    /// The router's channel refused the message while the router runs: a
    /// channel of its own kind that is full, or closed by itself.
    #[error("the router's channel refused it while the router is running (full, or closed)")]
    ChannelRefused,
    /// The sender's bounded pipe was closed (`close_pipe`, or its receiver
    /// was dropped): nothing will route its messages, so a send on it
    /// fails rather than waits for room that never comes (B2).
    #[error("its bounded pipe was closed (close_pipe, or its receiver was dropped)")]
    PipeClosed,
}

impl SenderError {
    /// The pipe whose sender failed.
    #[must_use]
    pub fn pipe(&self) -> PipeId {
        match self {
            Self::AlreadyStarted { pipe }
            | Self::NotStarted { pipe }
            | Self::Stopped { pipe }
            | Self::Disconnected { pipe, .. }
            | Self::Full { pipe, .. }
            | Self::Timeout { pipe, .. }
            | Self::Connect { pipe, .. }
            | Self::Encode { pipe, .. } => *pipe,
        }
    }
}

/// A message that could not be sent, handed back with the reason.
///
/// `Debug` does not require `M: Debug`, so any message type works with `?`
/// and `expect`.
///
/// ```
/// use router_api::{PipeId, SendError, SenderError};
/// let err = SendError::new(SenderError::NotStarted { pipe: PipeId::new(1) }, "hello");
/// assert_eq!(err.reason(), &SenderError::NotStarted { pipe: PipeId::new(1) });
/// assert_eq!(err.into_message(), "hello");
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SendError<M> {
    reason: SenderError,
    message: M,
}

impl<M> SendError<M> {
    /// A send error for `message`, which failed for `reason`.
    #[must_use]
    pub fn new(reason: SenderError, message: M) -> Self {
        Self { reason, message }
    }

    /// Why the message was not sent.
    #[must_use]
    pub fn reason(&self) -> &SenderError {
        &self.reason
    }

    /// The message that was not sent.
    #[must_use]
    pub fn message(&self) -> &M {
        &self.message
    }

    /// Takes the message back.
    #[must_use]
    pub fn into_message(self) -> M {
        self.message
    }

    /// Splits the error into its reason and its message.
    #[must_use]
    pub fn into_parts(self) -> (SenderError, M) {
        (self.reason, self.message)
    }
}

impl<M> fmt::Debug for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError")
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

impl<M> From<SendError<M>> for SenderError {
    fn from(error: SendError<M>) -> Self {
        error.reason
    }
}

/// Why an event loop's `run_until` returned without its condition.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventLoopError {
    /// The deadline passed before the condition held.
    #[error("the event loop ran for {timeout:?} and its condition did not become true")]
    Timeout {
        /// The timeout the call was given.
        timeout: Duration,
    },
}

#[cfg(test)]
mod tests {
    use super::{Disconnect, SenderError};
    use crate::PipeId;

    #[test]
    fn each_cause_of_a_disconnect_has_its_own_words() {
        let pipe = PipeId::new(3);
        let texts: Vec<String> = [
            Disconnect::RouterStopped,
            Disconnect::ConnectionClosed,
            Disconnect::ChannelRefused,
            Disconnect::PipeClosed,
        ]
        .into_iter()
        .map(|cause| SenderError::Disconnected { pipe, cause }.to_string())
        .collect();
        for text in &texts {
            assert!(
                text.starts_with("the message for pipe #3 was not delivered: "),
                "{text}"
            );
            assert!(!text.contains("no longer running"), "{text}");
        }
        assert!(texts[0].contains("stopped or dropped"), "{}", texts[0]);
        assert!(texts[1].contains("another process"), "{}", texts[1]);
        assert!(
            texts[2].contains("while the router is running"),
            "{}",
            texts[2]
        );
    }
}
