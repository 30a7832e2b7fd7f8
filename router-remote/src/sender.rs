//! The sender's side: the states every remote sender goes through, with
//! the errors of S1, over a transport's way to its router ([`Dial`]) and
//! the open connection it makes ([`Line`]).

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};

use router_api::{
    BoxError, Disconnect, MessageSender, PipeId, SendError, SendErrorKind, SenderEnd,
    SenderStartError, SenderStopError,
};
use serde::Serialize;

use crate::closing::PipeWatch;
use crate::codec::EncodeError;

/// How a remote sender reaches its router: what its token says, and the
/// connecting. For transport authors: [`dial`](Self::dial) **must** either
/// return a line the router has admitted for the pipe, or fail with an
/// error that names the one cause; it may be tried again after a failure.
pub trait Dial: Send + 'static {
    /// The open connection.
    type Line: Line;
    /// Why connecting failed: the `source` of
    /// [`SenderStartError::Connect`].
    type Error: std::error::Error + Send + Sync + 'static;

    /// The pipe this sender sends on.
    fn pipe(&self) -> PipeId;

    /// Connects for a sender of `M` messages and has the router admit it.
    ///
    /// # Errors
    ///
    /// The transport's error, naming the cause.
    fn dial<M: ?Sized>(&self) -> Result<Self::Line, Self::Error>;
}

/// An open connection to the router, for one sender.
///
/// For transport authors: besides carrying messages one way, a line
/// **must** learn from the router that its pipe closed (C2) and say so in
/// [`is_closed`](Self::is_closed), within 100 ms on loopback, the router
/// stopping included.
pub trait Line: Send + 'static {
    /// Sends one message, in order after those sent before.
    ///
    /// # Errors
    ///
    /// [`LineFault::Encode`] for a message that cannot travel (the line
    /// stays usable); [`LineFault::Lost`] when the connection broke
    /// (nothing more may be sent on it).
    fn send<M: Serialize + ?Sized>(&mut self, message: &M) -> Result<(), LineFault>;

    /// Tells the router how the sender ended, its last word on the line;
    /// a router gone already has nobody to tell, so it cannot fail.
    fn end(&mut self, end: SenderEnd);

    /// Whether the router told this line that its pipe closed, or the
    /// router is gone (C2). A worker asks it per item of a loop: it
    /// **must** cost an atomic load in the common case, and a look that
    /// costs more (a system call) **must** be paced, at most one per
    /// [`SENDER_LOOK_EVERY`](crate::SENDER_LOOK_EVERY) (a
    /// [`Pacer`](crate::Pacer) does that). It may say `false` between
    /// looks after it once said `true`: the sender remembers.
    fn is_closed(&self) -> bool;
}

/// Why a [`Line`] did not send a message.
#[derive(Debug)]
#[non_exhaustive]
pub enum LineFault {
    /// The message cannot be made into a frame: the send fails with
    /// [`SendErrorKind::Encode`] and the sender goes on.
    Encode(EncodeError),
    /// The connection broke: the send and every later one fail as
    /// disconnected ([`Disconnect::ConnectionClosed`]). The cause is
    /// logged at `DEBUG`.
    Lost(BoxError),
}

/// A sender in another process: the background end of a pipe of a router
/// built on [`RemoteRouter`](crate::RemoteRouter), rebuilt from a token
/// and connected through a [`Dial`].
///
/// It keeps the rules every sender keeps: `send` before `start`, a second
/// `start`, `stop` before `start`, a second `stop` and `start` after
/// `stop` fail (S1); dropped open, it tells its end (S3, E2). A failed
/// `start` leaves it un-started, so it may be tried again. Once its line
/// broke, every send fails as disconnected (R5).
///
/// Dropped un-started, it connects to tell its end, since no other sender
/// can speak for its pipe, unless it was [handed over](Self::hand_over)
/// (a sender made from its token speaks for the pipe then) or a connect
/// failed (no router took it).
///
/// [`is_closed`](MessageSender::is_closed) (C1, C2) is its line's once it
/// started, true once the line broke; before, a sender the router handed
/// out in its own process reads its [`PipeWatch`], and one rebuilt from a
/// token elsewhere says `false` (it has not reached the router yet: it
/// learns at `start`). Once true it stays true, stopped or not.
pub struct RemoteSender<M, D: Dial> {
    dial: D,
    state: State<D::Line>,
    quiet_drop: AtomicBool,
    /// The pipe's state before the sender connects, for a sender made in
    /// the router's process.
    watch: Option<PipeWatch>,
    /// Set once the sender learned that its pipe closed: it stays closed.
    closed: AtomicBool,
    _message: PhantomData<fn(M)>,
}

enum State<L> {
    Ready,
    Open(L),
    /// The line broke: every send fails as disconnected.
    Broken,
    Stopped,
}

impl<M, D: Dial> RemoteSender<M, D> {
    /// An un-started sender that will connect through `dial`: one
    /// rebuilt from a token, which knows nothing of its pipe until it
    /// connects.
    pub fn new(dial: D) -> Self {
        Self {
            dial,
            state: State::Ready,
            quiet_drop: AtomicBool::new(false),
            watch: None,
            closed: AtomicBool::new(false),
            _message: PhantomData,
        }
    }

    /// An un-started sender that will connect through `dial`, made by
    /// the router in its own process: until it connects, `watch` tells it
    /// whether its pipe closed.
    pub fn watched(dial: D, watch: PipeWatch) -> Self {
        let mut sender = Self::new(dial);
        sender.watch = Some(watch);
        sender
    }

    /// How this sender reaches its router.
    pub fn dial(&self) -> &D {
        &self.dial
    }

    /// How this sender reaches its router, to change what the next
    /// connect uses.
    pub fn dial_mut(&mut self) -> &mut D {
        &mut self.dial
    }

