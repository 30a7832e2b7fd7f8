//! The credit of a bounded pipe (B1..B4): how many of its messages wait
//! unrouted, and the wait of a sender that finds it full.
//!
//! Two counts, each written by one side: the sender counts the units it
//! takes, one before it queues each message, and the router the units it
//! gives back as it routes them. What waits unrouted is at most the
//! difference, and the sender takes a unit only while the difference is
//! under the capacity (B1). It compares its own count with the router's
//! as it last read it, and reads the router's again only when that says
//! full: a send writes nothing the router writes, with no
//! read-modify-write (a locked instruction) and no cache line moving
//! between the cores per message. The router gives units back in batches
//! ([`Credit::batch`]). As one shared count taken with a compare-and-swap
//! per message, which the router's give-backs also wrote, a send cost
//! about 6 ns more and a flooded pipe ran at about half the rate it runs
//! at now (router-bench's README, "Bounded pipes").
//!
//! A sender that finds no unit looks again for a few microseconds
//! ([`SPIN_STEPS`]): a router that is routing gives units back sooner than
//! a sleep and a wake-up take. Then it waits on a condition variable. The
//! router's count carries a `WAITING` flag in its lowest bit (the count
//! moves in steps of two), so the hand-shake that keeps a wake-up from
//! being lost needs only that word's modification order:
//!
//! ```text
//! sender:  lock; set WAITING (read-modify-write); look at the count; wait (unlocks)
//! router:  count += n (read-modify-write); if it saw WAITING: lock, clear WAITING, notify
//! ```
//!
//! Either the router's addition comes first in the word's order, and the
//! sender's look (after its own write) sees the units given back; or it
//! comes after, sees the flag, and its lock makes it wait until the sender
//! waits. (A flag in a word of its own would need sequential consistency
//! across the two words, which loom does not model and a reviewer should
//! not have to trust.) The router clears the flag under the lock: a
//! sender sets it only under the lock, so every sender that set it is
//! waiting and is woken, and one that must wait again sets it again; the
//! give-backs that follow, before the sender runs, do not wake it again.
//! Closing the credit (the pipe closed, the router stopped) wakes every
//! waiter, whose send then fails (B2). The loom model in this crate's
//! tests checks the hand-shake.
//!
//! One sender takes from a credit (a pipe has one sender, and sending
//! takes it mutably), so its count and its view of the router's need no
//! read-modify-write.

use std::time::{Duration, Instant};

use crate::sync::{AtomicBool, AtomicUsize, Condvar, Mutex, Ordering, lock};
use crate::tuning::SPIN_STEPS;

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

/// The lowest bit of [`Credit::returned`]: a sender waits.
const WAITING: usize = 1;

/// What one unit adds to a count: two, clear of [`WAITING`]. Both counts
/// wrap, and only their difference is read.
const UNIT: usize = 2;

/// The credit of one bounded pipe, shared by its sender and the router.
#[derive(Debug)]
pub(crate) struct Credit {
    sender: SenderSide,
    /// Units given back, times [`UNIT`], and [`WAITING`]: added to by the
    /// router, flagged by a sender about to wait.
    returned: Line<AtomicUsize>,
    lock: Mutex<()>,
    room: Condvar,
}

/// What a sender reads per message, on a cache line of its own: the router
/// writes none of it while the pipe is open.
#[derive(Debug)]
#[repr(align(128))]
struct SenderSide {
    capacity: usize,
    /// Units taken, times [`UNIT`]: written by the sender alone.
    taken: AtomicUsize,
    /// [`Credit::returned`] as the sender last read it, without
    /// [`WAITING`]: the sender's alone.
    seen: AtomicUsize,
    closed: AtomicBool,
}

/// A value on a cache line of its own (128 bytes: x86's prefetcher fetches
/// lines in pairs).
#[derive(Debug)]
#[repr(align(128))]
struct Line<T>(T);

/// The units between two counts.
fn units(from: usize, to: usize) -> usize {
    to.wrapping_sub(from) / UNIT
}

