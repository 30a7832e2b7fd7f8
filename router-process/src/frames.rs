//! Cutting a byte stream into frames, for a reader that gets its bytes a
//! chunk at a time from a non-blocking socket.
//!
//! What a connection may cost before the router knows who it is stays
//! small: until it is admitted, a header may announce no more than a
//! hello ([`MAX_HELLO_LEN`]), and at any time the buffer grows as the
//! bytes of a frame arrive, at most twice what they came to, never on a
//! header's word alone.

use std::ops::Range;

use crate::wire::{HEADER_LEN, MAX_FRAME_LEN, MAX_HELLO_LEN, payload_len};

/// How much room a read gets at least, once the connection is admitted.
pub(crate) const MIN_READ: usize = 64 * 1024;

/// A buffer that grew for a big frame is given back once it is empty
/// and bigger than this.
const KEEP: usize = 4 * MIN_READ;

/// A frame header that announces more than the reader takes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Oversized {
    /// What it announced.
    pub(crate) len: usize,
    /// The most the reader took: [`MAX_HELLO_LEN`] before the connection
    /// was admitted, [`MAX_FRAME_LEN`] after.
    pub(crate) limit: usize,
}

/// The bytes read from one connection and not yet taken as frames.
#[derive(Debug)]
pub(crate) struct FrameReader {
    bytes: Vec<u8>,
    start: usize,
    end: usize,
    /// The most a header may announce.
    limit: usize,
}

impl FrameReader {
    /// The reader of a connection not yet admitted: its frames are hellos.
    pub(crate) fn new() -> Self {
        Self {
            bytes: Vec::new(),
            start: 0,
            end: 0,
            limit: MAX_HELLO_LEN,
        }
    }

    /// The connection was admitted: its frames may be as big as any.
    pub(crate) fn admitted(&mut self) {
        self.limit = MAX_FRAME_LEN;
    }

    /// How many bytes are held: a frame under way, or nothing.
    pub(crate) fn pending(&self) -> usize {
        self.end - self.start
    }

