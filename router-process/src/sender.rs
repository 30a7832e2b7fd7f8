//! The sender that travels to another process as a token.

use std::fmt;
use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use router_api::{
    Disconnect, MessageSender, PipeId, SendError, SendErrorKind, SenderEnd, SenderStartError,
    SenderStopError,
};
use serde::Serialize;

use crate::connect_error::ConnectError;
use crate::token::{Token, TokenError};
use crate::wire::{self, Hello, Refusal};

/// How long `start` waits for the router to accept the hello. The router's
/// monitor thread answers at once; this only bounds a router process that
/// hangs.
const ACCEPT_TIMEOUT: Duration = Duration::from_secs(30);

/// A send buffer this big or bigger is given back after the send, so one
/// huge message does not pin its memory for the sender's life.
const KEEP_BUFFER: usize = 1 << 20;

/// The background end of a pipe of a [`ProcessRouter`](crate::ProcessRouter),
/// for a thread of this process or for another process.
///
/// Hand it to another process as text: [`token`](Self::token) in the
/// parent, [`from_token`](Self::from_token) in the child; the
/// [`child`](crate::child) module hands it over in a one-shot file, which
/// keeps it out of the child's environment and its own children. Then it
/// is a [`MessageSender`] like any other:
///
/// - [`start`](MessageSender::start) connects to the router's socket and
///   presents the router's secret; it fails with
///   [`SenderStartError::Connect`] when no router is listening (not started
///   yet, or stopped) or the router refuses the connection, its source the
///   [`ConnectError`] that says which one cause it was, and the sender
///   stays un-started, so `start` may be tried again;
/// - [`send`](MessageSender::send) writes one frame. It does not wait for
///   the foreground thread; it waits only while the router's monitor
///   thread catches up with the socket. It fails with
///   [`SendErrorKind::Disconnected`] once the router has stopped and with
///   [`SendErrorKind::Encode`] (its source an
///   [`EncodeError`](crate::wire::EncodeError)) for a message that cannot
///   be serialized or is over [`MAX_FRAME_LEN`](crate::wire::MAX_FRAME_LEN);
/// - [`stop`](MessageSender::stop), or dropping the sender, writes its end
///   frame and closes the connection; what was sent before is delivered,
///   and then the receiver is told how the sender ended (E2). A connection
///   that breaks without its end frame (the process died) ends the pipe
///   as [`SenderEnd::Lost`].
///
/// A pipe takes one connection per router run: a second sender rebuilt
/// from the same token is refused at `start` (S1: a sender starts once).
pub struct ProcessSender<M> {
    token: Token,
    /// Whether dropping this sender un-started says nothing: its
    /// [`token`](Self::token) was handed out (another sender may speak for
    /// the pipe), or a connect failed (no router took it).
    quiet_drop: AtomicBool,
    state: State,
    buffer: Vec<u8>,
    _message: PhantomData<fn(M)>,
}

enum State {
    Ready,
    Open(UnixStream),
    /// The connection broke: every send fails as disconnected.
    Broken,
    Stopped,
}

impl<M> ProcessSender<M> {
    pub(crate) fn new(token: Token) -> Self {
        Self {
            token,
            quiet_drop: AtomicBool::new(false),
            state: State::Ready,
            buffer: Vec::new(),
            _message: PhantomData,
        }
    }

    /// The token that rebuilds this sender in another process, one line
    /// of text: hand it to a child with
    /// [`child::pass_token`](crate::child::pass_token).
    ///
    /// It holds the router's secret: anyone who reads it can send on this
    /// pipe while the router runs, so do not log it.
    #[must_use]
    pub fn token(&self) -> String {
        self.quiet_drop.store(true, Ordering::Relaxed);
        self.token.to_string()
    }

    /// Rebuilds a sender from its [`token`](Self::token), un-started.
    /// Whitespace around the token (a trailing newline, say) is ignored.
    ///
    /// # Errors
    ///
    /// A [`TokenError`] saying what is wrong with the text. Whether a
    /// router is listening is found out by [`start`](MessageSender::start).
    pub fn from_token(token: &str) -> Result<Self, TokenError> {
        token.parse().map(Self::new)
    }

