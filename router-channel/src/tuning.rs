//! The router's tuning constants, in one place.
//!
//! None of them changes what the router does, only how fast: each was
//! chosen by the bench (`router-bench`), whose README records the runs.

/// How many messages a turn routes between two looks at the clock.
pub(crate) const CLOCK_EVERY: usize = 64;

/// Each time a turn has routed a multiple of this many messages, the router
/// makes its hold of the ping gate fast (see gate.rs), if it is not: a
/// burst, worth the heavy barrier that ending the hold will cost. Lone
/// messages never get that far. One under loom, so the model's
/// one-message turns go fast too.
#[cfg(not(loom))]
pub(crate) const FAST_AFTER: usize = 16;
#[cfg(loom)]
pub(crate) const FAST_AFTER: usize = 1;

/// A batch shorter than this says the router is on the senders' heels: a
/// channel that locks per receive (flume) then locks per message on both
/// sides, and they slow each other to the pace of that lock (the bare
/// channel's). So after two shallow batches in a row the router pauses
/// [`BACKOFF_SPINS`] spins before its next look, and lets the queue fill.
/// Two, not one: a lone message is a shallow batch too, and the look after
/// it finds nothing.
pub(crate) const DEEP_BATCH: usize = 8;

/// See [`DEEP_BATCH`]. A spin is one `pause` instruction: 48 ns on the
/// bench's machine (AMD EPYC), so about 3 µs there; 8 and 16 spins left
/// flume's P1 falling back to the lock's pace more often (router-bench's
/// README). The pause comes after a batch is taken, so it delays only a
/// message sent within it, never the one that was found. After
/// every shallow batch, lone messages included, it put about 2 µs on the
/// median of flume's P5 latency (7.9 against 5.8 µs over seven runs).
pub(crate) const BACKOFF_SPINS: u32 = 64;

/// How many times a bounded pipe's sender that finds the pipe full looks
/// again before it sleeps (credit.rs, `Credit::spin_for_room`), pausing
/// 1, 2, 4 .. 64 `pause` instructions before each look: 127 in all, about
/// 6 µs on the bench's machine (AMD EPYC), where a routing router gives
/// 32 units back every microsecond or so, and a sleep and a wake-up cost
/// the router a system call and the sender its core (router-bench's
/// README, "Bounded pipes"). None under loom: a model that spins only
/// multiplies its interleavings.
#[cfg(not(loom))]
pub(crate) const SPIN_STEPS: u32 = 7;
#[cfg(loom)]
pub(crate) const SPIN_STEPS: u32 = 0;

/// The backlog capacity kept once the routing calls since the last trim
/// used under a quarter of it (router/run.rs, `trim_backlog`): a flood may
/// have grown it far beyond what the next burst needs.
pub(crate) const BACKLOG_KEPT: usize = 4096;

/// How many pipes a routing loop remembers (see `router/dispatch.rs`):
/// enough for the 64 interleaved pipes of the bench's fan-in, few enough
/// to set up in a few nanoseconds per turn.
pub(crate) const ROUTES_REMEMBERED: usize = 64;

/// How long a queue must be before `channel_backend!`'s `with drain`
/// takes it whole: `drain` takes the queue's buffer too, and the senders
/// then grow a new one, which a short queue does not repay.
pub const DRAIN_FROM: usize = 64;
