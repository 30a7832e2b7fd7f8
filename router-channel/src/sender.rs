//! The sender every channel backend hands out.

use std::fmt;
use std::sync::Arc;

use crate::link::Link;
use crate::table::Route;
use crate::{Channel, Envelope};
use router_api::{MessageSender, PipeId, SendError, SenderEnd, SenderError};

/// The background end of a pipe of a [`ChannelRouter`](crate::ChannelRouter).
///
/// `Send + 'static`: move it to the worker thread. Dropping it, open or
/// not, stops it (S3). Its receiver is told how it ended, after its last
/// message (E1, E2): stopped, dropped (open or never started), or dropped
/// while its thread panicked.
pub struct ChannelSender<M, C: Channel<Envelope<M>>> {
    pipe: PipeId,
    route: Route,
    state: State<Arc<Link<M, C>>>,
}

enum State<L> {
    Ready(L),
    Open(L),
    Stopped,
}

impl<M, C: Channel<Envelope<M>>> ChannelSender<M, C> {
    pub(crate) fn new(pipe: PipeId, route: Route, link: Arc<Link<M, C>>) -> Self {
        Self {
            pipe,
            route,
            state: State::Ready(link),
        }
    }

    fn pipe(&self) -> PipeId {
        self.pipe
    }

    /// Where this sender's messages go, for backends that hand the pipe to
    /// another process (see [`Forwarder`](crate::Forwarder)).
    #[must_use]
    pub fn route(&self) -> Route {
        self.route
    }

    /// Gives this sender up for one that lives elsewhere: its route, for a
    /// [`Forwarder`](crate::Forwarder), which then sends its messages and
    /// tells its end ([`Forwarder::end`](crate::Forwarder::end)). Nothing
    /// is told to the receiver now, as dropping the sender would.
    #[must_use]
    pub fn hand_over(mut self) -> Route {
        self.state = State::Stopped;
        self.route
    }

    /// Stops an open sender, telling its receiver `end`.
    fn stop_as(&mut self, end: SenderEnd) -> Result<(), SenderError> {
        let pipe = self.pipe();
        match std::mem::replace(&mut self.state, State::Stopped) {
            State::Open(link) => {
                link.end(self.route, end);
                Ok(())
            }
            State::Ready(link) => {
                self.state = State::Ready(link);
                Err(SenderError::NotStarted { pipe })
            }
            State::Stopped => Err(SenderError::Stopped { pipe }),
        }
    }
}

impl<M, C> MessageSender<M> for ChannelSender<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    fn pipe_id(&self) -> PipeId {
        self.pipe()
    }

    fn start(&mut self) -> Result<(), SenderError> {
        let pipe = self.pipe();
        self.state = match std::mem::replace(&mut self.state, State::Stopped) {
            State::Ready(link) => State::Open(link),
            State::Open(link) => {
                self.state = State::Open(link);
                return Err(SenderError::AlreadyStarted { pipe });
            }
            State::Stopped => return Err(SenderError::Stopped { pipe }),
        };
        Ok(())
    }

    fn send(&mut self, message: M) -> Result<(), SendError<M>> {
        let pipe = self.pipe();
        match &self.state {
            State::Open(link) => link.send(self.route, message).map_err(|(message, cause)| {
                SendError::new(SenderError::Disconnected { pipe, cause }, message)
            }),
            State::Ready(_) => Err(SendError::new(SenderError::NotStarted { pipe }, message)),
            State::Stopped => Err(SendError::new(SenderError::Stopped { pipe }, message)),
        }
    }

    fn stop(&mut self) -> Result<(), SenderError> {
        self.stop_as(SenderEnd::Stopped)
    }

    fn stop_on_panic(&mut self) -> Result<(), SenderError> {
        self.stop_as(SenderEnd::Panicked)
    }
}

impl<M, C: Channel<Envelope<M>>> Drop for ChannelSender<M, C> {
    fn drop(&mut self) {
        let end = if std::thread::panicking() {
            SenderEnd::Panicked
        } else {
            SenderEnd::Dropped
        };
        match &self.state {
            State::Ready(link) | State::Open(link) => link.end(self.route, end),
            State::Stopped => {}
        }
    }
}

impl<M, C: Channel<Envelope<M>>> fmt::Debug for ChannelSender<M, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready(_) => "ready",
            State::Open(_) => "open",
            State::Stopped => "stopped",
        };
        f.debug_struct("ChannelSender")
            .field("pipe", &self.pipe)
            .field("state", &state)
            .finish()
    }
}
