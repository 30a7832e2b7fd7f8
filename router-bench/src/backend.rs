//! A backend under test, with the bare channel of the same crate.

use router_channel::{Channel, Envelope};
use router_crossbeam::Crossbeam;
use router_flume::Flume;

use crate::Hop;

/// A router backend, and the bare channel of its crate to measure it
/// against: same channel type, carrying [`Hop`] tuples.
pub trait Backend: Channel<Envelope<u64>> {
    /// The backend's name in the table.
    const NAME: &'static str;
    /// The sending half of the bare channel.
    type BareTx: Clone + Send + 'static;
    /// The receiving half of the bare channel.
    type BareRx;

    /// A new unbounded bare channel.
    fn bare() -> (Self::BareTx, Self::BareRx);

    /// A new bare channel that holds at most `capacity` hops, its senders
    /// blocking while it is full.
    fn bare_bounded(capacity: usize) -> (Self::BareTx, Self::BareRx);

    /// Sends one hop; `false` if the receiver is gone.
    fn bare_send(tx: &Self::BareTx, hop: Hop) -> bool;

    /// Waits for the next hop; `None` once every sender is gone.
    fn bare_recv(rx: &Self::BareRx) -> Option<Hop>;

    /// Hands every hop queued now to `each`, without waiting (the
    /// channel's `try_iter`), and returns how many there were.
    fn bare_drain(rx: &Self::BareRx, each: &mut impl FnMut(Hop)) -> u64;
}

/// Implements [`Backend`] for a channel crate shaped like crossbeam-channel
/// (flume is), as router-api's `channel_backend!` does for the router.
macro_rules! bare_backend {
    ($marker:ty, $name:literal, $channel:ident) => {
        impl Backend for $marker {
            const NAME: &'static str = $name;
            type BareTx = $channel::Sender<Hop>;
            type BareRx = $channel::Receiver<Hop>;

            fn bare() -> (Self::BareTx, Self::BareRx) {
                $channel::unbounded()
            }

            fn bare_bounded(capacity: usize) -> (Self::BareTx, Self::BareRx) {
                $channel::bounded(capacity)
            }

            fn bare_send(tx: &Self::BareTx, hop: Hop) -> bool {
                tx.send(hop).is_ok()
            }

            fn bare_recv(rx: &Self::BareRx) -> Option<Hop> {
                rx.recv().ok()
            }

            fn bare_drain(rx: &Self::BareRx, each: &mut impl FnMut(Hop)) -> u64 {
                let mut drained = 0;
                for hop in rx.try_iter() {
                    each(hop);
                    drained += 1;
                }
                drained
            }
        }
    };
}

bare_backend!(Crossbeam, "crossbeam", crossbeam_channel);
bare_backend!(Flume, "flume", flume);