    /// How this sender reaches its router, to hand it to another process
    /// (its token): from now on, dropping this sender un-started says
    /// nothing, as the sender made from the token speaks for the pipe.
    pub fn hand_over(&self) -> &D {
        self.quiet_drop.store(true, Ordering::Relaxed);
        &self.dial
    }

    /// The sender's state, in a word: `ready`, `open`, `disconnected` or
    /// `stopped`.
    pub fn state(&self) -> &'static str {
        match self.state {
            State::Ready => "ready",
            State::Open(_) => "open",
            State::Broken => "disconnected",
            State::Stopped => "stopped",
        }
    }

    /// Connects: what [`start`](MessageSender::start) does.
    fn connect(&mut self) -> Result<(), SenderStartError> {
        let pipe = self.dial.pipe();
        match self.state {
            State::Ready => {
                let line = self.dial.dial::<M>().map_err(|cause| {
                    self.quiet_drop.store(true, Ordering::Relaxed);
                    SenderStartError::Connect {
                        pipe,
                        source: Box::new(cause),
                    }
                })?;
                self.state = State::Open(line);
                tracing::debug!(pipe = %pipe, "remote sender connected");
                Ok(())
            }
            State::Open(_) | State::Broken => Err(SenderStartError::AlreadyStarted { pipe }),
            State::Stopped => Err(SenderStartError::Stopped { pipe }),
        }
    }

    /// Ends an open sender, telling the router `end`.
    fn stop_as(&mut self, end: SenderEnd) -> Result<(), SenderStopError> {
        let pipe = self.dial.pipe();
        match std::mem::replace(&mut self.state, State::Stopped) {
            State::Open(mut line) => {
                line.end(end);
                Ok(())
            }
            State::Broken => {
                // Nothing routes its messages any more: it stays closed.
                self.closed.store(true, Ordering::Relaxed);
                Ok(())
            }
            State::Ready => {
                self.state = State::Ready;
                Err(SenderStopError::NotStarted { pipe })
            }
            State::Stopped => Err(SenderStopError::Stopped { pipe }),
        }
    }

    /// Writes the sender as `name { dial, state }`, for the backend's own
    /// sender type.
    ///
    /// # Errors
    ///
    /// The formatter's.
    pub fn fmt_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result
    where
        D: fmt::Debug,
    {
        f.debug_struct(name)
            .field("dial", &self.dial)
            .field("state", &self.state())
            .finish()
    }
}

/// A send refused because the line to the router is gone.
fn disconnected<M>(pipe: PipeId, message: M) -> SendError<M> {
    let kind = SendErrorKind::Disconnected(Disconnect::ConnectionClosed);
    SendError::new(pipe, kind, message)
}

impl<M: Serialize + 'static, D: Dial> MessageSender<M> for RemoteSender<M, D> {
    fn pipe_id(&self) -> PipeId {
        self.dial.pipe()
    }

    fn start(&mut self) -> Result<(), SenderStartError> {
        self.connect()
    }

    fn send(&mut self, message: M) -> Result<(), SendError<M>> {
        let pipe = self.dial.pipe();
        let line = match &mut self.state {
            State::Open(line) => line,
            State::Ready => return Err(SendError::new(pipe, SendErrorKind::NotStarted, message)),
            State::Broken => return Err(disconnected(pipe, message)),
            State::Stopped => return Err(SendError::new(pipe, SendErrorKind::Stopped, message)),
        };
        match line.send(&message) {
            Ok(()) => Ok(()),
            Err(LineFault::Encode(error)) => {
                let kind = SendErrorKind::Encode(Box::new(error));
                Err(SendError::new(pipe, kind, message))
            }
            Err(LineFault::Lost(cause)) => {
                tracing::debug!(pipe = %pipe, %cause, "remote sender lost its connection");
                self.state = State::Broken;
                Err(disconnected(pipe, message))
            }
        }
    }

    fn stop(&mut self) -> Result<(), SenderStopError> {
        self.stop_as(SenderEnd::Stopped)
    }

    fn stop_on_panic(&mut self) -> Result<(), SenderStopError> {
        self.stop_as(SenderEnd::Panicked)
    }

    fn is_closed(&self) -> bool {
        // Relaxed: the flag orders nothing but itself, and a sender is
        // used from one thread at a time.
        if self.closed.load(Ordering::Relaxed) {
            return true;
        }
        let closed = match &self.state {
            State::Open(line) => line.is_closed(),
            State::Broken => true,
            State::Ready => self.watch.as_ref().is_some_and(PipeWatch::is_closed),
            State::Stopped => false,
        };
        if closed {
            self.closed.store(true, Ordering::Relaxed);
        }
        closed
    }
}

impl<M, D: Dial> Drop for RemoteSender<M, D> {
    /// An open sender tells its end (E2). So does one never started and
    /// never handed over: no other sender can speak for its pipe, so it
    /// connects to say so.
    fn drop(&mut self) {
        let end = if std::thread::panicking() {
            SenderEnd::Panicked
        } else {
            SenderEnd::Dropped
        };
        if matches!(self.state, State::Ready) && !self.quiet_drop.load(Ordering::Relaxed) {
            match self.dial.dial::<M>() {
                Ok(line) => self.state = State::Open(line),
                Err(error) => {
                    let pipe = self.dial.pipe();
                    tracing::debug!(pipe = %pipe, %error, "a sender dropped un-started cannot tell its end");
                }
            }
        }
        if let State::Open(line) = &mut self.state {
            line.end(end);
        }
    }
}

impl<M, D: Dial + fmt::Debug> fmt::Debug for RemoteSender<M, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_as("RemoteSender", f)
    }
}
