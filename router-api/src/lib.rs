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
pub use error::{
    BoxError, ClosePipeError, Disconnect, PipeError, RouteError, RouterStartError, RouterStopError,
    SendError, SendErrorKind, SenderStartError, SenderStopError, TimedOut,
};
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
        ClosePipeError, DefaultEventLoop, MessageReceiver, MessageSender, Pinger, PipeError, Pump,
        RouteError, RouterStartError, RouterStopError, SendError, SendErrorKind, SenderStartError,
        SenderStopError, TimedOut, WakeLoop,
    };

    type Msg = Vec<u8>;
    assert_not_impl_any!(DefaultEventLoop: Sync, Send);
    assert_not_impl_any!(WakeLoop: Sync, Send);
    assert_not_impl_any!(Pump: Sync, Send);
    assert_impl_all!(RouterStartError: Send, Sync, std::error::Error);
    assert_impl_all!(RouterStopError: Send, Sync, Copy, std::error::Error);
    assert_impl_all!(PipeError: Send, Sync, std::error::Error);
    assert_impl_all!(ClosePipeError: Send, Sync, Copy, std::error::Error);
    assert_impl_all!(RouteError: Send, Sync, Copy, std::error::Error);
    assert_impl_all!(SenderStartError: Send, Sync, std::error::Error);
    assert_impl_all!(SenderStopError: Send, Sync, Copy, std::error::Error);
    assert_impl_all!(SendErrorKind: Send, Sync, std::error::Error);
    assert_impl_all!(crate::Disconnect: Send, Sync, Copy, std::error::Error);
    assert_impl_all!(crate::SenderEnd: Send, Sync, Copy);
    assert_impl_all!(SendError<Msg>: Send, Sync, std::error::Error);
    assert_impl_all!(TimedOut: Send, Sync, Copy, std::error::Error);
    // A message that is neither `Send` nor `Sync` still makes an error.
    assert_impl_all!(SendError<std::rc::Rc<u8>>: std::error::Error);

    // The traits meant for `dyn` stay object safe.
    fn _sender_is_object_safe(_: &dyn MessageSender<Msg>) {}
    fn _receiver_is_object_safe(_: &dyn MessageReceiver<Msg>) {}
    fn _pinger_is_object_safe(_: &dyn Pinger) {}
    fn _errors_are_static(
        start: RouterStartError,
        send: SendError<Msg>,
    ) -> [Box<dyn std::error::Error + Send + Sync + 'static>; 2] {
        [Box::new(start), Box::new(send)]
    }
}
