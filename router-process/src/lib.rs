#![doc = include_str!("../README.md")]

pub mod child;
mod connect_error;
mod connection;
mod dial;
mod drops;
mod endpoint;
mod frames;
mod intake;
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
    use static_assertions::{assert_impl_all, assert_not_impl_any};

    use crate::connect_error::ConnectError;
    use crate::endpoint::ListenError;
    use crate::router::ProcessRouter;
    use crate::sender::ProcessSender;
    use crate::token::TokenError;

    type Msg = Vec<u8>;
    assert_impl_all!(ProcessSender<Msg>: Send);
    assert_not_impl_any!(ProcessRouter<Msg>: Sync, Send);
    assert_impl_all!(TokenError: Send, Sync, std::error::Error);
    assert_impl_all!(ConnectError: Send, Sync, std::error::Error);
    assert_impl_all!(ListenError: Send, Sync, std::error::Error);
    assert_impl_all!(crate::wire::EncodeError: Send, Sync, std::error::Error);

    fn _sender_is_object_safe(_: &dyn router_api::MessageSender<Msg>) {}
    fn _process_sender_as_dyn(
        sender: ProcessSender<Msg>,
    ) -> Box<dyn router_api::MessageSender<Msg>> {
        Box::new(sender)
    }
}
