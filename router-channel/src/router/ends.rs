//! End of stream on the router's side: the notes its turns have taken, and
//! when they may be acted on (E1; the argument is in notes.rs).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use crate::notes::Note;
use crate::{Channel, Envelope};

use super::Inner;
use super::run::Run;

/// The notes a router has taken from its run's board and not yet acted on.
#[derive(Default)]
pub(super) struct Ends {
    pending: RefCell<VecDeque<Note>>,
    /// How many of the first `pending` notes were taken before a look that
    /// found the queue empty: those senders' messages are all routed.
    fenced: Cell<usize>,
}

impl Ends {
    /// Forgets every note: the run they belong to is over, and its pipes
    /// are closed.
    pub(super) fn clear(&self) {
        self.pending.borrow_mut().clear();
        self.fenced.set(0);
    }
}

impl<M, C> Inner<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    /// Takes the notes posted to `run` so far. Returns whether any note
    /// waits: the caller then looks at the queue, and if that look finds
    /// it empty, calls [`fence_ends`](Self::fence_ends).
    #[inline]
    pub(super) fn take_ends(&self, run: &Run<M, C>) -> bool {
        if run.link.notes.posted() {
            run.link.notes.take(&mut *self.ends.pending.borrow_mut());
        }
        !self.ends.pending.borrow().is_empty()
    }

    /// Marks every note taken so far as ready: the caller's look at the
    /// queue, which started after they were taken, found it empty.
    pub(super) fn fence_ends(&self) {
        self.ends.fenced.set(self.ends.pending.borrow().len());
    }

    /// Tells the receivers of the ready notes that their senders ended, in
    /// the order the notes were posted; a pipe closed since gets nothing.
    /// One note at a time and with no borrow held: an end callback may call
    /// the router, route (`route_until`) or panic, and the notes after it
    /// stay where the next call finds them.
    pub(super) fn deliver_ends(&self) {
        while self.ends.fenced.get() > 0 {
            self.ends.fenced.set(self.ends.fenced.get() - 1);
            let Some(note) = self.ends.pending.borrow_mut().pop_front() else {
                self.ends.fenced.set(0);
                return;
            };
            let receiver = self.table.borrow().get(note.route).map(Rc::clone);
            if let Some(receiver) = receiver {
                tracing::trace!(pipe = %receiver.pipe(), end = %note.end, "end of stream");
                receiver.finish(note.end);
            }
        }
    }
}
