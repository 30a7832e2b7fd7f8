//! The pipes of one router run, as the monitor thread checks them: a
//! connection may name only a pipe the run made, and only once.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use router_api::PipeId;
use router_channel::Route;

/// What the book says to a connection that names a pipe.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Admission {
    /// The pipe was made by this run and has no sender connected yet.
    Admitted(Route),
    /// This run never made the pipe.
    NeverMade,
    /// A sender of the pipe connected before (S1: a sender starts once).
    AlreadyConnected,
}

#[derive(Debug)]
struct Entry {
    slot: u32,
    connected: bool,
}

/// Every pipe made in one run. Closed pipes stay in it: their messages
/// are discarded by the router with its closed-pipe warning (R7), as in
/// the in-process backends.
#[derive(Debug, Default)]
pub(crate) struct PipeBook {
    pipes: Mutex<HashMap<u64, Entry>>,
}

impl PipeBook {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Entry>> {
        // Each update is one insert or one flag: a panic cannot leave it half done.
        self.pipes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a pipe the run made, and its route.
    pub(crate) fn record(&self, pipe: PipeId, route: Route) {
        self.lock().insert(
            pipe.get(),
            Entry {
                slot: route.slot(),
                connected: false,
            },
        );
    }

    /// Admits the first connection that names `pipe`.
    pub(crate) fn admit(&self, pipe: PipeId) -> Admission {
        match self.lock().get_mut(&pipe.get()) {
            None => Admission::NeverMade,
            Some(entry) if entry.connected => Admission::AlreadyConnected,
            Some(entry) => {
                entry.connected = true;
                Admission::Admitted(Route::from_parts(entry.slot, pipe))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book_admits_a_made_pipe_once_and_no_other() {
        let book = PipeBook::default();
        let route = Route::from_parts(3, PipeId::new(9));
        book.record(PipeId::new(9), route);
        assert_eq!(book.admit(PipeId::new(8)), Admission::NeverMade);
        assert_eq!(book.admit(PipeId::new(9)), Admission::Admitted(route));
        assert_eq!(book.admit(PipeId::new(9)), Admission::AlreadyConnected);
    }
}
