//! Ping coalescing: at most one ping outstanding per router run.
//!
//! The gate is one flag shared by the senders of a run and the router.
//! It is *held* while a ping is on its way or a drain is under way.
//!
//! - A sender, after it has queued a message, [`claim`](PingGate::claim)s
//!   the gate; only the sender that turns it from free to held pings.
//! - The router, when a ping's drain finds the queue empty, ends its hold
//!   ([`end_hold`](PingGate::end_hold)): it releases the gate and then
//!   looks at the queue once more. If a message is there it tries to claim the gate back: if
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
//! router draining the same queue it cost more than the channel's send
//! (router-bench's README has the measurement).
//! So, where the process-wide barrier of `crate::sync::barrier` is
//! available, a router in the middle of a burst makes its hold *fast*
//! ([`speed_up`](PingGate::speed_up)). A sender first *reads* the gate,
//! after a light barrier, and claims only if it does not read a fast hold.
//! The router pays instead: before it releases a fast hold it runs the
//! heavy barrier and looks at the queue (microseconds, once per burst). Paired,
//! the barriers guarantee that a sender reading "fast hold" has its
//! message seen by the router's look after the barrier, or reads the hold
//! plain again and claims as before. The router turns the hold plain and
//! runs the barrier while still holding ([`slow_down`](PingGate::slow_down)),
//! so no sender finds the gate free and pings in the meantime; the release
//! itself is always plain. Holds start plain, so a lone message (a turn
//! that routes a few and goes idle) costs no heavy barrier.
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

    /// What a sender that has just queued a message does about it: pings
    /// if it turns the gate from free to held; wakes the foreground if the
    /// router is manual (a `route_until` may be waiting, see waiter.rs);
    /// nothing while the router holds the gate fast (it will look), or if
    /// the gate is held plain (a ping is on its way). A sender that reads
    /// "manual" late claims as before, and its ping is ignored: harmless.
    #[inline]
    pub(crate) fn after_send(&self) -> AfterSend {
        // Orders the send before the looks below; paired with the router's
        // heavy barrier (ending a fast hold here, starting a wait in
        // waiter.rs).
        barrier::light();
        if self.silenced.load(Ordering::Relaxed) {
            return AfterSend::Manual;
        }
        if self.state.load(Ordering::Relaxed) == HELD | FAST {
            return AfterSend::Nothing;
        }
        if self.claim() {
            AfterSend::Ping
        } else {
            AfterSend::Nothing
        }
    }

    /// Tells senders the router has gone manual (see
    /// [`after_send`](Self::after_send)).
    pub(crate) fn silence(&self) {
        self.silenced.store(true, Ordering::Relaxed);
    }

    /// Ends the router's hold of the gate once its turn found the queue
    /// empty: the whole end-of-turn sequence, in one place.
    ///
    /// A fast hold is turned plain first, and `look` (a look at the queue)
    /// runs once the heavy barrier has made the messages of senders that
    /// skipped their claim visible. Then the gate is released and `look`
    /// runs once more, for a sender that queued just before the release and
    /// saw the gate held; if it finds a message, the router claims the gate
    /// back, and if a sender claimed it first, that sender's ping routes
    /// whatever follows.
    pub(crate) fn end_hold<T>(&self, mut look: impl FnMut() -> Look<T>) -> HoldEnd<T> {
        match self.slow_down() {
            SlowDown::WasPlain => {}
            SlowDown::LookAgain => match look() {
                Look::Found(found) => return HoldEnd::Resume(found),
                Look::Over => return HoldEnd::Done,
                Look::Empty => {}
            },
            SlowDown::Failed => return HoldEnd::Held,
        }
        self.release();
        match look() {
            Look::Found(found) if self.claim() => HoldEnd::Resume(found),
            Look::Found(found) => HoldEnd::Last(found),
            Look::Empty | Look::Over => HoldEnd::Done,
        }
    }

    /// Makes the router's hold fast, if the process-wide barrier allows:
    /// senders stop claiming until the release. For a router that holds
    /// the gate and is routing a burst.
    pub(crate) fn speed_up(&self) {
        if self.fast_ok.load(Ordering::Relaxed) && self.state.load(Ordering::Relaxed) == HELD {
            self.state.fetch_or(FAST, Ordering::SeqCst);
        }
    }

    /// Turns the router's hold plain before it frees the gate: senders claim
    /// again from here on, and the heavy barrier makes the messages of those
    /// that skipped visible to the router's next look at the queue.
    ///
    /// Done while still holding, so a sender cannot find the gate free (and
    /// ping) during the barrier, which takes microseconds: a release in the
    /// middle of a burst would otherwise cost a ping.
    #[must_use]
    fn slow_down(&self) -> SlowDown {
        if self.state.load(Ordering::Relaxed) & FAST == 0 {
            return SlowDown::WasPlain;
        }
        self.state.fetch_and(!FAST, Ordering::SeqCst);
        if barrier::heavy() {
            return SlowDown::LookAgain;
        }
        self.fast_ok.store(false, Ordering::Relaxed);
        tracing::error!(
            "the process-wide barrier failed: the router's ping gate takes no fast holds from now on"
        );
        SlowDown::Failed
    }

    /// Frees a plain hold (see [`slow_down`](Self::slow_down)). The caller
    /// must look at the queue once more after.
    fn release(&self) {
        let held = self.state.swap(0, Ordering::SeqCst);
        debug_assert_eq!(held & FAST, 0, "a fast hold released without slowing down");
    }
}

/// What [`PingGate::after_send`] asks of a sender.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum AfterSend {
    /// Nothing: a ping is on its way, or the router is looking.
    Nothing,
    /// Ping: this sender turned the gate from free to held.
    Ping,
    /// The router is manual: wake its `route_until` if it waits.
    Manual,
}

/// What a look at the queue found.
#[derive(Debug)]
pub(crate) enum Look<T> {
    /// The next message.
    Found(T),
    /// Nothing is queued.
    Empty,
    /// The run the look belongs to is over, or the router went manual:
    /// the turn ends, and the gate is left as it is.
    Over,
}

/// How [`PingGate::end_hold`] ended the router's hold.
#[derive(Debug)]
pub(crate) enum HoldEnd<T> {
    /// A message came while the router still held the gate, or it claimed
    /// the gate back: the turn goes on.
    Resume(T),
    /// A message came after the release and a sender has pinged since:
    /// the turn routes it and ends, that ping routes the rest.
    Last(T),
    /// Nothing came and the gate is free (or the run is over).
    Done,
    /// The gate is still held (the barrier failed, see
    /// [`SlowDown::Failed`]): a later turn must look.
    Held,
}

/// What [`PingGate::slow_down`] found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SlowDown {
    /// The hold was plain: release it.
    WasPlain,
    /// The hold was fast and is plain now: look at the queue, then release
    /// it if the look finds nothing.
    LookAgain,
    /// The hold was fast and the barrier failed (not seen once the process
    /// has registered with the kernel): a sender may have skipped its
    /// claim unseen. Hold on and have a later turn look.
    Failed,
}
