//! A started sender's connection: each message one frame on the socket,
//! its end one end frame; and the router's word that the pipe closed,
//! read without a thread of its own.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;

use router_api::SenderEnd;
use router_remote::{Line, LineFault, Pacer, SENDER_LOOK_EVERY};
use serde::Serialize;

use crate::wire;

/// A send buffer this big or bigger is given back after the send, so one
/// huge message does not pin its memory for the sender's life.
const KEEP_BUFFER: usize = 1 << 20;

/// The connection of a started [`ProcessSender`](crate::ProcessSender).
#[derive(Debug)]
pub(crate) struct SocketLine {
    stream: UnixStream,
    buffer: Vec<u8>,
    /// Paces the reads of [`is_closed`](Line::is_closed): three system
    /// calls each, so at most one per [`SENDER_LOOK_EVERY`].
    looks: Pacer,
}

impl SocketLine {
    pub(crate) fn new(stream: UnixStream) -> Self {
        Self {
            stream,
            buffer: Vec::new(),
            looks: Pacer::new(SENDER_LOOK_EVERY),
        }
    }
}

/// Reads what the router wrote since its answer, without waiting: its
/// [`CLOSED`](wire::CLOSED) byte, or the end of the connection (the
/// router stopped, or is gone), says the pipe is closed. The socket
/// waits in its writes, so it is made non-blocking for this one read.
pub(crate) fn router_said_closed(stream: &UnixStream) -> bool {
    if let Err(error) = stream.set_nonblocking(true) {
        tracing::debug!(%error, "cannot look for the router's word; trying at the next look");
        return false;
    }
    let mut said = [0u8; wire::MAX_CLOSED_READ];
    let read = (&*stream).read(&mut said);
    if let Err(error) = stream.set_nonblocking(false) {
        // The next send would fail as it should not: a socket that cannot
        // be switched back is as good as lost.
        tracing::debug!(%error, "cannot make the connection blocking again");
        return true;
    }
    match read {
        Ok(0) => true,
        Ok(count) => said
            .get(..count)
            .is_some_and(|bytes| bytes.contains(&wire::CLOSED)),
        Err(error) => !matches!(
            error.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
        ),
    }
}

impl Line for SocketLine {
    fn send<M: Serialize + ?Sized>(&mut self, message: &M) -> Result<(), LineFault> {
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        let frame = wire::encode_message(message, buffer).map_err(LineFault::Encode)?;
        let written = self.stream.write_all(&frame);
        if frame.capacity() < KEEP_BUFFER {
            self.buffer = frame;
        }
        // Part of the frame may be on the wire: nothing more may follow it.
        written.map_err(|error| LineFault::Lost(Box::new(error)))
    }

    fn end(&mut self, end: SenderEnd) {
        // A router gone already has nobody to tell.
        let _ = self.stream.write_all(&wire::end_frame(end));
    }

    /// A read of what the router wrote, at most one per
    /// [`SENDER_LOOK_EVERY`]: an atomic load and a clock read otherwise.
    fn is_closed(&self) -> bool {
        self.looks.due() && router_said_closed(&self.stream)
    }
}
