//! The router: router-channel's channel router, plus a JetStream stream
//! and a consumer thread for senders on other machines.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use router_api::{
    ClosePipeError, DrainBudget, EventLoop, MessageRouter, MessageSender, PipeError, PipeKind,
    RouteError, RouterControl, RouterStartError, RouterStats, RouterStopError,
};
use router_channel::PipeReceiver;
use router_crossbeam::CrossbeamRouter;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::connect::ConnectError;
use crate::consumer::{Consumer, Place};
use crate::frame::{self, Key};
use crate::intake::Intake;
use crate::pipe_book::PipeBook;
use crate::sender::NatsSender;
use crate::token::{self, Token};

/// A router whose senders may run on other machines, reaching it through
/// a NATS server with JetStream.
///
/// Routing is router-channel's
/// [`ChannelRouter`](router_channel::ChannelRouter) over crossbeam,
/// unchanged: lifecycle, routing table, listener dispatch, warnings, ping
/// coalescing and `route_until` are the in-process rules. What this type
/// adds is the way in: [`start`](MessageRouter::start) connects to the
/// server, draws a random key for the run and makes the run's JetStream
/// stream (file storage), and one consumer thread reads it in order; each
/// pipe's [`NatsSender`] travels as a [token](NatsSender::token) and
/// publishes frames authenticated with its pipe's key, which the thread
/// checks and forwards into the run as if a thread had sent them.
/// [`stop`](MessageRouter::stop) joins that thread and deletes the
/// stream; senders of the run then fail with
/// [`SendErrorKind::Disconnected`](router_api::SendErrorKind::Disconnected).
///
/// Messages are any `serde` type; they travel as postcard.
///
/// ```no_run
/// use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter};
/// use router_nats::NatsRouter;
///
/// let event_loop = DefaultEventLoop::new();
/// let router = NatsRouter::<u64>::new(&event_loop, "nats://127.0.0.1:4222");
/// router.start()?; // fails within 5 s when no server answers
/// let (sender, receiver) = router.pipe()?;
/// receiver.connect(|n: &u64| println!("worker says {n}"));
/// let token = sender.token(); // hand it to a worker anywhere
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct NatsRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    core: CrossbeamRouter<M>,
    server: Arc<str>,
    run: RefCell<Option<Run<M>>>,
}

/// What one run adds to the core's run.
struct Run<M: Send + 'static> {
    id: u64,
    consumer: Consumer,
    book: Arc<PipeBook<M>>,
}

/// A random key and run number for a new run.
fn draw() -> Result<(Key, u64), ConnectError> {
    let mut bytes = [0u8; 40];
    getrandom::fill(&mut bytes).map_err(ConnectError::Random)?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes[..32]);
    let mut run = [0u8; 8];
    run.copy_from_slice(&bytes[32..]);
    Ok((key, u64::from_le_bytes(run)))
}

impl<M> NatsRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    /// A router, not yet started, that will route on `event_loop` and
    /// take its senders' frames from the NATS server at `server`
    /// (`nats://host:port`, or `host:port`).
    pub fn new<E: EventLoop + Clone + 'static>(event_loop: &E, server: &str) -> Self {
        Self {
            core: CrossbeamRouter::new(event_loop),
            server: Arc::from(server),
            run: RefCell::new(None),
        }
    }

    /// The server this router connects to.
    #[must_use]
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The name of this run's JetStream stream, or `None` when the router
    /// is not running.
    #[must_use]
    pub fn stream_name(&self) -> Option<String> {
        self.run
            .borrow()
            .as_ref()
            .map(|run| token::stream_name(run.id))
    }

    /// The subject a pipe's frames are published on in this run, or `None`
    /// when the router is not running.
    #[must_use]
    pub fn subject_of(&self, pipe: router_api::PipeId) -> Option<String> {
        let run = self.run.borrow();
        run.as_ref().map(|run| token::subject(run.id, pipe.get()))
    }

    /// Sets how much one ping may route before it yields the event loop.
    pub fn set_drain_budget(&self, budget: DrainBudget) {
        self.core.set_drain_budget(budget);
    }

    /// How much one ping may route before it yields the event loop.
    #[must_use]
    pub fn drain_budget(&self) -> DrainBudget {
        self.core.drain_budget()
    }

    /// What the router has done so far, over all its runs.
    #[must_use]
    pub fn stats(&self) -> RouterStats {
        self.core.stats()
    }

    /// How many pipes are open.
    #[must_use]
    pub fn open_pipes(&self) -> usize {
        self.core.open_pipes()
    }

    /// Connects, makes the stream and starts the consumer for the core's
    /// new run.
    fn open_run(&self) -> Result<Run<M>, ConnectError> {
        let (key, id) = draw()?;
        let book = Arc::new(PipeBook::new(key));
        let intake = Intake::new(Arc::clone(&book));
        let place = Place {
            server: Arc::clone(&self.server),
            run: id,
        };
        let consumer = Consumer::spawn(place, intake)?;
        Ok(Run { id, consumer, book })
    }
}

