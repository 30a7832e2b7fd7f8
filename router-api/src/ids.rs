//! Identifiers: pipes and listeners.

use std::fmt;

/// A numbered identifier: `new`, `get`, and `Display` with `$prefix`.
macro_rules! numbered_id {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub struct $name(u64);

        impl $name {
            #[doc = concat!("The ", $what, " with the given number.")]
            #[must_use]
            pub const fn new(number: u64) -> Self {
                Self(number)
            }

            #[doc = concat!("The number of the ", $what, ".")]
            #[must_use]
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

numbered_id! {
    /// The identity of one pipe: a (sender, receiver) pair made by
    /// [`MessageRouter::pipe`](crate::MessageRouter::pipe).
    ///
    /// A router numbers its pipes from 1 and never reuses a number, not even
    /// across a stop and a restart, so a `PipeId` names one pipe for the life
    /// of its router. Backends make them with `new`; users get them from
    /// senders and receivers. It prints as `#N`, the form the router's log
    /// messages use.
    ///
    /// ```
    /// use router_api::PipeId;
    /// assert_eq!(PipeId::new(7).to_string(), "#7");
    /// assert_eq!(PipeId::new(7).get(), 7);
    /// ```
    PipeId, "#", "pipe id"
}

numbered_id! {
    /// The identity of one listener connected to a receiver, returned by
    /// [`MessageReceiver::connect`](crate::MessageReceiver::connect) and
    /// taken by [`MessageReceiver::disconnect`](crate::MessageReceiver::disconnect).
    /// It prints as `listener N`.
    ListenerId, "listener ", "listener id"
}
