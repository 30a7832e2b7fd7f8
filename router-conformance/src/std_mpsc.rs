//! The kit's own backend: std's `mpsc` channel as a router channel, the
//! whole of a channel backend. Everything but moving a value across
//! threads (the lifecycle, routing table, listeners, warnings, pings,
//! `route_until`) comes from `router_channel::ChannelRouter`.
//!
//! The kit's tests and the examples of its docs run on it; the README's
//! "Writing a backend" walks through it. Not public API: a backend of
//! one's own writes these lines itself.

use std::sync::mpsc;

use router_channel::{Channel, ChannelRouter};

/// std's mpsc as a router channel.
#[derive(Debug)]
pub struct StdMpsc;

impl<T: Send + 'static> Channel<T> for StdMpsc {
    // `mpsc::Sender` is `Sync` since Rust 1.72, so all senders of a run
    // share one.
    type Tx = mpsc::Sender<T>;
    type Rx = mpsc::Receiver<T>;

    fn unbounded() -> (Self::Tx, Self::Rx) {
        mpsc::channel()
    }

    fn send(tx: &Self::Tx, value: T) -> Result<(), T> {
        tx.send(value).map_err(|error| error.0)
    }

    fn try_recv(rx: &Self::Rx) -> Option<T> {
        rx.try_recv().ok()
    }
}

/// A router over std's mpsc.
pub type MpscRouter<M> = ChannelRouter<M, StdMpsc>;
