//! The pipes of one router run, as the intake thread looks them up: the
//! route a pipe's frames are forwarded on, and the key they must carry.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use hmac::Hmac;
use router_api::PipeId;
use router_channel::Route;
use sha2::Sha256;

use crate::frame::{self, Key};

/// What the intake needs to know of one pipe.
#[derive(Clone, Debug)]
pub(crate) struct PipeEntry {
    pub(crate) route: Route,
    /// Keyed with the pipe's key.
    pub(crate) mac: Hmac<Sha256>,
}

/// Every pipe made in one run. Closed pipes stay in it: their messages
/// are discarded by the router with its closed-pipe warning (R7).
#[derive(Debug)]
pub(crate) struct PipeBook {
    run_key: Key,
    pipes: Mutex<HashMap<u64, PipeEntry>>,
}

impl PipeBook {
    pub(crate) fn new(run_key: Key) -> Self {
        Self {
            run_key,
            pipes: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, PipeEntry>> {
        // Each update is one insert: a panic cannot leave it half done.
        self.pipes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a pipe the run made and returns the pipe's key, for its
    /// token.
    pub(crate) fn record(&self, pipe: PipeId, route: Route) -> Key {
        let pipe = pipe.get();
        let key = frame::pipe_key(&self.run_key, pipe);
        let entry = PipeEntry {
            route,
            mac: frame::keyed(&key),
        };
        self.lock().insert(pipe, entry);
        key
    }

    /// The pipe's entry, if the run made it.
    pub(crate) fn get(&self, pipe: u64) -> Option<PipeEntry> {
        self.lock().get(&pipe).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book_knows_the_pipes_it_recorded_and_keys_each_its_own() {
        let book = PipeBook::new([3u8; 32]);
        let nine = book.record(PipeId::new(9), Route::from_parts(1, PipeId::new(9)));
        let ten = book.record(PipeId::new(10), Route::from_parts(2, PipeId::new(10)));
        assert_ne!(nine, ten);
        assert_eq!(book.get(9).map(|entry| entry.route.slot()), Some(1));
        assert!(book.get(11).is_none());
    }
}
