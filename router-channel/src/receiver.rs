//! The receiver every channel backend hands out, and the listener lists
//! the router fires.

use std::cell::{Cell, OnceCell, RefCell};
use std::fmt;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use router_api::{EndListener, Listener, ListenerId, MessageReceiver, PipeId, SenderEnd};

use crate::fittings::Fittings;
use crate::kind::Kind;
use crate::route::Route;
use crate::stream_shared::StreamShared;
use crate::sync;

pub(crate) type SharedListener<M> = Rc<dyn Fn(&M)>;
type ListenerSlice<M> = Rc<[(ListenerId, SharedListener<M>)]>;

/// Listener ids are numbered process-wide, so a receiver never mistakes
/// another receiver's listener for one of its own.
static NEXT_LISTENER: AtomicU64 = AtomicU64::new(1);

/// The listeners of one receiver, kept as an immutable list swapped on each
/// change, so a dispatch holds no borrow while listeners run and a listener
/// may change the list (R11).
struct ListenerList<M> {
    current: Option<ListenerSlice<M>>,
}

/// What a dropped [`PipeReceiver`] asks of its router: to close its pipe
/// (D1).
pub(crate) trait PipeCloser {
    /// Closes the pipe of `route` if it is still open; a pipe closed
    /// already, or a router stopped, is left as it is.
    fn close_dropped(&self, route: Route);
}

/// The shared state of a [`PipeReceiver`]: what the routing table holds.
pub(crate) struct ReceiverShared<M> {
    pipe: PipeId,
    owner: u64,
    slot: u32,
    /// Counts the changes that make a [`Listeners`] snapshot stale: each
    /// connect, each disconnect, and the pipe leaving the routing table.
    /// The router reuses a snapshot while this stays the same.
    epoch: Cell<u64>,
    listeners: RefCell<ListenerList<M>>,
    /// Made with the pipe for a bounded or latest-value pipe, else when
    /// first needed (fittings.rs).
    fittings: OnceCell<Box<Fittings<M>>>,
    /// How many of the pipe's queued messages were routed: its sender's
    /// end is told once this reaches the count the end note carries (E1,
    /// E3).
    routed: Cell<u64>,
    /// Set when the pipe leaves the routing table: its sender reads it
    /// (C1).
    closed: Arc<sync::AtomicBool>,
}

impl<M> ReceiverShared<M> {
    pub(crate) fn pipe(&self) -> PipeId {
        self.pipe
    }

    pub(crate) fn owner(&self) -> u64 {
        self.owner
    }

    pub(crate) fn slot(&self) -> u32 {
        self.slot
    }

    /// The listeners connected now, to fire once no borrow is held.
    pub(crate) fn listeners(&self) -> Listeners<M> {
        Listeners(self.listeners.borrow().current.clone())
    }

    /// The number of changes so far; a snapshot taken at the same epoch is
    /// current.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.get()
    }

    /// Marks every snapshot taken so far stale: the listeners changed, the
    /// receiver became a stream, or the pipe left the routing table.
    pub(crate) fn retire_snapshots(&self) {
        self.epoch.set(self.epoch.get().wrapping_add(1));
    }

    /// The pipe's fittings, if it has any.
    pub(crate) fn fittings(&self) -> Option<&Fittings<M>> {
        self.fittings.get().map(|fittings| &**fittings)
    }

    /// The pipe's fittings, made now if it had none (an unbounded pipe).
    fn fittings_now(&self) -> &Fittings<M> {
        self.fittings
            .get_or_init(|| Box::new(Fittings::new(Kind::Queue)))
    }

    /// Whether routing to this pipe does more than fire its listeners: its
    /// messages go through its fittings too.
    pub(crate) fn routes_through_fittings(&self) -> bool {
        self.fittings().is_some_and(Fittings::act_on_messages)
    }

    /// One more of the pipe's queued messages is routed.
    #[inline]
    pub(crate) fn count_routed(&self) {
        self.routed.set(self.routed.get() + 1);
    }

    /// Whether the pipe has left the routing table (C1).
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(sync::Ordering::Acquire)
    }

    /// The sender ended as `end` after queueing `queued` messages: tells
    /// the end now if they are all routed, else once the last is (E1, E3).
    pub(crate) fn end_after(&self, end: SenderEnd, queued: u64) {
        if self.routed.get() >= queued {
            self.finish(end);
        } else {
            self.fittings_now().park_end(end, queued);
            // Remembered snapshots must route through the fittings now.
            self.retire_snapshots();
        }
    }

    /// Tells a parked end (see [`end_after`](Self::end_after)) once the
    /// pipe's last queued message is routed.
    fn end_if_due(&self, fittings: &Fittings<M>) {
        // A listener of the last message may have closed the pipe (or
        // stopped the router): a closed pipe is told nothing (E1).
        if self.is_closed() {
            return;
        }
        if let Some(end) = fittings.parked_end_due(self.routed.get()) {
            self.finish(end);
        }
    }

    /// The pipe has left the routing table (closed, or its router
    /// stopped): its sender reads it closed (C1), snapshots are stale, a
    /// bounded pipe's waiting sender fails instead of waiting for room
    /// that never comes (B2), and a stream ends.
    pub(crate) fn leave_table(&self) {
        self.closed.store(true, sync::Ordering::Release);
        self.retire_snapshots();
        if let Some(fittings) = self.fittings() {
            if let Some(credit) = fittings.credit() {
                credit.close();
            }
            if let Some(stream) = fittings.stream() {
                stream.end();
            }
        }
    }

    /// Tells the receiver its sender has ended (E1).
    pub(crate) fn finish(&self, end: SenderEnd) {
        self.fittings_now().finish(self.pipe, end);
    }
}

