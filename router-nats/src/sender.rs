//! The sender that travels to another machine as a token.

use std::fmt;
use std::time::Duration;

use router_api::PipeId;
use router_remote::{Dial, PipeWatch, RemoteSender};

use crate::connect::ConnectError;
use crate::frame;
use crate::line::NatsLine;
use crate::listener::Listener;
use crate::publisher::Publisher;
use crate::token::{Token, TokenError};

/// How long a sender keeps publishing a frame again before it gives up
/// on a server that does not acknowledge it, unless set.
pub const DEFAULT_PATIENCE: Duration = Duration::from_secs(30);

/// The background end of a pipe of a [`NatsRouter`](crate::NatsRouter),
/// for a thread of this process or for a process on another machine.
///
/// Hand it over as text: [`token`](Self::token) where the router runs,
/// [`from_token`](Self::from_token) in the worker. Then it is a
/// [`MessageSender`](router_api::MessageSender) like any other:
///
/// - [`start`](router_api::MessageSender::start) connects to the token's server (at
///   most 5 s) and checks that the router's run is there; it fails with
///   [`SenderStartError::Connect`](router_api::SenderStartError::Connect) when the server is unreachable or the
///   run is over (its source the [`ConnectError`] that says which), and
///   the sender stays un-started, so `start` may be tried again;
/// - [`send`](router_api::MessageSender::send) publishes one frame to JetStream and,
///   by default, returns once the server has stored it (its
///   acknowledgement): a message `send` accepted reaches the router once
///   and in order, across a restart of the server. A frame whose
///   acknowledgement does not come is published again, under the same
///   message id (the server drops the copy), for up to the
///   [patience](Self::set_patience). `send` fails with
///   [`SendErrorKind::Disconnected`](router_api::SendErrorKind::Disconnected) (cause
///   [`ConnectionClosed`](router_api::Disconnect::ConnectionClosed)) once the router
///   has stopped or the server stayed away that long, and with
///   [`SendErrorKind::Encode`](router_api::SendErrorKind::Encode) (its source an
///   [`EncodeError`](crate::EncodeError)) for a message that cannot be serialized or
///   is over [`MAX_MESSAGE_LEN`](crate::MAX_MESSAGE_LEN);
/// - [`stop`](router_api::MessageSender::stop), or dropping the sender, waits for the
///   frames under way and tells the router how it ended.
///
/// [`set_window`](Self::set_window) lets `send` return before the
/// acknowledgement, for throughput.
///
/// [`is_closed`](router_api::MessageSender::is_closed) turns true within
/// 100 ms of its pipe closing (C1, C2), so a worker looping
/// `while !sender.is_closed()` stops: a started sender has a thread of its
/// own ([`LISTENER_THREAD_NAME`](crate::LISTENER_THREAD_NAME)), with its
/// own connection to the server, that listens for the router's notice
/// (and asks at start, so a sender that starts after its pipe closed is
/// told at once); asking costs an atomic load. The thread ends with the
/// sender, or once told. Before it starts, the sender the router handed
/// out reads the router's book in that process; one rebuilt from a token
/// says `false` until it starts. Its sends still succeed once its pipe
/// closed, and the router discards them (R7).
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
    remote: RemoteSender<M, NatsDial>,
}

router_remote::remote_sender!(NatsSender(remote));

/// How a [`NatsSender`] reaches its router: the token's server and run,
/// with the window and patience its publisher takes.
pub(crate) struct NatsDial {
    token: Token,
    window: usize,
    patience: Duration,
}

impl Dial for NatsDial {
    type Line = NatsLine;
    type Error = ConnectError;

    fn pipe(&self) -> PipeId {
        self.token.pipe
    }

    /// Connects to the token's server (at most 5 s), checks that the
    /// router's run is there, and starts listening for the notice that
    /// the pipe closed.
    fn dial<M: ?Sized>(&self) -> Result<NatsLine, ConnectError> {
        let publisher = Publisher::open(&self.token, self.window, self.patience)?;
        let listener = Listener::spawn(&self.token)?;
        tracing::debug!(pipe = %self.token.pipe, server = %self.token.server, "nats sender connected");
        Ok(NatsLine::new(
            publisher,
            self.token.pipe,
            self.token.message_type,
            listener,
        ))
    }
}

impl fmt::Debug for NatsDial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsDial")
            .field("token", &self.token)
            .field("window", &self.window)
            .field("patience", &self.patience)
            .finish()
    }
}

impl<M> NatsSender<M> {
    fn dial_of(token: Token) -> NatsDial {
        NatsDial {
            token,
            window: 1,
            patience: DEFAULT_PATIENCE,
        }
    }

    pub(crate) fn new(token: Token) -> Self {
        Self {
            remote: RemoteSender::new(Self::dial_of(token)),
        }
    }

    /// The sender the router hands out in its own process, which reads
    /// `watch` until it connects.
    pub(crate) fn watched(token: Token, watch: PipeWatch) -> Self {
        Self {
            remote: RemoteSender::watched(Self::dial_of(token), watch),
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
        self.remote.hand_over().token.to_string()
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
    /// the log. Frames are published again in order either way. Takes
    /// effect at the next [`start`](router_api::MessageSender::start).
    pub fn set_window(&mut self, window: usize) {
        self.remote.dial_mut().window = window.max(1);
    }

    /// How long the sender keeps publishing a frame again while the
    /// server does not acknowledge it (a server restarting, a network
    /// cut), before `send` fails as disconnected: 30 s unless set. Takes
    /// effect at the next [`start`](router_api::MessageSender::start).
    pub fn set_patience(&mut self, patience: Duration) {
        self.remote.dial_mut().patience = patience;
    }
}
