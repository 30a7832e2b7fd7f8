//! One sender's connection, as the monitor thread sees it: its hello is
//! checked, then each frame is decoded and forwarded into the router's run.

use std::io::{self, Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use mio::net::UnixStream;
use router_api::{PipeId, SenderEnd};
use router_channel::{Forwarder, Route};
use router_crossbeam::Crossbeam;
use serde::de::DeserializeOwned;

use crate::frames::FrameReader;
use crate::pipe_book::{Admission, PipeBook};
use crate::wire::{self, Frame, Hello, Refusal};

/// Reads one connection may do before the monitor turns to the next, so
/// one busy sender cannot starve the others.
const READS_PER_TURN: usize = 16;

/// What one router run lets in: its secret, the pipes it made, and the
/// way into its channel.
#[derive(Debug)]
pub(crate) struct Intake<M: Send + 'static> {
    pub(crate) secret: u128,
    pub(crate) book: Arc<PipeBook>,
    pub(crate) forwarder: Forwarder<M, Crossbeam>,
    /// How long a connection may take to present its hello.
    pub(crate) hello_timeout: Duration,
    /// The fingerprint of the run's message type
    /// ([`wire::message_type`]), which a hello must carry.
    pub(crate) message_type: u64,
    /// The name of the run's message type, for errors.
    pub(crate) type_name: &'static str,
}

/// How a connection's turn ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Turn {
    /// Everything the socket held was read.
    Drained,
    /// The turn's reads are spent and more may be waiting.
    More,
    /// The connection is over: the sender closed it, or it was refused.
    Closed,
}

enum Phase {
    /// Waiting for the hello.
    Hello,
    /// Admitted: every frame is a message for this pipe, on this route.
    Open(PipeId, Route),
}

/// Why a connection is closed by the router.
struct Refused;

/// Why a hello cannot be read.
enum HelloError {
    /// It does not decode.
    Decode(postcard::Error),
    /// It is of another protocol version.
    Protocol(u16),
}

/// One accepted connection.
pub(crate) struct Connection {
    id: u64,
    stream: UnixStream,
    frames: FrameReader,
    phase: Phase,
    /// Whether the sender's end was forwarded (its end frame, or the loss
    /// of the connection): once per pipe.
    ended: bool,
}

impl Connection {
    pub(crate) fn new(id: u64, stream: UnixStream) -> Self {
        Self {
            id,
            stream,
            frames: FrameReader::new(),
            phase: Phase::Hello,
            ended: false,
        }
    }

    pub(crate) fn stream(&mut self) -> &mut UnixStream {
        &mut self.stream
    }

    /// Whether the connection has not presented its hello yet.
    pub(crate) fn awaits_hello(&self) -> bool {
        matches!(self.phase, Phase::Hello)
    }

    /// The connection took longer than `timeout` to present its hello:
    /// says so, to the log and to the peer, before the monitor closes it.
    pub(crate) fn hello_timed_out(&mut self, timeout: Duration) {
        tracing::warn!(
            connection = self.id,
            timeout_ms = timeout.as_millis(),
            bytes = self.frames.pending(),
            "a connection sent no hello within {} ms; closing it",
            timeout.as_millis()
        );
        let _ = self.refuse(Refusal::HelloTimeout);
    }

    /// Tells the peer why it is refused, before the connection is closed.
    /// Nothing was answered yet, so the socket's send buffer is empty and
    /// the one byte fits; a peer that left misses nothing it could use.
    fn refuse(&mut self, refusal: Refusal) -> Refused {
        let _ = self.stream.write(&[refusal.code()]);
        Refused
    }

