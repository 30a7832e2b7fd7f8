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

/// A batch shorter than this says the channel is shallow: taking batches
/// then costs more than it saves (flume's `drain` takes the queue's buffer
/// too, and the senders grow a new one), so the router takes the next
/// [`SINGLES_AFTER_SHALLOW`] messages one by one.
pub(crate) const DEEP_BATCH: usize = 8;

/// See [`DEEP_BATCH`].
pub(crate) const SINGLES_AFTER_SHALLOW: u32 = 32;

/// The backlog capacity kept once a routing call finds the queue empty: a
/// flood may have grown it far beyond what the next burst needs.
pub(crate) const BACKLOG_KEPT: usize = 4096;

/// How many pipes a routing loop remembers (see `router/dispatch.rs`):
/// enough for the 64 interleaved pipes of the bench's fan-in, few enough
/// to set up in a few nanoseconds per turn.
pub(crate) const ROUTES_REMEMBERED: usize = 64;

/// How long a queue must be before `channel_backend!`'s `with drain`
/// takes it whole: `drain` takes the queue's buffer too, and the senders
/// then grow a new one, which a short queue does not repay.
pub const DRAIN_FROM: usize = 64;
