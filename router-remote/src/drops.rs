//! What a router drops of what its peers send, as values: each backend
//! names its reasons in a `#[non_exhaustive]` enum ([`DropReason`]) and
//! describes each drop ([`Dropped`]); a [`DropLog`] counts every drop by
//! its reason, exactly, and has the backend log it, in one place, at a
//! pace a flood cannot turn into a flood of the log.

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use router_api::PipeId;

use crate::pace::Pace;
use crate::reason::DropReason;

/// One drop, as its backend knows it: the reason, and what its log event
/// says (the pipe, the peer, the sizes and numbers involved).
pub trait Dropped {
    /// The backend's reasons.
    type Reason: DropReason;

    /// Why it was dropped.
    fn reason(&self) -> Self::Reason;

    /// The peer that sent it, as far as the router knows it: the pipe the
    /// peer was admitted for (or whose key signed the frame), or `None`
    /// for a peer not known (a connection before its hello, a frame that
    /// names a pipe the run never made). A peer's drops are logged at a
    /// bounded pace ([`DropLog`]); those of unknown peers are paced
    /// together. It **must not** be a number the peer chose freely (a
    /// pipe it names but the run never made): each peer costs the router
    /// a little memory while its drops are paced.
    fn peer(&self) -> Option<PipeId>;

    /// Logs it: the backend's one event for a drop, a `WARN` (or `DEBUG`
    /// for a drop that is routine, as a copy of a frame that was
    /// delivered) with the field `reason` (its
    /// [`name`](DropReason::name)), the field `pipe` when the pipe is
    /// known, and the fields and words that say what was dropped.
    fn log(&self);
}

/// Counts a router's drops by reason, over all its runs, and is the one
/// place a drop is logged: its backend's threads [`note`](Self::note)
/// each drop, and the router hands out [`counts`](Self::counts).
///
/// The counts are exact; the log is paced per peer
/// ([`Dropped::peer`]), as the warnings of R7 are per pipe: a peer's
/// first 8 drops of each second are logged one by one, and the rest are
/// summed into one `WARN` ("dropped N more frames of pipe #P than were
/// logged one by one", with the fields `pipe`, `unlogged` and `reasons`),
/// logged when that peer's next drop comes after the second is over, or
/// at [`flush`](Self::flush), when the run ends. So a flood of bad frames
/// costs the log a few lines a second per peer, whatever its rate.
///
/// Clones share the counts and the pace.
pub struct DropLog<R: DropReason> {
    counts: Arc<[AtomicU64]>,
    pace: Arc<Mutex<Pace<R>>>,
    _reason: PhantomData<fn(R)>,
}

impl<R: DropReason> DropLog<R> {
    /// A log with every count at zero.
    #[must_use]
    pub fn new() -> Self {
        Self {
            counts: R::ALL.iter().map(|_| AtomicU64::new(0)).collect(),
            pace: Arc::default(),
            _reason: PhantomData,
        }
    }

    /// Counts `dropped` under its reason, then logs it unless its peer
    /// had its drops of this second logged already.
    pub fn note(&self, dropped: &impl Dropped<Reason = R>) {
        let reason = dropped.reason();
        self.count(reason);
        let logged = self
            .pace
            .lock()
            // Each update is a few counts: a panic cannot leave it half done.
            .unwrap_or_else(PoisonError::into_inner)
            .admit(dropped.peer(), reason, Instant::now());
        if logged {
            dropped.log();
        }
    }

    /// Logs the sums of the drops not logged one by one yet, for every
    /// peer: the run is over (its threads joined).
    pub fn flush(&self) {
        self.pace
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush();
    }

    fn count(&self, reason: R) {
        let slot = R::ALL
            .iter()
            .position(|listed| *listed == reason)
            .and_then(|index| self.counts.get(index));
        debug_assert!(slot.is_some(), "{reason:?} is missing from its ALL");
        if let Some(count) = slot {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counts so far. A drop a thread is noting as this runs may be
    /// in them or not; once the router has stopped (its threads joined),
    /// every drop of its runs is.
    #[must_use]
    pub fn counts(&self) -> DropCounts<R> {
        let counts = R::ALL
            .iter()
            .zip(self.counts.iter())
            .map(|(reason, count)| (*reason, count.load(Ordering::Relaxed)))
            .collect();
        DropCounts { counts }
    }
}

impl<R: DropReason> Default for DropLog<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: DropReason> Clone for DropLog<R> {
    fn clone(&self) -> Self {
        Self {
            counts: Arc::clone(&self.counts),
            pace: Arc::clone(&self.pace),
            _reason: PhantomData,
        }
    }
}

impl<R: DropReason> fmt::Debug for DropLog<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DropLog").field(&self.counts()).finish()
    }
}

/// How many drops each reason has come to, as
/// [`DropLog::counts`] read them.
///
/// ```
/// # use router_remote::{DropCounts, DropReason};
/// # fn check<R: DropReason>(counts: &DropCounts<R>, undecodable: R) {
/// assert_eq!(counts.get(undecodable), 1);
/// assert_eq!(counts.total(), 1);
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DropCounts<R: DropReason> {
    counts: Vec<(R, u64)>,
}

