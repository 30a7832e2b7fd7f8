//! Why a measurement could not finish.

use router_api::{EventLoopError, RouterError, SenderError};

/// Why a measurement could not finish. Any of these is a bug in the
/// router or the bench, never a slow machine (the waits are generous).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// The router refused an operation.
    #[error("router: {0}")]
    Router(#[from] RouterError),
    /// The event loop gave up waiting.
    #[error("event loop: {0}")]
    EventLoop(#[from] EventLoopError),
    /// A sender could not be started.
    #[error("sender: {0}")]
    Sender(#[from] SenderError),
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
    #[error("event loop: {0}")]
    Loop(String),
    /// A socket or a child process of the process-backend rows failed.
    #[error("process bench: {0}")]
    Process(String),
}
