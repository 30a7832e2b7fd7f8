//! A started sender's connection: each message one frame on the socket,
//! its end one end frame.

use std::io::Write;
use std::os::unix::net::UnixStream;

use router_api::SenderEnd;
use router_remote::{Line, LineFault};
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
}

impl SocketLine {
    pub(crate) fn new(stream: UnixStream) -> Self {
        Self {
            stream,
            buffer: Vec::new(),
        }
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
}
