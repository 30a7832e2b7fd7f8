//! The sender that travels to another process as a token.

use std::fmt;
use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use router_api::{MessageSender, PipeId, SendError, SenderError};
use serde::Serialize;

use crate::token::{Token, TokenError};
use crate::wire::{self, Hello};

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
/// parent, [`from_token`](Self::from_token) in the child (by argument or
/// environment variable; see [`child`](crate::child) for tests). Then it is
/// a [`MessageSender`] like any other:
///
/// - [`start`](MessageSender::start) connects to the router's socket and
///   presents the router's secret; it fails with [`SenderError::Connect`]
///   when no router is listening (not started yet, or stopped) or the router
///   refuses the connection, and the sender stays un-started, so `start`
///   may be tried again;
/// - [`send`](MessageSender::send) writes one frame. It does not wait for
///   the foreground thread; it waits only while the router's monitor
///   thread catches up with the socket. It fails with
///   [`SenderError::Disconnected`] once the router has stopped and with
///   [`SenderError::Encode`] for a message that cannot be serialized or is
///   over [`MAX_FRAME_LEN`](crate::wire::MAX_FRAME_LEN);
/// - [`stop`](MessageSender::stop), or dropping the sender, closes the
///   connection; what was sent before is delivered.
///
/// A pipe takes one connection per router run: a second sender rebuilt
/// from the same token is refused at `start` (S1: a sender starts once).
pub struct ProcessSender<M> {
    token: Token,
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
            state: State::Ready,
            buffer: Vec::new(),
            _message: PhantomData,
        }
    }

    /// The token that rebuilds this sender in another process, one line
    /// of text: pass it by argument or environment variable.
    ///
    /// It holds the router's secret: anyone who reads it can send on this
    /// pipe while the router runs, so do not log it.
    #[must_use]
    pub fn token(&self) -> String {
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

    /// Connects, presents the hello and waits for the router's answer.
    fn connect(&self) -> Result<UnixStream, SenderError> {
        let pipe = self.pipe();
        let socket = &*self.token.socket;
        let connect_error = |reason: String| SenderError::Connect { pipe, reason };
        let mut stream = UnixStream::connect(socket).map_err(|error| {
            connect_error(match error.kind() {
                io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => format!(
                    "no router is listening at {socket}: it has not started yet, or it has stopped ({error})"
                ),
                _ => format!("cannot connect to {socket}: {error}"),
            })
        })?;
        let hello = Hello {
            protocol: wire::PROTOCOL,
            secret: self.token.secret,
            pipe: pipe.get(),
        };
        let frame = wire::encode_frame(&hello, Vec::new())
            .map_err(|error| connect_error(format!("cannot encode the hello: {error}")))?;
        let refused = |error: io::Error| {
            connect_error(match error.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                    format!("the router did not answer within {ACCEPT_TIMEOUT:?}")
                }
                _ => format!(
                    "the router closed the connection: it is stopping, or it refused this sender \
                     (wrong secret, a pipe it never made, or a pipe whose sender connected already; \
                     its log says which) ({error})"
                ),
            })
        };
        stream.write_all(&frame).map_err(refused)?;
        stream
            .set_read_timeout(Some(ACCEPT_TIMEOUT))
            .map_err(|error| connect_error(format!("cannot set a timeout: {error}")))?;
        let mut answer = [0u8];
        stream.read_exact(&mut answer).map_err(refused)?;
        if answer[0] != wire::ACCEPTED {
            return Err(connect_error(format!(
                "the router answered {:#04x}, not the accept byte of protocol {}",
                answer[0],
                wire::PROTOCOL
            )));
        }
        stream
            .set_read_timeout(None)
            .map_err(|error| connect_error(format!("cannot clear the timeout: {error}")))?;
        Ok(stream)
    }
}

impl<M: Serialize + 'static> MessageSender<M> for ProcessSender<M> {
    fn pipe_id(&self) -> PipeId {
        self.pipe()
    }

    fn start(&mut self) -> Result<(), SenderError> {
        let pipe = self.pipe();
        match self.state {
            State::Ready => {
                self.state = State::Open(self.connect()?);
                tracing::debug!(pipe = %pipe, "process sender connected");
                Ok(())
            }
            State::Open(_) | State::Broken => Err(SenderError::AlreadyStarted { pipe }),
            State::Stopped => Err(SenderError::Stopped { pipe }),
        }
    }

    fn send(&mut self, message: M) -> Result<(), SendError<M>> {
        let pipe = self.pipe();
        let stream = match &mut self.state {
            State::Open(stream) => stream,
            State::Ready => return Err(SendError::new(SenderError::NotStarted { pipe }, message)),
            State::Broken => {
                return Err(SendError::new(SenderError::Disconnected { pipe }, message));
            }
            State::Stopped => return Err(SendError::new(SenderError::Stopped { pipe }, message)),
        };
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        let frame = match wire::encode_frame(&message, buffer) {
            Ok(frame) => frame,
            Err(error) => {
                let reason = SenderError::Encode {
                    pipe,
                    reason: error.to_string(),
                };
                return Err(SendError::new(reason, message));
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
                Err(SendError::new(SenderError::Disconnected { pipe }, message))
            }
        }
    }

    fn stop(&mut self) -> Result<(), SenderError> {
        let pipe = self.pipe();
        match self.state {
            State::Open(_) | State::Broken => {
                // Dropping the stream closes it; the router reads to the end first.
                self.state = State::Stopped;
                Ok(())
            }
            State::Ready => Err(SenderError::NotStarted { pipe }),
            State::Stopped => Err(SenderError::Stopped { pipe }),
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
