//! The background end of a pipe.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use crate::{PipeId, SendError, SenderStartError, SenderStopError};

/// The background end of a pipe: moves to a worker thread and sends
/// messages to the pipe's receiver on the foreground thread.
///
/// A sender has three states: *initial* (as made by
/// [`MessageRouter::pipe`](crate::MessageRouter::pipe)), *open* (after
/// [`start`](Self::start)) and *closed* (after [`stop`](Self::stop)). Only an
/// open sender sends. Most code calls [`open`](Self::open), which starts the
/// sender and returns a guard that stops it when dropped (the `with sender:`
/// of the interface this crate follows).
///
/// ```
/// use router_api::MessageSender;
/// fn report<S: MessageSender<u32>>(mut sender: S) -> Result<(), Box<dyn std::error::Error>> {
///     let mut open = sender.open()?;
///     for step in 0..10 {
///         open.send(step)?;
///     }
///     Ok(()) // the guard stops the sender here
/// }
/// ```
///
/// The trait is object safe: a worker can take a `Box<dyn MessageSender<M>>`
/// and not care which backend made it.
///
/// # Contract
///
/// For backend authors, an implementation **must**:
/// - (S1) fail `send` before `start` with
///   [`SendErrorKind::NotStarted`](crate::SendErrorKind::NotStarted), `start`
///   twice with [`SenderStartError::AlreadyStarted`], `stop` before `start`
///   with [`SenderStopError::NotStarted`], and `stop` twice, `start` or
///   `send` after `stop` with the `Stopped` variant of each; a failed
///   `send` hands the message back;
/// - (S3) stop itself when dropped while open, and send from any thread,
///   the foreground one included;
/// - (R5) fail `send` with
///   [`SendErrorKind::Disconnected`](crate::SendErrorKind::Disconnected) once its router
///   has stopped, never block and never panic; its [`Disconnect`](crate::Disconnect)
///   cause says why (the run ended, the connection closed, or the channel
///   refused the message);
/// - (R8) deliver the messages it sends in order, each once;
/// - wake the router's event loop when a message may need routing.
///
/// `start`, `send` and `stop` are called on one thread; the sender is
/// `Send` so it can move there, and need not be `Sync`.
pub trait MessageSender<M>: Send + 'static {
    /// The pipe this sender feeds.
    fn pipe_id(&self) -> PipeId;

    /// Prepares the sender for sending.
    ///
    /// # Errors
    ///
    /// [`SenderStartError::AlreadyStarted`] if the sender was started
    /// before and is still open, [`SenderStartError::Stopped`] if it was
    /// stopped, [`SenderStartError::Connect`] if a sender elsewhere could
    /// not reach its router.
    fn start(&mut self) -> Result<(), SenderStartError>;

    /// Sends `message` to the pipe's receiver. Never blocks, except on a
    /// full bounded pipe ([`PipeKind::Bounded`](crate::PipeKind::Bounded)),
    /// where it waits for room, and fails with
    /// [`SendErrorKind::Disconnected`](crate::SendErrorKind::Disconnected)
    /// (it never hangs) once the router stops
    /// or the pipe is closed (B2).
    ///
    /// # Errors
    ///
    /// Hands `message` back inside a [`SendError`] whose
    /// [`kind`](SendError::kind) is `NotStarted` before `start`, `Stopped`
    /// after `stop`, and `Disconnected` when nothing can receive it any
    /// more (its cause says why); a sender in another process also fails
    /// with `Encode`.
    fn send(&mut self, message: M) -> Result<(), SendError<M>>;

    /// Sends `message` if that needs no wait: on a full bounded pipe it
    /// comes back with the kind
    /// [`Full`](crate::SendErrorKind::Full) (B3). On the other kinds of
    /// pipe it is [`send`](Self::send), which never waits there; that is
    /// the default, for backends with no bounded pipes.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), and [`Full`](crate::SendErrorKind::Full).
    fn try_send(&mut self, message: M) -> Result<(), SendError<M>> {
        self.send(message)
    }

    /// Sends `message`, waiting at most `timeout` for room on a full
    /// bounded pipe: past it the message comes back inside
    /// the kind [`TimedOut`](crate::SendErrorKind::TimedOut) (B3). On the
    /// other kinds of pipe it is
    /// [`send`](Self::send) (the default).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), and
    /// [`TimedOut`](crate::SendErrorKind::TimedOut).
    fn send_timeout(&mut self, message: M, timeout: Duration) -> Result<(), SendError<M>> {
        let _ = timeout;
        self.send(message)
    }

    /// Releases what `start` set up. After `stop` the sender sends no more.
    ///
    /// # Errors
    ///
    /// [`SenderStopError::NotStarted`] before `start`,
    /// [`SenderStopError::Stopped`] if already stopped.
    fn stop(&mut self) -> Result<(), SenderStopError>;

    /// Stops the sender because its thread is unwinding from a panic: the
    /// receiver is told [`SenderEnd::Panicked`](crate::SenderEnd::Panicked)
    /// rather than `Stopped` (E2). The guard of [`open`](Self::open) calls
    /// this instead of [`stop`](Self::stop) when it drops during a panic.
    /// The default calls `stop`, for backends that report no ends.
    ///
    /// # Errors
    ///
    /// As [`stop`](Self::stop).
    fn stop_on_panic(&mut self) -> Result<(), SenderStopError> {
        self.stop()
    }

    /// Whether nothing will route this sender's messages any more: its
    /// pipe was closed (`close_pipe`, or its receiver or stream dropped),
    /// or its router stopped or was dropped (C1). A worker that loops
    /// `while !sender.is_closed()` stops once the foreground has given up
    /// on it. It is one atomic load, cheap enough to ask per item.
    ///
    /// False while the pipe is open, whether or not the sender was
    /// started. The default says false always, for a backend that cannot
    /// tell; every backend of this repository overrides it.
    fn is_closed(&self) -> bool {
        false
    }

    /// Starts the sender and returns a guard that sends through it and stops
    /// it when dropped.
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    ///
    /// On a `dyn MessageSender`, open the `Box` that holds it.
    fn open(&mut self) -> Result<SenderGuard<'_, M, Self>, SenderStartError>
    where
        Self: Sized,
    {
        self.start()?;
        Ok(SenderGuard {
            sender: self,
            _message: PhantomData,
        })
    }
}

