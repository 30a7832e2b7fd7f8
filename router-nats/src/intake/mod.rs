//! What the router lets in: each frame from the stream is checked (size,
//! subject, pipe, tag, protocol, message type, sequence) and its message
//! forwarded into the router's run, or it is dropped for a reason that is
//! logged and counted (drops.rs). One bad frame costs that frame only:
//! every other pipe, and the rest of its own, carries on. A frame whose
//! tag verifies was sent by the pipe's sender, so it holds its place in
//! the pipe's sequence even when what it carries is refused: its drop
//! fills its place, and the frames after it are not held behind a hole.

use std::collections::HashMap;
use std::sync::Arc;

use hmac::Hmac;
use router_api::{Disconnect, MessageSender, PipeId};
use router_remote::{Admission, CoreSender, DropLog, PipeBook, Undecoded};
use serde::de::DeserializeOwned;
use sha2::Sha256;

use crate::drops::{Detail, DropReason, Dropped};
use crate::frame::{self, Kind, Unread};
use crate::order::{Offer, PipeOrder};
use crate::token;

/// What the run's book keeps of each pipe for the intake: a MAC keyed
/// with the pipe's key, to check its frames' tags.
pub(crate) type PipeMac = Hmac<Sha256>;

/// One authentic frame's content, once it passed every check but its
/// place.
enum Item<M> {
    Message(M),
    End {
        sent: u64,
        how: u8,
    },
    /// What it carries is refused: its drop, noted in its turn.
    Refused(Box<Rejected>),
}

/// A frame that passed every check but its place.
struct Checked<M> {
    pipe: u64,
    session: u64,
    seq: u64,
    item: Item<M>,
}

/// Why a frame did not pass: its drop, but for the subject (boxed where
/// it is returned: drops are rare, frames many).
struct Rejected {
    reason: DropReason,
    pipe: Option<u64>,
    detail: Detail,
}

impl Rejected {
    fn new(reason: DropReason, pipe: Option<u64>, detail: Detail) -> Box<Self> {
        Box::new(Self {
            reason,
            pipe,
            detail,
        })
    }
}

/// What the intake keeps of one pipe it has seen frames of.
struct PipeState<M: Send + 'static> {
    mac: PipeMac,
    order: PipeOrder<Item<M>>,
    /// The pipe's in-process sender, until the NATS sender's end is told.
    sender: Option<CoreSender<M>>,
}

/// The checks and the way into one router run.
pub(crate) struct Intake<M: Send + 'static> {
    book: Arc<PipeBook<M, PipeMac>>,
    drops: DropLog<DropReason>,
    /// The run, which the subjects of its pipes name.
    run: u64,
    message_type: u64,
    type_name: &'static str,
    pipes: HashMap<u64, PipeState<M>>,
}

/// Notes a drop in `drops`: of a pipe the run made, `peer` says, whose
/// drops are paced together.
fn note(drops: &DropLog<DropReason>, subject: &str, rejected: Rejected, peer: bool) {
    let Rejected {
        reason,
        pipe,
        detail,
    } = rejected;
    let pipe = pipe.map(PipeId::new);
    drops.note(&Dropped {
        reason,
        subject,
        pipe,
        peer: pipe.filter(|_| peer),
        detail,
    });
}

