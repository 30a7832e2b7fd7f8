//! The foreground router.

use std::time::Duration;

use crate::{
    ClosePipeError, IntoMessageStream, MessageSender, PipeError, RouteError, RouterStartError,
    RouterStopError,
};

/// What kind of pipe [`MessageRouter::pipe_of`] makes.
///
/// ```
/// use router_api::PipeKind;
/// let progress = PipeKind::Latest; // only the newest value matters
/// let frames = PipeKind::Bounded { capacity: 8 }; // at most 8 wait unrouted
/// assert_ne!(progress, frames);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[non_exhaustive]
pub enum PipeKind {
    /// Every message is queued and routed, in order; `send` never blocks.
    /// What [`MessageRouter::pipe`] makes.
    #[default]
    Unbounded,
    /// At most `capacity` messages wait unrouted (B1): `send` blocks while
    /// the pipe is full (B2), `try_send` and `send_timeout` hand the
    /// message back (B3).
    Bounded {
        /// How many messages may wait unrouted; at least 1.
        capacity: usize,
    },
    /// A send replaces the value not yet routed: each routing delivers the
    /// newest value only (L1), the last value is never lost (L2), and a
    /// burst of sends costs one wake-up of the event loop (L3).
    Latest,
}

impl std::fmt::Display for PipeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unbounded => f.write_str("unbounded"),
            Self::Bounded { capacity } => write!(f, "bounded ({capacity})"),
            Self::Latest => f.write_str("latest-value"),
        }
    }
}

/// The foreground router: makes pipes and routes each message that their
/// senders send to the pipe's receiver, on the foreground thread.
///
/// A router is made un-started on an event loop. [`start`](Self::start)
/// connects it to the loop; from then on every message sent is routed by
/// the running loop with no call by the user (event-loop mode).
/// [`route_until`](Self::route_until) drives routing by hand instead (for
/// shutdown and tests) and switches the router to manual mode for good.
///
/// Downstream libraries take an `R: MessageRouter<M>` and need nothing
/// else from this crate.
///
/// # Contract
///
/// All methods are called on the foreground thread; a router is not
/// `Sync`. It **must** tolerate being called again from inside a listener
/// while it dispatches (R11). An implementation **must**:
/// - (R1) start when new or stopped; fail `start` when running with
///   [`RouterStartError::AlreadyRunning`];
/// - (R2, R3) fail `stop`, `pipe`, `close_pipe` and `route_until` when not
///   running, each with the `NotRunning` variant of its own error
///   ([`RouterStopError`], [`PipeError`], [`ClosePipeError`],
///   [`RouteError`]);
/// - (R4) on `stop` with pipes still open, succeed and log one `WARN`
///   through `tracing` with the field `unclosed_pipes` and a message saying
///   "N unclosed pipes";
/// - (R5) once `stop` returns, have no thread of its own alive and take no
///   ping again; sends of that run fail with
///   [`SendErrorKind::Disconnected`](crate::SendErrorKind::Disconnected);
/// - (R6) fail `close_pipe` for a receiver that is not open on this router
///   with [`ClosePipeError::NotOpen`] or [`ClosePipeError::Foreign`];
/// - (R7) drop a message that arrives for a closed pipe and log a `WARN`
///   "discarding message from closed pipe #N" (with field `pipe`);
/// - (R8) route the messages of one pipe in the order they were sent, each
///   once;
/// - (R9, R10) implement `route_until` as documented there;
/// - (R11) survive a listener that panics: the panic reaches the caller
///   that drove the routing, and the router stays usable.
pub trait MessageRouter<M> {
    /// The background end of this router's pipes.
    type Sender: MessageSender<M>;
    /// The foreground end of this router's pipes.
    type Receiver: IntoMessageStream<M> + 'static;

    /// Starts routing: connects the router to its event loop.
    ///
    /// # Errors
    ///
    /// [`RouterStartError::AlreadyRunning`] if the router is running,
    /// [`RouterStartError::Setup`] if a backend could not set up what its
    /// senders reach it through.
    fn start(&self) -> Result<(), RouterStartError>;

    /// Stops routing. Pipes still open are closed, with one warning that
    /// counts them. Senders of this run fail from now on with
    /// [`SendErrorKind::Disconnected`](crate::SendErrorKind::Disconnected), and
    /// messages not yet routed are dropped.
    ///
    /// # Errors
    ///
    /// [`RouterStopError::NotRunning`] if the router is not running.
    fn stop(&self) -> Result<(), RouterStopError>;

    /// Makes a pipe: a sender for the background task and a receiver that
    /// stays on the foreground thread.
    ///
    /// # Errors
    ///
    /// [`PipeError::NotRunning`] if the router is not running,
    /// [`PipeError::TooManyPipes`] if its routing table is full.
    fn pipe(&self) -> Result<(Self::Sender, Self::Receiver), PipeError>;

    /// Makes a pipe of `kind`; [`PipeKind::Unbounded`] is
    /// [`pipe`](Self::pipe).
    ///
    /// The default makes unbounded pipes only, for backends that have no
    /// other kind; every backend of this repository overrides it.
    ///
    /// # Errors
    ///
    /// As [`pipe`](Self::pipe), and [`PipeError::BadKind`] for a bounded
    /// pipe of capacity 0, or a kind the backend does not make.
    fn pipe_of(&self, kind: PipeKind) -> Result<(Self::Sender, Self::Receiver), PipeError> {
        match kind {
            PipeKind::Unbounded => self.pipe(),
            kind => Err(PipeError::BadKind {
                kind,
                why: "this backend makes unbounded pipes only",
            }),
        }
    }

