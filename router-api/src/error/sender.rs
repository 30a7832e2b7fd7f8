//! The errors of a sender's operations, one type each; a failed send
//! hands its message back.

use std::fmt;
use std::time::Duration;

use crate::PipeId;
use crate::error::BoxError;

/// Why [`MessageSender::start`](crate::MessageSender::start) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SenderStartError {
    /// The sender was started before and is still open (S1: a sender
    /// starts once).
    #[error("the sender of pipe {pipe} was already started; a sender starts once")]
    AlreadyStarted {
        /// The sender's pipe.
        pipe: PipeId,
    },
    /// The sender was stopped; it cannot start again (S1).
    #[error("the sender of pipe {pipe} was stopped and cannot be started again")]
    Stopped {
        /// The sender's pipe.
        pipe: PipeId,
    },
    /// A sender in another process or on another machine could not reach
    /// its router: none listening (not started yet, or stopped), or the
    /// router refused it. `source` is the backend's own error, which says
    /// which. The sender stays un-started, so `start` may be tried again.
    #[error("the sender of pipe {pipe} could not connect to its router")]
    Connect {
        /// The sender's pipe.
        pipe: PipeId,
        /// Why, as the backend's own error.
        #[source]
        source: BoxError,
    },
}

impl SenderStartError {
    /// The pipe whose sender did not start.
    #[must_use]
    pub fn pipe(&self) -> PipeId {
        match self {
            Self::AlreadyStarted { pipe } | Self::Stopped { pipe } | Self::Connect { pipe, .. } => {
                *pipe
            }
        }
    }

    /// The backend's error behind a [`Connect`](Self::Connect) failure, if
    /// it is an `E`.
    #[must_use]
    pub fn cause<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Self::Connect { source, .. } => super::downcast(source),
            Self::AlreadyStarted { .. } | Self::Stopped { .. } => None,
        }
    }
}

/// Why [`MessageSender::stop`](crate::MessageSender::stop) failed (S1).
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SenderStopError {
    /// The sender was never started.
    #[error("the sender of pipe {pipe} has not been started; there is nothing to stop")]
    NotStarted {
        /// The sender's pipe.
        pipe: PipeId,
    },
    /// The sender was stopped already.
    #[error("the sender of pipe {pipe} was stopped already")]
    Stopped {
        /// The sender's pipe.
        pipe: PipeId,
    },
}

impl SenderStopError {
    /// The pipe whose sender did not stop.
    #[must_use]
    pub fn pipe(&self) -> PipeId {
        match *self {
            Self::NotStarted { pipe } | Self::Stopped { pipe } => pipe,
        }
    }
}

/// Why a message was not sent ([`SendError::kind`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendErrorKind {
    /// The sender has not been started (S1): call `start` (or `open`)
    /// first.
    #[error("the sender has not been started; call start() (or open()) first")]
    NotStarted,
    /// The sender was stopped (S1); it sends no more.
    #[error("the sender was stopped and sends no more")]
    Stopped,
    /// Nothing can receive the message: the sender is cut off from its
    /// router, for the reason the [`Disconnect`] gives (R5, B2). No later
    /// send of this sender will be delivered either.
    #[error("disconnected: {0}")]
    Disconnected(Disconnect),
    /// `try_send` on a bounded pipe whose `capacity` messages all wait
    /// unrouted (B3). The sender can go on.
    #[error("the pipe is full: {capacity} messages wait unrouted")]
    Full {
        /// The pipe's capacity.
        capacity: usize,
    },
    /// `send` on a full bounded pipe, from the thread its router routes on
    /// (the foreground, which S3 lets send): only routing makes room, and
    /// it would wait for this very call, so the message comes back at once
    /// instead of hanging. The sender can go on once the loop has routed.
    #[error(
        "the pipe is full ({capacity} messages wait unrouted) and this is its router's own thread, \
         whose routing alone makes room: waiting would never end"
    )]
    FullOnRouterThread {
        /// The pipe's capacity.
        capacity: usize,
    },
    /// `send_timeout` on a bounded pipe that stayed full for `timeout`
    /// (B3). The sender can go on.
    #[error("the pipe stayed full for {timeout:?}")]
    TimedOut {
        /// The timeout the call was given.
        timeout: Duration,
    },
    /// A sender in another process could not encode the message (it does
    /// not serialize, or it is over the backend's size limit); `0` is the
    /// backend's own error. The sender can go on.
    #[error("the message could not be encoded")]
    Encode(#[source] BoxError),
}

/// What cut a sender off from its router
/// ([`SendErrorKind::Disconnected`]).
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

/// A message that could not be sent, handed back with the reason.
///
/// `Debug` does not require `M: Debug`, so any message type works with `?`
/// and `expect`; the message is left out of `Debug` and `Display`.
///
/// ```
/// use router_api::{Disconnect, PipeId, SendError, SendErrorKind};
///
/// let error = SendError::new(PipeId::new(1), SendErrorKind::Full { capacity: 4 }, "hello");
/// assert!(error.is_full() && !error.is_disconnected());
/// assert_eq!(error.to_string(), "a message for pipe #1 was not sent: the pipe is full: 4 messages wait unrouted");
/// assert_eq!(error.into_message(), "hello");
///
/// let cut = SendError::new(PipeId::new(1), SendErrorKind::Disconnected(Disconnect::RouterStopped), 7);
/// assert_eq!(cut.disconnect(), Some(Disconnect::RouterStopped));
/// ```
pub struct SendError<M> {
    pipe: PipeId,
    kind: SendErrorKind,
    message: M,
}

