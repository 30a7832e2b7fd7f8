//! A small `tracing` subscriber that records events, so checks can assert
//! on the router's warnings without the user installing anything.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One recorded `tracing` event.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CapturedEvent {
    /// The event's level.
    pub level: Level,
    /// The event's message, formatted.
    pub message: String,
    /// The event's other fields, formatted with `Debug` (a `%` field with
    /// `Display`), in the order they were written.
    pub fields: Vec<(String, String)>,
}

impl CapturedEvent {
    /// The value of field `name`, formatted, if the event has it.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The events recorded while a closure ran on this thread.
#[derive(Clone, Default, Debug)]
pub struct Captured {
    events: Vec<CapturedEvent>,
}

impl Captured {
    /// Every event, in order.
    #[must_use]
    pub fn events(&self) -> &[CapturedEvent] {
        &self.events
    }

    /// The `WARN` events, in order.
    pub fn warnings(&self) -> impl Iterator<Item = &CapturedEvent> {
        self.events
            .iter()
            .filter(|event| event.level == Level::WARN)
    }

    /// The `WARN` events whose message contains `text`.
    #[must_use]
    pub fn warnings_containing(&self, text: &str) -> Vec<&CapturedEvent> {
        self.warnings()
            .filter(|event| event.message.contains(text))
            .collect()
    }
}

/// Runs `body` with a recording subscriber as this thread's default and
/// returns its result with what it logged on this thread.
///
/// Routers log on the foreground thread, which is the thread that runs
/// `body`; events of other threads are not recorded.
pub fn capture<R>(body: impl FnOnce() -> R) -> (R, Captured) {
    capture_live(|_| body())
}

/// As [`capture`], but `body` can look at what was recorded so far, to
/// wait for a warning while it drives the router.
///
/// ```
/// use router_conformance::capture::capture_live;
/// let (seen, captured) = capture_live(|recording| {
///     tracing::warn!("discarding message from closed pipe #1");
///     recording.has_warning_containing("closed pipe #1")
/// });
/// assert!(seen);
/// assert_eq!(captured.warnings().count(), 1);
/// ```
pub fn capture_live<R>(body: impl FnOnce(&Recording) -> R) -> (R, Captured) {
    install_global_sink();
    let recorder = Recorder::default();
    let recording = Recording {
        events: Arc::clone(&recorder.events),
    };
    let result = tracing::subscriber::with_default(recorder, || body(&recording));
    let events = std::mem::take(&mut *recording.lock());
    (result, Captured { events })
}

/// What a [`capture_live`] body has recorded so far.
#[derive(Debug)]
pub struct Recording {
    events: Arc<Mutex<Vec<CapturedEvent>>>,
}

impl Recording {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<CapturedEvent>> {
        // Events are appended whole; a panic cannot leave one half written.
        self.events.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The events recorded so far.
    #[must_use]
    pub fn captured(&self) -> Captured {
        Captured {
            events: self.lock().clone(),
        }
    }

    /// Whether a `WARN` event whose message contains `text` was recorded.
    #[must_use]
    pub fn has_warning_containing(&self, text: &str) -> bool {
        self.lock()
            .iter()
            .any(|event| event.level == Level::WARN && event.message.contains(text))
    }
}

/// Installs, once per process, a global subscriber that takes every event
/// and keeps none, unless the program has a global subscriber already.
///
/// Why: tracing works out whether a callsite is wanted when it is first
/// hit, asking the subscriber of the thread that hits it. A callsite first
/// hit on a thread outside every capture (a router dropped at the end of a
/// test, say) with no global subscriber is marked unwanted, and a capture
/// running on another thread at that moment then misses that callsite's
/// events until tracing looks again. With a global subscriber that wants
/// everything, no callsite is ever marked unwanted. Seen as a rare
/// disagreement of the reference model under load.
fn install_global_sink() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Refused only when the program has installed its own, which closes
        // the gap as well.
        let _ = tracing::subscriber::set_global_default(Sink);
    });
}

/// The global subscriber of [`install_global_sink`]: wants every event,
/// keeps none.
struct Sink;

impl Subscriber for Sink {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[derive(Default)]
struct Recorder {
    events: Arc<Mutex<Vec<CapturedEvent>>>,
    next_span: AtomicU64,
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut visitor = FieldVisitor::default();
        event.record(&mut visitor);
        let captured = CapturedEvent {
            level: *event.metadata().level(),
            message: visitor.message,
            fields: visitor.fields,
        };
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(captured);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[derive(Default)]
struct FieldVisitor {
    message: String,
    fields: Vec<(String, String)>,
}

impl Visit for FieldVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let value = format!("{value:?}");
        if field.name() == "message" {
            self.message = value;
        } else {
            self.fields.push((field.name().to_owned(), value));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.fields
                .push((field.name().to_owned(), value.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::capture;

    #[test]
    fn capture_records_warning_message_and_fields() {
        let ((), captured) = capture(|| {
            tracing::info!("not a warning");
            tracing::warn!(pipe = %"#3", count = 2, "discarding message from closed pipe #3");
        });
        let warnings: Vec<_> = captured.warnings().collect();
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].message,
            "discarding message from closed pipe #3"
        );
        assert_eq!(warnings[0].field("pipe"), Some("#3"));
        assert_eq!(warnings[0].field("count"), Some("2"));
        assert_eq!(captured.events().len(), 2);
    }
}
