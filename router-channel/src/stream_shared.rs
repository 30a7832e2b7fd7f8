//! What the router hands a stream's messages to, and the stream reads:
//! below the receiver, whose pipe's fittings hold it (fittings.rs), and
//! below the stream, which owns the receiver (stream.rs).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::task::Waker;

/// What the router hands a stream's messages to, and the stream reads.
pub(crate) struct StreamShared<M> {
    /// Messages routed to the pipe and not yet yielded, in order.
    pub(crate) queue: RefCell<VecDeque<M>>,
    /// The task that polled last and found nothing, to wake on the next.
    pub(crate) waker: RefCell<Option<Waker>>,
    /// The pipe's sender ended (E1), or the pipe left the routing table:
    /// once the queue is empty, the stream ends.
    pub(crate) over: Cell<bool>,
}

impl<M> StreamShared<M> {
    pub(crate) fn new() -> Self {
        Self {
            queue: RefCell::new(VecDeque::new()),
            waker: RefCell::new(None),
            over: Cell::new(false),
        }
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
