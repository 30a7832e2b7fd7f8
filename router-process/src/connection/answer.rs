//! The router's answer to a hello, on the socket: the accept byte, or the
//! byte of a refusal (and, for a sender of another message type, a frame
//! naming the router's); and its one later word, that the pipe closed.

use std::io::{self, Write};

use mio::net::UnixStream;

use crate::wire::{self, Refusal};

/// Accepts the connection; `false` if the peer left first. The socket's
/// send buffer is empty at this point: one byte always fits.
pub(super) fn accept(stream: &mut UnixStream) -> bool {
    matches!(stream.write(&[wire::ACCEPTED]), Ok(1))
}

/// Tells the peer why it is refused, before the connection is closed.
/// Nothing was answered yet, so the send buffer is empty and the answer
/// fits; a peer that left misses nothing it could use.
pub(super) fn refuse(stream: &mut UnixStream, refusal: Refusal, router_type: &str) {
    if refusal != Refusal::MessageType {
        let _ = stream.write(&[refusal.code()]);
        return;
    }
    let answer = vec![Refusal::MessageType.code()];
    let Ok(answer) = wire::encode_frame(router_type, answer) else {
        let _ = stream.write(&[refusal.code()]);
        return;
    };
    // A peer that does not read the name only misses the name.
    let mut rest = answer.as_slice();
    while !rest.is_empty() {
        match stream.write(rest) {
            Ok(0) => break,
            Ok(count) => rest = rest.get(count..).unwrap_or_default(),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

/// What telling a sender that its pipe closed came to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Told {
    /// The byte is on its way, or the peer left (its connection's read
    /// says so next): nothing more to tell.
    Done,
    /// The socket takes nothing now: try at the next look.
    Later,
}

/// Writes [`wire::CLOSED`] (C2). The sender reads nothing but this byte,
/// so the send buffer holds at most the byte of an earlier try: it fits.
pub(super) fn tell_closed(stream: &mut UnixStream) -> Told {
    match stream.write(&[wire::CLOSED]) {
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
            ) =>
        {
            Told::Later
        }
        _ => Told::Done,
    }
}