/// The same as the inherent methods, for code generic over routers.
impl<M> RouterControl for NatsRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    fn stats(&self) -> RouterStats {
        RouterControl::stats(&self.core)
    }

    fn open_pipes(&self) -> usize {
        RouterControl::open_pipes(&self.core)
    }

    fn drain_budget(&self) -> DrainBudget {
        RouterControl::drain_budget(&self.core)
    }

    fn set_drain_budget(&self, budget: DrainBudget) {
        RouterControl::set_drain_budget(&self.core, budget);
    }
}

impl<M> MessageRouter<M> for NatsRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    type Sender = NatsSender<M>;
    type Receiver = PipeReceiver<M>;

    /// Starts the run: connects to the server (at most 5 s), makes the
    /// run's stream and starts the consumer thread.
    ///
    /// # Errors
    ///
    /// [`RouterStartError::AlreadyRunning`], or
    /// [`RouterStartError::Setup`] whose source is the [`ConnectError`]:
    /// the server is unreachable, or its JetStream refused the stream.
    fn start(&self) -> Result<(), RouterStartError> {
        self.core.start()?;
        match self.open_run() {
            Ok(run) => {
                tracing::debug!(server = %self.server, stream = %token::stream_name(run.id), "nats router started");
                *self.run.borrow_mut() = Some(run);
                Ok(())
            }
            Err(error) => {
                // No pipe was made, so the core stops without a warning.
                let _ = self.core.stop();
                Err(RouterStartError::setup(error))
            }
        }
    }

    fn stop(&self) -> Result<(), RouterStopError> {
        if !self.core.is_running() {
            return Err(RouterStopError::NotRunning);
        }
        if let Some(run) = self.run.borrow_mut().take() {
            // Consumer first: once it is joined nothing feeds the core's
            // channel, and the stream is gone, so senders are refused (R5).
            run.consumer.stop();
        }
        self.core.stop()
    }

    fn pipe(&self) -> Result<(Self::Sender, Self::Receiver), PipeError> {
        self.pipe_of(PipeKind::Unbounded)
    }

    fn pipe_of(&self, kind: PipeKind) -> Result<(Self::Sender, Self::Receiver), PipeError> {
        let run = self.run.borrow();
        let Some(run) = run.as_ref() else {
            return Err(PipeError::NotRunning);
        };
        let (core_sender, receiver) = self.core.pipe_of(kind)?;
        let pipe = core_sender.pipe_id();
        // The consumer thread sends the NATS sender's messages through the
        // core's sender, so the pipe's kind holds, and tells its end.
        let key = run.book.record(pipe, core_sender);
        let token = Token {
            pipe,
            key,
            message_type: frame::fingerprint::<M>(),
            run: run.id,
            server: Arc::clone(&self.server),
        };
        Ok((NatsSender::new(token), receiver))
    }

    fn close_pipe(&self, receiver: &Self::Receiver) -> Result<(), ClosePipeError> {
        self.core.close_pipe(receiver)
    }

    fn route_until<F>(&self, condition: F, timeout: Option<Duration>) -> Result<(), RouteError>
    where
        F: FnMut() -> bool,
    {
        self.core.route_until(condition, timeout)
    }

    fn is_running(&self) -> bool {
        self.core.is_running()
    }
}

impl<M> Drop for NatsRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    fn drop(&mut self) {
        if self.core.is_running() {
            tracing::debug!("dropping a running nats router: stopping it");
            // Only "not running" can fail, and the router is running.
            let _ = self.stop();
        }
    }
}

impl<M> fmt::Debug for NatsRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsRouter")
            .field("core", &self.core)
            .field("server", &self.server)
            .field("stream", &self.stream_name())
            .finish()
    }
}
