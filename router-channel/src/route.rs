//! Where a message goes: the route every message carries through its
//! run's channel, from its sender to its pipe's slot in the routing table.

use router_api::PipeId;

/// Where a message goes: the table slot of its pipe, and a tag (the low
/// 32 bits of the pipe's number) that tells a live slot from one reused by
/// a later pipe.
///
/// One word: every message carries one, and an envelope of `u64` is then
/// a pair of words, as the messages of a bare channel of `(u64, u64)`
/// are. A stale message
/// could only meet a new pipe with the same tag in its slot after 2^32
/// more pipes were made while it waited in the queue.
///
/// A route that names no open pipe is harmless: its messages are
/// discarded with the closed-pipe warning.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    /// The slot in the low 32 bits, the tag in the high 32. One field, not
    /// two: the envelope of a word-sized message then moves through the
    /// channel in registers, as a bare `(u64, u64)` does, instead of being
    /// stored piecewise and loaded whole.
    word: u64,
}

impl Route {
    /// The route to `pipe`, which sits in `slot` of its router's table.
    #[must_use]
    pub const fn from_parts(slot: u32, pipe: PipeId) -> Self {
        Self {
            word: (tag_of(pipe) as u64) << 32 | slot as u64,
        }
    }

    /// The slot of the pipe in its router's table.
    #[must_use]
    #[allow(clippy::cast_possible_truncation)] // the low half, by design
    pub const fn slot(self) -> u32 {
        self.word as u32
    }

    /// The tag: the low 32 bits of the pipe's number.
    #[allow(clippy::cast_possible_truncation)] // the high half, by design
    const fn tag(self) -> u32 {
        (self.word >> 32) as u32
    }

    /// Whether this route leads to `pipe` (if it sits in this route's slot).
    #[must_use]
    pub const fn names(self, pipe: PipeId) -> bool {
        self.tag() == tag_of(pipe)
    }

    /// The pipe this route names, given `last`, the newest pipe its router
    /// has made: the newest pipe up to `last` with this route's tag, which
    /// is exact unless 2^32 pipes were made since.
    pub(crate) fn pipe_before(self, last: PipeId) -> PipeId {
        const TAGS: u64 = 1 << 32;
        let last = last.get();
        let candidate = (last & !(TAGS - 1)) | u64::from(self.tag());
        PipeId::new(if candidate > last {
            candidate.saturating_sub(TAGS)
        } else {
            candidate
        })
    }
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("slot", &self.slot())
            .field("tag", &self.tag())
            .finish()
    }
}

/// The tag of a pipe: the low 32 bits of its number (truncation intended).
#[allow(clippy::cast_possible_truncation)]
const fn tag_of(pipe: PipeId) -> u32 {
    pipe.get() as u32
}

#[cfg(test)]
mod tests {
    use super::Route;
    use router_api::PipeId;

    #[test]
    fn route_names_only_pipes_with_its_tag() {
        let route = Route::from_parts(0, PipeId::new(7));
        assert!(route.names(PipeId::new(7)));
        assert!(!route.names(PipeId::new(8)));
        assert!(route.names(PipeId::new(7 + (1 << 32))));
    }

    #[test]
    fn pipe_of_a_route_is_the_newest_pipe_with_its_tag() {
        let route = Route::from_parts(0, PipeId::new(7));
        assert_eq!(route.pipe_before(PipeId::new(7)), PipeId::new(7));
        assert_eq!(route.pipe_before(PipeId::new(1_000)), PipeId::new(7));
        let high = PipeId::new((5 << 32) + 3);
        assert_eq!(
            Route::from_parts(0, high).pipe_before(PipeId::new((5 << 32) + 10)),
            high
        );
        // A tag above the newest pipe's low bits belongs to the block before.
        let before = PipeId::new((4 << 32) + 20);
        assert_eq!(
            Route::from_parts(0, before).pipe_before(PipeId::new((5 << 32) + 10)),
            before
        );
    }
}
