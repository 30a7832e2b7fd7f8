//! What the router hands a stream's messages to, and the stream reads:
//! below the receiver, whose pipe's fittings hold it (fittings.rs), and
//! below the stream, which owns the receiver (stream.rs).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::Arc;
use std::task::Waker;

use crate::credit::Credit;

/// What the router hands a stream's messages to, and the stream reads.
pub(crate) struct StreamShared<M> {
    /// Messages routed to the pipe and not yet yielded, in order.
    pub(crate) queue: RefCell<VecDeque<M>>,
    /// The task that polled last and found nothing, to wake on the next.
    pub(crate) waker: RefCell<Option<Waker>>,
    /// The pipe's sender ended (E1), or the pipe left the routing table:
    /// once the queue is empty, the stream ends.
    pub(crate) over: Cell<bool>,
    /// A bounded pipe's credit: a unit comes back as the stream yields a
    /// message, not as the router routes it, so at most the capacity's
    /// worth wait, in the channel and in `queue` together (B1).
    credit: RefCell<Option<Arc<Credit>>>,
}

impl<M> StreamShared<M> {
    pub(crate) fn new() -> Self {
        Self {
            queue: RefCell::new(VecDeque::new()),
            waker: RefCell::new(None),
            over: Cell::new(false),
            credit: RefCell::new(None),
        }
    }

    /// Holds back the units of `credit` until the stream yields.
    pub(crate) fn hold_credit(&self, credit: Arc<Credit>) {
        *self.credit.borrow_mut() = Some(credit);
    }

    /// Whether the stream gives a bounded pipe's units back itself.
    pub(crate) fn holds_credit(&self) -> bool {
        self.credit.borrow().is_some()
    }

    /// The next message routed, if one waits; a bounded pipe's unit comes
    /// back with it.
    pub(crate) fn pop(&self) -> Option<M> {
        let message = self.queue.borrow_mut().pop_front()?;
        if let Some(credit) = &*self.credit.borrow() {
            credit.give_back(1);
        }
        Some(message)
    }

    /// Takes one routed message, owned, and wakes the stream's task.
    pub(crate) fn push(&self, message: M) {
        self.queue.borrow_mut().push_back(message);
        self.wake();
    }

    /// No message will come after those queued.
    pub(crate) fn end(&self) {
        self.over.set(true);
        self.wake();
    }

    fn wake(&self) {
        // Taken out first: a waker's `wake` may run the task at once, on
        // an executor that polls inline.
        let waker = self.waker.borrow_mut().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}
