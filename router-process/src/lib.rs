#![doc = include_str!("../README.md")]

pub mod child;
mod connect_error;
mod connection;
mod dial;
mod drops;
mod endpoint;
mod frames;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod intake;
#[cfg(feature = "jobs")]
pub mod jobs;
mod line;
mod monitor;
mod router;
mod sender;
mod token;
mod transport;
pub mod wire;

pub use connect_error::ConnectError;
pub use drops::DropReason;
pub use endpoint::ListenError;
pub use monitor::MONITOR_THREAD_NAME;
pub use router::ProcessRouter;
pub use sender::ProcessSender;
pub use token::TokenError;

/// Compile-time facts about the public types (see RULES.md, "Compile-time facts").
mod facts {
    use crate::connect_error::ConnectError;
    use crate::endpoint::ListenError;
    use crate::router::ProcessRouter;
    use crate::sender::ProcessSender;
    use crate::token::TokenError;
    use crate::wire::EncodeError;

    router_remote::remote_facts!(
        ProcessRouter,
        ProcessSender,
        errors: [TokenError, ConnectError, ListenError, EncodeError],
    );
}
