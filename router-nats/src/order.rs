//! Once and in order, per pipe: the router's side of each pipe's
//! sequence numbers.
//!
//! A sender numbers its frames from 0. JetStream de-duplicates a frame
//! published twice with the same message id within its window; this is
//! the last line: a frame whose number was delivered already is a
//! duplicate and is dropped, and one that arrives early (a retry that
//! landed after later frames) is held until the frames before it arrive.

use std::collections::BTreeMap;

/// How many early frames one pipe may hold; past that the gap is given
/// up on, with a warning, so one lost frame cannot hold a pipe forever.
pub(crate) const HOLD_LIMIT: usize = 4096;

/// What became of one offered frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Offer {
    /// It was next: delivered, with the held frames it let through.
    Delivered,
    /// It is early: held until the frames before it arrive.
    Held,
    /// Its number was delivered already: dropped.
    Duplicate,
    /// It is of another session than the pipe's first: a second sender of
    /// one pipe. Dropped.
    OtherSession,
    /// The hold was full: frames `from..to` were given up on, and what
    /// was held from `to` on was delivered.
    Skipped {
        /// The first number given up on.
        from: u64,
        /// The first number delivered after the gap.
        to: u64,
    },
}

/// The state of one pipe's sequence.
#[derive(Debug)]
pub(crate) struct PipeOrder<T> {
    session: Option<u64>,
    next: u64,
    held: BTreeMap<u64, T>,
}

impl<T> Default for PipeOrder<T> {
    fn default() -> Self {
        Self {
            session: None,
            next: 0,
            held: BTreeMap::new(),
        }
    }
}

impl<T> PipeOrder<T> {
    /// Offers frame `seq` of `session`; calls `deliver` with each frame
    /// that is due, in order.
    pub(crate) fn offer(
        &mut self,
        session: u64,
        seq: u64,
        item: T,
        mut deliver: impl FnMut(T),
    ) -> Offer {
        match self.session {
            None => self.session = Some(session),
            Some(first) if first != session => return Offer::OtherSession,
            Some(_) => {}
        }
        if seq < self.next || self.held.contains_key(&seq) {
            return Offer::Duplicate;
        }
        if seq > self.next {
            self.held.insert(seq, item);
            if self.held.len() <= HOLD_LIMIT {
                return Offer::Held;
            }
            let from = self.next;
            let to = self.held.keys().next().copied().unwrap_or(seq);
            self.next = to;
            self.release(&mut deliver);
            return Offer::Skipped { from, to };
        }
        deliver(item);
        self.next += 1;
        self.release(&mut deliver);
        Offer::Delivered
    }

    /// Delivers the held frames that are due now.
    fn release(&mut self, deliver: &mut impl FnMut(T)) {
        while let Some(item) = self.held.remove(&self.next) {
            deliver(item);
            self.next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer_all(order: &mut PipeOrder<u64>, frames: &[(u64, u64)]) -> (Vec<u64>, Vec<Offer>) {
        let mut out = Vec::new();
        let offers = frames
            .iter()
            .map(|&(session, seq)| order.offer(session, seq, seq, |item| out.push(item)))
            .collect();
        (out, offers)
    }

    #[test]
    fn in_order_frames_are_delivered_and_repeats_dropped() {
        let mut order = PipeOrder::default();
        let (out, offers) = offer_all(&mut order, &[(1, 0), (1, 1), (1, 1), (1, 0), (1, 2)]);
        assert_eq!(out, [0, 1, 2]);
        assert_eq!(offers[2], Offer::Duplicate);
        assert_eq!(offers[3], Offer::Duplicate);
    }

    #[test]
    fn early_frames_wait_for_the_gap_to_fill() {
        let mut order = PipeOrder::default();
        let (out, offers) = offer_all(&mut order, &[(1, 0), (1, 2), (1, 3), (1, 2), (1, 1)]);
        assert_eq!(out, [0, 1, 2, 3]);
        assert_eq!(
            offers[1..],
            [Offer::Held, Offer::Held, Offer::Duplicate, Offer::Delivered]
        );
    }

    #[test]
    fn a_second_session_is_refused() {
        let mut order = PipeOrder::default();
        let (out, offers) = offer_all(&mut order, &[(1, 0), (2, 0), (2, 1), (1, 1)]);
        assert_eq!(out, [0, 1]);
        assert_eq!(offers[1], Offer::OtherSession);
        assert_eq!(offers[2], Offer::OtherSession);
    }

    #[test]
    fn a_gap_that_never_fills_is_given_up_once_the_hold_is_full() {
        let mut order = PipeOrder::default();
        let frames: Vec<(u64, u64)> = (1..=HOLD_LIMIT as u64 + 1).map(|seq| (1, seq)).collect();
        let (out, offers) = offer_all(&mut order, &frames);
        assert_eq!(offers.last(), Some(&Offer::Skipped { from: 0, to: 1 }));
        assert_eq!(out.len(), HOLD_LIMIT + 1);
        assert_eq!(out.first(), Some(&1));
    }
}
