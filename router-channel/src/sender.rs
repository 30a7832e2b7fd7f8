//! The sender every channel backend hands out.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::credit::{Credit, NoRoom, Wait};
use crate::kind::Kind;
use crate::link::Link;
use crate::route::Route;
use crate::sync::{AtomicBool, Ordering};
use crate::{Channel, Envelope};
use router_api::{
    Disconnect, MessageSender, PipeId, SendError, SendErrorKind, SenderEnd, SenderStartError,
    SenderStopError,
};

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
    kind: Kind<M>,
    /// Set when the pipe leaves its router's table (closed, or the router
    /// stopped): what [`is_closed`](MessageSender::is_closed) reads (C1).
    closed: Arc<AtomicBool>,
    /// Messages this sender queued in the run's channel: its end note
    /// carries the count, so the router tells the end once that many of
    /// the pipe's messages are routed (E1, E3). The sender's own, shared
    /// with nobody.
    queued: u64,
}

enum State<L> {
    Ready(L),
    Open(L),
    Stopped,
}

impl<M, C: Channel<Envelope<M>>> ChannelSender<M, C> {
    pub(crate) fn new(
        pipe: PipeId,
        route: Route,
        link: Arc<Link<M, C>>,
        kind: Kind<M>,
        closed: Arc<AtomicBool>,
    ) -> Self {
        Self {
            pipe,
            route,
            state: State::Ready(link),
            kind,
            closed,
            queued: 0,
        }
    }

    fn pipe(&self) -> PipeId {
        self.pipe
    }

    /// Where this sender's messages go: the pipe's slot in the routing
    /// table and its tag.
    #[must_use]
    pub fn route(&self) -> Route {
        self.route
    }

    /// Loom models only: drops the sender without telling its receiver an
    /// end, for the models that are not about ends (a note per sender
    /// multiplies their interleavings).
    #[cfg(loom)]
    #[doc(hidden)]
    pub fn drop_without_end(mut self) {
        self.state = State::Stopped;
    }

    /// Ends this sender, telling its receiver `end` after what it sent:
    /// for a backend whose thread sends on behalf of a sender elsewhere,
    /// and learns how that one ended (an end frame, a lost connection).
    /// Started or not, the sender is gone after.
    pub fn finish(mut self, end: SenderEnd) {
        match std::mem::replace(&mut self.state, State::Stopped) {
            State::Ready(link) | State::Open(link) => link.end(self.route, end, self.queued),
            State::Stopped => {}
        }
    }

    /// Like [`try_send`](MessageSender::try_send), but leaves the router
    /// unwoken: for a backend's thread that forwards many messages at once
    /// (the frames of one socket read) and then wakes the router once for
    /// them all, with [`wake`](Self::wake), instead of once per message.
    ///
    /// A message sent this way waits unrouted until a sender of the same
    /// router run wakes it: a `wake`, a `send`, or a sender's end.
    ///
    /// # Errors
    ///
    /// As [`try_send`](MessageSender::try_send).
    pub fn try_send_unwoken(&mut self, message: M) -> Result<(), SendError<M>> {
        self.send_as(message, Wait::Never, false)
    }

    /// Wakes the router for what [`try_send_unwoken`](Self::try_send_unwoken)
    /// queued before this call, on this pipe or another of the same run.
    /// Nothing for a sender that is not open.
    pub fn wake(&self) {
        if let State::Open(link) = &self.state {
            link.wake();
        }
    }

    /// Sends `message` as its pipe's kind says; `wait` is how long a
    /// bounded pipe's send may wait for room, `wake` whether it wakes the
    /// router.
    #[inline]
    fn send_as(&mut self, message: M, wait: Wait, wake: bool) -> Result<(), SendError<M>> {
        let pipe = self.pipe();
        let link = match &self.state {
            State::Open(link) => link,
            State::Ready(_) => {
                return Err(SendError::new(pipe, SendErrorKind::NotStarted, message));
            }
            State::Stopped => {
                return Err(SendError::new(pipe, SendErrorKind::Stopped, message));
            }
        };
        let sent = match &self.kind {
            Kind::Queue => link.send(self.route, message, wake),
            Kind::Latest(slot) => {
                // A slot's values never go through the channel: none counts.
                return link.send_latest(self.route, slot, message, wake).map_err(
                    |(message, cause)| {
                        SendError::new(pipe, SendErrorKind::Disconnected(cause), message)
                    },
                );
            }
            Kind::Bounded(credit) => {
                // The common case inline: a unit free by the router's
                // count as this sender last read it (credit.rs). Out of
                // line: reading that count again (once per capacity's
                // worth of sends), waiting, the router's own thread, a
                // closed pipe. Out of line in full, and asking
                // `std::thread::current()` per send, the send cost about
                // 17 ns more than an unbounded pipe's (router-bench's
                // README, "Bounded pipes").
                if credit.take_now() {
                    queue_taken(link, self.route, credit, message, wake, pipe)?;
                } else {
                    send_bounded(link, self.route, credit, message, wait, wake, pipe)?;
                }
                self.queued += 1;
                return Ok(());
            }
        };
        match sent {
            Ok(()) => {
                self.queued += 1;
                Ok(())
            }
            Err((message, cause)) => Err(SendError::new(
                pipe,
                SendErrorKind::Disconnected(cause),
                message,
            )),
        }
    }

