//! The routing table: a slab of receivers indexed by a slot number that
//! travels with every message, so a look-up is one bounds check and one
//! comparison, whatever the number of open pipes.

use std::rc::{Rc, Weak};
use std::sync::Arc;

use router_api::{PipeError, PipeId};

use crate::kind::Kind;
use crate::link::Link;
use crate::receiver::{PipeCloser, PipeReceiver, ReceiverShared};
use crate::route::Route;
use crate::sender::ChannelSender;
use crate::sync::AtomicBool;
use crate::{Channel, Envelope};

enum Slot<M> {
    Open(Rc<ReceiverShared<M>>),
    Free { next: u32 },
}

/// The open pipes of a router, and the numbering of its pipes, which goes
/// on across runs.
pub(crate) struct RoutingTable<M> {
    slots: Vec<Slot<M>>,
    free: u32,
    open: usize,
    /// How many pipes the router has made, over all its runs.
    made: u64,
}

const NONE: u32 = u32::MAX;

impl<M> RoutingTable<M> {
    pub(crate) fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: NONE,
            open: 0,
            made: 0,
        }
    }

    /// Opens a pipe of `kind` for `router`, numbered `owner`: numbers it,
    /// puts its receiver in a vacant slot, and hands out both ends. The
    /// sender sends through `link`, the receiver asks `router` to close the
    /// pipe when it drops (D1).
    ///
    /// # Errors
    ///
    /// [`PipeError::TooManyPipes`] when no slot is vacant.
    pub(crate) fn open<C: Channel<Envelope<M>>, R: PipeCloser + 'static>(
        &mut self,
        kind: Kind<M>,
        router: &Rc<R>,
        owner: u64,
        link: &Arc<Link<M, C>>,
    ) -> Result<(ChannelSender<M, C>, PipeReceiver<M>), PipeError> {
        let slot = self.vacant_slot().ok_or(PipeError::TooManyPipes {
            open: self.open_pipes(),
        })?;
        let pipe = self.number_pipe();
        let closer: Weak<dyn PipeCloser> = Rc::downgrade(router) as _;
        let closed = Arc::new(AtomicBool::new(false));
        let receiver =
            PipeReceiver::new(pipe, owner, slot, closer, kind.clone(), Arc::clone(&closed));
        self.insert(Rc::clone(receiver.shared()));
        let route = Route::from_parts(slot, pipe);
        let sender = ChannelSender::new(pipe, route, Arc::clone(link), kind, closed);
        Ok((sender, receiver))
    }

    /// The number of a new pipe.
    fn number_pipe(&mut self) -> PipeId {
        self.made += 1;
        PipeId::new(self.made)
    }

    /// The newest pipe numbered so far.
    pub(crate) fn newest_pipe(&self) -> PipeId {
        PipeId::new(self.made)
    }

    pub(crate) fn open_pipes(&self) -> usize {
        self.open
    }

    /// The slot the next [`insert`](Self::insert) will use, or `None` when
    /// the table is full.
    fn vacant_slot(&self) -> Option<u32> {
        if self.free != NONE {
            Some(self.free)
        } else {
            u32::try_from(self.slots.len())
                .ok()
                .filter(|&slot| slot != NONE)
        }
    }

    /// Puts `receiver` in its slot, which must be [`vacant_slot`](Self::vacant_slot).
    fn insert(&mut self, receiver: Rc<ReceiverShared<M>>) {
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
        match self.slots.get(route.slot() as usize) {
            Some(Slot::Open(receiver)) if route.names(receiver.pipe()) => Some(receiver),
            _ => None,
        }
    }

    /// Takes the receiver of `route` out of the table.
    pub(crate) fn remove(&mut self, route: Route) -> Option<Rc<ReceiverShared<M>>> {
        self.get(route)?;
        let freed = std::mem::replace(
            &mut self.slots[route.slot() as usize],
            Slot::Free { next: self.free },
        );
        self.free = route.slot();
        self.open -= 1;
        match freed {
            Slot::Open(receiver) => {
                receiver.leave_table();
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
                    receiver.leave_table();
                    Some(receiver)
                }
                Slot::Free { .. } => None,
            })
            .collect()
    }
}
