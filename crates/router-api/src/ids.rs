//! Identifiers: pipes and listeners.

use std::fmt;

/// The identity of one pipe: a (sender, receiver) pair made by
/// [`MessageRouter::pipe`](crate::MessageRouter::pipe).
///
/// A router numbers its pipes from 1 and never reuses a number, not even
/// across a stop and a restart, so a `PipeId` names one pipe for the life
/// of its router. It prints as `#N`, the form the router's log messages use.
///
/// ```
/// use router_api::PipeId;
/// assert_eq!(PipeId::new(7).to_string(), "#7");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct PipeId(u64);

impl PipeId {
    /// A pipe id with the given number. Backends call this when they make
    /// a pipe; users get pipe ids from senders and receivers.
    #[must_use]
    pub const fn new(number: u64) -> Self {
        Self(number)
    }

    /// The pipe's number.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for PipeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The identity of one listener connected to a receiver, returned by
/// [`MessageReceiver::connect`](crate::MessageReceiver::connect) and
/// taken by [`MessageReceiver::disconnect`](crate::MessageReceiver::disconnect).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ListenerId(u64);

impl ListenerId {
    /// A listener id with the given number (for receiver implementations).
    #[must_use]
    pub const fn new(number: u64) -> Self {
        Self(number)
    }

    /// The listener's number.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ListenerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "listener {}", self.0)
    }
}
