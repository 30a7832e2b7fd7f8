//! A started sender's connection: each message one authenticated frame
//! published to the run's stream, its end one end frame; and its ear for
//! the router's notice that the pipe closed.

use router_api::{PipeId, SenderEnd};
use router_remote::{EncodeError, Line, LineFault};
use serde::Serialize;

use crate::frame::{self, Header, Kind, MAX_MESSAGE_LEN};
use crate::listener::Listener;
use crate::publisher::{Failure, Publisher};

/// The connection of a started [`NatsSender`](crate::NatsSender).
#[derive(Debug)]
pub(crate) struct NatsLine {
    publisher: Box<Publisher>,
    pipe: PipeId,
    /// The fingerprint of the router's message type, from the token.
    message_type: u64,
    listener: Listener,
}

impl NatsLine {
    pub(crate) fn new(
        publisher: Publisher,
        pipe: PipeId,
        message_type: u64,
        listener: Listener,
    ) -> Self {
        Self {
            publisher: Box::new(publisher),
            pipe,
            message_type,
            listener,
        }
    }

    fn header(&self, kind: Kind) -> Header {
        Header {
            protocol: frame::PROTOCOL,
            pipe: self.pipe.get(),
            session: self.publisher.session(),
            seq: self.publisher.next_seq(),
            message_type: self.message_type,
            kind,
        }
    }
}

impl Line for NatsLine {
    fn send<M: Serialize + ?Sized>(&mut self, message: &M) -> Result<(), LineFault> {
        let header = self.header(Kind::Message);
        let bytes = match frame::encode(&header, Some(message), self.publisher.mac(), Vec::new()) {
            Ok(bytes) if bytes.len() <= frame::MAX_FRAME_LEN => bytes,
            Ok(bytes) => {
                let len = bytes.len() - frame::TAG_LEN;
                let limit = MAX_MESSAGE_LEN;
                return Err(LineFault::Encode(EncodeError::TooLarge { len, limit }));
            }
            Err(error) => return Err(LineFault::Encode(error.into())),
        };
        let pushed = self.publisher.push(bytes, false);
        pushed.map_err(|failure| LineFault::Lost(Box::new(failure)))
    }

    /// Publishes the end frame and waits for every frame under way.
    fn end(&mut self, end: SenderEnd) {
        let kind = Kind::End {
            sent: self.publisher.sent(),
            how: frame::end_code(end),
        };
        let header = self.header(kind);
        let ended = frame::encode::<()>(&header, None, self.publisher.mac(), Vec::new())
            .map_err(Failure::Encode)
            .and_then(|bytes| self.publisher.push(bytes, true));
        if let Err(failure) = ended {
            tracing::warn!(pipe = %self.pipe, %failure, "nats sender could not say it ended");
        }
    }

    /// The flag the listening thread sets: one atomic load.
    fn is_closed(&self) -> bool {
        self.listener.is_closed()
    }
}
