//! The router's side of the notes (notes.rs): when the ends of stream and
//! latest values its turns have taken (pending.rs) may be acted on, and
//! acting on them (E1, L1, L2).

use std::rc::Rc;

use crate::notes::Noted;
use crate::receiver::deliver_through_fittings;
use crate::{Channel, Envelope};

use super::Inner;
use super::run::Run;

impl<M, C> Inner<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    /// Takes the notes posted to `run` so far. Returns whether any note
    /// waits: the caller then looks at the queue, and if that look finds
    /// it empty, calls [`fence_notes`](Self::fence_notes).
    #[inline]
    pub(super) fn take_notes(&self, run: &Run<M, C>) -> bool {
        if run.link.notes.posted() && run.link.notes.take(&mut *self.pending.notes.borrow_mut()) {
            self.pending.any.set(true);
        }
        self.pending.any.get()
    }

    /// Marks every note taken so far as ready: the caller's look at the
    /// queue, which started after they were taken, found it empty.
    pub(super) fn fence_notes(&self) {
        self.pending.fenced.set(self.pending.notes.borrow().len());
    }

    /// Acts on the ready notes, in the order they were posted: tells a
    /// receiver its sender ended, or routes a latest-value pipe's newest
    /// value; a pipe closed since gets no end, and its value is discarded
    /// (R7). One note at a time and with no borrow held: a callback may
    /// call the router, route (`route_until`) or panic, and the notes after
    /// it stay where the next call finds them.
    pub(super) fn act_on_notes(&self) {
        while self.pending.fenced.get() > 0 {
            self.pending.fenced.set(self.pending.fenced.get() - 1);
            let note = {
                let mut notes = self.pending.notes.borrow_mut();
                let note = notes.pop_front();
                self.pending.any.set(!notes.is_empty());
                note
            };
            let Some(note) = note else {
                self.pending.fenced.set(0);
                return;
            };
            let receiver = self.table.borrow().get(note.route).map(Rc::clone);
            match (note.what, receiver) {
                (Noted::End(end), Some(receiver)) => {
                    tracing::trace!(pipe = %receiver.pipe(), %end, "end of stream");
                    receiver.finish(end);
                }
                (Noted::End(_), None) => {}
                (Noted::Latest(slot), receiver) => {
                    let Some(value) = slot.take() else { continue };
                    match receiver {
                        Some(receiver) => {
                            self.routed.set(self.routed.get() + 1);
                            let listeners = receiver.listeners();
                            if receiver.routes_through_fittings() {
                                deliver_through_fittings(&receiver, &listeners, value);
                            } else {
                                listeners.fire(&value);
                            }
                        }
                        None => {
                            let pipe = note.route.pipe_before(self.table.borrow().newest_pipe());
                            self.discards.discard(pipe);
                            drop(value);
                            self.discards.flush();
                        }
                    }
                }
            }
        }
    }
}
