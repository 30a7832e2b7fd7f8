//! The discard log: messages for closed pipes are dropped and counted, with
//! one warning per burst rather than one per message (R7); messages a stop
//! leaves unrouted are counted too.

use std::cell::Cell;

use router_api::PipeId;

/// Counts the messages dropped for closed pipes and writes their warnings.
#[derive(Debug, Default)]
pub(super) struct DiscardLog {
    /// Every message dropped so far, over all runs: for a closed pipe, or
    /// left unrouted by a stop.
    dropped: Cell<u64>,
    /// The closed pipe whose messages are being discarded now, and how many
    /// were discarded since its warning.
    burst: Cell<Option<(PipeId, u64)>>,
}

impl DiscardLog {
    /// How many messages were dropped so far.
    pub(super) fn dropped(&self) -> u64 {
        self.dropped.get()
    }

    /// Drops a message of closed `pipe`: warns if it is the first of a
    /// burst, counts it otherwise.
    pub(super) fn discard(&self, pipe: PipeId) {
        self.dropped.set(self.dropped.get() + 1);
        match self.burst.get() {
            Some((current, count)) if current == pipe => {
                self.burst.set(Some((current, count + 1)));
            }
            _ => {
                self.flush();
                tracing::warn!(pipe = %pipe, "discarding message from closed pipe {pipe}");
                self.burst.set(Some((pipe, 0)));
            }
        }
    }

    /// Counts `count` messages a stopped run left unrouted (they drop with
    /// it, with no warning: the stop's own warning covers its pipes).
    pub(super) fn unrouted(&self, count: u64) {
        self.dropped.set(self.dropped.get() + count);
    }

    /// Ends a burst of discards: one more warning if it held more than the
    /// first message.
    pub(super) fn flush(&self) {
        if let Some((pipe, more)) = self.burst.take()
            && more > 0
        {
            tracing::warn!(
                pipe = %pipe,
                discarded = more,
                "discarded {more} more messages from closed pipe {pipe}"
            );
        }
    }
}
