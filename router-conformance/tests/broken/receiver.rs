//! The receiver of a [`Broken`](super::Broken) router.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use router_conformance::Msg;
use router_conformance::api::{Listener, ListenerId, MessageReceiver, PipeId};

use super::Flaw;

/// Ids for the listeners a [`Flaw::ReversedListeners`] receiver keeps
/// itself, far from the ids router-api hands out.
static NEXT_OWN_LISTENER: AtomicU64 = AtomicU64::new(1 << 48);

type OwnListeners = Rc<RefCell<Vec<(ListenerId, Rc<dyn Fn(&Msg)>)>>>;

pub(crate) struct BrokenReceiver<V> {
    pub(crate) inner: V,
    flaw: Flaw,
    poisoned: Rc<Cell<bool>>,
    /// The listeners, kept here and called in reverse by one listener on
    /// `inner` ([`Flaw::ReversedListeners`]).
    own: OwnListeners,
}

impl<V: MessageReceiver<Msg>> BrokenReceiver<V> {
    pub(crate) fn new(inner: V, flaw: Flaw, poisoned: Rc<Cell<bool>>) -> Self {
        let own = OwnListeners::default();
        if flaw == Flaw::ReversedListeners {
            let own = Rc::clone(&own);
            inner.connect(move |message: &Msg| {
                let listeners = own.borrow().clone();
                for (_, listener) in listeners.iter().rev() {
                    listener(message);
                }
            });
        }
        Self {
            inner,
            flaw,
            poisoned,
            own,
        }
    }
}

impl<V: MessageReceiver<Msg>> MessageReceiver<Msg> for BrokenReceiver<V> {
    fn pipe_id(&self) -> PipeId {
        self.inner.pipe_id()
    }

    fn connect_boxed(&self, listener: Listener<Msg>) -> ListenerId {
        match self.flaw {
            Flaw::ReversedListeners => {
                let id = ListenerId::new(NEXT_OWN_LISTENER.fetch_add(1, Ordering::Relaxed));
                self.own.borrow_mut().push((id, Rc::from(listener)));
                id
            }
            Flaw::PoisonedByPanic => {
                let poisoned = Rc::clone(&self.poisoned);
                self.inner.connect_boxed(Box::new(move |message: &Msg| {
                    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| listener(message))) {
                        poisoned.set(true);
                        resume_unwind(panic);
                    }
                }))
            }
            _ => self.inner.connect_boxed(listener),
        }
    }

    fn disconnect(&self, listener: ListenerId) -> bool {
        if self.flaw != Flaw::ReversedListeners {
            return self.inner.disconnect(listener);
        }
        let mut own = self.own.borrow_mut();
        let before = own.len();
        own.retain(|(id, _)| *id != listener);
        own.len() != before
    }

    fn listener_count(&self) -> usize {
        if self.flaw == Flaw::ReversedListeners {
            self.own.borrow().len()
        } else {
            self.inner.listener_count()
        }
    }
}
