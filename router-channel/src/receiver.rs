//! The receiver every channel backend hands out, and the listener lists
//! the router fires.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use router_api::{
    EndListener, IntoMessageStream, Listener, ListenerId, MessageReceiver, PipeId, SenderEnd,
};

use crate::credit::Credit;
use crate::sender::Kind;
use crate::stream::{MessageStream, StreamShared};
use crate::table::Route;

type SharedListener<M> = Rc<dyn Fn(&M)>;
type ListenerSlice<M> = Rc<[(ListenerId, SharedListener<M>)]>;

/// Listener ids are numbered process-wide, so a receiver never mistakes
/// another receiver's listener for one of its own.
static NEXT_LISTENER: AtomicU64 = AtomicU64::new(1);

/// The listeners of one receiver, kept as an immutable list swapped on each
/// change, so a dispatch holds no borrow while listeners run and a listener
/// may change the list (R11).
struct ListenerList<M> {
    current: Option<ListenerSlice<M>>,
    /// The stream this receiver became, which takes each message after
    /// the listeners, owned (stream.rs).
    stream: Option<Rc<StreamShared<M>>>,
}

/// What a dropped [`PipeReceiver`] asks of its router: to close its pipe
/// (D1).
pub(crate) trait PipeCloser {
    /// Closes the pipe of `route` if it is still open; a pipe closed
    /// already, or a router stopped, is left as it is.
    fn close_dropped(&self, route: Route);
}

/// The end of stream of one receiver: the callbacks waiting for it, or the
/// end once it came (E1).
#[derive(Default)]
struct Ending {
    callbacks: Vec<EndListener>,
    end: Option<SenderEnd>,
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
    ending: RefCell<Ending>,
    kind: Kind<M>,
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
        let list = self.listeners.borrow();
        Listeners {
            list: list.current.clone(),
            stream: list.stream.clone(),
        }
    }

    /// The number of changes so far; a snapshot taken at the same epoch is
    /// current.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.get()
    }

    /// Marks every snapshot taken so far stale: the listeners changed, or
    /// the pipe left the routing table.
    pub(crate) fn retire_snapshots(&self) {
        self.epoch.set(self.epoch.get().wrapping_add(1));
    }

    /// The credit of a bounded pipe, which the router gives a unit back to
    /// for each message it routes.
    pub(crate) fn credit(&self) -> Option<&Arc<Credit>> {
        match &self.kind {
            Kind::Bounded(credit) => Some(credit),
            Kind::Queue | Kind::Latest(_) => None,
        }
    }

    /// The pipe has left the routing table (closed, or its router
    /// stopped): snapshots are stale, and a bounded pipe's waiting sender
    /// fails instead of waiting for room that never comes (B2).
    pub(crate) fn leave_table(&self) {
        self.retire_snapshots();
        if let Some(credit) = self.credit() {
            credit.close();
        }
        let stream = self.listeners.borrow().stream.clone();
        if let Some(stream) = stream {
            stream.end();
        }
    }

    /// Tells the receiver its sender has ended: runs the end callbacks, in
    /// order, with no borrow held (a callback may call the router or
    /// register another). A second end is a backend's bug, and ignored.
    pub(crate) fn finish(&self, end: SenderEnd) {
        let callbacks = {
            let mut ending = self.ending.borrow_mut();
            if ending.end.is_some() {
                tracing::error!(pipe = %self.pipe, %end, "a second end of stream for one pipe: ignored");
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

/// The listeners of a receiver at one moment: a snapshot, so a listener
/// may change the receiver's list while it fires (R11).
pub(crate) struct Listeners<M> {
    list: Option<ListenerSlice<M>>,
    stream: Option<Rc<StreamShared<M>>>,
}

impl<M> Listeners<M> {
    /// Gives `message` to every listener of the snapshot, in order, and
    /// then, owned, to the stream the receiver became, if it did.
    #[inline]
    pub(crate) fn deliver(&self, message: M) {
        if let Some(listeners) = &self.list {
            for (_, listener) in listeners.iter() {
                listener(&message);
            }
        }
        if let Some(stream) = &self.stream {
            stream.push(message);
        }
    }
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
    ) -> Self {
        Self {
            shared: Rc::new(ReceiverShared {
                pipe,
                owner,
                slot,
                epoch: Cell::new(0),
                listeners: RefCell::new(ListenerList {
                    current: None,
                    stream: None,
                }),
                ending: RefCell::default(),
                kind,
            }),
            router,
        }
    }

    pub(crate) fn shared(&self) -> &Rc<ReceiverShared<M>> {
        &self.shared
    }

    /// Hands every message routed from now on to `stream` too.
    pub(crate) fn attach_stream(&self, stream: Rc<StreamShared<M>>) {
        self.shared.listeners.borrow_mut().stream = Some(stream);
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
        let end = {
            let mut ending = self.shared.ending.borrow_mut();
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

    fn end(&self) -> Option<SenderEnd> {
        self.shared.ending.borrow().end
    }

    fn queued(&self) -> Option<usize> {
        match &self.shared.kind {
            Kind::Queue => None,
            Kind::Bounded(credit) => Some(credit.queued()),
            Kind::Latest(slot) => Some(usize::from(slot.is_full())),
        }
    }
}

impl<M: 'static> IntoMessageStream<M> for PipeReceiver<M> {
    type Stream = MessageStream<M>;

    fn into_stream(self) -> MessageStream<M> {
        MessageStream::new(self)
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
