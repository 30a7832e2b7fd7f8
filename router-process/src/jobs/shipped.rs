//! A job written to a child, as the pool keeps it until it ends: its
//! outcome pipe's sender here, and what the foreground heard of it, so
//! the pool can end the pipe for a child that died before taking it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use router_api::MessageSender;

use crate::jobs::carrier::JobWire;
use crate::sender::ProcessSender;

/// What the foreground has heard of a job sent to a child: nothing yet,
/// that it started (so the child connected its outcome pipe), or that it
/// is done. Set by the job's state listener.
#[derive(Debug, Default)]
pub(crate) struct Heard(AtomicU8);

const NOTHING: u8 = 0;
const STARTED: u8 = 1;
const DONE: u8 = 2;

impl Heard {
    pub(crate) fn started(&self) {
        let _ = self
            .0
            .compare_exchange(NOTHING, STARTED, Ordering::Release, Ordering::Relaxed);
    }

    pub(crate) fn done(&self) {
        self.0.store(DONE, Ordering::Release);
    }

    pub(crate) fn nothing(&self) -> bool {
        self.0.load(Ordering::Acquire) == NOTHING
    }

    pub(crate) fn is_done(&self) -> bool {
        self.0.load(Ordering::Acquire) == DONE
    }
}

/// A job written to a child: its outcome pipe's sender here, whose token
/// the child has.
pub(crate) struct Shipped {
    pub(crate) outcome: ProcessSender<JobWire>,
    pub(crate) heard: Arc<Heard>,
}

impl Shipped {
    /// Ends the job's outcome pipe for a child that never took it, so the
    /// job fails as lost (its sender dropped). A child that did connect
    /// it holds the pipe: the router refuses this sender then (and logs
    /// the refused hello), and the child's connection ends the pipe. That
    /// happens only when the child started the job but the foreground had
    /// not yet routed its word when the child exited.
    pub(crate) fn end_unclaimed(self) {
        let mut outcome = self.outcome;
        if let Err(error) = outcome.start() {
            tracing::debug!(%error, "a lost job's outcome pipe is another's, or its router stopped");
        }
    }
}
