//! Ping coalescing: at most one ping outstanding per router run.
//!
//! The gate is one flag shared by the senders of a run and the router.
//! It is *held* while a ping is on its way or a drain is under way.
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
//!
//! # Fast holds
//!
//! That read-modify-write is a locked instruction on every send, and it
//! waits for the send's own stores to reach the router's core: with the
//! router draining the same queue it cost more than the channel's send (a
//! sender of the 2-core bench machine went from 16 to 59 ns a message).
//! So, where the process-wide barrier of `crate::sync::barrier` is
//! available, a router in the middle of a burst makes its hold *fast*
//! ([`speed_up`](PingGate::speed_up)). A sender first *reads* the gate,
//! after a light barrier, and claims only if it does not read a fast hold.
//! The router pays instead: releasing a fast hold, it runs the heavy
//! barrier before its second look (microseconds, once per burst). Paired,
//! the barriers guarantee that a sender reading "fast hold" has its
//! message seen by the second look after that hold's release, or reads
//! the release and claims as before. Holds start plain, so a lone message
//! (a turn that routes a few and goes idle) costs no heavy barrier.
//!
//! The loom model in this crate's tests checks both kinds of hold, and
//! gates without the fast path.

use crate::sync::{AtomicBool, AtomicU8, Ordering, barrier};

/// The gate is held.
const HELD: u8 = 1;
/// The hold is fast: senders that read it do not claim.
const FAST: u8 = 2;

/// The flag that coalesces pings; see the module docs.
#[derive(Debug)]
pub(crate) struct PingGate {
    /// [`HELD`], with [`FAST`] while the router holds it fast.
    state: AtomicU8,
    /// Set for good when the router goes manual: pings are ignored then,
    /// so senders need not claim the gate at all.
    silenced: AtomicBool,
    /// Whether holds may be fast: the process-wide barrier is available and
    /// has not failed.
    fast_ok: AtomicBool,
}

impl PingGate {
    pub(crate) fn new() -> Self {
        Self {
            state: AtomicU8::new(0),
            silenced: AtomicBool::new(false),
            fast_ok: AtomicBool::new(barrier::available()),
        }
    }

    /// Takes the gate. Returns `true` if it was free, and the caller must
    /// then see to it that the queue is drained (by pinging, or by routing
    /// on itself).
    pub(crate) fn claim(&self) -> bool {
        self.state.fetch_or(HELD, Ordering::SeqCst) & HELD == 0
    }

    /// [`claim`](Self::claim) for a sender that has just queued a message:
    /// nothing to claim once the router is manual, which routes only in
    /// `route_until` and ignores pings for good (a sender that reads the
    /// flag late claims as before, and its ping is ignored: harmless), nor
    /// while the router holds the gate fast.
    #[inline]
    pub(crate) fn claim_after_send(&self) -> bool {
        if self.silenced.load(Ordering::Relaxed) {
            return false;
        }
        barrier::light();
        if self.state.load(Ordering::Relaxed) == HELD | FAST {
            return false;
        }
        self.claim()
    }

    /// Tells senders the router has gone manual (see
    /// [`claim_after_send`](Self::claim_after_send)).
    pub(crate) fn silence(&self) {
        self.silenced.store(true, Ordering::Relaxed);
    }

    /// Makes the router's hold fast, if the process-wide barrier allows:
    /// senders stop claiming until the release. For a router that holds
    /// the gate and is routing a burst.
    pub(crate) fn speed_up(&self) {
        if self.fast_ok.load(Ordering::Relaxed) && self.state.load(Ordering::Relaxed) == HELD {
            self.state.fetch_or(FAST, Ordering::SeqCst);
        }
    }

    /// Frees the gate. The caller must look at the queue once more after.
    ///
    /// Returns `false` if that look proves nothing: the hold was fast and
    /// the heavy barrier failed (which it does not once the process has
    /// registered with the kernel). Holds are plain from then on, and the
    /// caller should have a later turn look again.
    #[must_use]
    pub(crate) fn release(&self) -> bool {
        let held = self.state.swap(0, Ordering::SeqCst);
        if held & FAST == 0 || barrier::heavy() {
            return true;
        }
        self.fast_ok.store(false, Ordering::Relaxed);
        tracing::error!(
            "the process-wide barrier failed: the router's ping gate takes no fast holds from now on"
        );
        false
    }
}
