//! Why a measurement could not finish.

use std::process::ExitStatus;

use router_api::{
    BoxError, ClosePipeError, PipeError, RouteError, RouterStartError, RouterStopError, SendError,
    SenderStartError, TimedOut,
};

/// Why a measurement could not finish. Any of these is a bug in the
/// router or the bench, never a slow machine (the waits are generous).
/// [`BenchError::chain`] prints it with every cause under it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// The router refused an operation: its own error is the source.
    #[error("the router refused an operation")]
    Router(#[source] BoxError),
    /// The event loop, or a wait of the bench's, gave up.
    #[error("the bench waited too long")]
    TimedOut(#[from] TimedOut),
    /// A sender could not be started, or a send was refused.
    #[error("a sender failed")]
    Sender(#[source] BoxError),
    /// The bare channel closed before every message arrived.
    #[error("the bare channel closed after {received} of {expected} messages")]
    ChannelClosed {
        /// Messages received.
        received: u64,
        /// Messages sent.
        expected: u64,
    },
    /// A sending thread panicked.
    #[error("a sending thread panicked")]
    SenderPanicked,
    /// A host event loop of the loop rows (tokio, calloop) failed.
    #[error("the {host} event loop failed")]
    Loop {
        /// Which loop, and what of it.
        host: &'static str,
        /// Its own error.
        #[source]
        source: BoxError,
    },
    /// A socket, a token or a child process of the process-backend rows
    /// failed.
    #[error("the process bench failed")]
    Process(#[source] BoxError),
    /// A child of the process rows was asked for a payload it has not.
    #[error("no payload kind {kind:?}")]
    NoPayloadKind {
        /// The kind asked for.
        kind: String,
    },
    /// A sending child of the process rows exited with a failure.
    #[error("a sending child failed: {status}")]
    ChildFailed {
        /// How it exited.
        status: ExitStatus,
    },
}

impl BenchError {
    /// A failure of the `host` event loop, caused by `source`.
    pub fn host(host: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Loop {
            host,
            source: source.into(),
        }
    }

    /// The error and each cause under it, on one line.
    #[must_use]
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            text.push_str(": ");
            text.push_str(&error.to_string());
            cause = error.source();
        }
        text
    }
}

/// Each router operation's error is a [`BenchError::Router`].
macro_rules! router_errors {
    ($($error:ty),*) => {
        $(impl From<$error> for BenchError {
            fn from(error: $error) -> Self {
                Self::Router(Box::new(error))
            }
        })*
    };
}

router_errors!(
    RouterStartError,
    RouterStopError,
    PipeError,
    ClosePipeError,
    RouteError
);

impl From<SenderStartError> for BenchError {
    fn from(error: SenderStartError) -> Self {
        Self::Sender(Box::new(error))
    }
}

impl<M> From<SendError<M>> for BenchError {
    fn from(error: SendError<M>) -> Self {
        Self::Sender(Box::new(error.without_message()))
    }
}
