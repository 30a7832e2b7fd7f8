//! One run of a router, from `start` to `stop`: the channel's receiving
//! half, the backlog of a channel that takes batches, and what the run's
//! senders share.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;

use router_api::Pingee;

use crate::link::Link;
use crate::tuning::{BACKLOG_KEPT, BACKOFF_SPINS, DEEP_BATCH};
use crate::{Channel, Envelope};

use super::discards::DiscardLog;

/// One run: from `start` to `stop`.
pub(super) struct Run<M, C: Channel<Envelope<M>>> {
    pub(super) number: u64,
    pub(super) rx: C::Rx,
    /// Messages taken from `rx` and not routed yet: older than any still
    /// in `rx`, so always routed first (R8). It belongs to the run, so a
    /// listener that stops, restarts or switches to `route_until` in the
    /// middle of a batch finds the rest where it looks next, and a stop
    /// drops it with the run (R5). Only the foreground touches it, and
    /// never while a listener runs (R11).
    backlog: RefCell<VecDeque<Envelope<M>>>,
    /// How many batches in a row were shallow (see [`DEEP_BATCH`]): none
    /// after a deep batch or a look that found nothing.
    shallow: Cell<u8>,
    /// The most the backlog held since [`trim_backlog`](Self::trim_backlog)
    /// last decided: what the routing calls in between needed of it.
    peak: Cell<usize>,
    pub(super) link: Arc<Link<M, C>>,
    pub(super) pingee: RefCell<Box<dyn Pingee>>,
    /// Where the messages this run leaves unrouted are counted, when it
    /// drops.
    discards: Rc<DiscardLog>,
}

impl<M, C: Channel<Envelope<M>>> Run<M, C> {
    pub(super) fn new(
        number: u64,
        rx: C::Rx,
        link: Arc<Link<M, C>>,
        pingee: Box<dyn Pingee>,
        discards: Rc<DiscardLog>,
    ) -> Self {
        Self {
            number,
            rx,
            backlog: RefCell::new(VecDeque::new()),
            shallow: Cell::new(0),
            peak: Cell::new(0),
            link,
            pingee: RefCell::new(pingee),
            discards,
        }
    }

    /// Gives back what a flood grew the backlog to, once it is empty and
    /// the routing calls since the last look here used under a quarter of
    /// it: for a routing call that ends with the backlog empty.
    ///
    /// Not at the end of the flood itself: the next flood would grow the
    /// backlog again, and each growth of a large buffer is fresh memory,
    /// paid in page faults (about 4,000 for a million `u64` messages),
    /// which cost more than the routing. So a router that takes floods one
    /// after another keeps the backlog the size they need, and the first
    /// routing call after them gives it back. Not per batch either: a
    /// backlog shrunk between the batches of one burst grows again at once.
    pub(super) fn trim_backlog(&self) {
        if !C::TAKES_BATCHES {
            return;
        }
        let mut backlog = self.backlog.borrow_mut();
        if !backlog.is_empty() {
            return;
        }
        let used = self.peak.replace(0);
        if backlog.capacity() > BACKLOG_KEPT && used < backlog.capacity() / 4 {
            backlog.shrink_to(BACKLOG_KEPT);
        }
    }

    /// What the backlog can hold without growing (see
    /// [`trim_backlog`](Self::trim_backlog)).
    #[cfg(test)]
    pub(super) fn backlog_capacity(&self) -> usize {
        self.backlog.borrow().capacity()
    }

    /// Whether the backlog's messages run round the end of its ring buffer.
    #[cfg(test)]
    pub(super) fn backlog_wraps(&self) -> bool {
        !self.backlog.borrow().as_slices().1.is_empty()
    }

    /// The run's next message, if one is queued: the backlog's first, or
    /// else the channel's, with what the channel hands over behind it.
    #[inline]
    pub(super) fn try_recv(&self) -> Option<Envelope<M>> {
        if !C::TAKES_BATCHES {
            return C::try_recv(&self.rx);
        }
        let mut backlog = self.backlog.borrow_mut();
        if let Some(envelope) = backlog.pop_front() {
            return Some(envelope);
        }
        if self.shallow.get() >= 2 {
            // The last two batches were shallow: the router is on the
            // senders' heels, and a look now would contend for the
            // channel's lock with the sender it waits for. A short pause
            // lets the queue fill without it, so the next look takes a
            // batch. Not after one shallow batch: a lone message is one,
            // and the look after it finds nothing, which the pause would
            // only delay (tuning.rs).
            for _ in 0..BACKOFF_SPINS {
                std::hint::spin_loop();
            }
        }
        // Empty, but a ring buffer: its next batch would start where the
        // last one ended, and wrap into memory that batch never touched
        // (fresh pages for a flood). `clear` starts it at the front again.
        backlog.clear();
        let next = C::try_recv_batch(&self.rx, &mut backlog);
        let taken = backlog.len();
        let shallow = if next.is_some() && taken + 1 < DEEP_BATCH {
            self.shallow.get().saturating_add(1)
        } else {
            0
        };
        self.shallow.set(shallow);
        self.peak.set(self.peak.get().max(taken));
        next
    }
}

impl<M, C: Channel<Envelope<M>>> Drop for Run<M, C> {
    /// A run drops when the router stops and no routing loop holds it any
    /// more: what it still holds, in its backlog and its channel, was never
    /// routed, and counts as dropped. Each message drops here, one at a
    /// time, with no borrow of the router held (its drop may call it).
    fn drop(&mut self) {
        let mut unrouted = 0;
        for envelope in std::mem::take(self.backlog.get_mut()) {
            unrouted += 1;
            drop(envelope);
        }
        while let Some(envelope) = C::try_recv(&self.rx) {
            unrouted += 1;
            drop(envelope);
        }
        if unrouted > 0 {
            self.discards.unrouted(unrouted);
        }
    }
}

#[cfg(test)]
mod tests;
