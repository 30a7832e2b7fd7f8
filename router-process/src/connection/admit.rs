//! Admission: a connection's hello is read and checked (protocol,
//! secret, message type, pipe) against the run's intake, and the
//! connection gets its pipe's in-process sender, or the drop that says
//! why not.

use router_api::PipeId;
use router_remote::{Admission, CoreSender};

use crate::drops::{Detail, DropReason, Dropped};
use crate::intake::Intake;
use crate::wire::{self, Hello};

/// Reads the hello of connection `connection` from its payload and checks
/// it: the pipe it may send on and that pipe's in-process sender, or why
/// it is refused (boxed: refusals are rare, admissions many).
pub(super) fn check<M: Send + 'static>(
    connection: u64,
    payload: &[u8],
    intake: &Intake<M>,
) -> Result<(PipeId, CoreSender<M>), Box<Dropped>> {
    let refused = |reason, pipe, detail| {
        Box::new(Dropped {
            reason,
            connection,
            pipe,
            detail,
        })
    };
    let hello = read_hello(payload).map_err(|detail| {
        let reason = match detail.protocol {
            Some(_) => DropReason::OtherProtocol,
            None => DropReason::BadHello,
        };
        refused(reason, None, detail)
    })?;
    if hello.secret != intake.secret {
        return Err(refused(DropReason::WrongSecret, None, Detail::default()));
    }
    let pipe = PipeId::new(hello.pipe);
    // Before the pipe is taken: a sender of the wrong type must not keep
    // one of the right type out.
    if hello.message_type != intake.message_type {
        // The name is the peer's text: escaped, so it cannot forge log lines.
        let sender_type = hello.type_name.escape_debug().to_string();
        let detail = Detail {
            types: Some((sender_type, intake.type_name)),
            ..Detail::default()
        };
        return Err(refused(DropReason::OtherMessageType, Some(pipe), detail));
    }
    match intake.book.admit(pipe) {
        Admission::Admitted { sender, .. } => Ok((pipe, sender)),
        Admission::NeverMade => Err(refused(
            DropReason::PipeNeverMade,
            Some(pipe),
            Detail::default(),
        )),
        Admission::AlreadyConnected => Err(refused(
            DropReason::SecondSender,
            Some(pipe),
            Detail::default(),
        )),
    }
}

/// Reads a hello's payload: the protocol alone first, since another
/// version's hello need not decode as this one's. What is wrong, as the
/// detail of its drop: postcard's error, or the other version.
fn read_hello(payload: &[u8]) -> Result<Hello, Detail> {
    let decode = |error| Detail {
        error: Some(error),
        ..Detail::default()
    };
    match wire::hello_protocol(payload) {
        Ok(wire::PROTOCOL) => wire::decode_payload::<Hello>(payload).map_err(decode),
        Ok(protocol) => Err(Detail {
            protocol: Some(protocol),
            ..Detail::default()
        }),
        Err(error) => Err(decode(error)),
    }
}
