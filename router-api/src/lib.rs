#![doc = include_str!("../README.md")]

mod end;
mod error;
mod event_loop;
mod ids;
mod receiver;
mod router;
mod sender;
mod stream;
mod sync;

pub use end::{EndListener, SenderEnd};
pub use error::{Disconnect, EventLoopError, Operation, RouterError, SendError, SenderError};
pub use event_loop::{DefaultEventLoop, EventLoop, Pingee, Pinger, Pump, WakeLoop};
pub use ids::{ListenerId, PipeId};
pub use receiver::{Listener, MessageReceiver};
pub use router::{DrainBudget, MessageRouter, PipeKind, RouterControl, RouterStats};
pub use sender::{MessageSender, SenderGuard};
pub use stream::IntoMessageStream;

/// Compile-time facts about the public types (see RULES.md, "Compile-time
/// facts").
mod facts {
    use static_assertions::assert_impl_all;
    use static_assertions::assert_not_impl_any;

    use crate::{
        DefaultEventLoop, EventLoopError, MessageReceiver, MessageSender, Pinger, Pump,
        RouterError, SendError, SenderError, WakeLoop,
    };

    type Msg = Vec<u8>;
    assert_not_impl_any!(DefaultEventLoop: Sync, Send);
    assert_not_impl_any!(WakeLoop: Sync, Send);
    assert_not_impl_any!(Pump: Sync, Send);
    assert_impl_all!(RouterError: Send, Sync, std::error::Error);
    assert_impl_all!(SenderError: Send, Sync, std::error::Error);
    assert_impl_all!(crate::Disconnect: Send, Sync, Copy, std::error::Error);
    assert_impl_all!(crate::SenderEnd: Send, Sync, Copy);
    assert_impl_all!(SendError<Msg>: Send, Sync, std::error::Error);
    assert_impl_all!(EventLoopError: Send, Sync, std::error::Error);

    // The traits meant for `dyn` stay object safe.
    fn _sender_is_object_safe(_: &dyn MessageSender<Msg>) {}
    fn _receiver_is_object_safe(_: &dyn MessageReceiver<Msg>) {}
    fn _pinger_is_object_safe(_: &dyn Pinger) {}
    fn _errors_are_static(e: RouterError) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        Box::new(e)
    }
}
