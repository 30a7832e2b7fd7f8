//! The sender that travels to another machine as a token.

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use router_api::{
    Disconnect, MessageSender, PipeId, SendError, SendErrorKind, SenderStartError, SenderStopError,
};
use serde::Serialize;

use crate::connect::ConnectError;
use crate::frame::{self, EndCode, Header, Kind};
use crate::publisher::{Failure, Publisher};
use crate::token::{Token, TokenError};

/// How long a sender keeps publishing a frame again before it gives up
/// on a server that does not acknowledge it, unless set.
pub const DEFAULT_PATIENCE: Duration = Duration::from_secs(30);

/// The background end of a pipe of a [`NatsRouter`](crate::NatsRouter),
/// for a thread of this process or for a process on another machine.
///
/// Hand it over as text: [`token`](Self::token) where the router runs,
/// [`from_token`](Self::from_token) in the worker. Then it is a
/// [`MessageSender`] like any other:
///
/// - [`start`](MessageSender::start) connects to the token's server (at
///   most 5 s) and checks that the router's run is there; it fails with
///   [`SenderStartError::Connect`] when the server is unreachable or the
///   run is over (its source the [`ConnectError`] that says which), and
///   the sender stays un-started, so `start` may be tried again;
/// - [`send`](MessageSender::send) publishes one frame to JetStream and,
///   by default, returns once the server has stored it (its
///   acknowledgement): a message `send` accepted reaches the router once
///   and in order, across a restart of the server. A frame whose
///   acknowledgement does not come is published again, under the same
///   message id (the server drops the copy), for up to the
///   [patience](Self::set_patience). `send` fails with
///   [`SendErrorKind::Disconnected`] (cause
///   [`ConnectionClosed`](Disconnect::ConnectionClosed)) once the router
///   has stopped or the server stayed away that long, and with
///   [`SendErrorKind::Encode`] (its source an
///   [`EncodeError`](crate::EncodeError)) for a message that cannot be serialized or
///   is over [`MAX_MESSAGE_LEN`](crate::MAX_MESSAGE_LEN);
/// - [`stop`](MessageSender::stop), or dropping the sender, waits for the
///   frames under way and tells the router how it ended.
///
/// [`set_window`](Self::set_window) lets `send` return before the
/// acknowledgement, for throughput.
///
/// ```no_run
/// use router_api::MessageSender;
/// use router_nats::NatsSender;
///
/// let token = std::env::var("JOB_TOKEN")?;
/// let mut sender = NatsSender::<u64>::from_token(&token)?;
/// let mut open = sender.open()?; // stops when dropped
/// for step in 0..100 {
///     open.send(step)?;
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct NatsSender<M> {
    token: Token,
    state: State,
    window: usize,
    patience: Duration,
    /// Whether the token was handed out: a sender made from it speaks for
    /// the pipe then, so this one's drop says nothing.
    token_taken: AtomicBool,
    _message: PhantomData<fn(M)>,
}

enum State {
    Ready,
    Open(Box<Publisher>),
    /// The router or the server is gone: every send fails as disconnected.
    Broken,
    Stopped,
}

impl<M> NatsSender<M> {
    pub(crate) fn new(token: Token) -> Self {
        Self {
            token,
            state: State::Ready,
            window: 1,
            patience: DEFAULT_PATIENCE,
            token_taken: AtomicBool::new(false),
            _message: PhantomData,
        }
    }

    /// The token that rebuilds this sender anywhere that reaches the
    /// server, one line of text.
    ///
    /// It holds the pipe's key: anyone who reads it can send on this pipe
    /// while the router runs, so do not log it. Once it was taken, this
    /// sender's drop leaves the pipe's end to the sender made from it
    /// (a sender never started whose token was never taken connects as
    /// it drops, to tell the router it ended).
    #[must_use]
    pub fn token(&self) -> String {
        self.token_taken.store(true, Ordering::Relaxed);
        self.token.to_string()
    }

    /// Rebuilds a sender from its [`token`](Self::token), un-started.
    /// Whitespace around the token is ignored.
    ///
    /// # Errors
    ///
    /// A [`TokenError`] saying what is wrong with the text, or
    /// [`TokenError::MessageType`] when the token's router routes another
    /// message type than `M`.
    pub fn from_token(token: &str) -> Result<Self, TokenError> {
        let token: Token = token.parse()?;
        if token.message_type != frame::fingerprint::<M>() {
            return Err(TokenError::MessageType {
                sender: std::any::type_name::<M>(),
            });
        }
        Ok(Self::new(token))
    }

    /// Lets up to `window` frames await their acknowledgement (at least
    /// 1, the default). With a window of 1, `send` returns once the server
    /// stored its frame; with more, `send` returns once the frame is
    /// published, and waits only when `window` frames are under way. A
    /// failure is then reported by a later `send` (or by `stop`), and the
    /// messages still under way when it happened are lost, and counted in
    /// the log. Frames are published again in order either way.
    pub fn set_window(&mut self, window: usize) {
        self.window = window.max(1);
    }

    /// How long the sender keeps publishing a frame again while the
    /// server does not acknowledge it (a server restarting, a network
    /// cut), before `send` fails as disconnected: 30 s unless set.
    pub fn set_patience(&mut self, patience: Duration) {
        self.patience = patience;
    }

    fn pipe(&self) -> PipeId {
        self.token.pipe
    }

