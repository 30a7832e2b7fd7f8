//! A pipe's fittings: what it has beyond its listeners. Its kind's shared
//! state (a bounded pipe's credit, a latest-value pipe's slot), the units
//! of credit its routing owes, its end callbacks, the stream it feeds.
//! Kept in one box that a plain pipe never allocates until its end comes,
//! so a million open pipes cost what they did before these existed, and
//! the routing loop asks one flag of a remembered pipe
//! ([`Fittings::act_on_messages`]) instead of several.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use router_api::{EndListener, PipeId, SenderEnd};

use crate::credit::Credit;
use crate::kind::Kind;
use crate::stream_shared::StreamShared;

/// The end of stream of one receiver: the callbacks waiting for it, or the
/// end once it came (E1).
#[derive(Default)]
struct Ending {
    callbacks: Vec<EndListener>,
    end: Option<SenderEnd>,
}

/// What a pipe has beyond its listeners; see the module docs.
pub(crate) struct Fittings<M> {
    kind: Kind<M>,
    /// Units of a bounded pipe's credit the routing loop owes (credit.rs,
    /// `Credit::batch`): only the foreground touches it.
    owed: Cell<usize>,
    /// `Credit::batch`, kept here: the capacity it comes from sits on the
    /// cache line the pipe's sender writes per message (credit.rs), which a
    /// read per message routed moved between the cores per message
    /// (router-bench's README, "Bounded pipes").
    batch: usize,
    ending: RefCell<Ending>,
    /// The stream the receiver became (stream.rs).
    stream: RefCell<Option<Rc<StreamShared<M>>>>,
    /// The sender's end, with the number of messages it queued, taken
    /// before the last of them was routed: told once it is (E3).
    parked: Cell<Option<(SenderEnd, u64)>>,
}

impl<M> Fittings<M> {
    pub(crate) fn new(kind: Kind<M>) -> Self {
        let batch = match &kind {
            Kind::Bounded(credit) => credit.batch(),
            Kind::Queue | Kind::Latest(_) => usize::MAX,
        };
        Self {
            kind,
            owed: Cell::new(0),
            batch,
            ending: RefCell::default(),
            stream: RefCell::new(None),
            parked: Cell::new(None),
        }
    }

    pub(crate) fn kind(&self) -> &Kind<M> {
        &self.kind
    }

    /// The credit of a bounded pipe.
    pub(crate) fn credit(&self) -> Option<&Arc<Credit>> {
        match &self.kind {
            Kind::Bounded(credit) => Some(credit),
            Kind::Queue | Kind::Latest(_) => None,
        }
    }

    /// Whether these fittings act on each message routed to the pipe, so
    /// routing one does more than fire its listeners: a unit owed to a
    /// bounded pipe, the message handed on to a stream, or an end waiting
    /// for the pipe's last message.
    pub(crate) fn act_on_messages(&self) -> bool {
        self.credit().is_some() || self.stream.borrow().is_some() || self.parked.get().is_some()
    }

    /// Keeps the sender's `end` until `queued` of the pipe's messages are
    /// routed.
    pub(crate) fn park_end(&self, end: SenderEnd, queued: u64) {
        self.parked.set(Some((end, queued)));
    }

    /// The parked end, taken, if `routed` messages are all it waited for.
    pub(crate) fn parked_end_due(&self, routed: u64) -> Option<SenderEnd> {
        match self.parked.get() {
            Some((end, queued)) if routed >= queued => {
                self.parked.set(None);
                Some(end)
            }
            _ => None,
        }
    }

    /// The routing loop handed one message of this pipe to its listeners:
    /// owes a unit back to a bounded pipe, paid in batches.
    pub(crate) fn owe_one(&self) {
        if self.credit().is_some() {
            if self
                .stream
                .borrow()
                .as_ref()
                .is_some_and(|stream| stream.holds_credit())
            {
                // The stream gives the unit back when it yields the message.
                return;
            }
            self.owe_unit();
        }
    }

    /// Whether a unit owed to a bounded pipe is all these fittings do per
    /// message (no stream, no end parked): then the routing loop owes it
    /// with [`owe_unit`](Self::owe_unit), inline, and fires the listeners
    /// itself. True until the receiver's epoch moves: making a stream and
    /// parking an end both move it.
    pub(crate) fn only_owe_units(&self) -> bool {
        self.credit().is_some() && self.stream.borrow().is_none() && self.parked.get().is_none()
    }

    /// Owes a bounded pipe one unit, given back with the batch it
    /// completes.
    #[inline]
    pub(crate) fn owe_unit(&self) {
        let owed = self.owed.get() + 1;
        if owed >= self.batch {
            self.give_back_owed(owed);
        } else {
            self.owed.set(owed);
        }
    }

    #[inline(never)]
    fn give_back_owed(&self, owed: usize) {
        self.owed.set(0);
        if let Some(credit) = self.credit() {
            credit.give_back(owed);
        }
    }

    /// Gives a bounded pipe the units owed it.
    pub(crate) fn pay(&self) {
        let owed = self.owed.replace(0);
        if owed > 0
            && let Some(credit) = self.credit()
        {
            credit.give_back(owed);
        }
    }

    pub(crate) fn stream(&self) -> Option<Rc<StreamShared<M>>> {
        self.stream.borrow().clone()
    }

    pub(crate) fn set_stream(&self, stream: Rc<StreamShared<M>>) {
        if let Some(credit) = self.credit() {
            stream.hold_credit(Arc::clone(credit));
        }
        *self.stream.borrow_mut() = Some(stream);
    }

    pub(crate) fn end(&self) -> Option<SenderEnd> {
        self.ending.borrow().end
    }

    /// Registers an end callback, or runs it now if the end came.
    pub(crate) fn on_end(&self, callback: EndListener) {
        let end = {
            let mut ending = self.ending.borrow_mut();
            match ending.end {
                Some(end) => end,
                None => {
                    ending.callbacks.push(callback);
                    return;
                }
            }
        };
        callback(&end);
    }

    /// The end came: runs the end callbacks, in order, with no borrow held
    /// (a callback may call the router or register another). A second end
    /// is a backend's bug, and ignored.
    pub(crate) fn finish(&self, pipe: PipeId, end: SenderEnd) {
        let callbacks = {
            let mut ending = self.ending.borrow_mut();
            if ending.end.is_some() {
                tracing::error!(pipe = %pipe, %end, "a second end of stream for one pipe: ignored");
                return;
            }
            ending.end = Some(end);
            std::mem::take(&mut ending.callbacks)
        };
        for callback in callbacks {
            callback(&end);
        }
    }
}
