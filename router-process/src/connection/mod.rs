//! One sender's connection, as the monitor thread sees it: its hello is
//! checked (`admit.rs`), then each frame is decoded and sent through the
//! pipe's in-process sender into the router's run.

mod admit;

use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use mio::net::UnixStream;
use router_api::{PipeId, SenderEnd};
use serde::de::DeserializeOwned;

use crate::frames::FrameReader;
use crate::pipe_book::{CoreSender, PipeBook};
use crate::wire::{self, Frame, Refusal};

/// Reads one connection may do before the monitor turns to the next, so
/// one busy sender cannot starve the others.
const READS_PER_TURN: usize = 16;

/// How many messages the monitor forwards, at most, before it wakes the
/// router for them: it wakes once per socket read rather than once per
/// message (a wake that pings costs a system call on each side), but not
/// so late that the first message of a long read waits for the rest.
const WAKE_EVERY: usize = 256;

/// What one router run lets in: its secret and the pipes it made (with
/// their in-process senders, the way into its channel).
#[derive(Debug)]
pub(crate) struct Intake<M: Send + 'static> {
    pub(crate) secret: u128,
    pub(crate) book: Arc<PipeBook<M>>,
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
    /// The pipe is bounded and full: the connection is not read until
    /// [`Connection::resume`] finds room for the message it holds. Its
    /// sender then waits in its socket writes (B2).
    Paused,
}

enum Phase {
    /// Waiting for the hello.
    Hello,
    /// Admitted: every frame is a message for this pipe.
    Open(PipeId),
}

/// What forwarding one message came to.
enum Forwarded {
    Sent,
    /// The bounded pipe is full: the message is held.
    Held,
    /// The run is over, or the pipe's sender has ended.
    Over,
}

/// Why a connection is closed by the router.
struct Refused;

/// One accepted connection.
pub(crate) struct Connection<M: Send + 'static> {
    id: u64,
    stream: UnixStream,
    frames: FrameReader,
    phase: Phase,
    /// The pipe's in-process sender, once admitted; gone once the sender's
    /// end was told (its end frame, or the loss of the connection).
    sender: Option<CoreSender<M>>,
    /// A message a full bounded pipe had no room for.
    held: Option<M>,
    /// Messages forwarded since the router was last woken for them.
    unwoken: usize,
}

