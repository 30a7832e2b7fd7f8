//! An event loop that counts the callbacks it runs.

use std::cell::Cell;
use std::rc::Rc;

use router_api::{EventLoop, Pingee};

/// Wraps an event loop and counts every callback the wrapped loop runs for
/// the pingees made through this handle: an independent count to hold
/// [`RouterStats::pings`](router_api::RouterStats) against.
///
/// Drive the inner loop as usual ([`inner`](Self::inner)); clones share the
/// count.
///
/// ```
/// use router_api::{DefaultEventLoop, EventLoop, Pingee};
/// use router_reliability::CountingLoop;
///
/// let event_loop = CountingLoop::new(DefaultEventLoop::new());
/// let pingee = event_loop.pingee(Box::new(|| {}));
/// pingee.pinger().ping();
/// event_loop.inner().run_pending();
/// assert_eq!(event_loop.callbacks(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct CountingLoop<E> {
    inner: E,
    callbacks: Rc<Cell<u64>>,
}

impl<E> CountingLoop<E> {
    /// Counts the callbacks of `inner`, from zero.
    pub fn new(inner: E) -> Self {
        Self {
            inner,
            callbacks: Rc::new(Cell::new(0)),
        }
    }

    /// The wrapped loop, to drive.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// How many callbacks have run.
    #[must_use]
    pub fn callbacks(&self) -> u64 {
        self.callbacks.get()
    }
}

impl<E: EventLoop> EventLoop for CountingLoop<E> {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        let callbacks = Rc::clone(&self.callbacks);
        self.inner.pingee(Box::new(move || {
            callbacks.set(callbacks.get() + 1);
            on_ping();
        }))
    }
}
