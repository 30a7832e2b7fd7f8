//! The way into the router's run for one admitted connection: its pipe's
//! in-process sender, the message a full bounded pipe holds back, the
//! count of messages that wait for a wake, and whether the sender was
//! told that its pipe closed.

use router_api::{MessageSender, PipeId, SenderEnd};
use router_remote::CoreSender;

/// How many messages the monitor forwards, at most, before it wakes the
/// router for them: it wakes once per socket read rather than once per
/// message (a wake that pings costs a system call on each side), but not
/// so late that the first message of a long read waits for the rest.
const WAKE_EVERY: usize = 256;

/// What forwarding one message came to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Forwarded {
    Sent,
    /// The bounded pipe is full: the message is held.
    Held,
    /// The run is over, or the pipe's sender has ended.
    Over,
}

/// One admitted connection's pipe.
#[derive(Debug)]
pub(super) struct Inlet<M: Send + 'static> {
    connection: u64,
    pipe: PipeId,
    /// Gone once the sender's end was told (its end frame, or the loss of
    /// the connection).
    sender: Option<CoreSender<M>>,
    /// A message a full bounded pipe had no room for.
    held: Option<M>,
    /// Messages forwarded since the router was last woken for them.
    unwoken: usize,
    /// The sender was told that its pipe closed (C2).
    told_closed: bool,
}

impl<M: Send + 'static> Inlet<M> {
    pub(super) fn new(connection: u64, pipe: PipeId, sender: CoreSender<M>) -> Self {
        Self {
            connection,
            pipe,
            sender: Some(sender),
            held: None,
            unwoken: 0,
            told_closed: false,
        }
    }

    pub(super) fn pipe(&self) -> PipeId {
        self.pipe
    }

    /// Whether the sender is yet to be told that its pipe closed: it has
    /// not ended, and was not told.
    pub(super) fn awaits_closing(&self) -> bool {
        self.sender.is_some() && !self.told_closed
    }

    /// Whether the pipe is closed, as its in-process sender says (one
    /// atomic load).
    pub(super) fn pipe_closed(&self) -> bool {
        self.sender.as_ref().is_some_and(MessageSender::is_closed)
    }

    /// The sender was told that its pipe closed.
    pub(super) fn told_closed(&mut self) {
        self.told_closed = true;
    }

    /// Whether the sender's end was told.
    pub(super) fn has_ended(&self) -> bool {
        self.sender.is_none()
    }

    /// Sends `message` through the pipe's in-process sender, without
    /// waiting: a full bounded pipe holds it instead.
    pub(super) fn forward(&mut self, message: M) -> Forwarded {
        let Some(sender) = self.sender.as_mut() else {
            return Forwarded::Over;
        };
        match sender.try_send_unwoken(message) {
            Ok(()) => {
                self.unwoken += 1;
                if self.unwoken >= WAKE_EVERY {
                    self.wake();
                }
                Forwarded::Sent
            }
            Err(error) if error.is_full() => {
                self.held = Some(error.into_message());
                Forwarded::Held
            }
            Err(error) => {
                // The run stopped, or the bounded pipe was closed.
                tracing::debug!(connection = self.connection, pipe = %self.pipe, reason = %error.kind(), "cannot forward");
                Forwarded::Over
            }
        }
    }

    /// Forwards the message a full pipe held back, if there is one.
    pub(super) fn resume(&mut self) -> Option<Forwarded> {
        let message = self.held.take()?;
        Some(self.forward(message))
    }

    /// Wakes the router for the messages forwarded since it was last
    /// woken.
    pub(super) fn wake(&mut self) {
        if self.unwoken > 0 {
            if let Some(sender) = &self.sender {
                sender.wake();
            }
            self.unwoken = 0;
        }
    }

    /// Tells the pipe's receiver how its sender ended, once.
    pub(super) fn end(&mut self, end: SenderEnd) {
        if let Some(sender) = self.sender.take() {
            tracing::debug!(connection = self.connection, pipe = %self.pipe, %end, "sender ended");
            // The end's wake covers the messages forwarded before it.
            sender.finish(end);
            self.unwoken = 0;
        }
    }
}
