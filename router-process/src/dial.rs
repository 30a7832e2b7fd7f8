//! Connecting: a sender, rebuilt from its token, connects to the router's
//! socket, presents its hello and reads the router's answer.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use router_api::PipeId;
use router_remote::Dial;

use crate::connect_error::ConnectError;
use crate::line::SocketLine;
use crate::token::Token;
use crate::wire::{self, Hello, Refusal};

/// How long `start` waits for the router to accept the hello. The router's
/// monitor thread answers at once; this only bounds a router process that
/// hangs.
const ACCEPT_TIMEOUT: Duration = Duration::from_secs(30);

/// A token dials the socket it names.
impl Dial for Token {
    type Line = SocketLine;
    type Error = ConnectError;

    fn pipe(&self) -> PipeId {
        self.pipe
    }

    /// Connects, presents the hello of a sender of `M` and waits for the
    /// router's answer.
    ///
    /// # Errors
    ///
    /// The [`ConnectError`] that names the one cause: no router
    /// listening, the router refused the hello (its cause), or the
    /// connection failed.
    fn dial<M: ?Sized>(&self) -> Result<SocketLine, ConnectError> {
        let pipe = self.pipe;
        let socket = &*self.socket;
        let mut stream = UnixStream::connect(socket).map_err(|source| {
            let socket = socket.to_owned();
            match source.kind() {
                io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => {
                    ConnectError::NoRouter { socket, source }
                }
                _ => ConnectError::Socket { socket, source },
            }
        })?;
        let hello = Hello::new::<M>(self.secret, pipe.get());
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
        read_answer::<M>(&mut stream, pipe)?;
        stream
            .set_read_timeout(None)
            .map_err(|source| ConnectError::Io {
                doing: "clear the timeout for the router's answer",
                source,
            })?;
        Ok(SocketLine::new(stream))
    }
}

/// Reads the router's answer to the hello of a sender of `M` on `pipe`:
/// the accept byte, or a refusal (with, for another message type, the
/// frame naming the router's).
///
/// # Errors
///
/// The refusal's [`ConnectError`], or what reading said.
pub(crate) fn read_answer<M: ?Sized>(
    stream: &mut UnixStream,
    pipe: PipeId,
) -> Result<(), ConnectError> {
    let mut answer = [0u8];
    stream.read_exact(&mut answer).map_err(lost)?;
    match answer[0] {
        wire::ACCEPTED => Ok(()),
        code => Err(match Refusal::from_code(code) {
            Some(refusal) => ConnectError::refused(refusal, pipe, || {
                let sender = std::any::type_name::<M>().to_owned();
                (sender, refusal_type_name(stream))
            }),
            None => ConnectError::UnknownAnswer { answer: code },
        }),
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
