//! How `route_until` waits for a message without the channel's blocking
//! receive: the foreground parks, and a sender that finds it waiting
//! unparks it.
//!
//! Why not the channel's `recv`: a second caller of the channel's receive
//! path (beside the routing loop's `try_recv`) made LLVM keep that path out
//! of line in the routing loop, which cost the loop more than the wait ever
//! saves. So the channel is only ever asked `try_recv`, and the wait is
//! this handshake:
//!
//! ```text
//! router:  waiting = true;  heavy barrier;  look at the queue;  park
//! sender:  queue a message; light barrier;  look at `waiting`;  unpark if set
//! ```
//!
//! Paired, the barriers guarantee that the router's look sees the sender's
//! message, or the sender sees `waiting` and unparks the router (an unpark
//! before the park makes the park return at once). It is the gate's pairing
//! (gate.rs, "Fast holds"), on another flag. Where the process-wide barrier
//! is missing, senders of a manual router run a full fence instead of the
//! light barrier. A wait starts with a short spin, so a router that catches
//! up with a busy sender goes on without a barrier or a park.
//!
//! The loom model in this crate's tests checks the handshake.

use std::time::{Duration, Instant};

use crate::sync::{
    AtomicBool, Mutex, Ordering, Thread, barrier, current_thread, lock, park, park_timeout,
};

/// How many looks a wait spins before it parks.
#[cfg(not(loom))]
const SPINS: usize = 64;
/// Under loom, spinning only multiplies the interleavings.
#[cfg(loom)]
const SPINS: usize = 0;

/// How long a wait parks at most between looks when the heavy barrier
/// failed (not seen once the process has registered with the kernel): a
/// sender's wake-up may then be missed, and the next look finds its
/// message.
const RECHECK: Duration = Duration::from_millis(1);

/// The foreground's side of the handshake, shared with the run's senders.
#[derive(Debug)]
pub(crate) struct Waiter {
    /// Set while `route_until` waits, after its last look.
    waiting: AtomicBool,
    /// The thread that waits.
    thread: Mutex<Option<Thread>>,
    /// No process-wide barrier: senders fence themselves.
    fence_senders: bool,
}

impl Waiter {
    pub(crate) fn new() -> Self {
        Self {
            waiting: AtomicBool::new(false),
            thread: Mutex::new(None),
            fence_senders: !barrier::available(),
        }
    }

    /// A sender of a manual router, after its send and the light barrier
    /// (gate.rs, `after_send`): wakes the foreground if it waits.
    #[inline]
    pub(crate) fn notify(&self) {
        if self.fence_senders {
            barrier::full();
        }
        if self.waiting.load(Ordering::Relaxed) {
            self.wake();
        }
    }

    #[cold]
    fn wake(&self) {
        if let Some(thread) = lock(&self.thread).as_ref() {
            thread.unpark();
        }
    }

    /// The foreground: `look`s at the queue until it finds a message or
    /// `deadline` passes (then one last look).
    pub(crate) fn wait<T>(
        &self,
        mut look: impl FnMut() -> Option<T>,
        deadline: Option<Instant>,
    ) -> Option<T> {
        for _ in 0..SPINS {
            std::hint::spin_loop();
            if let Some(found) = look() {
                return Some(found);
            }
        }
        {
            let mut thread = lock(&self.thread);
            if thread.is_none() {
                *thread = Some(current_thread());
            }
        }
        self.waiting.store(true, Ordering::Relaxed);
        let sure = barrier::heavy() || self.fence_senders;
        let found = loop {
            if let Some(found) = look() {
                break Some(found);
            }
            let wait = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break look();
                    }
                    Some(left)
                }
                None => None,
            };
            match (wait, sure) {
                (None, true) => park(),
                (Some(left), true) => park_timeout(left),
                (wait, false) => park_timeout(wait.map_or(RECHECK, |left| left.min(RECHECK))),
            }
        };
        self.waiting.store(false, Ordering::Relaxed);
        found
    }
}
