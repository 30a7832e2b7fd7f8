//! How a pipe takes its messages: what its sender and its receiver share
//! beyond the run's channel, made once from the kind asked of the router.

use std::sync::Arc;

use router_api::{PipeError, PipeKind};

use crate::credit::Credit;
use crate::latest::LatestSlot;

/// How a pipe takes its messages: the sender's way in, and what the
/// receiver counts (B4).
pub(crate) enum Kind<M> {
    /// Into the run's channel, each one.
    Queue,
    /// Into the run's channel, each one, while the credit allows.
    Bounded(Arc<Credit>),
    /// Into the pipe's slot, replacing the value there.
    Latest(Arc<LatestSlot<M>>),
}

impl<M> Kind<M> {
    /// The kind of a new pipe asked for as `kind`, with its shared state.
    ///
    /// # Errors
    ///
    /// [`PipeError::BadKind`] for a kind no pipe can have.
    // Inline: `pipe_of` had this match in its own body, and out of line it
    // would be one more call for each pipe made.
    #[inline]
    pub(crate) fn of(kind: PipeKind) -> Result<Self, PipeError> {
        Ok(match kind {
            PipeKind::Bounded { capacity: 0 } => {
                return Err(PipeError::BadKind {
                    kind,
                    why: "a bounded pipe holds at least one message",
                });
            }
            PipeKind::Bounded { capacity } => Self::Bounded(Arc::new(Credit::new(capacity))),
            PipeKind::Latest => Self::Latest(Arc::new(LatestSlot::new())),
            // Unbounded, and any kind added to router-api later.
            _ => Self::Queue,
        })
    }
}

impl<M> Clone for Kind<M> {
    fn clone(&self) -> Self {
        match self {
            Self::Queue => Self::Queue,
            Self::Bounded(credit) => Self::Bounded(Arc::clone(credit)),
            Self::Latest(slot) => Self::Latest(Arc::clone(slot)),
        }
    }
}
