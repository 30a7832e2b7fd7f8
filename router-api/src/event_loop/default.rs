//! The std-only event loop.

use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::callbacks::Callbacks;
use super::{EventLoop, Pingee, Pinger};
use crate::TimedOut;

/// An event loop that runs callbacks on the thread that drives it.
///
/// It needs nothing beyond std. The thread that made it (it is not `Send`)
/// drives it with [`run_until`](Self::run_until), which blocks until a
/// condition holds, or with [`run_pending`](Self::run_pending), which runs
/// what is queued and returns. Clones are handles to the same loop.
///
/// ```
/// use std::{cell::Cell, rc::Rc, time::Duration};
/// use router_api::{DefaultEventLoop, EventLoop, Pingee};
///
/// let event_loop = DefaultEventLoop::new();
/// let runs = Rc::new(Cell::new(0));
/// let pingee = event_loop.pingee(Box::new({
///     let runs = runs.clone();
///     move || runs.set(runs.get() + 1)
/// }));
/// let pinger = pingee.pinger();
/// std::thread::spawn(move || pinger.ping());
/// event_loop.run_until(|| runs.get() == 1, Some(Duration::from_secs(10)))?;
/// # Ok::<(), router_api::TimedOut>(())
/// ```
#[derive(Clone)]
pub struct DefaultEventLoop {
    local: Rc<Callbacks>,
    shared: Arc<Shared>,
}

/// The queue of pings, which pingers on any thread push to.
struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

struct Queue {
    pings: VecDeque<u64>,
    sleeping: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // The queue holds plain ids and no invariant a panic could break.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl DefaultEventLoop {
    /// A new loop with nothing registered.
    #[must_use]
    pub fn new() -> Self {
        Self {
            local: Rc::default(),
            shared: Arc::new(Shared {
                queue: Mutex::new(Queue {
                    pings: VecDeque::new(),
                    sleeping: false,
                }),
                wake: Condvar::new(),
            }),
        }
    }

    /// Runs the callbacks of pings that arrive until `condition` holds.
    ///
    /// Asks the condition first and after each callback; between pings the
    /// thread sleeps. `None` waits without limit.
    ///
    /// # Errors
    ///
    /// [`TimedOut`](crate::TimedOut) if `timeout` passes before the condition
    /// holds.
    pub fn run_until<F>(&self, mut condition: F, timeout: Option<Duration>) -> Result<(), TimedOut>
    where
        F: FnMut() -> bool,
    {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        loop {
            if condition() {
                return Ok(());
            }
            match self.wait_for_ping(deadline) {
                Some(id) => {
                    self.run_callback(id);
                }
                None => {
                    return Err(TimedOut::after(timeout.unwrap_or(Duration::MAX)));
                }
            }
        }
    }

    /// Runs the callbacks of the pings queued now, without waiting, and
    /// returns how many ran. Pings that arrive meanwhile wait for the next
    /// call.
    pub fn run_pending(&self) -> usize {
        let queued = self.shared.lock().pings.len();
        let mut ran = 0;
        for _ in 0..queued {
            let Some(id) = self.shared.lock().pings.pop_front() else {
                break;
            };
            if self.run_callback(id) {
                ran += 1;
            }
        }
        ran
    }

    /// How many pings are queued and not yet run.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.shared.lock().pings.len()
    }

    /// Takes the next ping, sleeping until one comes or `deadline` passes.
    fn wait_for_ping(&self, deadline: Option<Instant>) -> Option<u64> {
        let mut queue = self.shared.lock();
        loop {
            if let Some(id) = queue.pings.pop_front() {
                return Some(id);
            }
            queue.sleeping = true;
            queue = match deadline {
                None => self
                    .shared
                    .wake
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        queue.sleeping = false;
                        return None;
                    }
                    self.shared
                        .wake
                        .wait_timeout(queue, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
            queue.sleeping = false;
        }
    }

    /// Runs one callback, if it is still registered. One ping at a time is
    /// taken off the queue, so a callback that panics loses no other ping.
    fn run_callback(&self, id: u64) -> bool {
        let callback = self.local.get(id);
        match callback {
            Some(callback) => {
                callback();
                true
            }
            None => false,
        }
    }
}

impl Default for DefaultEventLoop {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for DefaultEventLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultEventLoop")
            .field("callbacks", &self.local.len())
            .field("pending", &self.pending())
            .finish()
    }
}

impl EventLoop for DefaultEventLoop {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        let id = self.local.register(on_ping);
        Box::new(DefaultPingee {
            id,
            local: Rc::downgrade(&self.local),
            pinger: Arc::new(DefaultPinger {
                id,
                connected: AtomicBool::new(true),
                shared: Arc::clone(&self.shared),
            }),
        })
    }
}

/// A callback registered on a [`DefaultEventLoop`].
struct DefaultPingee {
    id: u64,
    local: std::rc::Weak<Callbacks>,
    pinger: Arc<DefaultPinger>,
}

impl Pingee for DefaultPingee {
    fn pinger(&self) -> Arc<dyn Pinger> {
        self.pinger.clone()
    }

    fn disconnect(&mut self) {
        self.pinger.connected.store(false, Ordering::Release);
        if let Some(local) = self.local.upgrade() {
            local.remove(self.id);
        }
    }
}

impl Drop for DefaultPingee {
    fn drop(&mut self) {
        self.disconnect();
    }
}

struct DefaultPinger {
    id: u64,
    connected: AtomicBool,
    shared: Arc<Shared>,
}

impl Pinger for DefaultPinger {
    fn ping(&self) {
        if !self.connected.load(Ordering::Acquire) {
            return;
        }
        let mut queue = self.shared.lock();
        queue.pings.push_back(self.id);
        let sleeping = queue.sleeping;
        drop(queue);
        if sleeping {
            self.shared.wake.notify_one();
        }
    }
}