    /// Stops an open sender, telling its receiver `end`.
    fn stop_as(&mut self, end: SenderEnd) -> Result<(), SenderStopError> {
        let pipe = self.pipe();
        match std::mem::replace(&mut self.state, State::Stopped) {
            State::Open(link) => {
                link.end(self.route, end, self.queued);
                Ok(())
            }
            State::Ready(link) => {
                self.state = State::Ready(link);
                Err(SenderStopError::NotStarted { pipe })
            }
            State::Stopped => Err(SenderStopError::Stopped { pipe }),
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

    fn start(&mut self) -> Result<(), SenderStartError> {
        let pipe = self.pipe();
        self.state = match std::mem::replace(&mut self.state, State::Stopped) {
            State::Ready(link) => State::Open(link),
            State::Open(link) => {
                self.state = State::Open(link);
                return Err(SenderStartError::AlreadyStarted { pipe });
            }
            State::Stopped => return Err(SenderStartError::Stopped { pipe }),
        };
        Ok(())
    }

    #[inline]
    fn send(&mut self, message: M) -> Result<(), SendError<M>> {
        self.send_as(message, Wait::Forever, true)
    }

    fn try_send(&mut self, message: M) -> Result<(), SendError<M>> {
        self.send_as(message, Wait::Never, true)
    }

    fn send_timeout(&mut self, message: M, timeout: Duration) -> Result<(), SendError<M>> {
        let deadline = Instant::now().checked_add(timeout);
        self.send_as(message, Wait::Until { deadline, timeout }, true)
    }

    fn stop(&mut self) -> Result<(), SenderStopError> {
        self.stop_as(SenderEnd::Stopped)
    }

    fn stop_on_panic(&mut self) -> Result<(), SenderStopError> {
        self.stop_as(SenderEnd::Panicked)
    }

    #[inline]
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// A bounded pipe's send that found no unit at its first look: takes a
/// unit of its credit (waiting as `wait` says), then queues, waking the
/// router if `wake` says so; gives the unit back if the queueing fails.
#[cold]
fn send_bounded<M, C: Channel<Envelope<M>>>(
    link: &Link<M, C>,
    route: Route,
    credit: &Credit,
    message: M,
    wait: Wait,
    wake: bool,
    pipe: PipeId,
) -> Result<(), SendError<M>> {
    let taken = if matches!(wait, Wait::Forever) && link.on_router_thread() {
        // Only routing makes room, and it runs on this very thread: a wait
        // here would never end. (`send_timeout` waits out its timeout, as
        // B3 says; `try_send` never waits.)
        match credit.take(Wait::Never) {
            Err(NoRoom::Full) => {
                let capacity = credit.capacity();
                let kind = SendErrorKind::FullOnRouterThread { capacity };
                return Err(SendError::new(pipe, kind, message));
            }
            taken => taken,
        }
    } else {
        credit.take(wait)
    };
    let kind = match taken {
        Ok(()) => return queue_taken(link, route, credit, message, wake, pipe),
        Err(NoRoom::Full) => SendErrorKind::Full {
            capacity: credit.capacity(),
        },
        Err(NoRoom::TimedOut) => SendErrorKind::TimedOut {
            timeout: match wait {
                Wait::Until { timeout, .. } => timeout,
                Wait::Forever | Wait::Never => Duration::ZERO,
            },
        },
        Err(NoRoom::Closed) => {
            // The router closes the credits of its pipes when it stops,
            // before it closes the link; a closed link says which.
            let cause = if link.is_closed() {
                Disconnect::RouterStopped
            } else {
                Disconnect::PipeClosed
            };
            SendErrorKind::Disconnected(cause)
        }
    };
    Err(SendError::new(pipe, kind, message))
}

/// Queues `message` for which a unit of `credit` was taken; gives the unit
/// back if the channel refuses it.
#[inline]
fn queue_taken<M, C: Channel<Envelope<M>>>(
    link: &Link<M, C>,
    route: Route,
    credit: &Credit,
    message: M,
    wake: bool,
    pipe: PipeId,
) -> Result<(), SendError<M>> {
    link.send(route, message, wake).map_err(|(message, cause)| {
        credit.untake();
        SendError::new(pipe, SendErrorKind::Disconnected(cause), message)
    })
}

impl<M, C: Channel<Envelope<M>>> Drop for ChannelSender<M, C> {
    fn drop(&mut self) {
        let end = if std::thread::panicking() {
            SenderEnd::Panicked
        } else {
            SenderEnd::Dropped
        };
        match &self.state {
            State::Ready(link) | State::Open(link) => link.end(self.route, end, self.queued),
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