impl<M> SendError<M> {
    /// A send error for `message` of `pipe`, which failed for `kind`.
    #[must_use]
    pub fn new(pipe: PipeId, kind: SendErrorKind, message: M) -> Self {
        Self {
            pipe,
            kind,
            message,
        }
    }

    /// The pipe the message was for.
    #[must_use]
    pub fn pipe(&self) -> PipeId {
        self.pipe
    }

    /// Why the message was not sent.
    #[must_use]
    pub fn kind(&self) -> &SendErrorKind {
        &self.kind
    }

    /// Whether the message found a full bounded pipe (`try_send`, B3, or a
    /// send on the router's own thread): the sender can try again later.
    #[must_use]
    pub fn is_full(&self) -> bool {
        matches!(
            self.kind,
            SendErrorKind::Full { .. } | SendErrorKind::FullOnRouterThread { .. }
        )
    }

    /// Whether the message waited for room past its timeout
    /// (`send_timeout`, B3).
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, SendErrorKind::TimedOut { .. })
    }

    /// Whether the sender is cut off from its router for good (R5, B2):
    /// no later send will be delivered.
    #[must_use]
    pub fn is_disconnected(&self) -> bool {
        matches!(self.kind, SendErrorKind::Disconnected(_))
    }

    /// What cut the sender off, if it is [disconnected](Self::is_disconnected).
    #[must_use]
    pub fn disconnect(&self) -> Option<Disconnect> {
        match self.kind {
            SendErrorKind::Disconnected(cause) => Some(cause),
            _ => None,
        }
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

    /// Splits the error into why it failed and the message.
    #[must_use]
    pub fn into_parts(self) -> (SendErrorKind, M) {
        (self.kind, self.message)
    }

    /// The error without its message: for a caller that keeps the reason
    /// and drops the message, or whose message type is not `Send + Sync`
    /// (a `SendError<()>` converts into any boxed error).
    #[must_use]
    pub fn without_message(self) -> SendError<()> {
        SendError {
            pipe: self.pipe,
            kind: self.kind,
            message: (),
        }
    }
}

impl<M> fmt::Debug for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError")
            .field("pipe", &self.pipe)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<M> fmt::Display for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a message for pipe {} was not sent: {}",
            self.pipe, self.kind
        )
    }
}

impl<M> std::error::Error for SendError<M> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The kind's words are in this error's own; its source is the
        // backend's error, if any.
        std::error::Error::source(&self.kind)
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn each_cause_of_a_disconnect_has_its_own_words() {
        let texts: Vec<String> = [
            Disconnect::RouterStopped,
            Disconnect::ConnectionClosed,
            Disconnect::ChannelRefused,
            Disconnect::PipeClosed,
        ]
        .into_iter()
        .map(|cause| {
            SendError::new(PipeId::new(3), SendErrorKind::Disconnected(cause), ()).to_string()
        })
        .collect();
        for text in &texts {
            assert!(
                text.starts_with("a message for pipe #3 was not sent: disconnected: "),
                "{text}"
            );
        }
        assert!(texts[0].contains("stopped or dropped"), "{}", texts[0]);
        assert!(texts[1].contains("another process"), "{}", texts[1]);
        assert!(
            texts[2].contains("while the router is running"),
            "{}",
            texts[2]
        );
        assert!(texts[3].contains("bounded pipe was closed"), "{}", texts[3]);
    }

    #[test]
    fn a_backend_cause_is_the_source_not_the_words() {
        let io = std::io::Error::other("the socket is gone");
        let error = SendError::new(PipeId::new(2), SendErrorKind::Encode(Box::new(io)), 5u8);
        assert_eq!(
            error.to_string(),
            "a message for pipe #2 was not sent: the message could not be encoded"
        );
        let source = error.source().map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("the socket is gone"));
        let start = SenderStartError::Connect {
            pipe: PipeId::new(2),
            source: Box::new(std::io::Error::other("refused")),
        };
        assert!(start.cause::<std::io::Error>().is_some());
        assert!(start.cause::<std::fmt::Error>().is_none());
        assert_eq!(start.pipe(), PipeId::new(2));
    }

    #[test]
    fn helpers_say_which_kind_it_is() {
        let pipe = PipeId::new(1);
        let full = SendError::new(pipe, SendErrorKind::Full { capacity: 1 }, 'a');
        let late = SendError::new(
            pipe,
            SendErrorKind::TimedOut {
                timeout: Duration::ZERO,
            },
            'b',
        );
        let cut = SendError::new(
            pipe,
            SendErrorKind::Disconnected(Disconnect::PipeClosed),
            'c',
        );
        assert_eq!(
            [full.is_full(), full.is_timeout(), full.is_disconnected()],
            [true, false, false]
        );
        assert_eq!(
            [late.is_full(), late.is_timeout(), late.is_disconnected()],
            [false, true, false]
        );
        assert_eq!(
            [cut.is_full(), cut.is_timeout(), cut.is_disconnected()],
            [false, false, true]
        );
        assert_eq!(full.disconnect(), None);
        let (kind, message) = cut.into_parts();
        assert!(matches!(
            kind,
            SendErrorKind::Disconnected(Disconnect::PipeClosed)
        ));
        assert_eq!(message, 'c');
        assert!(late.without_message().is_timeout());
    }
}
