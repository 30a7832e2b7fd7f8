//! The pipes of one router run, as the intake thread looks them up: the
//! in-process sender a pipe's frames are sent through, and the key they
//! must carry.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use hmac::Hmac;
use router_api::{MessageSender, PipeId};
use router_channel::ChannelSender;
use router_crossbeam::Crossbeam;
use sha2::Sha256;

use crate::frame::{self, Key};

/// The in-process sender of a pipe, which the intake sends through on
/// behalf of the NATS sender: so a bounded or latest-value pipe is one
/// here too.
pub(crate) type CoreSender<M> = ChannelSender<M, Crossbeam>;

/// Each pipe's entry, and its sender until the intake takes it.
type Pipes<M> = HashMap<u64, (PipeEntry, Option<CoreSender<M>>)>;

/// What the intake needs to know of one pipe.
#[derive(Clone, Debug)]
pub(crate) struct PipeEntry {
    /// Keyed with the pipe's key.
    pub(crate) mac: Hmac<Sha256>,
}

/// Every pipe made in one run. Closed pipes stay in it: their messages
/// are discarded by the router with its closed-pipe warning (R7).
#[derive(Debug)]
pub(crate) struct PipeBook<M: Send + 'static> {
    run_key: Key,
    pipes: Mutex<Pipes<M>>,
}

impl<M: Send + 'static> PipeBook<M> {
    pub(crate) fn new(run_key: Key) -> Self {
        Self {
            run_key,
            pipes: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Pipes<M>> {
        // Each update is one insert or one take: a panic cannot leave it
        // half done.
        self.pipes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a pipe the run made, with its in-process sender (started
    /// here), and returns the pipe's key, for its token.
    pub(crate) fn record(&self, pipe: PipeId, mut sender: CoreSender<M>) -> Key {
        if let Err(error) = sender.start() {
            // A sender the router has just made starts: not reached.
            tracing::error!(pipe = %pipe, %error, "cannot start a new pipe's sender");
        }
        let pipe = pipe.get();
        let key = frame::pipe_key(&self.run_key, pipe);
        let entry = PipeEntry {
            mac: frame::keyed(&key),
        };
        self.lock().insert(pipe, (entry, Some(sender)));
        key
    }

    /// The pipe's entry, if the run made it, and its sender, the first
    /// time it is asked for.
    pub(crate) fn take(&self, pipe: u64) -> Option<(PipeEntry, Option<CoreSender<M>>)> {
        self.lock()
            .get_mut(&pipe)
            .map(|(entry, sender)| (entry.clone(), sender.take()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use router_api::{DefaultEventLoop, MessageRouter};
    use router_crossbeam::CrossbeamRouter;

    #[test]
    fn book_knows_the_pipes_it_recorded_and_keys_each_its_own() {
        let event_loop = DefaultEventLoop::new();
        let router = CrossbeamRouter::<u64>::new(&event_loop);
        router.start().unwrap();
        let ((nine_sender, _nine), (ten_sender, _ten)) =
            (router.pipe().unwrap(), router.pipe().unwrap());
        let (nine_pipe, ten_pipe) = (nine_sender.pipe_id(), ten_sender.pipe_id());
        let book = PipeBook::new([3u8; 32]);
        let nine = book.record(nine_pipe, nine_sender);
        let ten = book.record(ten_pipe, ten_sender);
        assert_ne!(nine, ten);
        let (_, sender) = book.take(nine_pipe.get()).unwrap();
        assert_eq!(sender.map(|sender| sender.pipe_id()), Some(nine_pipe));
        assert!(
            book.take(nine_pipe.get()).unwrap().1.is_none(),
            "a sender is taken once"
        );
        assert!(book.take(ten_pipe.get() + 1).is_none());
        router.stop().unwrap();
    }
}
