//! The wake-and-pump core, for event loops that can be woken from any
//! thread and give the program a place on the foreground to do work.

use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;
use std::rc::{Rc, Weak};

use super::callbacks::Callbacks;
use super::{EventLoop, Pingee, Pinger};
use crate::sync::{Arc, AtomicBool, Mutex, MutexGuard, Ordering};

/// An event loop made of two things a host loop already has: a *wake*
/// function that any thread may call (tokio's `Notify::notify_one`, egui's
/// `Context::request_repaint`, a winit `EventLoopProxy`, a Qt
/// `QMetaObject::invokeMethod`), and a place on the foreground thread where
/// the host calls [`Pump::run_pending`] once it has been woken.
///
/// A ping marks its pingee pending and, if it was not pending already,
/// queues it, and calls `wake` if the queue was empty. [`Pump::run_pending`]
/// takes the whole queue and, for each pingee, clears the pending mark
/// *before* it runs the callback: a ping that lands while the callback
/// runs queues the pingee again and calls `wake` again, so no ping is
/// lost. A burst of pings, of one pingee or many, costs one wake: a host
/// whose wake-up queues an event per call (winit's proxy) gets one event
/// per batch.
///
/// A loop the project ships no adapter for takes a few lines. With a host
/// whose foreground runs a closure per frame (bevy, iced, slint, ...):
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
/// use router_api::{EventLoop, Pingee, WakeLoop};
///
/// // The host's wake: here a flag its frame loop looks at.
/// let woken = Arc::new(AtomicBool::new(false));
/// let (event_loop, pump) = WakeLoop::new({
///     let woken = woken.clone();
///     move || woken.store(true, Ordering::Release)
/// });
/// let pingee = event_loop.pingee(Box::new(|| println!("routing")));
/// let pinger = pingee.pinger();
/// std::thread::spawn(move || pinger.ping()).join().unwrap();
/// // Each frame, on the foreground thread:
/// if woken.swap(false, Ordering::AcqRel) {
///     assert_eq!(pump.run_pending(), 1);
/// }
/// ```
///
/// A router is made on the `WakeLoop` (it is an [`EventLoop`]); the host
/// keeps the [`Pump`]. Once the pump is dropped the loop is gone: pings
/// do nothing from then on and `wake` is not called again.
#[derive(Clone)]
pub struct WakeLoop {
    local: Rc<Callbacks>,
    shared: Arc<Shared>,
}

/// The foreground half of a [`WakeLoop`]: the host calls
/// [`run_pending`](Self::run_pending) on the loop's thread after it was
/// woken.
pub struct Pump {
    local: Rc<Callbacks>,
    shared: Arc<Shared>,
}

/// What pingers on any thread share with the pump.
struct Shared {
    wake: Box<dyn Fn() + Send + Sync>,
    /// The pingees pinged since the pump last took them, each once.
    ready: Mutex<VecDeque<Arc<Slot>>>,
    /// Cleared when the pump is dropped: the loop is gone.
    open: AtomicBool,
}

impl Shared {
    fn ready(&self) -> MutexGuard<'_, VecDeque<Arc<Slot>>> {
        crate::sync::lock(&self.ready)
    }
}

/// One pingee's marks.
struct Slot {
    id: u64,
    /// Set by the ping that queued the slot; cleared by the pump just
    /// before it runs the callback.
    pending: AtomicBool,
    connected: AtomicBool,
}

impl WakeLoop {
    /// A loop that calls `wake` when a pingee of it is pinged while none
    /// is queued, and the [`Pump`] the host calls when woken.
    ///
    /// `wake` runs on the pinging thread, inside [`Pinger::ping`]: it must
    /// not block for long and must not run the pump itself.
    pub fn new<W>(wake: W) -> (Self, Pump)
    where
        W: Fn() + Send + Sync + 'static,
    {
        let local = Rc::new(Callbacks::default());
        let shared = Arc::new(Shared {
            wake: Box::new(wake),
            ready: Mutex::new(VecDeque::new()),
            open: AtomicBool::new(true),
        });
        let pump = Pump {
            local: Rc::clone(&local),
            shared: Arc::clone(&shared),
        };
        (Self { local, shared }, pump)
    }
}

impl EventLoop for WakeLoop {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        let id = self.local.register(on_ping);
        let slot = Arc::new(Slot {
            id,
            pending: AtomicBool::new(false),
            connected: AtomicBool::new(true),
        });
        Box::new(WakePingee {
            local: Rc::downgrade(&self.local),
            pinger: std::sync::Arc::new(WakePinger {
                slot,
                shared: Arc::clone(&self.shared),
            }),
        })
    }
}

