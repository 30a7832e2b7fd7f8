//! The foreground end of a pipe.

use crate::{ListenerId, PipeId};

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
}
