//! The router's one word after its answer: the sender's pipe closed.

/// The byte the router writes, once, on an admitted connection whose pipe
/// closed (C2: `close_pipe`, or its receiver or stream dropped). Nothing
/// else follows the answer, so a sender reads only this byte, or the end
/// of the connection (the router stopped); it need not read it at all.
///
/// Both sides stay compatible with the protocol 3 of before this byte: a
/// sender that never reads misses nothing it needs, and a router that
/// never writes it still closes the connection when it stops.
pub const CLOSED: u8 = 0xC2;

/// The most a sender reads at one look for [`CLOSED`]: a router writes
/// one byte; a longer read would be another router's, and is not kept.
pub const MAX_CLOSED_READ: usize = 16;
