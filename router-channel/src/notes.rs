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

use router_api::SenderEnd;

use crate::sync::{AtomicBool, Mutex, Ordering, lock};
use crate::table::Route;

/// A note: the sender of `route` has ended, as `end` says.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Note {
    pub(crate) route: Route,
    pub(crate) end: SenderEnd,
}

/// The notes of one run, posted by its senders and taken by the router.
#[derive(Debug)]
pub(crate) struct NoteBoard {
    notes: Mutex<Vec<Note>>,
    /// Whether `notes` may hold a note: what the router reads (no lock)
    /// before it takes them.
    posted: AtomicBool,
}

impl NoteBoard {
    pub(crate) fn new() -> Self {
        Self {
            notes: Mutex::new(Vec::new()),
            posted: AtomicBool::new(false),
        }
    }

    /// Pins `note` to the board. The caller wakes the router after.
    pub(crate) fn post(&self, note: Note) {
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
    pub(crate) fn take(&self, into: &mut impl Extend<Note>) -> bool {
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
