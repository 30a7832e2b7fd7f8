//! The credit of a bounded pipe (B1..B4): how many of its messages wait
//! unrouted, and the wait of a sender that finds it full.
//!
//! A sender takes one unit before it queues a message and the router gives
//! it back when it routes that message, so at most `capacity` wait (B1).
//! A sender that finds no unit waits on a condition variable. The count
//! and a `WAITING` flag share one word, so the hand-shake that keeps a
//! wake-up from being lost needs only that word's modification order:
//!
//! ```text
//! sender:  lock; set WAITING (read-modify-write); look at the count; wait (unlocks)
//! router:  count -= 1 (read-modify-write); if it saw WAITING: lock, notify
//! ```
//!
//! (The router notifies only once half the capacity is free, see
//! [`Credit::give_back`]; the flag stays set until then, so the argument
//! holds for that decrement.)
//!
//! Either the router's decrement comes first in the word's order, and the
//! sender's look (after its own write) sees the unit given back; or it
//! comes after, sees the flag, and its lock makes it wait until the sender
//! waits. (Two counters in two words would need sequential consistency
//! across them, which loom does not model and a reviewer should not have
//! to trust.) Closing the credit (the pipe closed, the router stopped)
//! wakes every waiter, whose send then fails (B2). The loom model in this
//! crate's tests checks the hand-shake.

use std::time::{Duration, Instant};

use crate::sync::{AtomicBool, AtomicUsize, Condvar, Mutex, Ordering, lock};

/// What a sender does when the pipe is full.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Wait {
    /// Waits for room (`send`).
    Forever,
    /// Waits until `deadline` (`send_timeout` with `timeout`); no deadline
    /// if it is too far to name, which is forever.
    Until {
        deadline: Option<Instant>,
        timeout: Duration,
    },
    /// Does not wait (`try_send`).
    Never,
}

/// Why a sender got no unit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NoRoom {
    /// The pipe is full and the sender would not wait.
    Full,
    /// The pipe stayed full until the deadline.
    TimedOut,
    /// The pipe was closed, or its router stopped.
    Closed,
}

/// The bit of [`Credit::state`] that says a sender waits.
const WAITING: usize = 1 << (usize::BITS - 1);

/// The credit of one bounded pipe, shared by its sender and the router.
#[derive(Debug)]
pub(crate) struct Credit {
    capacity: usize,
    /// Messages sent and not yet routed, and [`WAITING`].
    state: AtomicUsize,
    closed: AtomicBool,
    lock: Mutex<()>,
    room: Condvar,
}

impl Credit {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            // A capacity that reaches the flag could never be filled.
            capacity: capacity.min(WAITING - 1),
            state: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            lock: Mutex::new(()),
            room: Condvar::new(),
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many messages wait unrouted (B4).
    pub(crate) fn queued(&self) -> usize {
        self.state.load(Ordering::Acquire) & !WAITING
    }

    /// Takes one unit if there is one.
    fn try_take(&self) -> Result<(), NoRoom> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if self.closed.load(Ordering::Acquire) {
                return Err(NoRoom::Closed);
            }
            if state & !WAITING >= self.capacity {
                return Err(NoRoom::Full);
            }
            match self.state.compare_exchange_weak(
                state,
                state + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(now) => state = now,
            }
        }
    }

    /// Takes one unit for a message about to be queued, waiting as `wait`
    /// says while the pipe is full.
    pub(crate) fn take(&self, wait: Wait) -> Result<(), NoRoom> {
        match self.try_take() {
            Err(NoRoom::Full) => {}
            taken => return taken,
        }
        let deadline = match wait {
            Wait::Never => return Err(NoRoom::Full),
            Wait::Forever | Wait::Until { deadline: None, .. } => None,
            Wait::Until {
                deadline: Some(deadline),
                ..
            } => Some(deadline),
        };
        let mut guard = lock(&self.lock);
        let taken = loop {
            // Says "waiting" before the look: see the module docs.
            self.state.fetch_or(WAITING, Ordering::AcqRel);
            match self.try_take() {
                Err(NoRoom::Full) => {}
                taken => break taken,
            }
            guard = match deadline {
                None => self
                    .room
                    .wait(guard)
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break Err(NoRoom::TimedOut);
                    }
                    wait_timeout(&self.room, guard, left)
                }
            };
        };
        self.state.fetch_and(!WAITING, Ordering::AcqRel);
        drop(guard);
        taken
    }

    /// How many units the router may owe before it gives them back: a
    /// give-back is a read-modify-write on the word the sender takes units
    /// from, so one per message would move that cache line between the two
    /// cores per message. A quarter of the capacity, between 1 and 32: the
    /// count then says at most that many more messages wait than do,
    /// which keeps B1 (it only errs on the full side).
    pub(crate) fn batch(&self) -> usize {
        (self.capacity / 4).clamp(1, 32)
    }

    /// Gives back the units of `count` messages that were routed, or one
    /// that its send could not queue after all. A waiting sender is woken
    /// once half the capacity is free (rounded down, so a pipe of capacity
    /// 1 wakes it at once): waking it per unit would cost a lock, a wake-up
    /// and a context switch per message, and it would send one message
    /// per wake-up (router-bench's README has the measurement).
    #[inline]
    pub(crate) fn give_back(&self, count: usize) {
        let before = self.state.fetch_sub(count, Ordering::AcqRel);
        if before & WAITING != 0 && (before & !WAITING) - count <= self.capacity / 2 {
            self.wake();
        }
    }

    /// Closes the credit for good: waiting senders wake and fail, and no
    /// later send takes a unit.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.wake();
    }

    #[cold]
    fn wake(&self) {
        let _guard = lock(&self.lock);
        self.room.notify_all();
    }
}

/// Waits on `room` for at most `left`. Loom has no timed wait: its models
/// wait until notified.
fn wait_timeout<'a>(
    room: &Condvar,
    guard: crate::sync::MutexGuard<'a, ()>,
    left: Duration,
) -> crate::sync::MutexGuard<'a, ()> {
    #[cfg(not(loom))]
    {
        room.wait_timeout(guard, left)
            .map_or_else(|poisoned| poisoned.into_inner().0, |(guard, _)| guard)
    }
    #[cfg(loom)]
    {
        let _ = left;
        room.wait(guard)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
