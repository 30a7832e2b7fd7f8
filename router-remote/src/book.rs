//! The pipes of one router run, as the thread that reads the transport
//! looks them up: a peer may speak only for a pipe the run made, and only
//! one peer per pipe.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use router_api::{MessageSender, PipeId};
use router_crossbeam::CrossbeamSender;

/// The in-process sender of a pipe, which the transport's thread sends
/// through on behalf of the remote sender: so a bounded or latest-value
/// pipe is one for the remote sender too, and its end is told as an
/// in-process sender's is (E1, E2).
pub type CoreSender<M> = CrossbeamSender<M>;

/// What the book says to a peer that names a pipe.
#[derive(Debug)]
pub enum Admission<M: Send + 'static, E> {
    /// The run made the pipe and no peer took it yet: its entry and its
    /// in-process sender (started), now the peer's.
    Admitted {
        /// What the transport recorded with the pipe.
        entry: E,
        /// The pipe's in-process sender.
        sender: CoreSender<M>,
    },
    /// This run never made the pipe.
    NeverMade,
    /// A peer took the pipe before (S1: a sender starts once).
    AlreadyConnected,
}

/// Every pipe made in one run: what the transport keeps of it (`E`: a
/// key to check its frames with, or `()`), and its in-process sender
/// until a peer takes both.
///
/// Closed pipes stay in the book: their messages are discarded by the
/// router with its closed-pipe warning (R7), as in the in-process
/// backends. Senders no peer took drop with the run, after the transport
/// closed it: the router stops next, so they tell no end anyone hears.
pub struct PipeBook<M: Send + 'static, E = ()> {
    pipes: Mutex<Pipes<M, E>>,
}

/// Each pipe's entry and sender, until a peer takes them.
type Pipes<M, E> = HashMap<u64, Option<(E, CoreSender<M>)>>;

impl<M: Send + 'static, E> Default for PipeBook<M, E> {
    fn default() -> Self {
        Self {
            pipes: Mutex::default(),
        }
    }
}

impl<M: Send + 'static, E> PipeBook<M, E> {
    /// An empty book, for a new run.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Pipes<M, E>> {
        // Each update is one insert or one take: a panic cannot leave it
        // half done.
        self.pipes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a pipe the run made, with the transport's `entry` and its
    /// in-process sender, which is started here so that the peer's first
    /// message goes straight through.
    pub fn record(&self, pipe: PipeId, entry: E, mut sender: CoreSender<M>) {
        if let Err(error) = sender.start() {
            // A sender the router has just made starts: not reached.
            tracing::error!(pipe = %pipe, %error, "cannot start a new pipe's sender");
        }
        self.lock().insert(pipe.get(), Some((entry, sender)));
    }

    /// Admits the first peer that names `pipe`.
    pub fn admit(&self, pipe: PipeId) -> Admission<M, E> {
        match self.lock().get_mut(&pipe.get()) {
            None => Admission::NeverMade,
            Some(taken) => taken
                .take()
                .map_or(Admission::AlreadyConnected, |(entry, sender)| {
                    Admission::Admitted { entry, sender }
                }),
        }
    }

    /// Whether a pipe that still waits for its peer is closed, as its
    /// in-process sender says (C1: closed, or the router stopped); `None`
    /// when the run never made it or a peer took it (the transport holds
    /// its sender then).
    #[must_use]
    pub fn closed(&self, pipe: PipeId) -> Option<bool> {
        let pipes = self.lock();
        let (_, sender) = pipes.get(&pipe.get())?.as_ref()?;
        Some(sender.is_closed())
    }

    /// How many pipes the run made.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the run made no pipe yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

impl<M: Send + 'static, E> fmt::Debug for PipeBook<M, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pipes = self.lock();
        let waiting = pipes.values().filter(|taken| taken.is_some()).count();
        f.debug_struct("PipeBook")
            .field("pipes", &pipes.len())
            .field("waiting_for_a_peer", &waiting)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use super::*;
    use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter};
    use router_channel::PipeReceiver;
    use router_crossbeam::CrossbeamRouter;

    /// A started router with one pipe, recorded in a new book with `entry`.
    fn book_of_one_pipe<E>(
        event_loop: &DefaultEventLoop,
        entry: E,
    ) -> (CrossbeamRouter<u64>, PipeBook<u64, E>, PipeReceiver<u64>) {
        let router = CrossbeamRouter::new(event_loop);
        router.start().unwrap();
        let (sender, receiver) = router.pipe().unwrap();
        let book = PipeBook::new();
        book.record(sender.pipe_id(), entry, sender);
        (router, book, receiver)
    }

    #[test]
    fn book_admits_a_made_pipe_once_with_its_entry_and_no_other() {
        let event_loop = DefaultEventLoop::new();
        let (router, book, receiver) = book_of_one_pipe(&event_loop, "key of the pipe");
        let pipe = receiver.pipe_id();
        assert_eq!(book.len(), 1);
        let other = PipeId::new(pipe.get() + 1);
        assert!(matches!(book.admit(other), Admission::NeverMade));
        match book.admit(pipe) {
            Admission::Admitted { entry, sender } => {
                assert_eq!(entry, "key of the pipe");
                assert_eq!(sender.pipe_id(), pipe);
            }
            other => panic!("the first peer is admitted, not {other:?}"),
        }
        assert!(matches!(book.admit(pipe), Admission::AlreadyConnected));
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();
    }

    #[test]
    fn book_says_whether_a_waiting_pipe_is_closed_until_a_peer_takes_it() {
        let event_loop = DefaultEventLoop::new();
        let (router, book, receiver) = book_of_one_pipe(&event_loop, ());
        let pipe = receiver.pipe_id();
        assert_eq!(book.closed(pipe), Some(false));
        assert_eq!(book.closed(PipeId::new(pipe.get() + 1)), None);
        router.close_pipe(&receiver).unwrap();
        assert_eq!(book.closed(pipe), Some(true));
        assert!(matches!(book.admit(pipe), Admission::Admitted { .. }));
        assert_eq!(book.closed(pipe), None, "the peer's transport knows now");
        router.stop().unwrap();
    }

    #[test]
    fn recorded_sender_is_started_for_the_peer() {
        let event_loop = DefaultEventLoop::new();
        let (router, book, receiver) = book_of_one_pipe(&event_loop, ());
        let Admission::Admitted { mut sender, .. } = book.admit(receiver.pipe_id()) else {
            panic!("the pipe was recorded");
        };
        sender.send(7).unwrap();
        let got = Rc::new(Cell::new(0));
        receiver.connect({
            let got = got.clone();
            move |n: &u64| got.set(*n)
        });
        let routed = router.route_until(|| got.get() == 7, Some(Duration::from_secs(10)));
        routed.unwrap();
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();
    }
}