    fn pipe(&self) -> PipeId {
        self.token.pipe
    }

    /// Connects to the router, presents the hello and waits for its
    /// answer: what [`start`](MessageSender::start) does.
    ///
    /// # Errors
    ///
    /// [`SenderStartError::AlreadyStarted`] or
    /// [`SenderStartError::Stopped`] when the sender is not new (S1);
    /// [`SenderStartError::Connect`], whose source is the [`ConnectError`],
    /// when it could not connect: no router listening, the router refused
    /// it (its cause, one of them), or the connection failed. After a
    /// connect error the sender stays un-started, so this may be tried
    /// again.
    fn connect(&mut self) -> Result<(), SenderStartError> {
        let pipe = self.pipe();
        match self.state {
            State::Ready => {
                let stream = self.dial().map_err(|cause| {
                    self.quiet_drop.store(true, Ordering::Relaxed);
                    SenderStartError::Connect {
                        pipe,
                        source: Box::new(cause),
                    }
                })?;
                self.state = State::Open(stream);
                tracing::debug!(pipe = %pipe, "process sender connected");
                Ok(())
            }
            State::Open(_) | State::Broken => Err(SenderStartError::AlreadyStarted { pipe }),
            State::Stopped => Err(SenderStartError::Stopped { pipe }),
        }
    }

    /// Connects, presents the hello and waits for the router's answer.
    fn dial(&self) -> Result<UnixStream, ConnectError> {
        let pipe = self.pipe();
        let socket = &*self.token.socket;
        let mut stream = UnixStream::connect(socket).map_err(|source| {
            let socket = socket.to_owned();
            match source.kind() {
                io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => {
                    ConnectError::NoRouter { socket, source }
                }
                _ => ConnectError::Socket { socket, source },
            }
        })?;
        let hello = Hello::new::<M>(self.token.secret, pipe.get());
        let frame = wire::encode_frame(&hello, Vec::new()).map_err(ConnectError::Hello)?;
        stream
            .set_read_timeout(Some(ACCEPT_TIMEOUT))
            .map_err(|source| ConnectError::Io {
                doing: "set a timeout for the router's answer",
                source,
            })?;
        // A router that refuses may close before the hello is all written;
        // its answer is still there to read, and says why.
        // A write that failed (the router closed the connection) leaves
        // the read to say so.
        let _ = stream.write_all(&frame);
        let mut answer = [0u8];
        stream.read_exact(&mut answer).map_err(lost)?;
        match answer[0] {
            wire::ACCEPTED => {}
            code => {
                return Err(match Refusal::from_code(code) {
                    Some(refusal) => ConnectError::refused(refusal, pipe, || {
                        let sender = std::any::type_name::<M>().to_owned();
                        (sender, refusal_type_name(&mut stream))
                    }),
                    None => ConnectError::UnknownAnswer { answer: code },
                });
            }
        }
        stream
            .set_read_timeout(None)
            .map_err(|source| ConnectError::Io {
                doing: "clear the timeout for the router's answer",
                source,
            })?;
        Ok(stream)
    }
}

/// The router's message type, from the frame that follows a
/// [`Refusal::MessageType`]; a stand-in if it cannot be read.
fn refusal_type_name(stream: &mut UnixStream) -> String {
    let mut header = [0u8; wire::HEADER_LEN];
    let named = stream.read_exact(&mut header).ok().and_then(|()| {
        let len = wire::payload_len(header);
        if len > wire::MAX_REFUSAL_DETAIL {
            return None;
        }
        let mut payload = vec![0u8; len];
        stream.read_exact(&mut payload).ok()?;
        wire::decode_payload::<String>(&payload).ok()
    });
    named.unwrap_or_else(|| "(the router did not say)".to_owned())
}

/// What an I/O error before the router's answer means.
fn lost(error: io::Error) -> ConnectError {
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ConnectError::NoAnswer {
            timeout: ACCEPT_TIMEOUT,
        },
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::BrokenPipe => ConnectError::Closed { source: error },
        _ => ConnectError::Io {
            doing: "read the router's answer",
            source: error,
        },
    }
}

