//! The one thing a channel backend writes.

use std::collections::VecDeque;

/// A multi-producer, single-consumer channel that a
/// [`ChannelRouter`](crate::ChannelRouter) routes over.
///
/// The router makes one unbounded channel per run; all senders of the run
/// share its [`Tx`](Self::Tx) and the router alone owns its
/// [`Rx`](Self::Rx).
///
/// # Contract
///
/// An implementation **must** deliver the values one `Tx` sends in the
/// order they were sent, each once (R8); make `send` fail, handing the
/// value back, once the `Rx` is dropped (R5), and never block in `send`;
/// and make a `send` that returned visible to every `try_recv` that starts
/// after it. `send` must queue the value itself, by writes to memory made
/// on the calling thread before it returns (as every ordinary channel
/// does), not hand it to another thread to queue later: the router's ping
/// gate orders those writes against its own look at the queue with a
/// process-wide barrier, not with a lock or an atomic the channel shares
/// with it. `try_recv` may return `None` only when nothing is queued (or
/// every `Tx` is gone); so may `try_recv_batch`, which then moves nothing
/// to its `rest`.
///
/// There is no blocking receive to write: `route_until` waits by parking
/// the foreground, and senders unpark it (waiter.rs), so the router calls
/// the channel's receive in one place only, the routing loop, where it can
/// be inlined.
pub trait Channel<T>: 'static {
    /// The sending half, shared by every sender of one run.
    type Tx: Send + Sync + 'static;
    /// The receiving half, owned by the router.
    type Rx: 'static;

    /// A new unbounded channel.
    fn unbounded() -> (Self::Tx, Self::Rx);

    /// Queues `value`, or hands it back if the receiving half is gone.
    ///
    /// # Errors
    ///
    /// The value, when the channel is disconnected.
    fn send(tx: &Self::Tx, value: T) -> Result<(), T>;

    /// The next value if one is queued, at once.
    fn try_recv(rx: &Self::Rx) -> Option<T>;

    /// Whether [`try_recv_batch`](Self::try_recv_batch) may move values to
    /// its `rest`. When it may not (the default), the router calls
    /// [`try_recv`](Self::try_recv) alone and keeps no backlog: on a
    /// lock-free channel (crossbeam-channel) even an empty backlog's check
    /// per message is measurable.
    const TAKES_BATCHES: bool = false;

    /// The next value if one is queued, at once, like
    /// [`try_recv`](Self::try_recv); and, if the channel can take several
    /// values as cheaply as one, the values queued behind it too, moved in
    /// order to the back of `rest`.
    ///
    /// The router calls this, when [`TAKES_BATCHES`](Self::TAKES_BATCHES)
    /// is set, once the values it took before are all routed. The default
    /// takes one value. A channel that pays a lock per `try_recv` (flume)
    /// can take its whole queue under one lock instead.
    fn try_recv_batch(rx: &Self::Rx, rest: &mut VecDeque<T>) -> Option<T> {
        let _ = rest;
        Self::try_recv(rx)
    }
}
