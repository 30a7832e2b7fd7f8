#![doc = include_str!("../README.md")]

mod connect;
mod consumer;
mod frame;
mod intake;
mod order;
mod pipe_book;
mod publisher;
mod router;
mod sender;
mod token;

pub use connect::ConnectError;
pub use consumer::CONSUMER_THREAD_NAME;
pub use frame::{EncodeError, MAX_MESSAGE_LEN, fingerprint};
pub use router::NatsRouter;
pub use sender::{DEFAULT_PATIENCE, NatsSender};
pub use token::TokenError;

/// Compile-time facts about the public types (see RULES.md, "Compile-time facts").
mod facts {
    use static_assertions::{assert_impl_all, assert_not_impl_any};

    use crate::{ConnectError, EncodeError, NatsRouter, NatsSender, TokenError};

    type Msg = Vec<u8>;
    assert_impl_all!(NatsSender<Msg>: Send);
    assert_not_impl_any!(NatsRouter<Msg>: Sync, Send);
    assert_impl_all!(TokenError: Send, Sync, std::error::Error);
    assert_impl_all!(ConnectError: Send, Sync, std::error::Error);
    assert_impl_all!(EncodeError: Send, Sync, std::error::Error);

    fn _nats_sender_as_dyn(sender: NatsSender<Msg>) -> Box<dyn router_api::MessageSender<Msg>> {
        Box::new(sender)
    }
}
