//! The message every check sends.

/// The message the checks send through a backend: which source sent it and
/// its place in that source's sequence, so a check can tell a lost,
/// doubled, reordered or misrouted message.
///
/// It is plain data, eight bytes on the wire: a backend that carries
/// messages beyond one process can encode it with
/// [`to_bytes`](Self::to_bytes) and [`from_bytes`](Self::from_bytes), or
/// with serde when the `serde` feature is on.
///
/// ```
/// use router_conformance::Msg;
/// let message = Msg::new(3, 41);
/// assert_eq!(Msg::from_bytes(message.to_bytes()), message);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Msg {
    /// Which source (a sender, a thread) sent it.
    pub source: u32,
    /// Its number in that source's sequence, from 0.
    pub seq: u32,
}

impl Msg {
    /// Message number `seq` of source `source`.
    #[must_use]
    pub const fn new(source: u32, seq: u32) -> Self {
        Self { source, seq }
    }

    /// The message as eight bytes: `source` then `seq`, little-endian.
    #[must_use]
    pub fn to_bytes(self) -> [u8; 8] {
        let mut bytes = [0; 8];
        let (source, seq) = bytes.split_at_mut(4);
        source.copy_from_slice(&self.source.to_le_bytes());
        seq.copy_from_slice(&self.seq.to_le_bytes());
        bytes
    }

    /// The message [`to_bytes`](Self::to_bytes) wrote.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 8]) -> Self {
        let [a, b, c, d, e, f, g, h] = bytes;
        Self {
            source: u32::from_le_bytes([a, b, c, d]),
            seq: u32::from_le_bytes([e, f, g, h]),
        }
    }
}