/// A send refused because the connection to the router is closed.
fn closed<M>(pipe: PipeId, message: M) -> SendError<M> {
    let kind = SendErrorKind::Disconnected(Disconnect::ConnectionClosed);
    SendError::new(pipe, kind, message)
}

impl<M: Serialize + 'static> MessageSender<M> for ProcessSender<M> {
    fn pipe_id(&self) -> PipeId {
        self.pipe()
    }

    fn start(&mut self) -> Result<(), SenderStartError> {
        self.connect()
    }

    fn send(&mut self, message: M) -> Result<(), SendError<M>> {
        let pipe = self.pipe();
        let stream = match &mut self.state {
            State::Open(stream) => stream,
            State::Ready => return Err(SendError::new(pipe, SendErrorKind::NotStarted, message)),
            State::Broken => return Err(closed(pipe, message)),
            State::Stopped => return Err(SendError::new(pipe, SendErrorKind::Stopped, message)),
        };
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        let frame = match wire::encode_message(&message, buffer) {
            Ok(frame) => frame,
            Err(error) => {
                let kind = SendErrorKind::Encode(Box::new(error));
                return Err(SendError::new(pipe, kind, message));
            }
        };
        let written = stream.write_all(&frame);
        if frame.capacity() < KEEP_BUFFER {
            self.buffer = frame;
        }
        match written {
            Ok(()) => Ok(()),
            Err(error) => {
                // Part of the frame may be on the wire: nothing more may follow it.
                tracing::debug!(pipe = %pipe, %error, "process sender lost its connection");
                self.state = State::Broken;
                Err(closed(pipe, message))
            }
        }
    }

    fn stop(&mut self) -> Result<(), SenderStopError> {
        self.stop_as(SenderEnd::Stopped)
    }

    fn stop_on_panic(&mut self) -> Result<(), SenderStopError> {
        self.stop_as(SenderEnd::Panicked)
    }
}

impl<M> ProcessSender<M> {
    /// Ends an open sender: writes the end frame saying `end`, then closes
    /// the connection (the router reads to the end first).
    fn stop_as(&mut self, end: SenderEnd) -> Result<(), SenderStopError> {
        let pipe = self.pipe();
        match std::mem::replace(&mut self.state, State::Stopped) {
            State::Open(mut stream) => {
                // A router gone already has nobody to tell.
                let _ = stream.write_all(&wire::end_frame(end));
                Ok(())
            }
            State::Broken => Ok(()),
            State::Ready => {
                self.state = State::Ready;
                Err(SenderStopError::NotStarted { pipe })
            }
            State::Stopped => Err(SenderStopError::Stopped { pipe }),
        }
    }
}

impl<M> Drop for ProcessSender<M> {
    /// An open sender tells its end (E2). So does one never started whose
    /// token was never handed out: no other sender can speak for its pipe,
    /// so it connects to say so. One whose token went to another process
    /// leaves the pipe to the sender made from it.
    fn drop(&mut self) {
        let end = if std::thread::panicking() {
            SenderEnd::Panicked
        } else {
            SenderEnd::Dropped
        };
        match &mut self.state {
            State::Open(stream) => {
                let _ = stream.write_all(&wire::end_frame(end));
            }
            State::Ready if !self.quiet_drop.load(Ordering::Relaxed) => {
                if let Ok(mut stream) = self.dial() {
                    let _ = stream.write_all(&wire::end_frame(end));
                }
            }
            State::Ready | State::Broken | State::Stopped => {}
        }
    }
}

impl<M> fmt::Debug for ProcessSender<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready => "ready",
            State::Open(_) => "open",
            State::Broken => "disconnected",
            State::Stopped => "stopped",
        };
        f.debug_struct("ProcessSender")
            .field("pipe", &self.token.pipe)
            .field("socket", &self.token.socket)
            .field("state", &state)
            .finish()
    }
}