    /// How much memory the reader holds for its bytes.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn held(&self) -> usize {
        self.bytes.len()
    }

    /// The room one read gets at least: a whole hello before admission.
    fn read_size(&self) -> usize {
        MIN_READ.min(HEADER_LEN + self.limit)
    }

    /// The payload length of the frame under way, when its header is in
    /// and within the limit.
    fn announced(&self) -> Option<usize> {
        if self.pending() < HEADER_LEN {
            return None;
        }
        let header = self.bytes.get(self.start..self.start + HEADER_LEN)?;
        let len = payload_len(header.try_into().ok()?);
        (len <= self.limit).then_some(len)
    }

    /// Room to read into: a read's worth, or more for a big frame under
    /// way, as much again as it brought in so far (up to all it still
    /// needs): the buffer doubles as the bytes come, so it is never more
    /// than about twice what was read.
    pub(crate) fn spare(&mut self) -> &mut [u8] {
        let pending = self.pending();
        let growth = match self.announced() {
            Some(len) => (HEADER_LEN + len).saturating_sub(pending).min(pending),
            None => 0,
        };
        let wanted = growth.max(self.read_size());
        if pending == 0 {
            self.start = 0;
            self.end = 0;
            if self.bytes.len() > KEEP {
                self.bytes = Vec::new();
            }
        }
        if self.bytes.len() - self.end < wanted {
            self.bytes.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.bytes.len() - self.end < wanted {
                self.bytes.resize(self.end + wanted, 0);
            }
        }
        &mut self.bytes[self.end..]
    }

    /// Takes in the `count` bytes a read put at the front of
    /// [`spare`](Self::spare).
    pub(crate) fn filled(&mut self, count: usize) {
        self.end = (self.end + count).min(self.bytes.len());
    }

    /// The payload of the next whole frame, as a range for
    /// [`payload`](Self::payload), if one is in.
    ///
    /// # Errors
    ///
    /// [`Oversized`] when the next header announces more than the limit;
    /// the stream cannot be read on after that.
    pub(crate) fn next_frame(&mut self) -> Result<Option<Range<usize>>, Oversized> {
        let Some(header) = self.bytes.get(self.start..self.start + HEADER_LEN) else {
            return Ok(None);
        };
        if self.pending() < HEADER_LEN {
            return Ok(None);
        }
        let mut bytes = [0; HEADER_LEN];
        bytes.copy_from_slice(header);
        let len = payload_len(bytes);
        if len > self.limit {
            return Err(Oversized {
                len,
                limit: self.limit,
            });
        }
        if self.pending() < HEADER_LEN + len {
            return Ok(None);
        }
        let payload = self.start + HEADER_LEN..self.start + HEADER_LEN + len;
        self.start = payload.end;
        Ok(Some(payload))
    }

    /// The bytes of a range [`next_frame`](Self::next_frame) gave.
    pub(crate) fn payload(&self, range: Range<usize>) -> &[u8] {
        self.bytes.get(range).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::wire::{decode_payload, encode_frame};

    /// Feeds `stream` to an admitted reader `chunk` bytes at a time and
    /// returns the payloads it cut, decoded as `u64`.
    fn cut(stream: &[u8], chunk: usize) -> Vec<u64> {
        let mut reader = FrameReader::new();
        reader.admitted();
        let mut out = Vec::new();
        for piece in stream.chunks(chunk) {
            let spare = reader.spare();
            spare[..piece.len()].copy_from_slice(piece);
            reader.filled(piece.len());
            while let Some(range) = reader.next_frame().unwrap() {
                out.push(decode_payload(reader.payload(range)).unwrap());
            }
        }
        assert_eq!(reader.pending(), 0);
        out
    }

    #[test]
    fn frames_split_anywhere_come_out_whole_and_in_order() {
        let mut stream = Vec::new();
        for n in 0..1000u64 {
            stream = encode_frame(&(n * 1_000_003), stream).unwrap();
        }
        let expected: Vec<u64> = (0..1000).map(|n| n * 1_000_003).collect();
        for chunk in [1, 2, 3, 5, 7, 64, 4096, stream.len()] {
            assert_eq!(cut(&stream, chunk), expected, "chunk {chunk}");
        }
    }

    #[test]
    fn frame_bigger_than_a_read_gets_room_to_finish() {
        let big = vec![7u8; 3 * MIN_READ];
        let stream = encode_frame(&big, Vec::new()).unwrap();
        let mut reader = FrameReader::new();
        reader.admitted();
        let mut fed = 0;
        let frame = loop {
            let spare = reader.spare();
            let n = spare.len().min(stream.len() - fed).min(MIN_READ);
            spare[..n].copy_from_slice(&stream[fed..fed + n]);
            reader.filled(n);
            fed += n;
            if let Some(range) = reader.next_frame().unwrap() {
                break decode_payload::<Vec<u8>>(reader.payload(range)).unwrap();
            }
            assert!(fed < stream.len(), "the whole frame was fed and not cut");
        };
        assert_eq!(frame, big);
    }

    #[test]
    fn header_over_the_limit_is_refused_before_its_payload() {
        let mut reader = FrameReader::new();
        reader.admitted();
        let header = u32::try_from(MAX_FRAME_LEN + 1).unwrap().to_le_bytes();
        reader.spare()[..HEADER_LEN].copy_from_slice(&header);
        reader.filled(HEADER_LEN);
        assert_eq!(
            reader.next_frame(),
            Err(Oversized {
                len: MAX_FRAME_LEN + 1,
                limit: MAX_FRAME_LEN
            })
        );
    }

    #[test]
    fn header_before_the_hello_pins_no_more_than_a_read() {
        // Four bytes announcing 16 MiB, from a peer not yet admitted.
        let mut reader = FrameReader::new();
        reader.spare()[..HEADER_LEN].copy_from_slice(&[0, 0, 0, 1]);
        reader.filled(HEADER_LEN);
        let room = reader.spare().len();
        assert!(room <= MIN_READ, "{room} bytes of room for 4 bytes read");
        assert!(
            reader.held() <= 2 * (HEADER_LEN + MAX_HELLO_LEN),
            "{}",
            reader.held()
        );
        assert_eq!(
            reader.next_frame(),
            Err(Oversized {
                len: MAX_FRAME_LEN,
                limit: MAX_HELLO_LEN
            })
        );
    }

    #[test]
    fn buffer_grows_as_a_big_frame_arrives_not_on_its_header() {
        let mut reader = FrameReader::new();
        reader.admitted();
        let header = u32::try_from(MAX_FRAME_LEN).unwrap().to_le_bytes();
        reader.spare()[..HEADER_LEN].copy_from_slice(&header);
        reader.filled(HEADER_LEN);
        let mut read = HEADER_LEN;
        while read < 4 * 1024 * 1024 {
            let room = reader.spare().len();
            assert!(
                reader.held() <= 2 * read + MIN_READ,
                "{} held for {read}",
                reader.held()
            );
            reader.filled(room);
            read += room;
            assert_eq!(reader.next_frame(), Ok(None));
        }
    }

    #[test]
    fn hello_of_the_limit_is_cut_before_admission() {
        let payload = vec![5u8; MAX_HELLO_LEN];
        let mut stream = u32::try_from(MAX_HELLO_LEN).unwrap().to_le_bytes().to_vec();
        stream.extend_from_slice(&payload);
        let mut reader = FrameReader::new();
        let mut fed = 0;
        let range = loop {
            let spare = reader.spare();
            let n = spare.len().min(stream.len() - fed);
            spare[..n].copy_from_slice(&stream[fed..fed + n]);
            reader.filled(n);
            fed += n;
            if let Some(range) = reader.next_frame().unwrap() {
                break range;
            }
        };
        assert_eq!(reader.payload(range), payload.as_slice());
    }

    #[test]
    fn partial_frame_is_pending() {
        let stream = encode_frame(&12345u64, Vec::new()).unwrap();
        let mut reader = FrameReader::new();
        reader.spare()[..3].copy_from_slice(&stream[..3]);
        reader.filled(3);
        assert_eq!(reader.next_frame(), Ok(None));
        assert_eq!(reader.pending(), 3);
    }
}
