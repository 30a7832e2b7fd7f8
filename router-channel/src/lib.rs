#![doc = include_str!("../README.md")]

// In layers, bottom-up: a file uses only files of the layers listed before
// its own (README.md, "Inside"; router-reliability's tests/layers.rs).
mod sync;
mod tuning;

mod channel;
mod route;
mod shaped;
mod stream_shared;

mod credit;
mod gate;
mod latest;
mod waiter;

mod kind;
mod notes;

mod fittings;
mod link;

mod receiver;
mod sender;

mod stream;
mod table;

mod router;

use std::fmt;

pub use channel::Channel;
pub use receiver::PipeReceiver;
pub use route::Route;
pub use router::ChannelRouter;
pub use sender::ChannelSender;
pub use stream::MessageStream;

/// What `channel_backend!` expands to; not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::tuning::DRAIN_FROM;
}

/// Loom models only: whether the ping gates of routers started from now on,
/// on this thread, take the fast path (senders read the gate; the default
/// under loom) or claim it on every send (what a process without the
/// kernel's barrier does). Lets one model check both.
#[cfg(loom)]
#[doc(hidden)]
pub fn loom_gate_fast_path(fast: bool) {
    crate::sync::barrier::model::AVAILABLE.with(|available| available.set(fast));
}

/// A message on its way through a router's channel, with its route.
///
/// Opaque: a [`Channel`] carries it and never looks inside.
pub struct Envelope<M> {
    route: route::Route,
    message: M,
}

impl<M> fmt::Debug for Envelope<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

/// Compile-time facts about the public types (see RULES.md, "Compile-time
/// facts").
mod facts {
    use static_assertions::{assert_impl_all, assert_not_impl_any};

    use crate::{ChannelRouter, ChannelSender, Envelope, PipeReceiver};

    /// A do-nothing channel, only to name the generic types below.
    struct NoChannel;
    impl<T: Send + 'static> crate::Channel<T> for NoChannel {
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
    }

    type Msg = Vec<u8>;
    assert_impl_all!(ChannelSender<Msg, NoChannel>: Send);
    assert_impl_all!(Envelope<Msg>: Send);
    assert_not_impl_any!(ChannelRouter<Msg, NoChannel>: Sync, Send);
    assert_not_impl_any!(PipeReceiver<Msg>: Sync, Send);
}
