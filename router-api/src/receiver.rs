//! The foreground end of a pipe.

use crate::{EndListener, ListenerId, PipeId, SenderEnd};

/// A listener: called on the foreground thread with each message of a pipe.
pub type Listener<M> = Box<dyn Fn(&M)>;

/// The foreground end of a pipe: fires each message it receives to its
/// listeners.
///
/// ```
/// use router_api::MessageReceiver;
/// fn log_progress(receiver: &impl MessageReceiver<u32>) {
///     receiver.connect(|step: &u32| println!("step {step}"));
/// }
/// ```
///
/// # Contract
///
/// For backend authors, an implementation **must** (V1) accept any number
/// of listeners, give each message to every listener connected when the
/// message is dispatched, in the order they were connected, and stop
/// calling a listener once it is disconnected. A listener may connect or
/// disconnect listeners while it runs (R11): that takes effect from the
/// next message on.
///
/// It **must** also (E1, E2) call each callback given to
/// [`on_end`](Self::on_end) once, on the foreground thread, after the
/// last message of the pipe's sender, with how that sender ended, and
/// call none if the pipe was closed first.
pub trait MessageReceiver<M> {
    /// The pipe this receiver ends.
    fn pipe_id(&self) -> PipeId;

    /// Connects a boxed listener; see [`connect`](Self::connect).
    fn connect_boxed(&self, listener: Listener<M>) -> ListenerId;

    /// Disconnects a listener. Returns `false` if it was not connected (it
    /// was disconnected already, or belongs to another receiver).
    fn disconnect(&self, listener: ListenerId) -> bool;

    /// How many listeners are connected.
    fn listener_count(&self) -> usize;

    /// Registers a boxed end-of-stream callback; see [`on_end`](Self::on_end).
    fn on_end_boxed(&self, callback: EndListener);

    /// How many of the pipe's messages wait unrouted, for pipes that count
    /// them (B4): a bounded pipe (at most its capacity), a latest-value
    /// pipe (0 or 1). `None` for an unbounded pipe, whose senders count
    /// nothing, so that they cost no more than the channel under them.
    fn queued(&self) -> Option<usize>;

    /// How the pipe's sender ended, once the receiver has been told (E1);
    /// `None` before that, and for good if the pipe was closed first.
    fn end(&self) -> Option<SenderEnd>;

    /// Connects `listener`, which will be called with every message
    /// routed to this receiver from now on, after the listeners connected
    /// before it.
    fn connect<F>(&self, listener: F) -> ListenerId
    where
        F: Fn(&M) + 'static,
        Self: Sized,
    {
        self.connect_boxed(Box::new(listener))
    }

    /// Registers `callback`, to be called once, on the foreground thread,
    /// when the pipe's sender has ended and its last message has been
    /// routed (E1), with how it ended (E2). Callbacks run in the order they
    /// were registered. One registered after the end was delivered runs
    /// at once, inside this call. If the pipe is closed (or its router
    /// stops) first, the callback is never called, and is dropped with
    /// the receiver.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// use router_api::{MessageReceiver, SenderEnd};
    /// fn watch(receiver: &impl MessageReceiver<u32>) -> Rc<Cell<Option<SenderEnd>>> {
    ///     let ended = Rc::new(Cell::new(None));
    ///     receiver.on_end({
    ///         let ended = Rc::clone(&ended);
    ///         move |end: &SenderEnd| ended.set(Some(*end))
    ///     });
    ///     ended
    /// }
    /// ```
    fn on_end<F>(&self, callback: F)
    where
        F: FnOnce(&SenderEnd) + 'static,
        Self: Sized,
    {
        self.on_end_boxed(Box::new(callback));
    }
}
