//! Admission: a connection's hello is read and checked (protocol,
//! secret, message type, pipe), and the connection is accepted with its
//! pipe's in-process sender or refused with the one byte naming the cause.

use std::io::{self, Write};
use std::time::Duration;

use router_api::{MessageSender, PipeId, SenderEnd};

use crate::pipe_book::Admission;
use crate::wire::{self, Hello, Refusal};

use super::{Connection, Intake, Phase, Refused};

/// Why a hello cannot be read.
pub(super) enum HelloError {
    /// It does not decode.
    Decode(postcard::Error),
    /// It is of another protocol version.
    Protocol(u16),
}

/// Reads a hello's payload: the protocol alone first, since another
/// version's hello need not decode as this one's.
pub(super) fn read_hello(payload: &[u8]) -> Result<Hello, HelloError> {
    match wire::hello_protocol(payload) {
        Ok(wire::PROTOCOL) => wire::decode_payload::<Hello>(payload).map_err(HelloError::Decode),
        Ok(protocol) => Err(HelloError::Protocol(protocol)),
        Err(error) => Err(HelloError::Decode(error)),
    }
}

impl<M: Send + 'static> Connection<M> {
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
    pub(super) fn refuse(&mut self, refusal: Refusal) -> Refused {
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

    pub(super) fn admit(
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
        let mut sender = match intake.book.admit(pipe) {
            Admission::Admitted(sender) => sender,
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
                sender.finish(SenderEnd::Lost);
                return Err(Refused);
            }
        }
        tracing::debug!(connection = id, pipe = %pipe, "sender connected");
        // A sender the router made and never started starts.
        if let Err(error) = sender.start() {
            tracing::debug!(connection = id, pipe = %pipe, %error, "cannot start the pipe's sender");
            return Err(Refused);
        }
        self.phase = Phase::Open(pipe);
        self.sender = Some(sender);
        Ok(())
    }
}
