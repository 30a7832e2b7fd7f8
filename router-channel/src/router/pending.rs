//! The notes (notes.rs) a router has taken from its run and not yet acted
//! on: held by the router's state (mod.rs), acted on by noted.rs.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use crate::notes::Note;

/// The notes a router has taken from its run's board and not yet acted on.
pub(super) struct Pending<M> {
    /// The notes taken, in the order their senders posted them.
    pub(super) notes: RefCell<VecDeque<Note<M>>>,
    /// Whether `notes` holds any: asked between messages, so kept where it
    /// costs a load, not a borrow.
    pub(super) any: Cell<bool>,
}

impl<M> Default for Pending<M> {
    fn default() -> Self {
        Self {
            notes: RefCell::default(),
            any: Cell::new(false),
        }
    }
}

impl<M> Pending<M> {
    /// Takes every note out: the run they belong to is over and its pipes
    /// are closed. The caller drops them with no borrow held (a latest
    /// value's drop is user code).
    pub(super) fn clear(&self) -> VecDeque<Note<M>> {
        self.any.set(false);
        std::mem::take(&mut *self.notes.borrow_mut())
    }
}
