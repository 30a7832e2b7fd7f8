//! Why the monitor drops what a connection wrote, as values: the hello it
//! refuses, or a frame after it. Each drop is logged in one place,
//! [`Dropped::log`], and counted by the router's
//! [`DropLog`](router_remote::DropLog).

use std::fmt;
use std::time::Duration;

use router_api::PipeId;
use router_remote::DropReason as _;

use crate::wire::{MAX_FRAME_LEN, PROTOCOL, Refusal};

router_remote::drop_reasons! {
    /// Why a [`ProcessRouter`](crate::ProcessRouter) dropped what a
    /// connection wrote. Each drop is logged, a `WARN` whose `reason` field
    /// is the reason's [name](router_remote::DropReason::name) (its
    /// variant's), with the `connection`, the `pipe` once it
    /// is known and what else says what was dropped; and counted, by
    /// reason:
    /// [`ProcessRouter::dropped_frames`](crate::ProcessRouter::dropped_frames).
    ///
    /// Every drop closes its connection, and a refused hello is answered
    /// with the byte of its [`Refusal`] first; the router and every other
    /// connection carry on.
    pub enum DropReason {
        /// A frame's header announces more than
        /// [`MAX_FRAME_LEN`](crate::wire::MAX_FRAME_LEN) bytes, or, before
        /// the connection is admitted, more than a hello's
        /// [`MAX_HELLO_LEN`](crate::wire::MAX_HELLO_LEN): dropped unread
        /// (a hello so is refused as [`Refusal::BadHello`]).
        Oversized,
        /// The hello does not decode ([`Refusal::BadHello`]).
        BadHello,
        /// The hello speaks another protocol version
        /// ([`Refusal::Protocol`]).
        OtherProtocol,
        /// The hello does not carry the run's secret ([`Refusal::Secret`]).
        WrongSecret,
        /// The hello's message type is not the router's
        /// ([`Refusal::MessageType`]).
        OtherMessageType,
        /// The hello names a pipe the run never made
        /// ([`Refusal::UnknownPipe`]).
        PipeNeverMade,
        /// The hello names a pipe whose sender connected already
        /// ([`Refusal::AlreadyConnected`]).
        SecondSender,
        /// The whole hello did not come within the hello timeout
        /// ([`Refusal::HelloTimeout`]).
        HelloTimeout,
        /// A message frame came after the sender's end frame.
        AfterEnd,
        /// A frame is neither a message of the router's type nor an end.
        Undecodable,
        /// A frame's message nests deeper than
        /// [`MAX_DEPTH`](router_remote::MAX_DEPTH) levels: refused before
        /// its decoding could run the monitor thread out of stack.
        TooDeep,
        /// Decoding a frame panicked (the message type's `Deserialize`).
        DecodePanicked,
        /// An end frame says a code no sender writes: the sender is taken
        /// as lost.
        UnknownEndCode,
        /// The connection closed in the middle of a frame: its bytes are
        /// dropped.
        CutShort,
    }
}

impl DropReason {
    /// The answer to a hello refused for this reason.
    pub(crate) fn refusal(self) -> Option<Refusal> {
        match self {
            Self::BadHello => Some(Refusal::BadHello),
            Self::OtherProtocol => Some(Refusal::Protocol),
            Self::WrongSecret => Some(Refusal::Secret),
            Self::OtherMessageType => Some(Refusal::MessageType),
            Self::PipeNeverMade => Some(Refusal::UnknownPipe),
            Self::SecondSender => Some(Refusal::AlreadyConnected),
            Self::HelloTimeout => Some(Refusal::HelloTimeout),
            Self::Oversized
            | Self::AfterEnd
            | Self::Undecodable
            | Self::TooDeep
            | Self::DecodePanicked
            | Self::UnknownEndCode
            | Self::CutShort => None,
        }
    }
}

/// What a drop's log event says besides its reason, connection and pipe;
/// each reason fills what its words need.
#[derive(Clone, Default, Debug)]
pub(crate) struct Detail {
    /// The payload length a header announced.
    pub(crate) len: Option<usize>,
    /// The most it could announce then.
    pub(crate) limit: Option<usize>,
    /// The bytes held when the connection ended.
    pub(crate) bytes: Option<usize>,
    /// An end frame's code.
    pub(crate) code: Option<u8>,
    /// A hello's protocol version.
    pub(crate) protocol: Option<u16>,
    /// What postcard said.
    pub(crate) error: Option<postcard::Error>,
    /// A hello's message type, escaped, and the router's.
    pub(crate) types: Option<(String, &'static str)>,
    /// How long a hello was waited for.
    pub(crate) timeout: Option<Duration>,
}

impl Detail {
    /// The sender's message type and the router's.
    fn types(&self) -> Option<(&str, &str)> {
        let (sender, router) = self.types.as_ref()?;
        Some((sender, router))
    }
}

/// One drop, as the monitor saw it.
#[derive(Debug)]
pub(crate) struct Dropped {
    pub(crate) reason: DropReason,
    pub(crate) connection: u64,
    pub(crate) pipe: Option<PipeId>,
    pub(crate) detail: Detail,
}

impl router_remote::Dropped for Dropped {
    type Reason = DropReason;

