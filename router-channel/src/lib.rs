//! The one router every channel backend of message-router is.
//!
//! Everything a router does besides moving values across threads is the
//! same in every backend: the lifecycle, the routing table, listener
//! dispatch, warnings, ping coalescing, the `route_until` deadline. It is
//! written once, here, in [`ChannelRouter`] and [`ChannelSender`]. A
//! backend implements [`Channel`] for a marker type and names the result:
//!
//! ```
//! use std::sync::{Mutex, mpsc};
//! use std::time::Instant;
//! use router_channel::{Channel, ChannelRouter};
//!
//! /// std's mpsc as a router channel.
//! pub struct StdMpsc;
//!
//! impl<T: Send + 'static> Channel<T> for StdMpsc {
//!     // mpsc::Sender is Sync since Rust 1.72.
//!     type Tx = mpsc::Sender<T>;
//!     type Rx = mpsc::Receiver<T>;
//!     fn unbounded() -> (Self::Tx, Self::Rx) {
//!         mpsc::channel()
//!     }
//!     fn send(tx: &Self::Tx, value: T) -> Result<(), T> {
//!         tx.send(value).map_err(|e| e.0)
//!     }
//!     fn try_recv(rx: &Self::Rx) -> Option<T> {
//!         rx.try_recv().ok()
//!     }
//!     fn recv(rx: &Self::Rx) -> Option<T> {
//!         rx.recv().ok()
//!     }
//!     fn recv_deadline(rx: &Self::Rx, deadline: Instant) -> Option<T> {
//!         rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).ok()
//!     }
//! }
//!
//! pub type MpscRouter<M> = ChannelRouter<M, StdMpsc>;
//! ```
//!
//! A channel crate shaped like crossbeam-channel (flume is) needs not even
//! that: [`channel_backend!`] writes the impl.
//!
//! A backend that cannot be a channel (one whose senders live in other
//! processes, say) implements [`MessageRouter`](router_api::MessageRouter)
//! and friends itself, or feeds a [`ChannelRouter`] through a
//! [`Forwarder`] as `router-process` does, and proves itself with
//! `router-conformance`. The rules every router follows are numbered in
//! the repository's `RULES.md`.

mod channel;
mod forwarder;
mod gate;
mod link;
mod receiver;
mod router;
mod sender;
mod shaped;
mod sync;
mod table;
mod tuning;

use std::fmt;

pub use channel::Channel;
pub use forwarder::Forwarder;
pub use receiver::PipeReceiver;
pub use router::ChannelRouter;
pub use sender::ChannelSender;
pub use table::Route;

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
    route: table::Route,
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

    use crate::{ChannelRouter, ChannelSender, Envelope, Forwarder, PipeReceiver};

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
        fn recv(_: &()) -> Option<T> {
            None
        }
        fn recv_deadline(_: &(), _: std::time::Instant) -> Option<T> {
            None
        }
    }

    type Msg = Vec<u8>;
    assert_impl_all!(ChannelSender<Msg, NoChannel>: Send);
    assert_impl_all!(Forwarder<Msg, NoChannel>: Send, Sync, Clone);
    assert_impl_all!(Envelope<Msg>: Send);
    assert_not_impl_any!(ChannelRouter<Msg, NoChannel>: Sync, Send);
    assert_not_impl_any!(PipeReceiver<Msg>: Sync, Send);
}
