//! How a sender elsewhere learns that its pipe closed (C1, C2): what
//! paces the looks that cost more than an atomic load, and how a sender
//! made in the router's own process reads its pipe's state before it
//! connects.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use router_api::PipeId;

use crate::book::PipeBook;

/// How often a transport's thread looks at the in-process senders of its
/// connected peers ([`CoreSender::is_closed`](router_api::MessageSender::is_closed),
/// an atomic load each) while one of them has not been told its pipe
/// closed: 20 ms, a fifth of the 100 ms that C2 allows, so the peer's
/// own look and the hop to it fit in the rest.
pub const CLOSED_LOOK_EVERY: Duration = Duration::from_millis(20);

/// How often a sender's [`is_closed`](router_api::MessageSender::is_closed)
/// may make a look that costs more than an atomic load (a system call, a
/// lock): at most once per 5 ms, however often a worker asks.
pub const SENDER_LOOK_EVERY: Duration = Duration::from_millis(5);

/// Paces a look that costs more than an atomic load: [`due`](Self::due)
/// says yes at most once per interval. Asking costs a clock read (the
/// vDSO's, no system call) and an atomic load.
///
/// ```
/// use std::time::Duration;
/// use router_remote::Pacer;
///
/// let pacer = Pacer::new(Duration::from_secs(60));
/// assert!(pacer.due(), "the first look is due at once");
/// assert!(!pacer.due(), "the next one in a minute");
/// ```
pub struct Pacer {
    base: Instant,
    every: u64,
    /// When the next look is due, in nanoseconds since `base`.
    next: AtomicU64,
}

impl Pacer {
    /// A pacer whose first look is due at once, then one per `every`.
    #[must_use]
    pub fn new(every: Duration) -> Self {
        Self {
            base: Instant::now(),
            every: u64::try_from(every.as_nanos()).unwrap_or(u64::MAX),
            next: AtomicU64::new(0),
        }
    }

    /// Whether a look is due now; if so, the next one is due an interval
    /// later.
    pub fn due(&self) -> bool {
        let now = u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX);
        // Relaxed: the pacer orders nothing but its own looks.
        if now < self.next.load(Ordering::Relaxed) {
            return false;
        }
        self.next
            .store(now.saturating_add(self.every), Ordering::Relaxed);
        true
    }
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer")
            .field("every", &Duration::from_nanos(self.every))
            .finish_non_exhaustive()
    }
}

/// What a [`PipeWatch`] asks of the run's book, whatever its message type
/// and entry.
trait PipeStates: Send + Sync {
    fn closed(&self, pipe: PipeId) -> Option<bool>;
}

impl<M: Send + 'static, E: Send + 'static> PipeStates for PipeBook<M, E> {
    fn closed(&self, pipe: PipeId) -> Option<bool> {
        PipeBook::closed(self, pipe)
    }
}

/// How a sender that the router handed out in its own process learns
/// that its pipe closed before it connects: it reads the run's
/// [`PipeBook`], where the pipe's in-process sender waits for a peer, at
/// most once per [`SENDER_LOOK_EVERY`] (a lock and a lookup).
///
/// Closed once the pipe's in-process sender says so (the pipe was closed,
/// or the router stopped) or the run's book is gone (the run is over).
/// Once a peer took the pipe the book cannot tell: a sender that
/// connected learns it through its [`Line`](crate::Line), and one handed
/// over learns nothing more (its twin, made from the token, does).
pub struct PipeWatch {
    book: Weak<dyn PipeStates>,
    pipe: PipeId,
    pacer: Pacer,
}

impl PipeWatch {
    /// Watches `pipe` in `book`.
    #[must_use]
    pub fn new<M: Send + 'static, E: Send + 'static>(
        book: &Arc<PipeBook<M, E>>,
        pipe: PipeId,
    ) -> Self {
        let book: Arc<dyn PipeStates> = Arc::<PipeBook<M, E>>::clone(book);
        Self {
            book: Arc::downgrade(&book),
            pipe,
            pacer: Pacer::new(SENDER_LOOK_EVERY),
        }
    }

    /// Whether the pipe is closed, as far as a look allows: `false`
    /// between paced looks.
    pub fn is_closed(&self) -> bool {
        if !self.pacer.due() {
            return false;
        }
        match self.book.upgrade() {
            None => true,
            Some(book) => book.closed(self.pipe) == Some(true),
        }
    }
}

impl fmt::Debug for PipeWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeWatch")
            .field("pipe", &self.pipe)
            .field("run_over", &(self.book.strong_count() == 0))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use router_api::{DefaultEventLoop, MessageRouter, MessageSender};
    use router_crossbeam::CrossbeamRouter;

    #[test]
    fn pacer_lets_one_look_through_per_interval() {
        let pacer = Pacer::new(Duration::from_millis(30));
        assert!(pacer.due());
        assert!(!pacer.due());
        std::thread::sleep(Duration::from_millis(40));
        assert!(pacer.due());
        assert!(!pacer.due());
    }

    /// Asks `watch` until it says closed, as a worker would.
    fn learns(watch: &PipeWatch) -> bool {
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if watch.is_closed() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    }

    #[test]
    fn watch_reads_the_book_and_a_book_gone_is_closed() {
        let event_loop = DefaultEventLoop::new();
        let router = CrossbeamRouter::<u8>::new(&event_loop);
        router.start().unwrap();
        let (sender, receiver) = router.pipe().unwrap();
        let pipe = sender.pipe_id();
        let book = Arc::new(PipeBook::<u8>::new());
        book.record(pipe, (), sender);
        let watch = PipeWatch::new(&book, pipe);
        assert!(!watch.is_closed());
        router.close_pipe(&receiver).unwrap();
        assert!(learns(&watch), "the pipe closed");

        let (sender, _receiver) = router.pipe().unwrap();
        let pipe = sender.pipe_id();
        book.record(pipe, (), sender);
        let watch = PipeWatch::new(&book, pipe);
        drop(book);
        assert!(learns(&watch), "the run's book is gone");
        let ((), _) = router_conformance::capture::capture(|| router.stop().unwrap());
    }
}
