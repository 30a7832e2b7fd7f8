//! How many drops of one peer are logged one by one: a flood of bad
//! frames must not flood the log, as R7 keeps a flood of messages for a
//! closed pipe from doing. Each peer may have [`LOGGED_PER_WINDOW`] drops
//! logged per [`WINDOW`]; the rest are counted (the counts stay exact)
//! and summed into one warning, logged when the peer's next window opens
//! or the run ends.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::time::{Duration, Instant};

use router_api::PipeId;

use crate::reason::DropReason;

/// The span over which a peer's drops are paced.
pub(crate) const WINDOW: Duration = Duration::from_secs(1);

/// How many of one peer's drops are logged one by one per [`WINDOW`].
pub(crate) const LOGGED_PER_WINDOW: u32 = 8;

/// How many peers are paced apart; past that, the drops of peers not yet
/// paced are paced together, with those of unknown peers.
const MAX_PEERS: usize = 1024;

/// The pacing of one peer's drops.
struct PeerPace {
    opened: Instant,
    logged: u32,
    /// The drops of this window not logged, by index in `R::ALL`.
    unlogged: Vec<u64>,
}

impl PeerPace {
    fn new(now: Instant) -> Self {
        Self {
            opened: now,
            logged: 0,
            unlogged: Vec::new(),
        }
    }

    /// Logs the sum of the drops not logged one by one, if there were any.
    fn report<R: DropReason>(&mut self, peer: Option<PipeId>) {
        let total: u64 = self.unlogged.iter().sum();
        if total == 0 {
            return;
        }
        let reasons = R::ALL
            .iter()
            .zip(&self.unlogged)
            .filter(|(_, count)| **count > 0)
            .map(|(reason, count)| format!("{}: {count}", reason.name()))
            .collect::<Vec<_>>()
            .join(", ");
        let from = peer.map_or_else(|| "unknown peers".to_owned(), |pipe| format!("pipe {pipe}"));
        tracing::warn!(
            pipe = peer.map(tracing::field::display),
            unlogged = total,
            reasons = %reasons,
            "dropped {total} more frames of {from} than were logged one by one ({reasons})"
        );
        self.unlogged.clear();
    }
}

/// The pacing of every peer's drops.
pub(crate) struct Pace<R> {
    peers: HashMap<Option<PipeId>, PeerPace>,
    _reason: PhantomData<fn(R)>,
}

impl<R: DropReason> Default for Pace<R> {
    fn default() -> Self {
        Self {
            peers: HashMap::new(),
            _reason: PhantomData,
        }
    }
}

impl<R: DropReason> Pace<R> {
    /// Whether a drop of `reason` by `peer` at `now` is logged one by one;
    /// counts it among the unlogged if not. Logs the sum of the peer's
    /// last window first, if that is over.
    pub(crate) fn admit(&mut self, peer: Option<PipeId>, reason: R, now: Instant) -> bool {
        let peer = if self.peers.len() >= MAX_PEERS && !self.peers.contains_key(&peer) {
            self.forget_idle(now);
            if self.peers.len() >= MAX_PEERS {
                None
            } else {
                peer
            }
        } else {
            peer
        };
        let pace = self.peers.entry(peer).or_insert_with(|| PeerPace::new(now));
        if now.saturating_duration_since(pace.opened) >= WINDOW {
            pace.report::<R>(peer);
            *pace = PeerPace::new(now);
        }
        if pace.logged < LOGGED_PER_WINDOW {
            pace.logged += 1;
            return true;
        }
        if let Some(index) = R::ALL.iter().position(|listed| *listed == reason) {
            pace.unlogged.resize(R::ALL.len(), 0);
            if let Some(count) = pace.unlogged.get_mut(index) {
                *count += 1;
            }
        }
        false
    }

    /// Reports and forgets the peers whose window is over.
    fn forget_idle(&mut self, now: Instant) {
        self.peers.retain(|peer, pace| {
            let over = now.saturating_duration_since(pace.opened) >= WINDOW;
            if over {
                pace.report::<R>(*peer);
            }
            !over
        });
    }

    /// Logs the sums of every peer's drops not logged one by one, and
    /// forgets every peer: the run is over.
    pub(crate) fn flush(&mut self) {
        for (peer, mut pace) in self.peers.drain() {
            pace.report::<R>(peer);
        }
    }
}
