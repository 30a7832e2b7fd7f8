//! End of stream: how a pipe's sender ended (E1, E2).

use std::fmt;

/// How the sender of a pipe ended, as its receiver is told (E2).
///
/// A receiver learns it once, on the foreground thread, after the sender's
/// last message (E1); see [`MessageReceiver::on_end`](crate::MessageReceiver::on_end).
///
/// ```
/// use router_api::SenderEnd;
/// fn report(end: &SenderEnd) -> &'static str {
///     match end {
///         SenderEnd::Stopped => "finished",
///         SenderEnd::Panicked | SenderEnd::Lost => "crashed",
///         _ => "gave up",
///     }
/// }
/// assert_eq!(report(&SenderEnd::Lost), "crashed");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum SenderEnd {
    /// The sender was stopped: [`stop`](crate::MessageSender::stop), or
    /// the guard of [`open`](crate::MessageSender::open) dropped in the
    /// ordinary way.
    Stopped,
    /// The sender was dropped without being stopped, or was never started.
    Dropped,
    /// The sender (or its open guard) was dropped while its thread was
    /// unwinding from a panic.
    Panicked,
    /// The sender was lost: its process died, or its connection to the
    /// router broke before it said how it ended.
    Lost,
}

impl SenderEnd {
    /// Whether the sender finished as its code meant to: it was stopped.
    #[must_use]
    pub fn is_clean(self) -> bool {
        self == Self::Stopped
    }
}

impl fmt::Display for SenderEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Stopped => "the sender was stopped",
            Self::Dropped => "the sender was dropped without being stopped",
            Self::Panicked => "the sender's thread panicked",
            Self::Lost => "the sender was lost (its process or connection died)",
        })
    }
}

/// A callback told how a pipe's sender ended; see
/// [`MessageReceiver::on_end`](crate::MessageReceiver::on_end).
pub type EndListener = Box<dyn FnOnce(&SenderEnd)>;
