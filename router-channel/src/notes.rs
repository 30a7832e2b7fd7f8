//! Notes: what senders tell the router beside their messages, on a side
//! list of the run, so an [`Envelope`](crate::Envelope) stays a route and
//! a message and the routing loop never looks at anything else.
//!
//! A sender posts its note after its last send has returned, then wakes
//! the router exactly as a send does (`Link::wake`). The router takes the
//! notes when a turn (or `route_until`) finds the queue empty, and acts on
//! them only after a look at the queue that started after the take finds
//! it empty again: every message sent before a note was posted is visible
//! to that look (the channel's contract), so it has been routed. That is
//! how an end of stream comes after the sender's last message (E1) with
//! no count per message on the routing loop's path.
//!
//! A latest-value pipe's sender posts a note too, when it puts a value in
//! an empty slot (latest.rs): its values never go through the channel, so
//! a burst of them costs one note and one ping (L3), and the router takes
//! whatever value is newest when it reads the note (L1). Its end's note
//! comes after, so the last value is routed before the end (L2).

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
    /// The sender has ended, as it says.
    End(SenderEnd),
    /// A latest-value pipe has a value in its slot.
    Latest(Arc<LatestSlot<M>>),
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
