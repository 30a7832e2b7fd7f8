//! The errors of a router's operations, one type each.

use crate::error::{BoxError, TimedOut};
use crate::{PipeId, PipeKind};

/// Why [`MessageRouter::start`](crate::MessageRouter::start) failed; the
/// router stays as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RouterStartError {
    /// The router is running already (R1): stop it before starting it
    /// again.
    #[error("the router is already running; stop it before starting it again")]
    AlreadyRunning,
    /// The router could not set up what its senders reach it through (a
    /// backend whose senders live in other processes opens a socket at
    /// `start`, for instance); the router stays stopped. `source` is the
    /// backend's own error.
    #[error("the router could not set up what its senders reach it through")]
    Setup {
        /// What failed, as the backend's own error.
        #[source]
        source: BoxError,
    },
}

impl RouterStartError {
    /// A set-up failure caused by `source`.
    pub fn setup(source: impl Into<BoxError>) -> Self {
        Self::Setup {
            source: source.into(),
        }
    }

    /// The backend's error behind a [`Setup`](Self::Setup) failure, if it
    /// is an `E`.
    #[must_use]
    pub fn cause<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Self::Setup { source } => super::downcast(source),
            Self::AlreadyRunning => None,
        }
    }
}

/// Why [`MessageRouter::stop`](crate::MessageRouter::stop) failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RouterStopError {
    /// The router is not running (R2): it was never started, or it was
    /// stopped already.
    #[error("cannot stop the router: it is not running")]
    NotRunning,
}

/// Why [`MessageRouter::pipe`](crate::MessageRouter::pipe) (or `pipe_of`,
/// `pipe_bounded`, `pipe_latest`) made no pipe.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipeError {
    /// The router is not running (R3): it was never started, or it was
    /// stopped, possibly by a listener.
    #[error("cannot make a pipe: the router is not running")]
    NotRunning,
    /// The routing table is full (more than `u32::MAX` pipes open at
    /// once).
    #[error("cannot make a pipe: {open} pipes are open already")]
    TooManyPipes {
        /// How many pipes are open.
        open: usize,
    },
    /// The router cannot make a pipe of this kind: a bounded pipe of
    /// capacity 0, or a kind the backend does not have.
    #[error("cannot make a {kind} pipe: {why}")]
    BadKind {
        /// The kind asked for.
        kind: PipeKind,
        /// Why not, in words fixed by the backend.
        why: &'static str,
    },
}

/// Why [`MessageRouter::close_pipe`](crate::MessageRouter::close_pipe)
/// failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClosePipeError {
    /// The router is not running (R3).
    #[error("cannot close pipe {pipe}: the router is not running")]
    NotRunning {
        /// The pipe named by the receiver.
        pipe: PipeId,
    },
    /// This router closed the pipe already, or closed it when it stopped
    /// (R6).
    #[error("pipe {pipe} is not open on this router: it was closed already")]
    NotOpen {
        /// The pipe named by the receiver.
        pipe: PipeId,
    },
    /// Another router made the pipe (R6).
    #[error("pipe {pipe} was made by another router and cannot be closed by this one")]
    Foreign {
        /// The pipe named by the receiver.
        pipe: PipeId,
    },
}

impl ClosePipeError {
    /// The pipe that was not closed.
    #[must_use]
    pub fn pipe(&self) -> PipeId {
        match *self {
            Self::NotRunning { pipe } | Self::NotOpen { pipe } | Self::Foreign { pipe } => pipe,
        }
    }
}

/// Why [`MessageRouter::route_until`](crate::MessageRouter::route_until)
/// returned before its condition held. A later call works as usual.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// The router is not running (R3), or a listener stopped it during the
    /// call.
    #[error("cannot route: the router is not running")]
    NotRunning,
    /// The deadline passed before the condition held (R9).
    #[error("route_until timed out after {:?} before its condition became true", .0.timeout)]
    TimedOut(TimedOut),
}

impl From<TimedOut> for RouteError {
    fn from(timed_out: TimedOut) -> Self {
        Self::TimedOut(timed_out)
    }
}

impl RouteError {
    /// Whether the call timed out (R9), rather than finding the router
    /// stopped.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::TimedOut(_))
    }
}
