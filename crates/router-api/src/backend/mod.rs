//! For backend authors: a whole router from a channel.
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
//! use router_api::backend::{Channel, ChannelRouter};
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
//! that: [`channel_backend!`](crate::channel_backend) writes the impl.
//!
//! A backend that cannot be a channel (one whose senders live in other
//! processes, say) implements [`MessageRouter`](crate::MessageRouter) and
//! friends itself, and proves itself with `router-conformance`.

mod channel;
mod forwarder;
mod gate;
mod link;
mod router;
mod sender;
mod shaped;
mod table;

use std::fmt;

pub use channel::Channel;
pub use forwarder::Forwarder;
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