    /// Refuses a sender of another message type, naming the router's.
    fn refuse_message_type(&mut self, type_name: &str) -> Refused {
        let answer = vec![Refusal::MessageType.code()];
        let Ok(answer) = wire::encode_frame(type_name, answer) else {
            return self.refuse(Refusal::MessageType);
        };
        // A name fits the empty send buffer; a peer that does not read it
        // only misses the name.
        let mut rest = answer.as_slice();
        while !rest.is_empty() {
            match self.stream.write(rest) {
                Ok(0) => break,
                Ok(count) => rest = rest.get(count..).unwrap_or_default(),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        Refused
    }

    fn pipe(&self) -> Option<PipeId> {
        match self.phase {
            Phase::Hello => None,
            Phase::Open(pipe, _) => Some(pipe),
        }
    }

    /// Reads what the socket holds (within the turn's budget), and
    /// forwards each whole message.
    pub(crate) fn read_turn<M>(&mut self, intake: &Intake<M>) -> Turn
    where
        M: DeserializeOwned + Send + 'static,
    {
        let turn = self.read_frames(intake);
        if turn == Turn::Closed {
            self.end(intake, SenderEnd::Lost);
        }
        turn
    }

    /// Forwards the end of the pipe's sender, once, if it was admitted.
    fn end<M: Send + 'static>(&mut self, intake: &Intake<M>, end: SenderEnd) {
        if let Phase::Open(pipe, route) = self.phase
            && !std::mem::replace(&mut self.ended, true)
        {
            tracing::debug!(connection = self.id, pipe = %pipe, %end, "sender ended");
            intake.forwarder.end(route, end);
        }
    }

    fn read_frames<M>(&mut self, intake: &Intake<M>) -> Turn
    where
        M: DeserializeOwned + Send + 'static,
    {
        for _ in 0..READS_PER_TURN {
            match self.stream.read(self.frames.spare()) {
                Ok(0) => {
                    self.closed_by_sender();
                    return Turn::Closed;
                }
                Ok(count) => {
                    self.frames.filled(count);
                    if self.take_frames(intake).is_err() {
                        return Turn::Closed;
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Turn::Drained,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    tracing::warn!(
                        connection = self.id,
                        pipe = ?self.pipe(),
                        %error,
                        "cannot read from a sender's connection; closing it"
                    );
                    return Turn::Closed;
                }
            }
        }
        Turn::More
    }

    fn closed_by_sender(&self) {
        let pending = self.frames.pending();
        match (self.pipe(), pending) {
            (Some(pipe), 0) => {
                tracing::debug!(connection = self.id, pipe = %pipe, "sender disconnected");
            }
            (Some(pipe), _) => tracing::warn!(
                connection = self.id,
                pipe = %pipe,
                bytes = pending,
                "sender of pipe {pipe} disconnected in the middle of a frame; dropping its last {pending} bytes"
            ),
            (None, _) => tracing::warn!(
                connection = self.id,
                "a connection closed before it presented its hello"
            ),
        }
    }

    fn take_frames<M>(&mut self, intake: &Intake<M>) -> Result<(), Refused>
    where
        M: DeserializeOwned + Send + 'static,
    {
        loop {
            let range = match self.frames.next_frame() {
                Ok(Some(range)) => range,
                Ok(None) => return Ok(()),
                Err(oversized) => {
                    tracing::warn!(
                        connection = self.id,
                        pipe = ?self.pipe(),
                        len = oversized.len,
                        limit = wire::MAX_FRAME_LEN,
                        "a frame announces {} bytes, over the limit of {}; dropping it and closing the connection",
                        oversized.len,
                        wire::MAX_FRAME_LEN
                    );
                    if self.awaits_hello() {
                        return Err(self.refuse(Refusal::BadHello));
                    }
                    return Err(Refused);
                }
            };
            match self.phase {
                Phase::Hello => {
                    let payload = self.frames.payload(range);
                    // The protocol alone first: another version's hello
                    // need not decode as this one's.
                    let hello = match wire::hello_protocol(payload) {
                        Ok(wire::PROTOCOL) => {
                            wire::decode_payload::<Hello>(payload).map_err(HelloError::Decode)
                        }
                        Ok(protocol) => Err(HelloError::Protocol(protocol)),
                        Err(error) => Err(HelloError::Decode(error)),
                    };
                    self.admit(hello, intake)?;
                }
                Phase::Open(pipe, route) => {
                    let payload = self.frames.payload(range);
                    // The message type's Deserialize is user code: a panic in
                    // it must cost this connection only, not the monitor and
                    // with it every other pipe.
                    let decoded = panic::catch_unwind(AssertUnwindSafe(|| {
                        wire::decode_payload::<Frame<M>>(payload)
                    }));
                    let message = match decoded {
                        Ok(Ok(Frame::Message(_))) if self.ended => {
                            tracing::warn!(
                                connection = self.id,
                                pipe = %pipe,
                                "a frame for pipe {} came after its sender's end; closing the connection",
                                pipe
                            );
                            return Err(Refused);
                        }
                        Ok(Ok(Frame::Message(message))) => message,
                        Ok(Ok(Frame::End(code))) => {
                            let end = wire::end_from_code(code).unwrap_or_else(|| {
                                tracing::warn!(
                                    connection = self.id,
                                    pipe = %pipe,
                                    code,
                                    "the end frame of pipe {} says {}, which no sender writes; taking the sender as lost",
                                    pipe,
                                    code
                                );
                                SenderEnd::Lost
                            });
                            self.end(intake, end);
                            continue;
                        }
                        Ok(Err(error)) => {
                            tracing::warn!(
                                connection = self.id,
                                pipe = %pipe,
                                %error,
                                "a frame for pipe {} does not decode; dropping it and closing the connection",
                                pipe
                            );
                            return Err(Refused);
                        }
                        Err(_) => {
                            tracing::warn!(
                                connection = self.id,
                                pipe = %pipe,
                                "decoding a frame for pipe {} panicked; dropping it and closing the connection",
                                pipe
                            );
                            return Err(Refused);
                        }
                    };
                    if intake.forwarder.send(route, message).is_err() {
                        // The run stopped; the monitor is about to be told.
                        tracing::debug!(connection = self.id, pipe = %pipe, "router run is over");
                        return Err(Refused);
                    }
                }
            }
        }
    }

    fn admit<M: Send + 'static>(
        &mut self,
        hello: Result<Hello, HelloError>,
        intake: &Intake<M>,
    ) -> Result<(), Refused> {
        let id = self.id;
        let hello = match hello {
            Ok(hello) => hello,
            Err(HelloError::Decode(error)) => {
                tracing::warn!(connection = id, %error, "a connection's hello does not decode; closing it");
                return Err(self.refuse(Refusal::BadHello));
            }
            Err(HelloError::Protocol(protocol)) => {
                tracing::warn!(
                    connection = id,
                    protocol,
                    expected = wire::PROTOCOL,
                    "a connection speaks another protocol version; closing it"
                );
                return Err(self.refuse(Refusal::Protocol));
            }
        };
        if hello.secret != intake.secret {
            tracing::warn!(
                connection = id,
                "a connection did not present this router's secret; closing it"
            );
            return Err(self.refuse(Refusal::Secret));
        }
        // Before the pipe is taken: a sender of the wrong type must not
        // keep one of the right type out.
        if hello.message_type != intake.message_type {
            // The name is the peer's text: escaped, so it cannot forge log lines.
            let sender_type = hello.type_name.escape_debug().to_string();
            tracing::warn!(
                connection = id,
                pipe = %PipeId::new(hello.pipe),
                sender_type = %sender_type,
                router_type = %intake.type_name,
                "a connection sends messages of type `{sender_type}`, and this router's message type is `{}`; closing it",
                intake.type_name
            );
            return Err(self.refuse_message_type(intake.type_name));
        }
        let pipe = PipeId::new(hello.pipe);
        let route = match intake.book.admit(pipe) {
            Admission::Admitted(route) => route,
            Admission::NeverMade => {
                tracing::warn!(
                    connection = id,
                    pipe = %pipe,
                    "a connection names pipe {pipe}, which this router never made; closing it"
                );
                return Err(self.refuse(Refusal::UnknownPipe));
            }
            Admission::AlreadyConnected => {
                tracing::warn!(
                    connection = id,
                    pipe = %pipe,
                    "a second sender connected for pipe {pipe}; a pipe takes one sender; closing it"
                );
                return Err(self.refuse(Refusal::AlreadyConnected));
            }
        };
        // The socket's buffer is empty at this point: one byte always fits.
        match self.stream.write(&[wire::ACCEPTED]) {
            Ok(1) => {}
            Ok(_) | Err(_) => {
                tracing::debug!(connection = id, pipe = %pipe, "sender left before it was accepted");
                return Err(Refused);
            }
        }
        tracing::debug!(connection = id, pipe = %pipe, "sender connected");
        self.phase = Phase::Open(pipe, route);
        Ok(())
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.id)
            .field("pipe", &self.pipe())
            .finish_non_exhaustive()
    }
}