impl<M: DeserializeOwned + Send + 'static> Intake<M> {
    pub(crate) fn new(
        book: Arc<PipeBook<M, PipeMac>>,
        drops: DropLog<DropReason>,
        run: u64,
    ) -> Self {
        Self {
            book,
            drops,
            run,
            message_type: frame::fingerprint::<M>(),
            type_name: std::any::type_name::<M>(),
            pipes: HashMap::new(),
        }
    }

    /// Takes one frame that arrived on `subject`. Returns `false` once
    /// the router's run is over (nothing more can be forwarded).
    pub(crate) fn take(&mut self, subject: &str, bytes: &[u8]) -> bool {
        match self.check(subject, bytes) {
            Ok(checked) => self.place(subject, checked),
            Err(rejected) => {
                let made = rejected
                    .pipe
                    .is_some_and(|pipe| self.pipes.contains_key(&pipe));
                note(&self.drops, subject, *rejected, made);
                true
            }
        }
    }

    /// Every check but the frame's place in its pipe's sequence. An
    /// authentic frame whose content is refused passes, as
    /// [`Item::Refused`]: it keeps its place.
    fn check(&mut self, subject: &str, bytes: &[u8]) -> Result<Checked<M>, Box<Rejected>> {
        let parts = frame::split(bytes).map_err(|unread| {
            let reason = match unread {
                Unread::Oversized => DropReason::Oversized,
                Unread::Undecodable => DropReason::Undecodable,
            };
            let len = Some(bytes.len());
            Rejected::new(
                reason,
                None,
                Detail {
                    len,
                    ..Detail::default()
                },
            )
        })?;
        let header = parts.header;
        let (pipe, seq) = (Some(header.pipe), Some(header.seq));
        if token::pipe_named(self.run, subject, "") != Some(header.pipe) {
            let detail = Detail {
                seq,
                ..Detail::default()
            };
            return Err(Rejected::new(DropReason::SubjectMismatch, pipe, detail));
        }
        let Some(state) = self.state(header.pipe) else {
            return Err(Rejected::new(
                DropReason::PipeNeverMade,
                pipe,
                Detail::default(),
            ));
        };
        if !parts.verifies(&state.mac) {
            let detail = Detail {
                seq,
                ..Detail::default()
            };
            return Err(Rejected::new(DropReason::TagMismatch, pipe, detail));
        }
        let item = self
            .content(&header, parts.body)
            .unwrap_or_else(Item::Refused);
        Ok(Checked {
            pipe: header.pipe,
            session: header.session,
            seq: header.seq,
            item,
        })
    }

    /// What an authentic frame carries, or why it is refused.
    fn content(&self, header: &frame::Header, body: &[u8]) -> Result<Item<M>, Box<Rejected>> {
        let (pipe, seq) = (Some(header.pipe), Some(header.seq));
        if header.protocol != frame::PROTOCOL {
            let protocol = Some(header.protocol);
            let detail = Detail {
                protocol,
                ..Detail::default()
            };
            return Err(Rejected::new(DropReason::OtherProtocol, pipe, detail));
        }
        if header.message_type != self.message_type {
            let types = Some((header.message_type, self.type_name));
            let detail = Detail {
                types,
                ..Detail::default()
            };
            return Err(Rejected::new(DropReason::OtherMessageType, pipe, detail));
        }
        if let Kind::End { sent, how } = header.kind {
            return Ok(Item::End { sent, how });
        }
        // The message type's Deserialize is user code: its panic must
        // cost this frame only.
        let (reason, error) = match router_remote::decode_guarded::<M>(body) {
            Ok(message) => return Ok(Item::Message(message)),
            Err(Undecoded::Invalid(error)) => (DropReason::MessageUndecodable, Some(error)),
            Err(Undecoded::TooDeep) => (DropReason::TooDeep, None),
            Err(Undecoded::Panicked) => (DropReason::DecodePanicked, None),
        };
        let detail = Detail {
            seq,
            error,
            ..Detail::default()
        };
        Err(Rejected::new(reason, pipe, detail))
    }

    /// Whether `pipe` is closed, for its sender's ask (C2): as its
    /// in-process sender says, here or still in the book; closed too once
    /// its sender ended (a second sender's frames are dropped); `None`
    /// for a pipe the run never made.
    pub(crate) fn closed(&self, pipe: u64) -> Option<bool> {
        match self.pipes.get(&pipe) {
            Some(state) => Some(state.sender.as_ref().is_none_or(MessageSender::is_closed)),
            None => self.book.closed(PipeId::new(pipe)),
        }
    }

    /// The intake's state of `pipe`, made from the book on first sight.
    fn state(&mut self, pipe: u64) -> Option<&mut PipeState<M>> {
        if !self.pipes.contains_key(&pipe) {
            // The intake takes each pipe from the book once, and nothing
            // else takes from it: a pipe it cannot take was never made.
            let Admission::Admitted { entry, sender } = self.book.admit(PipeId::new(pipe)) else {
                return None;
            };
            let state = PipeState {
                mac: entry,
                order: PipeOrder::default(),
                sender: Some(sender),
            };
            self.pipes.insert(pipe, state);
        }
        self.pipes.get_mut(&pipe)
    }

    /// Puts an authentic frame in its place in the pipe's sequence, and
    /// forwards what is due.
    fn place(&mut self, subject: &str, checked: Checked<M>) -> bool {
        let Checked {
            pipe,
            session,
            seq,
            item,
        } = checked;
        let Self { pipes, drops, .. } = self;
        let Some(PipeState { order, sender, .. }) = pipes.get_mut(&pipe) else {
            return true;
        };
        let mut open = true;
        let offer = order.offer(session, seq, item, |item| match item {
            Item::Message(message) => {
                // A bounded pipe's send waits here for room: the frames
                // after it wait in the stream meanwhile.
                let Some(sender) = sender.as_mut() else {
                    return;
                };
                if let Err(error) = sender.send(message) {
                    match error.disconnect() {
                        Some(Disconnect::PipeClosed) => {
                            tracing::debug!(pipe, "dropping a message of a closed bounded pipe");
                        }
                        _ => open = false,
                    }
                }
            }
            Item::End { sent, how } => {
                let end = frame::end_from_code(how);
                tracing::debug!(pipe = %PipeId::new(pipe), sent, %end, "a sender ended");
                if let Some(sender) = sender.take() {
                    sender.finish(end);
                }
            }
            Item::Refused(rejected) => note(drops, subject, *rejected, true),
        });
        let (reason, detail) = match offer {
            Offer::Delivered | Offer::Held => return open,
            Offer::Duplicate => (
                DropReason::Duplicate,
                Detail {
                    seq: Some(seq),
                    ..Detail::default()
                },
            ),
            Offer::OtherSession => (
                DropReason::SecondSession,
                Detail {
                    session: Some(session),
                    ..Detail::default()
                },
            ),
            Offer::Skipped { from, to } => (
                DropReason::FramesSkipped,
                Detail {
                    skipped: Some((from, to)),
                    ..Detail::default()
                },
            ),
        };
        let pipe = Some(pipe);
        let rejected = Rejected {
            reason,
            pipe,
            detail,
        };
        note(&self.drops, subject, rejected, true);
        open
    }
}

impl<M: Send + 'static> std::fmt::Debug for Intake<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake")
            .field("pipes_seen", &self.pipes.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