impl Pump {
    /// Runs the callback of every pingee pinged since the last call, once
    /// each, and returns how many ran. A ping that lands meanwhile (a
    /// callback's own, say) has woken the host again and waits for the
    /// next call, so one call never runs for ever.
    ///
    /// # Panics
    ///
    /// Passes on a callback's panic, after queueing the pingees it had not
    /// reached yet again and waking the host for them.
    pub fn run_pending(&self) -> usize {
        let ran = Cell::new(0);
        self.run_counting(&ran);
        ran.get()
    }

    /// [`run_pending`](Self::run_pending) for a host that cannot pass a
    /// panic on to anyone (an async task, a glib future: a panic there ends
    /// the task, and the pump with it). A callback's panic is caught and
    /// logged as an error; the pingees not reached are queued again and the
    /// host woken for them, as `run_pending` does, so the loop goes on.
    /// Returns how many callbacks ran to their end.
    pub fn run_pending_caught(&self) -> usize {
        let ran = Cell::new(0);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.run_counting(&ran);
        }));
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic payload that is not text".to_owned());
            tracing::error!(
                panic = %message,
                "a callback of the event loop panicked (a listener, most likely); the loop goes on"
            );
        }
        ran.get()
    }

    fn run_counting(&self, ran: &Cell<usize>) {
        let mut batch = Batch {
            slots: std::mem::take(&mut *self.shared.ready()),
            shared: &self.shared,
        };
        while let Some(slot) = batch.slots.pop_front() {
            // Before the callback: a ping from now on queues the slot again.
            slot.pending.swap(false, Ordering::AcqRel);
            if !slot.connected.load(Ordering::Acquire) {
                continue;
            }
            // Cloned out, so no borrow is held while the callback runs (it
            // may register or disconnect pingees).
            let callback = self.local.get(slot.id);
            if let Some(callback) = callback {
                callback();
                ran.set(ran.get() + 1);
            }
        }
    }

    /// Whether a pingee was pinged since the last
    /// [`run_pending`](Self::run_pending).
    #[must_use]
    pub fn is_pending(&self) -> bool {
        !self.shared.ready().is_empty()
    }
}

impl Drop for Pump {
    fn drop(&mut self) {
        self.shared.open.store(false, Ordering::Release);
        // The queued slots hold no callback; dropping them frees nothing
        // the foreground needs.
        self.shared.ready().clear();
    }
}

/// The slots a [`Pump::run_pending`] call took. If a callback panics, the
/// ones not reached go back to the queue and the host is woken for them.
struct Batch<'a> {
    slots: VecDeque<Arc<Slot>>,
    shared: &'a Shared,
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if self.slots.is_empty() {
            return;
        }
        let mut ready = self.shared.ready();
        let first = ready.is_empty();
        for slot in self.slots.drain(..).rev() {
            ready.push_front(slot);
        }
        drop(ready);
        if first {
            (self.shared.wake)();
        }
    }
}

/// A callback registered on a [`WakeLoop`].
struct WakePingee {
    local: Weak<Callbacks>,
    pinger: std::sync::Arc<WakePinger>,
}

impl Pingee for WakePingee {
    fn pinger(&self) -> std::sync::Arc<dyn Pinger> {
        self.pinger.clone()
    }

    fn disconnect(&mut self) {
        self.pinger.slot.connected.store(false, Ordering::Release);
        if let Some(local) = self.local.upgrade() {
            local.remove(self.pinger.slot.id);
        }
    }
}

impl Drop for WakePingee {
    fn drop(&mut self) {
        self.disconnect();
    }
}

/// The background side of a [`WakePingee`].
struct WakePinger {
    slot: Arc<Slot>,
    shared: Arc<Shared>,
}

impl Pinger for WakePinger {
    fn ping(&self) {
        if !self.slot.connected.load(Ordering::Acquire) || !self.shared.open.load(Ordering::Acquire)
        {
            return;
        }
        if self.slot.pending.swap(true, Ordering::AcqRel) {
            // Queued already, and the pump has not cleared it: the callback
            // runs after this ping.
            return;
        }
        let mut ready = self.shared.ready();
        // One wake-up per batch: a queue that holds a pingee already has
        // one on its way, which the pump answers by taking the whole queue.
        let first = ready.is_empty();
        ready.push_back(Arc::clone(&self.slot));
        drop(ready);
        if first {
            (self.shared.wake)();
        }
    }
}

impl fmt::Debug for WakeLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WakeLoop")
            .field("callbacks", &self.local.len())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Pump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pump")
            .field("pending", &self.is_pending())
            .finish_non_exhaustive()
    }
}
