//! Sums the router's closed-pipe warnings per pipe, keeping none of them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// What the warnings logged on one thread said about dropped messages.
///
/// A router warns once when a burst of drops for a closed pipe starts
/// ("discarding message from closed pipe #N") and, if the burst held more,
/// once when it ends ("discarded K more messages from closed pipe #N").
/// The tally adds both up per pipe, so a flood of millions of drops can be
/// checked against the router's counters without storing its log.
///
/// ```
/// use router_reliability::DiscardTally;
/// let ((), tally) = DiscardTally::run(|| {
///     tracing::warn!(pipe = %"#3", "discarding message from closed pipe #3");
///     tracing::warn!(pipe = %"#3", discarded = 4u64, "discarded 4 more messages from closed pipe #3");
/// });
/// assert_eq!(tally.dropped("#3"), 5);
/// assert_eq!(tally.discard_warnings(), 2);
/// ```
#[derive(Clone, Default, Debug)]
pub struct DiscardTally {
    dropped: BTreeMap<String, u64>,
    discard_warnings: u64,
    other_warnings: u64,
}

impl DiscardTally {
    /// Runs `body` with a tallying subscriber as this thread's default.
    pub fn run<R>(body: impl FnOnce() -> R) -> (R, Self) {
        let shared = Arc::new(Mutex::new(Self::default()));
        let subscriber = Tallier {
            tally: Arc::clone(&shared),
            next_span: AtomicU64::new(0),
        };
        let result = tracing::subscriber::with_default(subscriber, body);
        let tally = std::mem::take(&mut *shared.lock().unwrap_or_else(PoisonError::into_inner));
        (result, tally)
    }

    /// Messages of `pipe` (written `#N`) the warnings reported dropped.
    #[must_use]
    pub fn dropped(&self, pipe: &str) -> u64 {
        self.dropped.get(pipe).copied().unwrap_or(0)
    }

    /// Dropped messages over all pipes.
    #[must_use]
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }

    /// How many closed-pipe warnings were logged.
    #[must_use]
    pub fn discard_warnings(&self) -> u64 {
        self.discard_warnings
    }

    /// How many other warnings were logged.
    #[must_use]
    pub fn other_warnings(&self) -> u64 {
        self.other_warnings
    }
}

struct Tallier {
    tally: Arc<Mutex<DiscardTally>>,
    next_span: AtomicU64,
}

impl Subscriber for Tallier {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() == Level::WARN
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        if *event.metadata().level() != Level::WARN {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut tally = self.tally.lock().unwrap_or_else(PoisonError::into_inner);
        let count = if fields
            .message
            .starts_with("discarding message from closed pipe")
        {
            Some(1)
        } else if fields.message.starts_with("discarded ") {
            fields.discarded
        } else {
            None
        };
        match (count, fields.pipe) {
            (Some(count), Some(pipe)) => {
                tally.discard_warnings += 1;
                *tally.dropped.entry(pipe).or_default() += count;
            }
            _ => tally.other_warnings += 1,
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[derive(Default)]
struct Fields {
    message: String,
    pipe: Option<String>,
    discarded: Option<u64>,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "discarded" {
            self.discarded = Some(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "pipe" => self.pipe = Some(format!("{value:?}")),
            _ => {}
        }
    }
}
