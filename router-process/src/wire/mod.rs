//! The wire format between a sender and its router.
//!
//! A connection carries frames. A frame is a 4-byte little-endian length,
//! then that many bytes of [postcard](https://docs.rs/postcard), at most
//! [`MAX_FRAME_LEN`] of them. The first frame a sender writes is its
//! [`Hello`] (protocol version, the router's secret, the pipe number and
//! the message type); the router answers it with the single byte
//! [`ACCEPTED`], or refuses it with the one byte of a [`Refusal`], which
//! names the cause (for [`Refusal::MessageType`], a frame naming the
//! router's message type follows it), and closes the connection. Every
//! later frame is a [`Frame`]: one message of the pipe, in order, or the
//! sender's end of stream, the last frame of the connection. A
//! connection that closes without its end frame ends the pipe as
//! [`SenderEnd::Lost`](router_api::SenderEnd::Lost).
//! A connection the router closes without any answer was cut by the
//! router stopping.
//!
//! After its answer the router writes one byte more, at most: [`CLOSED`],
//! once the sender's pipe is closed (C2), so that the sender's
//! `is_closed` turns true. A router that stops closes every connection,
//! which a sender takes as closed too.
//!
//! This module is public so that a benchmark or a sender written in
//! another language can speak the same frames; a Rust program uses
//! [`ProcessSender`](crate::ProcessSender) and never needs it.

mod closed;
mod frame;
mod hello;
mod refusal;

pub use closed::{CLOSED, MAX_CLOSED_READ};
pub use frame::{
    EncodeError, Frame, FrameRef, HEADER_LEN, MAX_FRAME_LEN, decode_payload, encode_frame,
    encode_message, end_code, end_frame, end_from_code, payload_len,
};
pub use hello::{Hello, MAX_HELLO_LEN, MAX_TYPE_NAME_LEN, PROTOCOL, hello_protocol, message_type};
pub use refusal::{ACCEPTED, MAX_REFUSAL_DETAIL, Refusal};