/// An open sender that stops when dropped (S2); made by
/// [`MessageSender::open`].
///
/// It dereferences to the sender, so every sender method is at hand.
pub struct SenderGuard<'a, M, S: MessageSender<M> + ?Sized> {
    sender: &'a mut S,
    _message: PhantomData<fn(M)>,
}

impl<M, S: MessageSender<M> + ?Sized> SenderGuard<'_, M, S> {
    /// Sends `message`; see [`MessageSender::send`].
    ///
    /// # Errors
    ///
    /// As [`MessageSender::send`]: the message comes back inside the error.
    pub fn send(&mut self, message: M) -> Result<(), SendError<M>> {
        self.sender.send(message)
    }
}

impl<M, S: MessageSender<M> + ?Sized> Deref for SenderGuard<'_, M, S> {
    type Target = S;
    fn deref(&self) -> &S {
        self.sender
    }
}

impl<M, S: MessageSender<M> + ?Sized> DerefMut for SenderGuard<'_, M, S> {
    fn deref_mut(&mut self) -> &mut S {
        self.sender
    }
}

impl<M, S: MessageSender<M> + ?Sized> Drop for SenderGuard<'_, M, S> {
    fn drop(&mut self) {
        // The only failure is "already stopped", which means the user
        // stopped the sender through the guard: nothing is left to do.
        let stopped = if std::thread::panicking() {
            self.sender.stop_on_panic()
        } else {
            self.sender.stop()
        };
        if let Err(error) = stopped {
            tracing::debug!(pipe = %self.sender.pipe_id(), %error, "sender guard found its sender stopped");
        }
    }
}

impl<M, S: MessageSender<M> + ?Sized> fmt::Debug for SenderGuard<'_, M, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SenderGuard")
            .field("pipe", &self.sender.pipe_id())
            .finish_non_exhaustive()
    }
}

impl<M: 'static, S: MessageSender<M> + ?Sized> MessageSender<M> for Box<S> {
    fn pipe_id(&self) -> PipeId {
        (**self).pipe_id()
    }
    fn start(&mut self) -> Result<(), SenderStartError> {
        (**self).start()
    }
    fn send(&mut self, message: M) -> Result<(), SendError<M>> {
        (**self).send(message)
    }
    fn stop(&mut self) -> Result<(), SenderStopError> {
        (**self).stop()
    }
    fn stop_on_panic(&mut self) -> Result<(), SenderStopError> {
        (**self).stop_on_panic()
    }
    fn is_closed(&self) -> bool {
        (**self).is_closed()
    }
    fn try_send(&mut self, message: M) -> Result<(), SendError<M>> {
        (**self).try_send(message)
    }
    fn send_timeout(&mut self, message: M, timeout: Duration) -> Result<(), SendError<M>> {
        (**self).send_timeout(message, timeout)
    }
}
