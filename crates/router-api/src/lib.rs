#![doc = include_str!("../README.md")]

mod error;
mod event_loop;
mod ids;
mod receiver;
mod router;
mod sender;
mod sync;

pub mod backend;

pub use error::{EventLoopError, Operation, RouterError, SendError, SenderError};
pub use event_loop::{DefaultEventLoop, EventLoop, Pingee, Pinger};
pub use ids::{ListenerId, PipeId};
pub use receiver::{Listener, MessageReceiver, PipeReceiver};
pub use router::{DrainBudget, MessageRouter, RouterStats};
pub use sender::{MessageSender, SenderGuard};

/// Compile-time facts about the public types (see DESIGN.md, "Quality marks").
mod facts {
    use static_assertions::{assert_impl_all, assert_not_impl_any};

    use crate::backend::{ChannelRouter, ChannelSender, Envelope};
    use crate::{
        DefaultEventLoop, EventLoopError, MessageReceiver, MessageSender, Pinger, PipeReceiver,
        RouterError, SendError, SenderError,
    };

    /// A do-nothing channel, only to name the generic types below.
    struct NoChannel;
    impl<T: Send + 'static> crate::backend::Channel<T> for NoChannel {
        type Tx = ();
        type Rx = ();
        fn unbounded() -> ((), ()) {
            ((), ())
        }
        fn send(_: &(), value: T) -> Result<(), T> {
            Err(value)
        }
        fn try_recv(_: &()) -> Option<T> {
            None
        }
        fn recv(_: &()) -> Option<T> {
            None
        }
        fn recv_deadline(_: &(), _: std::time::Instant) -> Option<T> {
            None
        }
    }

    type Msg = Vec<u8>;
    assert_impl_all!(ChannelSender<Msg, NoChannel>: Send);
    assert_impl_all!(Envelope<Msg>: Send);
    assert_not_impl_any!(ChannelRouter<Msg, NoChannel>: Sync, Send);
    assert_not_impl_any!(PipeReceiver<Msg>: Sync, Send);
    assert_not_impl_any!(DefaultEventLoop: Sync, Send);
    assert_impl_all!(RouterError: Send, Sync, std::error::Error);
    assert_impl_all!(SenderError: Send, Sync, std::error::Error);
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
