//! Notes: what senders tell the router beside their messages, on a side
//! list of the run, so an [`Envelope`](crate::Envelope) stays a route and
//! a message and the routing loop never looks at anything else.
//!
//! A sender posts its end note after its last send has returned, with the
//! number of messages it queued (its own count, shared with nobody), then
//! wakes the router exactly as a send does (`Link::wake`). The router
//! takes the notes between messages (every few dozen, and at the end of
//! each turn) and when the queue is empty, and acts on them at once: the
//! receiver counts its pipe's messages as they are routed, so an end whose
//! messages are not all routed yet waits on the receiver for the last one
//! (router/noted.rs). That is how an end comes after the sender's last
//! message (E1) and within one turn of it, whatever else floods the queue
//! (E3).
//!
//! A latest-value pipe's sender posts a note too, when it puts a value in
//! an empty slot (latest.rs): its values never go through the channel, so
//! a burst of them costs one note and one ping (L3), the router takes
//! whatever value is newest when it reads the note (L1), and a flood on
//! other pipes delays it by one turn at most (L4). Its end's note comes
//! after, so the last value is routed before the end (L2).

use std::sync::Arc;

use router_api::SenderEnd;

use crate::latest::LatestSlot;
use crate::route::Route;
use crate::sync::{AtomicBool, Mutex, Ordering, lock};

/// A note from the sender of `route`.
#[derive(Debug)]
pub(crate) struct Note<M> {
    pub(crate) route: Route,
    pub(crate) what: Noted<M>,
}

/// What a [`Note`] says.
#[derive(Debug)]
pub(crate) enum Noted<M> {
    /// The sender has ended, as `end` says, after queueing `queued`
    /// messages in the run's channel (E1, E3).
    End {
        /// How it ended.
        end: SenderEnd,
        /// How many messages it queued: the end is told once that many of
        /// the pipe's messages are routed.
        queued: u64,
    },
    /// A latest-value pipe has a value in its slot.
    Latest(Arc<LatestSlot<M>>),
}

impl<M> Note<M> {
    /// The value waiting in the slot of a latest-value note, taken.
    pub(crate) fn latest_value(&self) -> Option<M> {
        match &self.what {
            Noted::Latest(slot) => slot.take(),
            Noted::End { .. } => None,
        }
    }
}

/// The notes of one run, posted by its senders and taken by the router.
#[derive(Debug)]
pub(crate) struct NoteBoard<M> {
    notes: Mutex<Vec<Note<M>>>,
    /// Whether `notes` may hold a note: what the router reads (no lock)
    /// before it takes them.
    posted: AtomicBool,
}

impl<M> NoteBoard<M> {
    pub(crate) fn new() -> Self {
        Self {
            notes: Mutex::new(Vec::new()),
            posted: AtomicBool::new(false),
        }
    }

    /// Pins `note` to the board. The caller wakes the router after.
    pub(crate) fn post(&self, note: Note<M>) {
        lock(&self.notes).push(note);
        self.posted.store(true, Ordering::Release);
    }

    /// Whether a note may be waiting.
    #[inline]
    pub(crate) fn posted(&self) -> bool {
        self.posted.load(Ordering::Acquire)
    }

    /// Moves every note posted so far to the back of `into`, in the order
    /// they were posted. Returns whether it moved any.
    pub(crate) fn take(&self, into: &mut impl Extend<Note<M>>) -> bool {
        if !self.posted() {
            return false;
        }
        // Cleared before the lock: a note posted from here on sets it again.
        self.posted.store(false, Ordering::Relaxed);
        let notes = std::mem::take(&mut *lock(&self.notes));
        let any = !notes.is_empty();
        into.extend(notes);
        any
    }
}
