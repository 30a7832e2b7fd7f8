#![doc = include_str!("../README.md")]

mod closings;
mod connect;
mod consumer;
mod drops;
mod frame;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod intake;
mod line;
mod listener;
mod notice;
mod order;
mod publisher;
mod router;
mod sender;
mod token;
mod transport;

pub use connect::ConnectError;
pub use consumer::{CONSUMER_THREAD_NAME, DEFAULT_MAX_STREAM_BYTES, DEFAULT_MAX_STREAM_MESSAGES};
pub use drops::DropReason;
pub use frame::{MAX_MESSAGE_LEN, fingerprint};
pub use listener::LISTENER_THREAD_NAME;
pub use router::NatsRouter;
pub use router_remote::EncodeError;
pub use sender::{DEFAULT_PATIENCE, NatsSender};
pub use token::TokenError;

/// Compile-time facts about the public types (see RULES.md, "Compile-time facts").
mod facts {
    use router_remote::EncodeError;

    use crate::connect::ConnectError;
    use crate::router::NatsRouter;
    use crate::sender::NatsSender;
    use crate::token::TokenError;

    router_remote::remote_facts!(
        NatsRouter,
        NatsSender,
        errors: [TokenError, ConnectError, EncodeError],
    );
}
