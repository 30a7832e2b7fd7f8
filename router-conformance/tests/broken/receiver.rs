//! The receiver of a [`Broken`](super::Broken) router.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use router_conformance::Msg;
use router_conformance::api::{
    EndListener, IntoMessageStream, Listener, ListenerId, MessageReceiver, PipeId, SenderEnd,
};

use super::Flaw;

/// Ids for the listeners a [`Flaw::ReversedListeners`] receiver keeps
/// itself, far from the ids router-api hands out.
static NEXT_OWN_LISTENER: AtomicU64 = AtomicU64::new(1 << 48);

type OwnListeners = Rc<RefCell<Vec<(ListenerId, Rc<dyn Fn(&Msg)>)>>>;

/// How many more messages of any pipe an end waits for
/// ([`Flaw::EndDeferred`]).
const DEFER_BY: u64 = 50_000;

/// The ends a [`Flaw::EndDeferred`] router holds back, and the messages it
/// routed, on the thread that runs the check (the foreground).
#[derive(Default)]
struct Deferred {
    routed: Cell<u64>,
    waiting: RefCell<Vec<(u64, EndListener, SenderEnd)>>,
}

thread_local! {
    static DEFERRED: Deferred = Deferred::default();
}

impl Deferred {
    /// One more message routed: tells the ends now due.
    fn count(&self) {
        let routed = self.routed.get() + 1;
        self.routed.set(routed);
        let due: Vec<_> = {
            let mut waiting = self.waiting.borrow_mut();
            let (due, later) = std::mem::take(&mut *waiting)
                .into_iter()
                .partition(|(at, _, _)| *at <= routed);
            *waiting = later;
            due
        };
        for (_, callback, end) in due {
            callback(&end);
        }
    }

    fn defer(&self, callback: EndListener, end: SenderEnd) {
        let at = self.routed.get() + DEFER_BY;
        self.waiting.borrow_mut().push((at, callback, end));
    }
}
type OwnEnds = Rc<RefCell<Vec<EndListener>>>;

pub(crate) struct BrokenReceiver<V> {
    /// Shared with the router when a drop must leave the pipe open
    /// ([`Flaw::DropLeavesPipeOpen`]).
    pub(crate) inner: Rc<V>,
    flaw: Flaw,
    poisoned: Rc<Cell<bool>>,
    /// The listeners, kept here and called by one listener on `inner`: in
    /// reverse ([`Flaw::ReversedListeners`]), or each message one step
    /// late ([`Flaw::EndBeforeLastMessage`]).
    own: OwnListeners,
    /// The end callbacks, kept here and called by one on `inner`, or by
    /// `close_pipe` ([`Flaw::EndOnClosedPipe`], [`Flaw::EndBeforeLastMessage`]).
    pub(crate) own_ends: OwnEnds,
}

/// Calls every listener of `own`, in order.
fn fire(own: &OwnListeners, message: &Msg) {
    let listeners = own.borrow().clone();
    for (_, listener) in listeners.iter() {
        listener(message);
    }
}

/// Calls (and lets go of) every callback of `ends`, with `end`.
pub(crate) fn fire_ends(ends: &OwnEnds, end: SenderEnd) {
    let callbacks = std::mem::take(&mut *ends.borrow_mut());
    for callback in callbacks {
        callback(&end);
    }
}

impl<V: MessageReceiver<Msg>> BrokenReceiver<V> {
    pub(crate) fn new(inner: V, flaw: Flaw, poisoned: Rc<Cell<bool>>) -> Self {
        let own = OwnListeners::default();
        let own_ends = OwnEnds::default();
        match flaw {
            Flaw::ReversedListeners => {
                let own = Rc::clone(&own);
                inner.connect(move |message: &Msg| {
                    let listeners = own.borrow().clone();
                    for (_, listener) in listeners.iter().rev() {
                        listener(message);
                    }
                });
            }
            Flaw::EndBeforeLastMessage => {
                let held = Rc::new(Cell::new(None));
                {
                    let (own, held) = (Rc::clone(&own), Rc::clone(&held));
                    inner.connect(move |message: &Msg| {
                        if let Some(previous) = held.replace(Some(*message)) {
                            fire(&own, &previous);
                        }
                    });
                }
                let (own, ends) = (Rc::clone(&own), Rc::clone(&own_ends));
                inner.on_end(move |end: &SenderEnd| {
                    fire_ends(&ends, *end);
                    if let Some(last) = held.take() {
                        fire(&own, &last);
                    }
                });
            }
            Flaw::EndOnClosedPipe => {
                let ends = Rc::clone(&own_ends);
                inner.on_end(move |end: &SenderEnd| fire_ends(&ends, *end));
            }
            Flaw::EndDeferred => {
                inner.connect(|_: &Msg| DEFERRED.with(Deferred::count));
            }
            _ => {}
        }
        Self {
            inner: Rc::new(inner),
            flaw,
            poisoned,
            own,
            own_ends,
        }
    }

