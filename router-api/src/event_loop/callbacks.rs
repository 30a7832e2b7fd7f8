//! The callbacks registered on a loop, kept on its foreground thread: the
//! one registry both loops of this crate use.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// Registered callbacks by id. Only the loop's thread touches it.
#[derive(Default)]
pub(super) struct Callbacks {
    map: RefCell<HashMap<u64, Rc<dyn Fn()>>>,
    next: Cell<u64>,
}

impl Callbacks {
    /// Registers `callback`; returns its id.
    pub(super) fn register(&self, callback: Box<dyn Fn()>) -> u64 {
        let id = self.next.get() + 1;
        self.next.set(id);
        self.map.borrow_mut().insert(id, Rc::from(callback));
        id
    }

    /// The callback of `id`, if it is still registered: a clone, so no
    /// borrow is held while it runs (it may register or remove callbacks).
    pub(super) fn get(&self, id: u64) -> Option<Rc<dyn Fn()>> {
        self.map.borrow().get(&id).cloned()
    }

    /// Unregisters `id`. The callback drops after the borrow ends: its
    /// captures may run user code when they drop.
    pub(super) fn remove(&self, id: u64) {
        let removed = self.map.borrow_mut().remove(&id);
        drop(removed);
    }

    /// How many callbacks are registered.
    pub(super) fn len(&self) -> usize {
        self.map.borrow().len()
    }
}