impl<R: DropReason> DropCounts<R> {
    /// How many were dropped for `reason`.
    #[must_use]
    pub fn get(&self, reason: R) -> u64 {
        self.counts
            .iter()
            .find(|(listed, _)| *listed == reason)
            .map_or(0, |(_, count)| *count)
    }

    /// How many were dropped in all.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|(_, count)| count).sum()
    }

    /// Every reason with its count, zero or not, in the order of
    /// [`DropReason::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = (R, u64)> + '_ {
        self.counts.iter().copied()
    }
}

impl<R: DropReason> fmt::Debug for DropCounts<R> {
    /// The reasons with a count, by name: `{"Undecodable": 1}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counted = self.counts.iter().filter(|(_, count)| *count > 0);
        f.debug_map()
            .entries(counted.map(|(reason, count)| (reason.name(), count)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use router_conformance::capture::capture;

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Why {
        TooBig,
        Garbled,
    }

    impl DropReason for Why {
        const ALL: &'static [Self] = &[Self::TooBig, Self::Garbled];

        fn name(self) -> &'static str {
            match self {
                Self::TooBig => "too_big",
                Self::Garbled => "garbled",
            }
        }
    }

    struct FrameDrop(Why, u64);

    impl Dropped for FrameDrop {
        type Reason = Why;

        fn reason(&self) -> Why {
            self.0
        }

        fn peer(&self) -> Option<PipeId> {
            Some(PipeId::new(self.1))
        }

        fn log(&self) {
            tracing::warn!(reason = self.0.name(), pipe = self.1, "dropping a frame");
        }
    }

    #[test]
    fn each_drop_is_counted_by_reason_and_logged_once() {
        let log = DropLog::<Why>::new();
        let shared = log.clone();
        let ((), captured) = capture(|| {
            shared.note(&FrameDrop(Why::Garbled, 1));
            shared.note(&FrameDrop(Why::Garbled, 2));
            shared.note(&FrameDrop(Why::TooBig, 2));
        });
        let counts = log.counts();
        assert_eq!(counts.get(Why::Garbled), 2);
        assert_eq!(counts.get(Why::TooBig), 1);
        assert_eq!(counts.total(), 3);
        assert_eq!(
            counts.iter().collect::<Vec<_>>(),
            [(Why::TooBig, 1), (Why::Garbled, 2)]
        );
        assert_eq!(format!("{counts:?}"), r#"{"too_big": 1, "garbled": 2}"#);
        let warnings = captured.warnings_containing("dropping a frame");
        assert_eq!(warnings.len(), 3);
        assert_eq!(warnings[0].field("reason"), Some("garbled"));
    }

    #[test]
    fn a_flood_of_one_peer_is_counted_exactly_and_logged_at_a_pace() {
        let log = DropLog::<Why>::new();
        let ((), captured) = capture(|| {
            for _ in 0..1000 {
                log.note(&FrameDrop(Why::Garbled, 1));
            }
            log.note(&FrameDrop(Why::TooBig, 1));
            // Another peer is paced apart.
            log.note(&FrameDrop(Why::TooBig, 2));
            log.flush();
        });
        assert_eq!(log.counts().get(Why::Garbled), 1000);
        assert_eq!(log.counts().get(Why::TooBig), 2);
        let one_by_one = captured.warnings_containing("dropping a frame");
        let logged = crate::pace::LOGGED_PER_WINDOW as usize;
        assert_eq!(one_by_one.len(), logged + 1, "{captured:?}");
        let sums = captured.warnings_containing("more frames of pipe #1");
        assert_eq!(sums.len(), 1, "{captured:?}");
        let unlogged = (1001 - logged).to_string();
        assert_eq!(sums[0].field("unlogged"), Some(unlogged.as_str()));
        assert_eq!(sums[0].field("pipe"), Some("#1"));
        let reasons = format!("too_big: 1, garbled: {}", 1000 - logged);
        assert!(sums[0].message.contains(&reasons), "{:?}", sums[0]);
        assert_eq!(captured.warnings().count(), logged + 2, "{captured:?}");
    }

    #[test]
    fn a_peer_is_logged_again_once_its_second_is_over() {
        let log = DropLog::<Why>::new();
        let logged = crate::pace::LOGGED_PER_WINDOW as usize;
        let ((), captured) = capture(|| {
            for _ in 0..logged + 3 {
                log.note(&FrameDrop(Why::Garbled, 1));
            }
            std::thread::sleep(crate::pace::WINDOW);
            log.note(&FrameDrop(Why::TooBig, 1));
        });
        // The sum of the second that is over comes before the new drop.
        let warnings: Vec<_> = captured.warnings().collect();
        assert_eq!(warnings.len(), logged + 2, "{captured:?}");
        assert_eq!(warnings[logged].field("unlogged"), Some("3"));
        assert_eq!(warnings[logged + 1].field("reason"), Some("too_big"));
    }

    #[test]
    fn a_new_log_counts_nothing() {
        let counts = DropLog::<Why>::new().counts();
        assert_eq!(counts.total(), 0);
        assert_eq!(format!("{counts:?}"), "{}");
    }
}