impl Credit {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            sender: SenderSide {
                // Counts wrap: their difference must stay clear of the top.
                capacity: capacity.min(usize::MAX / (2 * UNIT)),
                taken: AtomicUsize::new(0),
                seen: AtomicUsize::new(0),
                closed: AtomicBool::new(false),
            },
            returned: Line(AtomicUsize::new(0)),
            lock: Mutex::new(()),
            room: Condvar::new(),
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.sender.capacity
    }

    /// How many messages wait unrouted (B4): the units taken and not given
    /// back. The router's count is read first: read second, it could have
    /// passed the sender's as read.
    pub(crate) fn queued(&self) -> usize {
        let returned = self.returned.0.load(Ordering::Acquire) & !WAITING;
        units(returned, self.sender.taken.load(Ordering::Acquire))
    }

    /// Takes one unit if the router's count as the sender last read it
    /// leaves one free: the send's fast path, inlined into it, with no
    /// look at the router's count. `false` sends the caller to
    /// [`take`](Self::take), which reads it.
    #[inline]
    pub(crate) fn take_now(&self) -> bool {
        let side = &self.sender;
        let taken = side.taken.load(Ordering::Relaxed);
        if units(side.seen.load(Ordering::Relaxed), taken) >= side.capacity
            || side.closed.load(Ordering::Acquire)
        {
            return false;
        }
        side.taken
            .store(taken.wrapping_add(UNIT), Ordering::Release);
        true
    }

    /// Takes one unit if there is one, reading the router's count.
    fn try_take(&self) -> Result<(), NoRoom> {
        let side = &self.sender;
        if side.closed.load(Ordering::Acquire) {
            return Err(NoRoom::Closed);
        }
        let returned = self.returned.0.load(Ordering::Acquire) & !WAITING;
        side.seen.store(returned, Ordering::Relaxed);
        let taken = side.taken.load(Ordering::Relaxed);
        if units(returned, taken) >= side.capacity {
            return Err(NoRoom::Full);
        }
        side.taken
            .store(taken.wrapping_add(UNIT), Ordering::Release);
        Ok(())
    }

    /// Gives back the unit just taken, for a message the channel would not
    /// queue. The sender's alone, as taking is.
    pub(crate) fn untake(&self) {
        let taken = self.sender.taken.load(Ordering::Relaxed);
        self.sender
            .taken
            .store(taken.wrapping_sub(UNIT), Ordering::Release);
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
        if let Some(taken) = self.spin_for_room() {
            return taken;
        }
        let mut guard = lock(&self.lock);
        let taken = loop {
            // Says "waiting" before the look: see the module docs.
            self.returned.0.fetch_or(WAITING, Ordering::AcqRel);
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
        self.returned.0.fetch_and(!WAITING, Ordering::AcqRel);
        drop(guard);
        taken
    }

    /// Looks for a free unit for a while before the caller takes the lock
    /// and sleeps, pausing twice as long after each look (one `pause`
    /// instruction, then two, up to 2^([`SPIN_STEPS`] - 1)): `None` if the
    /// pipe stayed full. Loads only, so the router's give-back finds the
    /// line shared, not taken away.
    ///
    /// Pauses, never `yield_now`: a sender that yielded on a core shared
    /// with the router let it drain the queue and go to sleep, and the
    /// sends after woke it every few dozen messages (router-bench's
    /// README, "Bounded pipes").
    fn spin_for_room(&self) -> Option<Result<(), NoRoom>> {
        for step in 0..SPIN_STEPS {
            for _ in 0..1u32 << step {
                std::hint::spin_loop();
            }
            match self.try_take() {
                Err(NoRoom::Full) => {}
                taken => return Some(taken),
            }
        }
        None
    }

    /// How many units the router may owe before it gives them back: each
    /// give-back is a read-modify-write on a line the sender reads when it
    /// runs out. A quarter of the capacity, between 1 and 32: the count
    /// then says at most that many more messages wait than do, which keeps
    /// B1 (it only errs on the full side).
    pub(crate) fn batch(&self) -> usize {
        (self.capacity() / 4).clamp(1, 32)
    }

    /// Gives back the units of `count` messages that were routed. A
    /// waiting sender is woken once half the capacity is free (rounded
    /// down, so a pipe of capacity 1 wakes it at once): it then sends while
    /// the router routes the other half. Woken at the first give-back, a
    /// sender sharing one core with the router sent one batch and waited
    /// again, a context switch per batch (router-bench's README, "Bounded
    /// pipes"). Its count is read only then: it does not move while it
    /// waits.
    #[inline]
    pub(crate) fn give_back(&self, count: usize) {
        let before = self.returned.0.fetch_add(count * UNIT, Ordering::AcqRel);
        if before & WAITING != 0 {
            self.wake_if_half_free(before.wrapping_add(count * UNIT));
        }
    }

    /// Wakes a waiting sender if half the capacity is free now that the
    /// router's count is `returned`.
    #[cold]
    fn wake_if_half_free(&self, returned: usize) {
        let taken = self.sender.taken.load(Ordering::Acquire);
        if units(returned & !WAITING, taken) <= self.capacity() / 2 {
            self.wake_waiting();
        }
    }

    /// Wakes the senders waiting for room, once: clears [`WAITING`] under
    /// the lock (see the module docs), so the give-backs after this one do
    /// not wake again while the woken sender is on its way. Left set, the
    /// flag had the router lock and notify, a system call, at each
    /// give-back until the sender ran: about ten per wait (router-bench's
    /// README, "Bounded pipes").
    #[cold]
    fn wake_waiting(&self) {
        let _guard = lock(&self.lock);
        self.returned.0.fetch_and(!WAITING, Ordering::AcqRel);
        self.room.notify_all();
    }

    /// Closes the credit for good: waiting senders wake and fail, and no
    /// later send takes a unit.
    pub(crate) fn close(&self) {
        self.sender.closed.store(true, Ordering::Release);
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
