//! The router: router-api's channel router, plus a socket and a monitor
//! thread for senders in other processes.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::path::PathBuf;
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

use crate::connection::Intake;
use crate::endpoint::{Endpoint, ListenError};
use crate::monitor::Monitor;
use crate::pipe_book::PipeBook;
use crate::sender::ProcessSender;
use crate::token::Token;

/// How long a connection may take to present its hello, unless set.
const DEFAULT_HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// A router whose senders may live in other processes.
///
/// Routing is router-api's [`ChannelRouter`](router_channel::ChannelRouter)
/// over crossbeam, unchanged: lifecycle, routing table, listener dispatch,
/// warnings, ping coalescing and `route_until` are the in-process rules.
/// What this type adds is the way in: at [`start`](MessageRouter::start)
/// it makes a directory only the user can open, listens on a Unix socket
/// in it, draws a random secret and starts one monitor thread; each
/// [`ProcessSender`] connects there, presents the secret and the pipe,
/// and its frames are forwarded into the run's channel as if a thread had
/// sent them. [`stop`](MessageRouter::stop) closes every connection,
/// joins the monitor thread and removes the socket and its directory;
/// senders then fail with
/// [`SendErrorKind::Disconnected`](router_api::SendErrorKind::Disconnected).
///
/// Messages are any `serde` type; they travel as postcard.
pub struct ProcessRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    core: CrossbeamRouter<M>,
    run: RefCell<Option<Run<M>>>,
    hello_timeout: Cell<Duration>,
}

/// What one run adds to the core's run.
struct Run<M: Send + 'static> {
    endpoint: Endpoint,
    monitor: Monitor,
    book: Arc<PipeBook<M>>,
}

impl<M> ProcessRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    /// A router, not yet started, that will route on `event_loop`.
    pub fn new<E: EventLoop + Clone + 'static>(event_loop: &E) -> Self {
        Self {
            core: CrossbeamRouter::new(event_loop),
            run: RefCell::new(None),
            hello_timeout: Cell::new(DEFAULT_HELLO_TIMEOUT),
        }
    }

    /// Sets how long a connection may take to present its hello before
    /// the router closes it (and logs a `WARN`); 10 s unless set. A
    /// [`ProcessSender`] writes its hello as soon as it connects, so only
    /// a stuck or hostile peer ever waits this long; until then the
    /// connection holds a descriptor and a little memory, and the router
    /// serves every other connection as usual. Takes effect at the next
    /// [`start`](MessageRouter::start).
    pub fn set_hello_timeout(&self, timeout: Duration) {
        self.hello_timeout.set(timeout);
    }

    /// How long a connection may take to present its hello.
    #[must_use]
    pub fn hello_timeout(&self) -> Duration {
        self.hello_timeout.get()
    }

    /// The socket senders connect to in this run, or `None` when the
    /// router is not running. Its directory is open to this user alone.
    #[must_use]
    pub fn socket_path(&self) -> Option<PathBuf> {
        self.run
            .borrow()
            .as_ref()
            .map(|run| PathBuf::from(&**run.endpoint.socket()))
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

    /// Whether `route_until` has switched the router to manual mode.
    #[must_use]
    pub fn is_manual(&self) -> bool {
        self.core.is_manual()
    }

    /// Opens the socket and starts the monitor for the core's new run.
    fn open_run(&self) -> Result<Run<M>, ListenError> {
        let (endpoint, listener) = Endpoint::open()?;
        let book = Arc::new(PipeBook::default());
        let intake = Intake {
            secret: endpoint.secret(),
            book: Arc::clone(&book),
            hello_timeout: self.hello_timeout.get(),
            message_type: crate::wire::message_type::<M>(),
            type_name: std::any::type_name::<M>(),
        };
        match Monitor::spawn(listener, intake) {
            Ok(monitor) => Ok(Run {
                endpoint,
                monitor,
                book,
            }),
            Err(error) => {
                endpoint.remove();
                Err(ListenError::Monitor(error))
            }
        }
    }
}

/// The same as the inherent methods, for code generic over routers.
impl<M> RouterControl for ProcessRouter<M>
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

impl<M> MessageRouter<M> for ProcessRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    type Sender = ProcessSender<M>;
    type Receiver = PipeReceiver<M>;

    fn start(&self) -> Result<(), RouterStartError> {
        self.core.start()?;
        match self.open_run() {
            Ok(run) => {
                tracing::debug!(socket = %run.endpoint.socket(), "process router listening");
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
        let run = self.run.borrow_mut().take();
        if let Some(run) = run {
            // Monitor first: once it is joined nothing feeds the core's
            // channel, and every connection is closed (R5).
            run.monitor.stop();
            let dir = run.endpoint.dir().to_owned();
            run.endpoint.remove();
            tracing::debug!(dir = %dir.display(), "process router socket removed");
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
        // The connection of the process sender sends through it, so a
        // bounded or latest-value pipe is one here too, and tells its end.
        run.book.record(pipe, core_sender);
        let token = Token {
            pipe,
            secret: run.endpoint.secret(),
            socket: Arc::clone(run.endpoint.socket()),
        };
        Ok((ProcessSender::new(token), receiver))
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

impl<M> Drop for ProcessRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    fn drop(&mut self) {
        if self.core.is_running() {
            tracing::debug!("dropping a running process router: stopping it");
            // Only "not running" can fail, and the router is running.
            let _ = self.stop();
        }
    }
}

impl<M> fmt::Debug for ProcessRouter<M>
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessRouter")
            .field("core", &self.core)
            .field("socket", &self.socket_path())
            .finish()
    }
}
