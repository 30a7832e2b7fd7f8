//! What the router lets in: each frame from the stream is checked (size,
//! pipe, tag, protocol, message type, sequence) and its message forwarded
//! into the router's run, or it is dropped and logged. One bad frame
//! costs that frame only: every other pipe, and the rest of its own,
//! carries on.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use router_api::{Disconnect, MessageSender, PipeId};
use serde::de::DeserializeOwned;

use crate::frame::{self, Kind, Unread};
use crate::order::{Offer, PipeOrder};
use crate::pipe_book::{CoreSender, PipeBook, PipeEntry};

/// One frame's content, once it passed every check but its place.
enum Item<M> {
    Message(M),
    End { sent: u64, how: u8 },
}

/// What the intake keeps of one pipe it has seen frames of.
struct PipeState<M: Send + 'static> {
    entry: PipeEntry,
    order: PipeOrder<Item<M>>,
    /// The pipe's in-process sender, until the NATS sender's end is told.
    sender: Option<CoreSender<M>>,
}

/// The checks and the way into one router run.
pub(crate) struct Intake<M: Send + 'static> {
    book: Arc<PipeBook<M>>,
    message_type: u64,
    type_name: &'static str,
    pipes: HashMap<u64, PipeState<M>>,
}

impl<M: DeserializeOwned + Send + 'static> Intake<M> {
    pub(crate) fn new(book: Arc<PipeBook<M>>) -> Self {
        Self {
            book,
            message_type: frame::fingerprint::<M>(),
            type_name: std::any::type_name::<M>(),
            pipes: HashMap::new(),
        }
    }

    /// Takes one frame that arrived on `subject`. Returns `false` once
    /// the router's run is over (nothing more can be forwarded).
    pub(crate) fn take(&mut self, subject: &str, bytes: &[u8]) -> bool {
        let parts = match frame::split(bytes) {
            Ok(parts) => parts,
            Err(Unread::Oversized) => {
                tracing::warn!(
                    subject,
                    len = bytes.len(),
                    limit = frame::MAX_FRAME_LEN,
                    "dropping a frame of {} bytes, over the limit of {}",
                    bytes.len(),
                    frame::MAX_FRAME_LEN
                );
                return true;
            }
            Err(Unread::Undecodable) => {
                tracing::warn!(
                    subject,
                    len = bytes.len(),
                    "dropping a frame that does not decode"
                );
                return true;
            }
        };
        let header = parts.header;
        let pipe = header.pipe;
        let Some(state) = self.state(pipe) else {
            tracing::warn!(
                subject,
                pipe,
                "dropping a frame for pipe {pipe}, which this router run never made"
            );
            return true;
        };
        if !parts.verifies(&state.entry.mac) {
            tracing::warn!(
                subject,
                pipe,
                seq = header.seq,
                "dropping a frame whose tag does not verify: not sent by this pipe's sender \
                 (forged, altered, or made with another key)"
            );
            return true;
        }
        if header.protocol != frame::PROTOCOL {
            tracing::warn!(
                subject,
                pipe,
                protocol = header.protocol,
                expected = frame::PROTOCOL,
                "dropping a frame of another protocol version"
            );
            return true;
        }
        if header.message_type != self.message_type {
            tracing::warn!(
                subject,
                pipe,
                sender_type = format_args!("{:#018x}", header.message_type),
                router_type = %self.type_name,
                "dropping a frame of another message type than this router's `{}`",
                self.type_name
            );
            return true;
        }
        let item = match header.kind {
            Kind::End { sent, how } => Item::End { sent, how },
            Kind::Message => {
                // The message type's Deserialize is user code: its panic
                // must cost this frame only.
                let body = parts.body;
                match panic::catch_unwind(AssertUnwindSafe(|| frame::decode_message::<M>(body))) {
                    Ok(Ok(message)) => Item::Message(message),
                    Ok(Err(error)) => {
                        tracing::warn!(subject, pipe, seq = header.seq, %error, "dropping a message that does not decode");
                        return true;
                    }
                    Err(_) => {
                        tracing::warn!(
                            subject,
                            pipe,
                            seq = header.seq,
                            "dropping a message whose decoding panicked"
                        );
                        return true;
                    }
                }
            }
        };
        self.place(subject, pipe, header.session, header.seq, item)
    }

    /// The intake's state of `pipe`, made from the book on first sight.
    fn state(&mut self, pipe: u64) -> Option<&mut PipeState<M>> {
        if !self.pipes.contains_key(&pipe) {
            let (entry, sender) = self.book.take(pipe)?;
            let order = PipeOrder::default();
            self.pipes.insert(
                pipe,
                PipeState {
                    entry,
                    order,
                    sender,
                },
            );
        }
        self.pipes.get_mut(&pipe)
    }

    /// Puts an authentic frame in its place in the pipe's sequence, and
    /// forwards what is due.
    fn place(&mut self, subject: &str, pipe: u64, session: u64, seq: u64, item: Item<M>) -> bool {
        let Some(PipeState { order, sender, .. }) = self.pipes.get_mut(&pipe) else {
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
        });
        match offer {
            Offer::Delivered | Offer::Held => {}
            Offer::Duplicate => {
                tracing::debug!(subject, pipe, seq, "dropping a frame delivered already");
            }
            Offer::OtherSession => tracing::warn!(
                subject,
                pipe,
                session = format_args!("{session:016x}"),
                "dropping a frame of a second sender of pipe {pipe}: a pipe takes one sender"
            ),
            Offer::Skipped { from, to } => tracing::warn!(
                subject,
                pipe,
                from,
                to,
                "frames {from} to {} of pipe {pipe} never arrived; delivering from {to} on",
                to.saturating_sub(1)
            ),
        }
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