/// The listeners of a receiver at one moment: a snapshot, so a listener
/// may change the receiver's list while it fires (R11).
pub(crate) struct Listeners<M>(Option<ListenerSlice<M>>);

impl<M> Listeners<M> {
    /// The snapshot's listener, if it has exactly one.
    pub(crate) fn sole(&self) -> Option<&SharedListener<M>> {
        match self.0.as_deref() {
            Some([(_, listener)]) => Some(listener),
            _ => None,
        }
    }

    /// Gives `message` to every listener of the snapshot, in order.
    #[inline]
    pub(crate) fn fire(&self, message: &M) {
        if let Some(listeners) = &self.0 {
            for (_, listener) in listeners.iter() {
                listener(message);
            }
        }
    }
}

/// Hands `message` of a pipe that routes through its fittings: a unit
/// owed to a bounded pipe, the listeners of the snapshot, then, owned, the
/// stream the receiver became. Out of line: the routing loop's common case
/// is a pipe with no fittings.
#[inline(never)]
pub(crate) fn deliver_through_fittings<M>(
    receiver: &ReceiverShared<M>,
    listeners: &Listeners<M>,
    message: M,
) {
    let Some(fittings) = receiver.fittings() else {
        listeners.fire(&message);
        return;
    };
    fittings.owe_one();
    listeners.fire(&message);
    if let Some(stream) = fittings.stream() {
        stream.push(message);
    }
    receiver.end_if_due(fittings);
}

/// The receiver every backend built on
/// [`ChannelRouter`](crate::ChannelRouter) hands out.
///
/// It lives on the foreground thread (it is neither `Send` nor `Sync`) and
/// fires each message of its pipe to its listeners, in the order they were
/// connected (V1).
///
/// Dropping it closes its pipe, as `close_pipe` does (D1): its listeners
/// and end callbacks drop, and messages still on their way are discarded
/// and counted (R7).
pub struct PipeReceiver<M> {
    shared: Rc<ReceiverShared<M>>,
    router: Weak<dyn PipeCloser>,
}

impl<M> PipeReceiver<M> {
    pub(crate) fn new(
        pipe: PipeId,
        owner: u64,
        slot: u32,
        router: Weak<dyn PipeCloser>,
        kind: Kind<M>,
        closed: Arc<sync::AtomicBool>,
    ) -> Self {
        let fittings = OnceCell::new();
        if !matches!(kind, Kind::Queue) {
            let _ = fittings.set(Box::new(Fittings::new(kind)));
        }
        Self {
            shared: Rc::new(ReceiverShared {
                pipe,
                owner,
                slot,
                epoch: Cell::new(0),
                listeners: RefCell::new(ListenerList { current: None }),
                fittings,
                routed: Cell::new(0),
                closed,
            }),
            router,
        }
    }

    pub(crate) fn shared(&self) -> &Rc<ReceiverShared<M>> {
        &self.shared
    }

    /// Hands every message routed from now on to `stream` too.
    pub(crate) fn attach_stream(&self, stream: Rc<StreamShared<M>>) {
        self.shared.fittings_now().set_stream(stream);
        self.shared.retire_snapshots();
    }
}

impl<M> MessageReceiver<M> for PipeReceiver<M> {
    fn pipe_id(&self) -> PipeId {
        self.shared.pipe
    }

    fn connect_boxed(&self, listener: Listener<M>) -> ListenerId {
        let mut list = self.shared.listeners.borrow_mut();
        let id = ListenerId::new(NEXT_LISTENER.fetch_add(1, Ordering::Relaxed));
        let mut entries: Vec<_> = list.current.as_deref().unwrap_or(&[]).to_vec();
        entries.push((id, Rc::from(listener)));
        list.current = Some(entries.into());
        self.shared.retire_snapshots();
        id
    }

    fn disconnect(&self, listener: ListenerId) -> bool {
        let mut list = self.shared.listeners.borrow_mut();
        let Some(current) = list.current.as_deref() else {
            return false;
        };
        if !current.iter().any(|(id, _)| *id == listener) {
            return false;
        }
        let kept: Vec<_> = current
            .iter()
            .filter(|(id, _)| *id != listener)
            .cloned()
            .collect();
        let removed = if kept.is_empty() {
            list.current.take()
        } else {
            list.current.replace(kept.into())
        };
        self.shared.retire_snapshots();
        // The old list may hold the last reference to a closure whose drop
        // runs user code: let it go after the borrow ends.
        drop(list);
        drop(removed);
        true
    }

    fn listener_count(&self) -> usize {
        self.shared
            .listeners
            .borrow()
            .current
            .as_deref()
            .map_or(0, <[_]>::len)
    }

    fn on_end_boxed(&self, callback: EndListener) {
        self.shared.fittings_now().on_end(callback);
    }

    fn end(&self) -> Option<SenderEnd> {
        self.shared.fittings().and_then(Fittings::end)
    }

    fn queued(&self) -> Option<usize> {
        match self.shared.fittings().map(Fittings::kind) {
            None | Some(Kind::Queue) => None,
            Some(Kind::Bounded(credit)) => Some(credit.queued()),
            Some(Kind::Latest(slot)) => Some(usize::from(slot.is_full())),
        }
    }
}

impl<M> Drop for PipeReceiver<M> {
    fn drop(&mut self) {
        if let Some(router) = self.router.upgrade() {
            router.close_dropped(Route::from_parts(self.shared.slot, self.shared.pipe));
        }
    }
}

impl<M> fmt::Debug for PipeReceiver<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeReceiver")
            .field("pipe", &self.shared.pipe)
            .field("listeners", &self.listener_count())
            .field("end", &self.end())
            .finish()
    }
}
