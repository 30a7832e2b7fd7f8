//! A way into a running router for messages that arrive by other means.

use std::fmt;
use std::sync::Arc;

use crate::link::Link;
use crate::{Channel, Envelope, Route};
use router_api::SenderEnd;

/// Queues messages into one run of a [`ChannelRouter`](crate::ChannelRouter)
/// on behalf of senders the router does not hold: senders in another
/// process, whose messages a thread of the backend reads off a socket.
///
/// It sends and pings exactly as a [`ChannelSender`](crate::ChannelSender)
/// does, so routing, ping coalescing, warnings and `route_until` follow
/// the in-process rules. It is `Send + Sync + Clone`; made by
/// [`ChannelRouter::forwarder`](crate::ChannelRouter::forwarder), and
/// fails once that run stops.
pub struct Forwarder<M, C: Channel<Envelope<M>>> {
    link: Arc<Link<M, C>>,
}

impl<M, C: Channel<Envelope<M>>> Forwarder<M, C> {
    pub(crate) fn new(link: Arc<Link<M, C>>) -> Self {
        Self { link }
    }

    /// Queues `message` for `route` and wakes the router's event loop if
    /// needed.
    ///
    /// # Errors
    ///
    /// Hands `message` back when the run this forwarder belongs to has
    /// stopped.
    pub fn send(&self, route: Route, message: M) -> Result<(), M> {
        self.link
            .send(route, message)
            .map_err(|(message, _)| message)
    }

    /// Tells the receiver of `route` that its sender has ended, as `end`
    /// says: after the messages sent for `route` through this forwarder
    /// (or its clones) before this call, on the foreground (E1). Call it
    /// once per pipe; nothing happens once the run has stopped.
    pub fn end(&self, route: Route, end: SenderEnd) {
        self.link.end(route, end);
    }
}

impl<M, C: Channel<Envelope<M>>> Clone for Forwarder<M, C> {
    fn clone(&self) -> Self {
        Self {
            link: Arc::clone(&self.link),
        }
    }
}

impl<M, C: Channel<Envelope<M>>> fmt::Debug for Forwarder<M, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forwarder").finish_non_exhaustive()
    }
}
