//! Why the intake drops a frame from the stream, as values. Each drop is
//! logged in one place, [`Dropped::log`], and counted by the router's
//! [`DropLog`](router_remote::DropLog).

use std::fmt;

use router_api::PipeId;
use router_remote::DropReason as _;

use crate::frame::{MAX_FRAME_LEN, PROTOCOL};

router_remote::drop_reasons! {
    /// Why a [`NatsRouter`](crate::NatsRouter) dropped a frame it read from
    /// its stream. Each drop is logged, a `WARN` (`DEBUG` for a
    /// [`Duplicate`](Self::Duplicate), which JetStream's redelivery makes
    /// routine) whose `reason` field is the reason's
    /// [name](router_remote::DropReason::name) (its variant's), with the
    /// `subject`, the `pipe` once it is known and what else
    /// says what was dropped; and counted, by reason:
    /// [`NatsRouter::dropped_frames`](crate::NatsRouter::dropped_frames).
    ///
    /// A drop costs that frame only: every other pipe, and the rest of its
    /// own, carries on. A frame whose tag verifies keeps its place in its
    /// pipe's sequence even when it is dropped after that (its protocol,
    /// its message type or its message is wrong), so the frames after it
    /// go on at once; its drop is noted when its turn comes. The log is
    /// paced per pipe ([`DropLog`](router_remote::DropLog)); the counts
    /// are exact.
    pub enum DropReason {
        /// The frame is over the size limit: dropped unread.
        Oversized,
        /// The frame is too short for a tag, or its header does not decode.
        Undecodable,
        /// The frame was published on the subject of another pipe than
        /// its header names (a frame of one pipe replayed on another's).
        SubjectMismatch,
        /// The frame names a pipe the run never made.
        PipeNeverMade,
        /// The frame's tag does not verify under its pipe's key: not sent by
        /// the pipe's sender (forged, altered, or made with another key).
        TagMismatch,
        /// The frame is of another protocol version.
        OtherProtocol,
        /// The frame's message type is not the router's.
        OtherMessageType,
        /// The frame's message does not decode as the router's type.
        MessageUndecodable,
        /// The frame's message nests deeper than
        /// [`MAX_DEPTH`](router_remote::MAX_DEPTH) levels: refused before
        /// its decoding could run the consumer thread out of stack.
        TooDeep,
        /// Decoding the frame's message panicked (its `Deserialize`).
        DecodePanicked,
        /// The frame's place in its pipe was delivered already: a copy.
        Duplicate,
        /// The frame is of a second sender of the pipe (another session):
        /// a pipe takes one sender.
        SecondSession,
        /// The frames before this one never arrived and the pipe's hold is
        /// full: they are given up on, and delivery goes on from here.
        FramesSkipped,
    }
}

/// What a drop's log event says besides its reason, subject and pipe;
/// each reason fills what its words need.
#[derive(Clone, Default, Debug)]
pub(crate) struct Detail {
    /// The frame's length.
    pub(crate) len: Option<usize>,
    /// The frame's place in its session.
    pub(crate) seq: Option<u64>,
    /// The frame's protocol version.
    pub(crate) protocol: Option<u16>,
    /// The fingerprint of the frame's message type, and the name of the
    /// router's.
    pub(crate) types: Option<(u64, &'static str)>,
    /// What postcard said.
    pub(crate) error: Option<postcard::Error>,
    /// The frame's session.
    pub(crate) session: Option<u64>,
    /// The places given up on: from the first, up to the second.
    pub(crate) skipped: Option<(u64, u64)>,
}

/// One drop, as the intake saw it.
#[derive(Debug)]
pub(crate) struct Dropped<'a> {
    pub(crate) reason: DropReason,
    pub(crate) subject: &'a str,
    pub(crate) pipe: Option<PipeId>,
    /// The pipe, if the run made it: whose drops are paced together.
    pub(crate) peer: Option<PipeId>,
    pub(crate) detail: Detail,
}

impl router_remote::Dropped for Dropped<'_> {
    type Reason = DropReason;

    fn reason(&self) -> DropReason {
        self.reason
    }

    fn peer(&self) -> Option<PipeId> {
        self.peer
    }

    fn log(&self) {
        let detail = &self.detail;
        let pipe = self.pipe.map(tracing::field::display);
        if self.reason == DropReason::Duplicate {
            tracing::debug!(
                reason = self.reason.name(),
                subject = self.subject,
                pipe,
                seq = detail.seq,
                "{self}"
            );
            return;
        }
        let (sender_type, router_type) = detail.types.unzip();
        let (from, to) = detail.skipped.unzip();
        tracing::warn!(
            reason = self.reason.name(),
            subject = self.subject,
            pipe,
            len = detail.len,
            limit = (self.reason == DropReason::Oversized).then_some(MAX_FRAME_LEN),
            seq = detail.seq,
            protocol = detail.protocol,
            expected = detail.protocol.map(|_| PROTOCOL),
            sender_type = sender_type.map(|fingerprint| format!("{fingerprint:#018x}")),
            router_type,
            error = detail.error.as_ref().map(tracing::field::display),
            session = detail.session.map(|session| format!("{session:016x}")),
            from,
            to,
            "{self}"
        );
    }
}

impl fmt::Display for Dropped<'_> {
    /// The log's words, as before drops had a reason of their own.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pipe = self
            .pipe
            .map_or_else(|| "?".to_owned(), |pipe| pipe.to_string());
        let detail = &self.detail;
        let (from, to) = detail.skipped.unwrap_or_default();
        match self.reason {
            DropReason::Oversized => write!(
                f,
                "dropping a frame of {} bytes, over the limit of {MAX_FRAME_LEN}",
                detail.len.unwrap_or_default()
            ),
            DropReason::Undecodable => f.write_str("dropping a frame that does not decode"),
            DropReason::PipeNeverMade => write!(
                f,
                "dropping a frame for pipe {pipe}, which this router run never made"
            ),
            DropReason::TagMismatch => f.write_str(
                "dropping a frame whose tag does not verify: not sent by this pipe's sender \
                 (forged, altered, or made with another key)",
            ),
            DropReason::OtherProtocol => {
                f.write_str("dropping a frame of another protocol version")
            }
            DropReason::OtherMessageType => write!(
                f,
                "dropping a frame of another message type than this router's `{}`",
                detail.types.map_or("", |(_, router)| router)
            ),
            DropReason::MessageUndecodable => {
                f.write_str("dropping a message that does not decode")
            }
            DropReason::TooDeep => write!(
                f,
                "dropping a message nested deeper than {} levels",
                router_remote::MAX_DEPTH
            ),
            DropReason::SubjectMismatch => write!(
                f,
                "dropping a frame for pipe {pipe} published on the subject of another pipe"
            ),
            DropReason::DecodePanicked => f.write_str("dropping a message whose decoding panicked"),
            DropReason::Duplicate => f.write_str("dropping a frame delivered already"),
            DropReason::SecondSession => write!(
                f,
                "dropping a frame of a second sender of pipe {pipe}: a pipe takes one sender"
            ),
            DropReason::FramesSkipped => write!(
                f,
                "frames {from} to {} of pipe {pipe} never arrived; delivering from {to} on",
                to.saturating_sub(1)
            ),
        }
    }
}
