//! The slot of a latest-value pipe (L1..L3): the one value not yet routed.

use crate::sync::{Mutex, lock};

/// The newest value of a latest-value pipe that the router has not taken,
/// shared by its sender and the router.
#[derive(Debug)]
pub(crate) struct LatestSlot<M> {
    value: Mutex<Option<M>>,
}

impl<M> LatestSlot<M> {
    pub(crate) fn new() -> Self {
        Self {
            value: Mutex::new(None),
        }
    }

    /// Puts `value` in the slot. Returns whether the slot was empty: only
    /// then must the sender tell the router (a burst costs one note and
    /// one ping, L3). The value it replaces drops after the lock.
    pub(crate) fn put(&self, value: M) -> bool {
        let replaced = lock(&self.value).replace(value);
        let was_empty = replaced.is_none();
        drop(replaced);
        was_empty
    }

    /// Takes the value, for the router to route.
    pub(crate) fn take(&self) -> Option<M> {
        lock(&self.value).take()
    }

    /// Whether a value waits (B4's count for this kind: 0 or 1).
    pub(crate) fn is_full(&self) -> bool {
        lock(&self.value).is_some()
    }
}
