//! The work done per message at the receiving end.

use std::cell::Cell;
use std::rc::Rc;

/// What each message costs its receiver: a count and a checksum. The
/// router's listener and the bare hop's closure both call
/// [`record`](Self::record), so the two sides do the same work.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    cells: Rc<Cells>,
}

#[derive(Debug, Default)]
struct Cells {
    count: Cell<u64>,
    sum: Cell<u64>,
}

impl Tally {
    /// A tally at zero.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one message.
    #[inline]
    pub fn record(&self, value: u64) {
        self.cells.count.set(self.cells.count.get() + 1);
        self.cells.sum.set(self.cells.sum.get().wrapping_add(value));
    }

    /// Messages counted.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.cells.count.get()
    }

    /// The wrapping sum of the values counted.
    #[must_use]
    pub fn sum(&self) -> u64 {
        self.cells.sum.get()
    }

    /// A router listener that counts each message here.
    pub fn listener(&self) -> impl Fn(&u64) + 'static {
        let tally = self.clone();
        move |value: &u64| tally.record(*value)
    }
}
