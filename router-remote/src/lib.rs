#![doc = include_str!("../README.md")]

mod book;
mod closing;
mod codec;
mod drops;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod macros;
mod nesting;
mod pace;
mod reason;
mod router;
mod sender;
mod token;
mod transport;

pub use book::{Admission, CoreSender, PipeBook};
pub use closing::{CLOSED_LOOK_EVERY, Pacer, PipeWatch, SENDER_LOOK_EVERY};
pub use codec::{
    EncodeError, MAX_DEPTH, RemoteMessage, Undecoded, decode_guarded, decode_prefix, decode_whole,
};
pub use drops::{DropCounts, DropLog, Dropped};
pub use reason::DropReason;
pub use router::RemoteRouter;
pub use sender::{Dial, Line, LineFault, RemoteSender};
pub use token::{TokenFieldError, TokenFields, write_token};
pub use transport::Transport;

/// What the macros name, through `$crate`; not public API.
#[doc(hidden)]
pub mod __private {
    pub use router_api::{
        ClosePipeError, DrainBudget, MessageRouter, MessageSender, PipeError, PipeId, PipeKind,
        RouteError, RouterControl, RouterStartError, RouterStats, RouterStopError, SendError,
        SenderStartError, SenderStopError,
    };
    pub use router_channel::PipeReceiver;
    pub use serde::Serialize;
    pub use static_assertions::{assert_impl_all, assert_not_impl_any};
}

/// Compile-time facts about the public types (see RULES.md, "Compile-time facts").
mod facts {
    use static_assertions::assert_impl_all;

    use crate::codec::EncodeError;
    use crate::drops::DropLog;
    use crate::token::TokenFieldError;

    assert_impl_all!(EncodeError: Send, Sync, std::error::Error);
    assert_impl_all!(TokenFieldError: Send, Sync, std::error::Error);

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Reason {}

    impl crate::reason::DropReason for Reason {
        const ALL: &'static [Self] = &[];

        fn name(self) -> &'static str {
            match self {}
        }
    }

    // The transport's threads share the log.
    assert_impl_all!(DropLog<Reason>: Send, Sync, Clone);
}
