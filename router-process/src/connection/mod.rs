//! One sender's connection, as the monitor thread sees it: its hello is
//! checked (`admit.rs`) and answered (`answer.rs`), then each frame is
//! decoded and sent through the pipe's in-process sender into the
//! router's run, and the sender is told when its pipe closed. What it
//! drops goes to the run's drop log.

mod admit;
mod answer;
mod inlet;

use std::io::{self, Read};

use mio::net::UnixStream;
use router_api::{PipeId, SenderEnd};
use router_remote::{CoreSender, Undecoded};
use serde::de::DeserializeOwned;

use crate::drops::{Detail, DropReason, Dropped};
use crate::frames::FrameReader;
use crate::intake::Intake;
use crate::wire::{self, Frame, Refusal};

use self::inlet::{Forwarded, Inlet};

/// Reads one connection may do before the monitor turns to the next, so
/// one busy sender cannot starve the others.
const READS_PER_TURN: usize = 16;

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

enum Phase<M: Send + 'static> {
    /// Waiting for the hello.
    Hello,
    /// Admitted: every frame is a message for this pipe.
    Open(Inlet<M>),
}

/// Why a connection is closed by the router.
struct Refused;

/// One accepted connection.
pub(crate) struct Connection<M: Send + 'static> {
    id: u64,
    stream: UnixStream,
    frames: FrameReader,
    phase: Phase<M>,
}

