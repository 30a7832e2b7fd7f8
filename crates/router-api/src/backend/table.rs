//! The routing table: a slab of receivers indexed by a slot number that
//! travels with every message, so a look-up is one bounds check and one
//! comparison, whatever the number of open pipes.

use std::rc::Rc;

use crate::PipeId;
use crate::receiver::ReceiverShared;

/// Where a message goes: the table slot of its pipe, and the pipe itself,
/// which tells a live slot from one reused by a later pipe.
///
/// Backends that carry messages beyond one process (see [`Forwarder`](super::Forwarder))
/// write a route as its two numbers and read it back with
/// [`from_parts`](Self::from_parts). A route that names no open pipe is
/// harmless: its messages are discarded with the closed-pipe warning.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Route {
    pub(crate) slot: u32,
    pub(crate) pipe: PipeId,
}

impl Route {
    /// The route with the given slot and pipe.
    #[must_use]
    pub const fn from_parts(slot: u32, pipe: PipeId) -> Self {
        Self { slot, pipe }
    }

    /// The slot of the pipe in its router's table.
    #[must_use]
    pub const fn slot(self) -> u32 {
        self.slot
    }

    /// The pipe.
    #[must_use]
    pub const fn pipe(self) -> PipeId {
        self.pipe
    }
}

enum Slot<M> {
    Open(Rc<ReceiverShared<M>>),
    Free { next: u32 },
}

/// The open pipes of one router run.
pub(crate) struct RoutingTable<M> {
    slots: Vec<Slot<M>>,
    free: u32,
    open: usize,
}

const NONE: u32 = u32::MAX;

impl<M> RoutingTable<M> {
    pub(crate) fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: NONE,
            open: 0,
        }
    }

    pub(crate) fn open_pipes(&self) -> usize {
        self.open
    }

    /// The slot the next [`insert`](Self::insert) will use, or `None` when
    /// the table is full.
    pub(crate) fn vacant_slot(&self) -> Option<u32> {
        if self.free != NONE {
            Some(self.free)
        } else {
            u32::try_from(self.slots.len())
                .ok()
                .filter(|&slot| slot != NONE)
        }
    }

    /// Puts `receiver` in its slot, which must be [`vacant_slot`](Self::vacant_slot).
    pub(crate) fn insert(&mut self, receiver: Rc<ReceiverShared<M>>) {
        let slot = receiver.slot();
        let index = slot as usize;
        if slot == self.free {
            if let Some(Slot::Free { next }) = self.slots.get(index) {
                self.free = *next;
            }
            self.slots[index] = Slot::Open(receiver);
        } else {
            debug_assert_eq!(index, self.slots.len());
            self.slots.push(Slot::Open(receiver));
        }
        self.open += 1;
    }

    /// The receiver a message on `route` goes to, if its pipe is open.
    pub(crate) fn get(&self, route: Route) -> Option<&Rc<ReceiverShared<M>>> {
        match self.slots.get(route.slot as usize) {
            Some(Slot::Open(receiver)) if receiver.pipe() == route.pipe => Some(receiver),
            _ => None,
        }
    }

    /// Takes the receiver of `route` out of the table.
    pub(crate) fn remove(&mut self, route: Route) -> Option<Rc<ReceiverShared<M>>> {
        self.get(route)?;
        let freed = std::mem::replace(
            &mut self.slots[route.slot as usize],
            Slot::Free { next: self.free },
        );
        self.free = route.slot;
        self.open -= 1;
        match freed {
            Slot::Open(receiver) => {
                receiver.retire_snapshots();
                Some(receiver)
            }
            Slot::Free { .. } => None,
        }
    }

    /// Empties the table and returns what it held, for the caller to drop
    /// once it holds no borrow.
    pub(crate) fn take_all(&mut self) -> Vec<Rc<ReceiverShared<M>>> {
        self.free = NONE;
        self.open = 0;
        std::mem::take(&mut self.slots)
            .into_iter()
            .filter_map(|slot| match slot {
                Slot::Open(receiver) => {
                    receiver.retire_snapshots();
                    Some(receiver)
                }
                Slot::Free { .. } => None,
            })
            .collect()
    }
}