    fn reason(&self) -> DropReason {
        self.reason
    }

    /// The pipe of an admitted connection; a refused hello's pipe is the
    /// peer's word, so its drops are paced with every unknown peer's.
    fn peer(&self) -> Option<PipeId> {
        self.pipe.filter(|_| self.reason.refusal().is_none())
    }

    fn log(&self) {
        let detail = &self.detail;
        let (sender_type, router_type) = detail.types().unzip();
        tracing::warn!(
            reason = self.reason.name(),
            connection = self.connection,
            pipe = self.pipe.map(tracing::field::display),
            len = detail.len,
            limit = detail.limit,
            bytes = detail.bytes,
            code = detail.code,
            protocol = detail.protocol,
            expected = detail.protocol.map(|_| PROTOCOL),
            sender_type,
            router_type,
            timeout_ms = detail.timeout.map(|timeout| timeout.as_millis()),
            error = detail.error.as_ref().map(tracing::field::display),
            "{self}"
        );
    }
}

impl fmt::Display for Dropped {
    /// The log's words, as before drops had a reason of their own.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pipe = self
            .pipe
            .map_or_else(|| "?".to_owned(), |pipe| pipe.to_string());
        let detail = &self.detail;
        let len = detail.len.unwrap_or_default();
        let limit = detail.limit.unwrap_or(MAX_FRAME_LEN);
        let bytes = detail.bytes.unwrap_or_default();
        let (sender_type, router_type) = detail.types().unwrap_or_default();
        match self.reason {
            DropReason::Oversized => write!(
                f,
                "a frame announces {len} bytes, over the limit of {limit}; \
                 dropping it and closing the connection"
            ),
            DropReason::BadHello => f.write_str("a connection's hello does not decode; closing it"),
            DropReason::OtherProtocol => {
                f.write_str("a connection speaks another protocol version; closing it")
            }
            DropReason::WrongSecret => {
                f.write_str("a connection did not present this router's secret; closing it")
            }
            DropReason::OtherMessageType => write!(
                f,
                "a connection sends messages of type `{sender_type}`, and this router's \
                 message type is `{router_type}`; closing it"
            ),
            DropReason::PipeNeverMade => write!(
                f,
                "a connection names pipe {pipe}, which this router never made; closing it"
            ),
            DropReason::SecondSender => write!(
                f,
                "a second sender connected for pipe {pipe}; a pipe takes one sender; closing it"
            ),
            DropReason::HelloTimeout => write!(
                f,
                "a connection sent no hello within {} ms; closing it",
                detail.timeout.unwrap_or_default().as_millis()
            ),
            DropReason::AfterEnd => write!(
                f,
                "a frame for pipe {pipe} came after its sender's end; closing the connection"
            ),
            DropReason::Undecodable => write!(
                f,
                "a frame for pipe {pipe} does not decode; dropping it and closing the connection"
            ),
            DropReason::TooDeep => write!(
                f,
                "a frame for pipe {pipe} nests deeper than {} levels; \
                 dropping it and closing the connection",
                router_remote::MAX_DEPTH
            ),
            DropReason::DecodePanicked => write!(
                f,
                "decoding a frame for pipe {pipe} panicked; dropping it and closing the connection"
            ),
            DropReason::UnknownEndCode => write!(
                f,
                "the end frame of pipe {pipe} says {}, which no sender writes; \
                 taking the sender as lost",
                detail.code.unwrap_or_default()
            ),
            DropReason::CutShort => write!(
                f,
                "sender of pipe {pipe} disconnected in the middle of a frame; \
                 dropping its last {bytes} bytes"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_hellos_are_answered_with_their_own_refusal() {
        let refused: Vec<Refusal> = DropReason::ALL.iter().filter_map(|r| r.refusal()).collect();
        assert_eq!(refused.len(), Refusal::ALL.len());
        for refusal in Refusal::ALL {
            assert!(refused.contains(&refusal), "{refusal:?}");
        }
    }
}