impl<M: Send + 'static> Connection<M> {
    pub(crate) fn new(id: u64, stream: UnixStream) -> Self {
        Self {
            id,
            stream,
            frames: FrameReader::new(),
            phase: Phase::Hello,
        }
    }

    pub(crate) fn stream(&mut self) -> &mut UnixStream {
        &mut self.stream
    }

    /// How much memory the connection's frame reader holds.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn held(&self) -> usize {
        self.frames.held()
    }

    /// Whether the sender is yet to be told that its pipe closed: the
    /// monitor looks again at [`CLOSED_LOOK_EVERY`](router_remote::CLOSED_LOOK_EVERY).
    pub(crate) fn awaits_closing(&self) -> bool {
        match &self.phase {
            Phase::Open(inlet) => inlet.awaits_closing(),
            Phase::Hello => false,
        }
    }

    /// Tells the sender that its pipe closed, once, if it did (C2).
    /// Returns whether it is still to be told.
    pub(crate) fn look_closed(&mut self) -> bool {
        let Phase::Open(inlet) = &mut self.phase else {
            return false;
        };
        if !inlet.awaits_closing() {
            return false;
        }
        if !inlet.pipe_closed() {
            return true;
        }
        match answer::tell_closed(&mut self.stream) {
            answer::Told::Done => {
                tracing::debug!(connection = self.id, pipe = %inlet.pipe(), "told the sender its pipe closed");
                inlet.told_closed();
                false
            }
            answer::Told::Later => true,
        }
    }

    /// Whether the connection has not presented its hello yet.
    pub(crate) fn awaits_hello(&self) -> bool {
        matches!(self.phase, Phase::Hello)
    }

    fn pipe(&self) -> Option<PipeId> {
        match &self.phase {
            Phase::Hello => None,
            Phase::Open(inlet) => Some(inlet.pipe()),
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
        let turn = match self.resume_held() {
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

    /// The connection took longer than the intake's hello timeout to
    /// present its hello: says so, to the log and to the peer, before the
    /// monitor closes it.
    pub(crate) fn hello_timed_out(&mut self, intake: &Intake<M>) {
        let detail = Detail {
            timeout: Some(intake.hello_timeout),
            bytes: Some(self.frames.pending()),
            ..Detail::default()
        };
        let _ = self.drop_frame(intake, DropReason::HelloTimeout, detail);
    }

    /// Notes a drop of this connection's in the run's log, answering a
    /// hello as [`refuse`](Self::refuse) does.
    fn drop_frame(&mut self, intake: &Intake<M>, reason: DropReason, detail: Detail) -> Refused {
        let dropped = Dropped {
            reason,
            connection: self.id,
            pipe: self.pipe(),
            detail,
        };
        self.refuse(intake, &dropped)
    }

    /// Notes a drop in the run's log and, for a connection still at its
    /// hello, tells the peer why it is refused; the connection is closed
    /// next.
    fn refuse(&mut self, intake: &Intake<M>, dropped: &Dropped) -> Refused {
        let refusal =
            (dropped.reason.refusal()).or_else(|| self.awaits_hello().then_some(Refusal::BadHello));
        intake.drops.note(dropped);
        if let Some(refusal) = refusal {
            answer::refuse(&mut self.stream, refusal, intake.type_name);
        }
        Refused
    }

    /// Tells the pipe's receiver how its sender ended, once, if it was
    /// admitted.
    fn end(&mut self, end: SenderEnd) {
        if let Phase::Open(inlet) = &mut self.phase {
            inlet.end(end);
        }
    }

    fn forward(&mut self, message: M) -> Forwarded {
        match &mut self.phase {
            Phase::Open(inlet) => inlet.forward(message),
            Phase::Hello => Forwarded::Over,
        }
    }

    fn resume_held(&mut self) -> Option<Forwarded> {
        match &mut self.phase {
            Phase::Open(inlet) => inlet.resume(),
            Phase::Hello => None,
        }
    }

    fn read_frames(&mut self, intake: &Intake<M>) -> Turn
    where
        M: DeserializeOwned,
    {
        for _ in 0..READS_PER_TURN {
            match self.stream.read(self.frames.spare()) {
                Ok(0) => {
                    self.closed_by_sender(intake);
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

    fn closed_by_sender(&mut self, intake: &Intake<M>) {
        let pending = self.frames.pending();
        match (self.pipe(), pending) {
            (Some(pipe), 0) => {
                tracing::debug!(connection = self.id, pipe = %pipe, "sender disconnected");
            }
            (Some(_), _) => {
                let detail = Detail {
                    bytes: Some(pending),
                    ..Detail::default()
                };
                let _ = self.drop_frame(intake, DropReason::CutShort, detail);
            }
            (None, _) => tracing::warn!(
                connection = self.id,
                "a connection closed before it presented its hello"
            ),
        }
    }

    /// Wakes the router for the messages forwarded since it was last
    /// woken.
    fn wake_router(&mut self) {
        if let Phase::Open(inlet) = &mut self.phase {
            inlet.wake();
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
                    let detail = Detail {
                        len: Some(oversized.len),
                        limit: Some(oversized.limit),
                        ..Detail::default()
                    };
                    return Err(self.drop_frame(intake, DropReason::Oversized, detail));
                }
            };
            let payload = self.frames.payload(range);
            let message = match &self.phase {
                Phase::Hello => {
                    let checked = admit::check(self.id, payload, intake);
                    self.admit(checked, intake)?;
                    continue;
                }
                Phase::Open(_) => {
                    // The message type's Deserialize is user code: a panic
                    // in it must cost this connection only, not the monitor
                    // and with it every other pipe.
                    let decoded = router_remote::decode_guarded::<Frame<M>>(payload);
                    match self.read_frame(decoded, intake)? {
                        Some(message) => message,
                        None => continue,
                    }
                }
            };
            match self.forward(message) {
                Forwarded::Sent => {}
                Forwarded::Held => return Ok(Forwarded::Held),
                Forwarded::Over => return Err(Refused),
            }
        }
    }

    /// Takes an admitted connection's pipe and sender, and tells the peer;
    /// or refuses it.
    fn admit(
        &mut self,
        checked: Result<(PipeId, CoreSender<M>), Box<Dropped>>,
        intake: &Intake<M>,
    ) -> Result<(), Refused> {
        let (pipe, sender) = match checked {
            Ok(admitted) => admitted,
            Err(dropped) => return Err(self.refuse(intake, &dropped)),
        };
        if !answer::accept(&mut self.stream) {
            tracing::debug!(connection = self.id, pipe = %pipe, "sender left before it was accepted");
            sender.finish(SenderEnd::Lost);
            return Err(Refused);
        }
        tracing::debug!(connection = self.id, pipe = %pipe, "sender connected");
        self.phase = Phase::Open(Inlet::new(self.id, pipe, sender));
        self.frames.admitted();
        // A sender that starts after its pipe closed learns it at once.
        self.look_closed();
        Ok(())
    }

    fn has_ended(&self) -> bool {
        match &self.phase {
            Phase::Open(inlet) => inlet.has_ended(),
            Phase::Hello => false,
        }
    }

    /// Takes one decoded frame of an admitted connection: its message, or
    /// `None` for its end (told here).
    fn read_frame(
        &mut self,
        decoded: Result<Frame<M>, Undecoded>,
        intake: &Intake<M>,
    ) -> Result<Option<M>, Refused> {
        let reason = match decoded {
            Ok(Frame::Message(_)) if self.has_ended() => DropReason::AfterEnd,
            Ok(Frame::Message(message)) => return Ok(Some(message)),
            Ok(Frame::End(code)) => {
                let end = wire::end_from_code(code).unwrap_or_else(|| {
                    let detail = Detail {
                        code: Some(code),
                        ..Detail::default()
                    };
                    let _ = self.drop_frame(intake, DropReason::UnknownEndCode, detail);
                    SenderEnd::Lost
                });
                self.end(end);
                return Ok(None);
            }
            Err(Undecoded::Invalid(error)) => {
                let detail = Detail {
                    error: Some(error),
                    ..Detail::default()
                };
                return Err(self.drop_frame(intake, DropReason::Undecodable, detail));
            }
            Err(Undecoded::TooDeep) => DropReason::TooDeep,
            Err(Undecoded::Panicked) => DropReason::DecodePanicked,
        };
        Err(self.drop_frame(intake, reason, Detail::default()))
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