    /// Makes a bounded pipe: at most `capacity` of its messages wait
    /// unrouted (see [`PipeKind::Bounded`]).
    ///
    /// # Errors
    ///
    /// As [`pipe_of`](Self::pipe_of).
    fn pipe_bounded(&self, capacity: usize) -> Result<(Self::Sender, Self::Receiver), PipeError> {
        self.pipe_of(PipeKind::Bounded { capacity })
    }

    /// Makes a latest-value pipe (see [`PipeKind::Latest`]): for progress,
    /// where only the newest value matters.
    ///
    /// # Errors
    ///
    /// As [`pipe_of`](Self::pipe_of).
    fn pipe_latest(&self) -> Result<(Self::Sender, Self::Receiver), PipeError> {
        self.pipe_of(PipeKind::Latest)
    }

    /// Closes the pipe of `receiver`: messages that arrive for it from now
    /// on are dropped with a warning.
    ///
    /// # Errors
    ///
    /// [`ClosePipeError::NotRunning`] if the router is not running,
    /// [`ClosePipeError::NotOpen`] if the pipe was closed already and
    /// [`ClosePipeError::Foreign`] if another router made it.
    fn close_pipe(&self, receiver: &Self::Receiver) -> Result<(), ClosePipeError>;

    /// Routes messages on this thread until `condition` returns `true`.
    ///
    /// Returns at once, routing nothing, if the condition holds on entry.
    /// Otherwise routes one message at a time and asks the condition after
    /// each. `timeout` is one deadline for the whole call; `Some(ZERO)`
    /// still routes the messages already queued, and `None` waits without
    /// limit. The first call switches the router to manual mode for good:
    /// it ignores pings from then on, also after `stop` and `start`, and
    /// messages are routed only by this method (R10). That holds for a call
    /// from inside a listener too (a nested loop waiting for more messages):
    /// the application's event loop never routes this router again.
    /// See the repository's README, "Reliability", for the ways a nested
    /// loop can wait without that.
    ///
    /// # Errors
    ///
    /// [`RouteError::NotRunning`] if the router is not running (or a
    /// listener stopped it), [`RouteError::TimedOut`] if the deadline
    /// passed first. A later call works as usual.
    fn route_until<F>(&self, condition: F, timeout: Option<Duration>) -> Result<(), RouteError>
    where
        F: FnMut() -> bool;

    /// Whether the router is running.
    fn is_running(&self) -> bool;
}

/// What a router reports of itself, and how much one ping may route: for
/// code generic over routers (`R: MessageRouter<M> + RouterControl`).
///
/// ```
/// use router_api::{MessageRouter, RouterControl};
///
/// fn report<M, R: MessageRouter<M> + RouterControl>(router: &R) -> String {
///     let stats = router.stats();
///     format!("{} routed, {} dropped, {} open", stats.routed, stats.dropped, router.open_pipes())
/// }
/// ```
///
/// # Contract
///
/// For backend authors: `stats` counts over every run of the router;
/// `open_pipes` is the number of pipes open now (0 when stopped); the
/// drain budget applies from the next ping on. All four are called on the
/// foreground thread.
pub trait RouterControl {
    /// What the router has done so far, over all its runs.
    fn stats(&self) -> RouterStats;

    /// How many pipes are open.
    fn open_pipes(&self) -> usize;

    /// How much one ping may route before it yields the event loop.
    fn drain_budget(&self) -> DrainBudget;

    /// Sets how much one ping may route before it yields the event loop.
    fn set_drain_budget(&self, budget: DrainBudget);
}

/// How much one ping may route before it yields the event loop.
///
/// When a ping's turn ends with messages still queued, the router pings
/// again, so a flood is routed in slices and other callbacks of the loop
/// run between them. When the queue runs dry during a burst the router
/// keeps looking for `linger` before it lets senders ping again, which
/// keeps bursts to a handful of pings; after a lone message it lets them
/// ping at once, so the next lone message wakes the loop as fast as it can.
///
/// ```
/// use std::time::Duration;
/// use router_api::DrainBudget;
/// let budget = DrainBudget {
///     max_messages: 256,
///     max_time: Duration::from_millis(1),
///     ..DrainBudget::default()
/// };
/// assert_eq!(budget.max_messages, 256);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DrainBudget {
    /// At most this many messages per ping (0 is taken as 1).
    pub max_messages: usize,
    /// At most this long per ping, checked every few dozen messages.
    pub max_time: Duration,
    /// How long to keep looking for more messages once the queue is empty,
    /// when this ping or the one before routed more than one message.
    pub linger: Duration,
}

impl Default for DrainBudget {
    fn default() -> Self {
        Self {
            max_messages: 4096,
            max_time: Duration::from_millis(4),
            linger: Duration::from_micros(20),
        }
    }
}

/// What a router has done, read on the foreground thread.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
#[non_exhaustive]
pub struct RouterStats {
    /// Messages handed to a receiver. A routing call (a ping's turn,
    /// `route_until`) adds its messages when it returns, so a listener
    /// reading this during a call sees the count from before that call.
    pub routed: u64,
    /// Messages dropped unrouted: because their pipe was closed (R7), or
    /// because the router stopped before routing them.
    pub dropped: u64,
    /// Pings the router took from its event loop, ignored ones included.
    pub pings: u64,
}
