//! What the senders of one router run share: the channel's sending half,
//! the note board, the ping gate and the pinger.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::gate::{AfterSend, PingGate};
use crate::latest::LatestSlot;
use crate::notes::{Note, NoteBoard, Noted};
use crate::route::Route;
use crate::sync::{AtomicBool, Ordering, ThreadId, current_thread};
use crate::waiter::Waiter;
use crate::{Channel, Envelope};
use router_api::{Disconnect, Pinger, SenderEnd};

pub(crate) struct Link<M, C: Channel<Envelope<M>>> {
    tx: C::Tx,
    /// What senders say beside their messages (notes.rs).
    pub(crate) notes: NoteBoard<M>,
    pub(crate) gate: PingGate,
    pub(crate) pinger: Arc<dyn Pinger>,
    /// Where a manual router's `route_until` waits for a message.
    pub(crate) waiter: Waiter,
    /// Set when the router stops the run: sends fail from then on, even
    /// while a routing loop still holds the run's receiving half.
    closed: AtomicBool,
    /// The thread the router routes on (the one that started the run): a
    /// bounded send there must not wait for room only it can make.
    router_thread: ThreadId,
    _message: PhantomData<fn(M)>,
}

impl<M, C: Channel<Envelope<M>>> Link<M, C> {
    pub(crate) fn new(tx: C::Tx, pinger: Arc<dyn Pinger>) -> Self {
        Self {
            tx,
            notes: NoteBoard::new(),
            gate: PingGate::new(),
            pinger,
            waiter: Waiter::new(),
            closed: AtomicBool::new(false),
            router_thread: current_thread().id(),
            _message: PhantomData,
        }
    }

    /// Queues `message` for `route` and, if `wake` says so, pings if no
    /// ping is on its way; without it the caller wakes the router later,
    /// with [`wake`](Self::wake), for everything it queued. Hands the
    /// message back, with the reason, if the router's run has ended or the
    /// channel refused it.
    #[inline]
    pub(crate) fn send(&self, route: Route, message: M, wake: bool) -> Result<(), (M, Disconnect)> {
        if self.closed.load(Ordering::Acquire) {
            return Err((message, Disconnect::RouterStopped));
        }
        C::send(&self.tx, Envelope { route, message }).map_err(|envelope| {
            // The run's receiving half goes only after `close`: a refusal
            // with the link open is the channel's own.
            let cause = if self.closed.load(Ordering::Acquire) {
                Disconnect::RouterStopped
            } else {
                Disconnect::ChannelRefused
            };
            (envelope.message, cause)
        })?;
        if wake {
            self.wake();
        }
        Ok(())
    }

    /// Tells the receiver of `route` that its sender has ended, after the
    /// `queued` messages the sender queued (E1). Nothing once the run has
    /// ended: its pipes are closed.
    pub(crate) fn end(&self, route: Route, end: SenderEnd, queued: u64) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        self.notes.post(Note {
            route,
            what: Noted::End { end, queued },
        });
        self.wake();
    }

    /// Puts `message` in the slot of the latest-value pipe of `route`, and
    /// tells the router if the slot was empty (notes.rs). Hands the message
    /// back if the run has ended. Wakes the router only if `wake` says so
    /// (see [`send`](Self::send)).
    pub(crate) fn send_latest(
        &self,
        route: Route,
        slot: &Arc<LatestSlot<M>>,
        message: M,
        wake: bool,
    ) -> Result<(), (M, Disconnect)> {
        if self.closed.load(Ordering::Acquire) {
            return Err((message, Disconnect::RouterStopped));
        }
        if slot.put(message) {
            self.notes.post(Note {
                route,
                what: Noted::Latest(Arc::clone(slot)),
            });
            if wake {
                self.wake();
            }
        }
        Ok(())
    }

    /// Wakes the router for something just queued or posted: pings if no
    /// ping is on its way (gate.rs), or wakes a waiting `route_until`. One
    /// wake covers everything this thread queued before it: the gate's
    /// look after a hold ends sees every value sent before the sender's
    /// `after_send` (gate.rs).
    #[inline]
    pub(crate) fn wake(&self) {
        match self.gate.after_send() {
            AfterSend::Nothing => {}
            AfterSend::Ping => self.pinger.ping(),
            AfterSend::Manual => self.waiter.notify(),
        }
    }

    /// Whether the calling thread is the one the router routes on.
    pub(crate) fn on_router_thread(&self) -> bool {
        current_thread().id() == self.router_thread
    }

    /// Whether the run has ended (see [`close`](Self::close)).
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Makes every later send fail (see [`send`](Self::send)).
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }
}

impl<M, C: Channel<Envelope<M>>> fmt::Debug for Link<M, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("gate", &self.gate)
            .finish_non_exhaustive()
    }
}
