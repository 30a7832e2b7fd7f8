//! The pipes of one router run, as the monitor thread checks them: a
//! connection may name only a pipe the run made, and only once.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use router_api::PipeId;
use router_channel::ChannelSender;
use router_crossbeam::Crossbeam;

/// The in-process sender of a pipe, which the monitor thread sends through
/// on behalf of the process sender connected for it.
pub(crate) type CoreSender<M> = ChannelSender<M, Crossbeam>;

/// What the book says to a connection that names a pipe.
#[derive(Debug)]
pub(crate) enum Admission<M: Send + 'static> {
    /// The pipe was made by this run and has no sender connected yet: its
    /// in-process sender, now the connection's.
    Admitted(CoreSender<M>),
    /// This run never made the pipe.
    NeverMade,
    /// A sender of the pipe connected before (S1: a sender starts once).
    AlreadyConnected,
}

/// Every pipe made in one run: its in-process sender until a connection
/// takes it. Closed pipes stay in it: their messages are discarded by the
/// router with its closed-pipe warning (R7), as in the in-process
/// backends. Senders never taken drop with the run, which is over then:
/// they tell no end.
#[derive(Debug)]
pub(crate) struct PipeBook<M: Send + 'static> {
    pipes: Mutex<HashMap<u64, Option<CoreSender<M>>>>,
}

impl<M: Send + 'static> Default for PipeBook<M> {
    fn default() -> Self {
        Self {
            pipes: Mutex::default(),
        }
    }
}

impl<M: Send + 'static> PipeBook<M> {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Option<CoreSender<M>>>> {
        // Each update is one insert or one take: a panic cannot leave it half done.
        self.pipes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a pipe the run made, with its in-process sender.
    pub(crate) fn record(&self, pipe: PipeId, sender: CoreSender<M>) {
        self.lock().insert(pipe.get(), Some(sender));
    }

    /// Admits the first connection that names `pipe`.
    pub(crate) fn admit(&self, pipe: PipeId) -> Admission<M> {
        match self.lock().get_mut(&pipe.get()) {
            None => Admission::NeverMade,
            Some(entry) => entry
                .take()
                .map_or(Admission::AlreadyConnected, Admission::Admitted),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use router_api::{DefaultEventLoop, MessageRouter, MessageSender};
    use router_crossbeam::CrossbeamRouter;

    #[test]
    fn book_admits_a_made_pipe_once_and_no_other() {
        let event_loop = DefaultEventLoop::new();
        let router = CrossbeamRouter::<u64>::new(&event_loop);
        router.start().unwrap();
        let (sender, _receiver) = router.pipe().unwrap();
        let pipe = sender.pipe_id();
        let book = PipeBook::default();
        book.record(pipe, sender);
        assert!(matches!(
            book.admit(PipeId::new(pipe.get() + 1)),
            Admission::NeverMade
        ));
        assert!(
            matches!(book.admit(pipe), Admission::Admitted(sender) if sender.pipe_id() == pipe)
        );
        assert!(matches!(book.admit(pipe), Admission::AlreadyConnected));
        router.stop().unwrap();
    }
}