    /// Whether listeners are kept here rather than on `inner`.
    fn keeps_listeners(&self) -> bool {
        matches!(
            self.flaw,
            Flaw::ReversedListeners | Flaw::EndBeforeLastMessage
        )
    }
}

impl<V: MessageReceiver<Msg>> MessageReceiver<Msg> for BrokenReceiver<V> {
    fn pipe_id(&self) -> PipeId {
        self.inner.pipe_id()
    }

    fn connect_boxed(&self, listener: Listener<Msg>) -> ListenerId {
        match self.flaw {
            Flaw::ReversedListeners | Flaw::EndBeforeLastMessage => {
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
        if !self.keeps_listeners() {
            return self.inner.disconnect(listener);
        }
        let mut own = self.own.borrow_mut();
        let before = own.len();
        own.retain(|(id, _)| *id != listener);
        own.len() != before
    }

    fn listener_count(&self) -> usize {
        if self.keeps_listeners() {
            self.own.borrow().len()
        } else {
            self.inner.listener_count()
        }
    }

    fn on_end_boxed(&self, callback: EndListener) {
        match self.flaw {
            Flaw::EndBeforeLastMessage | Flaw::EndOnClosedPipe => {
                self.own_ends.borrow_mut().push(callback);
            }
            Flaw::EndDeferred => self.inner.on_end_boxed(Box::new(move |end: &SenderEnd| {
                DEFERRED.with(|deferred| deferred.defer(callback, *end));
            })),
            Flaw::EndsAllStopped => self
                .inner
                .on_end_boxed(Box::new(move |_: &SenderEnd| callback(&SenderEnd::Stopped))),
            Flaw::EndsAllDropped => self
                .inner
                .on_end_boxed(Box::new(move |_: &SenderEnd| callback(&SenderEnd::Dropped))),
            _ => self.inner.on_end_boxed(callback),
        }
    }

    fn end(&self) -> Option<SenderEnd> {
        self.inner.end()
    }

    fn queued(&self) -> Option<usize> {
        if self.flaw == Flaw::QueuedNotCounted {
            return None;
        }
        self.inner.queued()
    }
}

/// The stream of a [`BrokenReceiver`]: the inner receiver's own, or, for
/// the stream flaws, one fed by a listener on it.
pub(crate) type BrokenStream = Pin<Box<dyn Stream<Item = Msg>>>;

/// What a [`ListenerStream`] holds: the messages not yet yielded, whether
/// it ended, and the waker of its task.
type StreamState = Rc<RefCell<(VecDeque<Msg>, bool, Option<Waker>)>>;

/// A stream fed by a listener: what the stream flaws are built on.
struct ListenerStream<V> {
    /// Kept so the pipe stays open while the stream lives (and, with
    /// [`Flaw::StreamDropLeavesPipeOpen`], after).
    _receiver: Rc<V>,
    state: StreamState,
}

impl<V: MessageReceiver<Msg>> ListenerStream<V> {
    fn new(receiver: Rc<V>, flaw: Flaw) -> Self {
        let state = StreamState::default();
        let wake = |state: &RefCell<(VecDeque<Msg>, bool, Option<Waker>)>| {
            let waker = state.borrow_mut().2.take();
            if let Some(waker) = waker {
                waker.wake();
            }
        };
        {
            let state = Rc::clone(&state);
            receiver.connect(move |message: &Msg| {
                let copies = if flaw == Flaw::StreamRepeatsMessages {
                    2
                } else {
                    1
                };
                for _ in 0..copies {
                    state.borrow_mut().0.push_back(*message);
                }
                wake(&state);
            });
        }
        if flaw != Flaw::StreamNeverEnds {
            let state = Rc::clone(&state);
            receiver.on_end(move |_: &SenderEnd| {
                state.borrow_mut().1 = true;
                wake(&state);
            });
        }
        Self {
            _receiver: receiver,
            state,
        }
    }
}

impl<V> Stream for ListenerStream<V> {
    type Item = Msg;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Msg>> {
        let mut state = self.state.borrow_mut();
        if let Some(message) = state.0.pop_front() {
            return Poll::Ready(Some(message));
        }
        if state.1 {
            return Poll::Ready(None);
        }
        state.2 = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<V> IntoMessageStream<Msg> for BrokenReceiver<V>
where
    V: IntoMessageStream<Msg> + 'static,
{
    type Stream = BrokenStream;

    fn into_stream(self) -> BrokenStream {
        let flaw = self.flaw;
        match flaw {
            Flaw::StreamRepeatsMessages
            | Flaw::StreamNeverEnds
            | Flaw::StreamDropLeavesPipeOpen => {
                Box::pin(ListenerStream::new(Rc::clone(&self.inner), flaw))
            }
            _ => match Rc::try_unwrap(self.inner) {
                Ok(inner) => Box::pin(inner.into_stream()),
                // Shared with the router (a flaw that keeps receivers):
                // a stream fed by a listener.
                Err(inner) => Box::pin(ListenerStream::new(inner, flaw)),
            },
        }
    }
}
