//! Ping coalescing: at most one ping outstanding per router run.
//!
//! The gate is one flag shared by the senders of a run and the router.
//! It is *held* (true) while a ping is on its way or a drain is under way.
//!
//! - A sender, after it has queued a message, [`claim`](PingGate::claim)s
//!   the gate; only the sender that turns it from free to held pings.
//! - The router, when a ping's drain finds the queue empty,
//!   [`release`](PingGate::release)s the gate and then looks at the queue
//!   once more. If a message is there it tries to claim the gate back: if
//!   that succeeds it routes on, otherwise a sender has pinged and that
//!   ping will route the rest.
//!
//! Both sides use a read-modify-write with `SeqCst`, so the flag's
//! modification order decides every race: a sender whose claim sees
//! "held" was ordered before the router's release, and the release
//! (an acquire) then makes that sender's message visible to the router's
//! second look. No message is left queued with no ping on its way.
//! The loom model in this crate's tests checks exactly this.

use crate::sync::{AtomicBool, Ordering};

/// The flag that coalesces pings; see the module docs.
#[derive(Debug)]
pub(crate) struct PingGate {
    held: AtomicBool,
    /// Set for good when the router goes manual: pings are ignored then,
    /// so senders need not claim the gate at all.
    silenced: AtomicBool,
}

impl PingGate {
    pub(crate) fn new() -> Self {
        Self {
            held: AtomicBool::new(false),
            silenced: AtomicBool::new(false),
        }
    }

    /// Takes the gate. Returns `true` if it was free, and the caller must
    /// then see to it that the queue is drained (by pinging, or by routing
    /// on itself).
    pub(crate) fn claim(&self) -> bool {
        !self.held.swap(true, Ordering::SeqCst)
    }

    /// [`claim`](Self::claim) for a sender that has just queued a message:
    /// nothing to claim once the router is manual, which routes only in
    /// `route_until` and ignores pings for good. A sender that reads the
    /// flag late claims as before, and its ping is ignored: harmless.
    pub(crate) fn claim_after_send(&self) -> bool {
        !self.silenced.load(Ordering::Relaxed) && self.claim()
    }

    /// Tells senders the router has gone manual (see
    /// [`claim_after_send`](Self::claim_after_send)).
    pub(crate) fn silence(&self) {
        self.silenced.store(true, Ordering::Relaxed);
    }

    /// Frees the gate. The caller must look at the queue once more after.
    pub(crate) fn release(&self) {
        self.held.swap(false, Ordering::SeqCst);
    }
}
