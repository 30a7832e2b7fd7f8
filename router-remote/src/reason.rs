//! A backend's reasons to drop what a peer sent, as values: what the drop
//! log counts by and its pace sums by.

use std::fmt;

/// A backend's reasons to drop what a peer sent: a frame over the size
/// limit, one that does not decode, one whose tag does not verify, ...
///
/// For backend authors: the enum **must** list each of its values in
/// [`ALL`](Self::ALL) (a reason missing there is logged but not counted),
/// and each [`name`](Self::name) **must** be distinct and never change
/// meaning: logs and dashboards key on it.
/// [`drop_reasons!`](crate::drop_reasons) declares such an enum.
pub trait DropReason: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// Every reason, in the order [`DropCounts`](crate::DropCounts) lists them.
    const ALL: &'static [Self];

    /// The reason as its log event's `reason` field and its counts'
    /// `Debug` say it: its variant's name, `Undecodable`, `TagMismatch`.
    fn name(self) -> &'static str;
}