impl<M: Send + 'static> Connection<M> {
    pub(crate) fn new(id: u64, stream: UnixStream) -> Self {
        Self {
            id,
            stream,
            frames: FrameReader::new(),
            phase: Phase::Hello,
            sender: None,
            held: None,
            unwoken: 0,
        }
    }

    pub(crate) fn stream(&mut self) -> &mut UnixStream {
        &mut self.stream
    }

    /// Whether the connection has not presented its hello yet.
    pub(crate) fn awaits_hello(&self) -> bool {
        matches!(self.phase, Phase::Hello)
    }

    fn pipe(&self) -> Option<PipeId> {
        match self.phase {
            Phase::Hello => None,
            Phase::Open(pipe) => Some(pipe),
        }
    }

    /// Reads what the socket holds (within the turn's budget), and
    /// forwards each whole message.
    pub(crate) fn read_turn(&mut self, intake: &Intake<M>) -> Turn
    where
        M: DeserializeOwned,
    {
        let turn = self.read_frames(intake);
        if turn == Turn::Closed {
            self.end(SenderEnd::Lost);
        }
        turn
    }

    /// A paused connection's turn: forwards the message it holds if its
    /// pipe has room now, then the frames already read, and goes on
    /// reading at its next turn ([`Turn::More`]).
    pub(crate) fn resume(&mut self, intake: &Intake<M>) -> Turn
    where
        M: DeserializeOwned,
    {
        let turn = match self.held.take().map(|message| self.forward(message)) {
            Some(Forwarded::Held) => return Turn::Paused,
            Some(Forwarded::Over) => Turn::Closed,
            Some(Forwarded::Sent) | None => match self.take_frames(intake) {
                Ok(Forwarded::Held) => Turn::Paused,
                Ok(_) => Turn::More,
                Err(Refused) => Turn::Closed,
            },
        };
        if turn == Turn::Closed {
            self.end(SenderEnd::Lost);
        }
        turn
    }

    /// Tells the pipe's receiver how its sender ended, once, if it was
    /// admitted.
    fn end(&mut self, end: SenderEnd) {
        if let (Some(pipe), Some(sender)) = (self.pipe(), self.sender.take()) {
            tracing::debug!(connection = self.id, pipe = %pipe, %end, "sender ended");
            // The end's wake covers the messages forwarded before it.
            sender.finish(end);
            self.unwoken = 0;
        }
    }

    /// Sends `message` through the pipe's in-process sender, without
    /// waiting: a full bounded pipe holds it instead.
    fn forward(&mut self, message: M) -> Forwarded {
        let Some(sender) = self.sender.as_mut() else {
            return Forwarded::Over;
        };
        match sender.try_send_unwoken(message) {
            Ok(()) => {
                self.unwoken += 1;
                if self.unwoken >= WAKE_EVERY {
                    self.wake_router();
                }
                Forwarded::Sent
            }
            Err(error) if error.is_full() => {
                self.held = Some(error.into_message());
                Forwarded::Held
            }
            Err(error) => {
                // The run stopped, or the bounded pipe was closed.
                tracing::debug!(connection = self.id, pipe = ?self.pipe(), reason = %error.kind(), "cannot forward");
                Forwarded::Over
            }
        }
    }

    fn read_frames(&mut self, intake: &Intake<M>) -> Turn
    where
        M: DeserializeOwned,
    {
        for _ in 0..READS_PER_TURN {
            match self.stream.read(self.frames.spare()) {
                Ok(0) => {
                    self.closed_by_sender();
                    return Turn::Closed;
                }
                Ok(count) => {
                    self.frames.filled(count);
                    match self.take_frames(intake) {
                        Ok(Forwarded::Held) => return Turn::Paused,
                        Ok(_) => {}
                        Err(Refused) => return Turn::Closed,
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

    /// Wakes the router for the messages forwarded since it was last
    /// woken.
    fn wake_router(&mut self) {
        if self.unwoken > 0 {
            if let Some(sender) = &self.sender {
                sender.wake();
            }
            self.unwoken = 0;
        }
    }

    /// Forwards every whole frame read so far, then wakes the router for
    /// them; stops early when a full bounded pipe holds a message
    /// ([`Forwarded::Held`]).
    fn take_frames(&mut self, intake: &Intake<M>) -> Result<Forwarded, Refused>
    where
        M: DeserializeOwned,
    {
        let taken = self.forward_frames(intake);
        self.wake_router();
        taken
    }

    fn forward_frames(&mut self, intake: &Intake<M>) -> Result<Forwarded, Refused>
    where
        M: DeserializeOwned,
    {
        loop {
            let range = match self.frames.next_frame() {
                Ok(Some(range)) => range,
                Ok(None) => return Ok(Forwarded::Sent),
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
                    let hello = admit::read_hello(self.frames.payload(range));
                    self.admit(hello, intake)?;
                }
                Phase::Open(pipe) => {
                    let payload = self.frames.payload(range);
                    // The message type's Deserialize is user code: a panic in
                    // it must cost this connection only, not the monitor and
                    // with it every other pipe.
                    let decoded = panic::catch_unwind(AssertUnwindSafe(|| {
                        wire::decode_payload::<Frame<M>>(payload)
                    }));
                    let message = match decoded {
                        Ok(Ok(Frame::Message(_))) if self.sender.is_none() => {
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
                            self.end(end);
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
                    match self.forward(message) {
                        Forwarded::Sent => {}
                        Forwarded::Held => return Ok(Forwarded::Held),
                        Forwarded::Over => return Err(Refused),
                    }
                }
            }
        }
    }
}

impl<M: Send + 'static> std::fmt::Debug for Connection<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.id)
            .field("pipe", &self.pipe())
            .finish_non_exhaustive()
    }
}
