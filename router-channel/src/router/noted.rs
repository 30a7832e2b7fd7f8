//! The router's side of the notes (notes.rs): acting on the ends of
//! stream and latest values its routing calls take (pending.rs), between
//! messages as well as when the queue is empty (E1, E3, L1, L2, L4).
//!
//! An end note carries the number of messages its sender queued; the
//! receiver counts the pipe's messages as they are routed, so an end taken
//! while its pipe's last messages are still queued waits for them (it is
//! parked on the receiver, fittings.rs) and is told right after the last
//! one, whatever else is queued. Latest values never go through the queue:
//! their notes are acted on as soon as they are taken, and an end of a
//! latest-value pipe comes after its last value's note.

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
    /// Whether notes may wait: posted to `run`, or taken and not yet
    /// acted on (a callback panicked in the middle of them).
    #[inline]
    pub(super) fn notes_waiting(&self, run: &Run<M, C>) -> bool {
        run.link.notes.posted() || self.pending.any.get()
    }

    /// Takes the notes posted to `run` so far and acts on each note taken,
    /// in the order they were posted: tells a receiver its sender ended,
    /// now if the pipe's messages are all routed, else once the last is;
    /// routes a latest-value pipe's newest value. A pipe closed since gets
    /// no end, and its value is discarded (R7). One note at a time and
    /// with no borrow held: a callback may call the router, route
    /// (`route_until`) or panic, and the notes after it stay where the
    /// next call finds them.
    pub(super) fn act_on_notes(&self, run: &Run<M, C>) {
        if run.link.notes.posted() && run.link.notes.take(&mut *self.pending.notes.borrow_mut()) {
            self.pending.any.set(true);
        }
        loop {
            let note = {
                let mut notes = self.pending.notes.borrow_mut();
                let note = notes.pop_front();
                self.pending.any.set(!notes.is_empty());
                note
            };
            let Some(note) = note else {
                return;
            };
            let receiver = self.table.borrow().get(note.route).map(Rc::clone);
            match (note.what, receiver) {
                (Noted::End { end, queued }, Some(receiver)) => {
                    tracing::trace!(pipe = %receiver.pipe(), %end, queued, "end of stream");
                    receiver.end_after(end, queued);
                }
                (Noted::End { .. }, None) => {}
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