    /// Connects to the server and checks that the router's run is there:
    /// what [`start`](MessageSender::start) does.
    fn connect(&mut self) -> Result<(), SenderStartError> {
        let pipe = self.pipe();
        match self.state {
            State::Ready => {
                let publisher = Publisher::open(&self.token, self.window, self.patience).map_err(
                    |cause: ConnectError| SenderStartError::Connect {
                        pipe,
                        source: Box::new(cause),
                    },
                )?;
                self.state = State::Open(Box::new(publisher));
                tracing::debug!(pipe = %pipe, server = %self.token.server, "nats sender connected");
                Ok(())
            }
            State::Open(_) | State::Broken => Err(SenderStartError::AlreadyStarted { pipe }),
            State::Stopped => Err(SenderStartError::Stopped { pipe }),
        }
    }

    fn header(publisher: &Publisher, kind: Kind, message_type: u64, pipe: PipeId) -> Header {
        Header {
            protocol: frame::PROTOCOL,
            pipe: pipe.get(),
            session: publisher.session(),
            seq: publisher.next_seq(),
            message_type,
            kind,
        }
    }

    /// Publishes the end frame and waits for every frame under way.
    fn finish(&mut self, how: EndCode) {
        let pipe = self.pipe();
        if let State::Open(publisher) = &mut self.state {
            let kind = Kind::End {
                sent: publisher.sent(),
                how: how as u8,
            };
            let header = Self::header(publisher, kind, self.token.message_type, pipe);
            let ended = frame::encode::<()>(&header, None, publisher.mac(), Vec::new())
                .map_err(Failure::Encode)
                .and_then(|bytes| publisher.push(bytes, true));
            if let Err(failure) = ended {
                tracing::warn!(pipe = %pipe, %failure, "nats sender could not say it ended");
            }
        }
    }
}

fn disconnected<M>(pipe: PipeId, message: M) -> SendError<M> {
    let kind = SendErrorKind::Disconnected(Disconnect::ConnectionClosed);
    SendError::new(pipe, kind, message)
}

impl<M: Serialize + 'static> MessageSender<M> for NatsSender<M> {
    fn pipe_id(&self) -> PipeId {
        self.pipe()
    }

    fn start(&mut self) -> Result<(), SenderStartError> {
        self.connect()
    }

    fn send(&mut self, message: M) -> Result<(), SendError<M>> {
        let pipe = self.pipe();
        let publisher = match &mut self.state {
            State::Open(publisher) => publisher,
            State::Ready => return Err(SendError::new(pipe, SendErrorKind::NotStarted, message)),
            State::Broken => return Err(disconnected(pipe, message)),
            State::Stopped => return Err(SendError::new(pipe, SendErrorKind::Stopped, message)),
        };
        let header = Self::header(publisher, Kind::Message, self.token.message_type, pipe);
        let bytes = match frame::encode(&header, Some(&message), publisher.mac(), Vec::new()) {
            Ok(bytes) if bytes.len() <= frame::MAX_FRAME_LEN => bytes,
            Ok(bytes) => {
                let len = bytes.len() - frame::TAG_LEN;
                let kind = SendErrorKind::Encode(Box::new(frame::EncodeError::TooLarge { len }));
                return Err(SendError::new(pipe, kind, message));
            }
            Err(error) => {
                let kind = SendErrorKind::Encode(Box::new(frame::EncodeError::from(error)));
                return Err(SendError::new(pipe, kind, message));
            }
        };
        match publisher.push(bytes, false) {
            Ok(()) => Ok(()),
            Err(failure) => {
                tracing::debug!(pipe = %pipe, %failure, "nats sender is disconnected");
                self.state = State::Broken;
                Err(disconnected(pipe, message))
            }
        }
    }

    fn stop(&mut self) -> Result<(), SenderStopError> {
        self.end_as(EndCode::Stopped)
    }

    fn stop_on_panic(&mut self) -> Result<(), SenderStopError> {
        self.end_as(EndCode::Panicked)
    }
}

impl<M> NatsSender<M> {
    /// Stops the sender, telling the router it ended as `how` says.
    fn end_as(&mut self, how: EndCode) -> Result<(), SenderStopError> {
        let pipe = self.pipe();
        match self.state {
            State::Open(_) => {
                self.finish(how);
                self.state = State::Stopped;
                Ok(())
            }
            State::Broken => {
                self.state = State::Stopped;
                Ok(())
            }
            State::Ready => Err(SenderStopError::NotStarted { pipe }),
            State::Stopped => Err(SenderStopError::Stopped { pipe }),
        }
    }
}

impl<M> Drop for NatsSender<M> {
    /// An open sender tells its end (E2). So does one never started whose
    /// token was never handed out: no other sender can speak for its pipe.
    fn drop(&mut self) {
        if matches!(self.state, State::Ready) && !self.token_taken.load(Ordering::Relaxed) {
            match Publisher::open(&self.token, 1, self.patience) {
                Ok(publisher) => self.state = State::Open(Box::new(publisher)),
                Err(error) => {
                    tracing::debug!(pipe = %self.pipe(), %error, "a sender dropped un-started cannot tell its end");
                }
            }
        }
        if matches!(self.state, State::Open(_)) {
            let how = if std::thread::panicking() {
                EndCode::Panicked
            } else {
                EndCode::Dropped
            };
            self.finish(how);
        }
    }
}

impl<M> fmt::Debug for NatsSender<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready => "ready",
            State::Open(_) => "open",
            State::Broken => "disconnected",
            State::Stopped => "stopped",
        };
        f.debug_struct("NatsSender")
            .field("token", &self.token)
            .field("window", &self.window)
            .field("state", &state)
            .finish()
    }
}
