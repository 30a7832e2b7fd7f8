//! The router shell: the in-process router over crossbeam, with a
//! transport's run opened and closed around each of its runs.

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

use crate::book::PipeBook;
use crate::closing::PipeWatch;
use crate::drops::{DropCounts, DropLog};
use crate::transport::Transport;

/// A router whose senders live elsewhere, reaching it through the
/// transport `T`.
///
/// Routing is router-channel's
/// [`ChannelRouter`](router_channel::ChannelRouter) over crossbeam,
/// unchanged: lifecycle, routing table, listener dispatch, warnings, ping
/// coalescing and `route_until` are the in-process rules. Around them:
///
/// - [`start`](MessageRouter::start) starts the core, then opens the
///   transport's run with a new [`PipeBook`]; if that fails the core is
///   stopped again (no pipe was made, so without a warning) and `start`
///   fails with [`RouterStartError::Setup`], its source the transport's
///   error;
/// - [`stop`](MessageRouter::stop) closes the transport's run first, so
///   that nothing feeds the core any more (R5), then stops the core;
/// - [`pipe_of`](MessageRouter::pipe_of) makes the core's pipe, records
///   its in-process sender in the book with the transport's entry, and
///   hands out the transport's sender, which watches the book until it
///   connects (C1: [`PipeWatch`]);
/// - `close_pipe`, `route_until`, `is_running` and the
///   [`RouterControl`] methods are the core's.
///
/// Dropped while running, it stops. A backend wraps it in its own router
/// type with [`remote_router!`](crate::remote_router).
pub struct RemoteRouter<M: Send + 'static, T: Transport<M>> {
    core: CrossbeamRouter<M>,
    transport: T,
    run: RefCell<Option<Run<M, T>>>,
    drops: DropLog<T::Reason>,
}

/// What one run adds to the core's run.
struct Run<M: Send + 'static, T: Transport<M>> {
    transport: T::Run,
    book: Arc<PipeBook<M, T::Entry>>,
}

impl<M: Send + 'static, T: Transport<M>> RemoteRouter<M, T> {
    /// A router, not yet started, that will route on `event_loop` and
    /// take its senders' messages through `transport`.
    pub fn new<E: EventLoop + Clone + 'static>(event_loop: &E, transport: T) -> Self {
        Self {
            core: CrossbeamRouter::new(event_loop),
            transport,
            run: RefCell::new(None),
            drops: DropLog::new(),
        }
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Calls `look` with the transport's state of the current run, if the
    /// router is running.
    pub fn with_run<R>(&self, look: impl FnOnce(&T::Run) -> R) -> Option<R> {
        self.run.borrow().as_ref().map(|run| look(&run.transport))
    }

    /// How many frames the transport dropped, by reason, over all runs.
    pub fn dropped_frames(&self) -> DropCounts<T::Reason> {
        self.drops.counts()
    }

    /// Sets how much one ping may route before it yields the event loop.
    pub fn set_drain_budget(&self, budget: DrainBudget) {
        self.core.set_drain_budget(budget);
    }

    /// How much one ping may route before it yields the event loop.
    pub fn drain_budget(&self) -> DrainBudget {
        self.core.drain_budget()
    }

    /// What the router has done so far, over all its runs.
    pub fn stats(&self) -> RouterStats {
        self.core.stats()
    }

    /// How many pipes are open.
    pub fn open_pipes(&self) -> usize {
        self.core.open_pipes()
    }

    /// Whether `route_until` has switched the router to manual mode.
    pub fn is_manual(&self) -> bool {
        self.core.is_manual()
    }

    /// Closes the transport's run, then stops the core: what
    /// [`stop`](MessageRouter::stop) does.
    fn stop_run(&self) -> Result<(), RouterStopError> {
        if !self.core.is_running() {
            return Err(RouterStopError::NotRunning);
        }
        let run = self.run.borrow_mut().take();
        if let Some(run) = run {
            // The transport first: once it is closed nothing feeds the
            // core's channel (R5).
            self.transport.close(run.transport);
            self.drops.flush();
        }
        self.core.stop()
    }

    /// Writes the router as `name { core, transport, run }`, for the
    /// backend's own router type.
    ///
    /// # Errors
    ///
    /// The formatter's.
    pub fn fmt_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result
    where
        T: fmt::Debug,
        T::Run: fmt::Debug,
    {
        let run = self.run.try_borrow().ok();
        let run = run.as_deref().and_then(Option::as_ref);
        let run = run.map(|run| &run.transport);
        f.debug_struct(name)
            .field("core", &self.core)
            .field("transport", &self.transport)
            .field("run", &run)
            .finish()
    }
}

/// The same as the inherent methods, for code generic over routers.
impl<M: Send + 'static, T: Transport<M>> RouterControl for RemoteRouter<M, T> {
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

impl<M, T> MessageRouter<M> for RemoteRouter<M, T>
where
    M: Send + 'static,
    T: Transport<M>,
    T::Sender: MessageSender<M>,
{
    type Sender = T::Sender;
    type Receiver = PipeReceiver<M>;

    fn start(&self) -> Result<(), RouterStartError> {
        self.core.start()?;
        let book = Arc::new(PipeBook::new());
        match self.transport.open(Arc::clone(&book), self.drops.clone()) {
            Ok(transport) => {
                *self.run.borrow_mut() = Some(Run { transport, book });
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
        self.stop_run()
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
        let watch = PipeWatch::new(&run.book, pipe);
        let (entry, sender) = self.transport.pipe(&run.transport, pipe, watch);
        // The transport's thread sends the remote sender's messages through
        // the core's sender, so the pipe's kind holds, and tells its end.
        run.book.record(pipe, entry, core_sender);
        Ok((sender, receiver))
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

impl<M: Send + 'static, T: Transport<M>> Drop for RemoteRouter<M, T> {
    fn drop(&mut self) {
        if self.core.is_running() {
            tracing::debug!("dropping a running remote router: stopping it");
            // Only "not running" can fail, and the router is running.
            let _ = self.stop_run();
        }
    }
}

impl<M, T> fmt::Debug for RemoteRouter<M, T>
where
    M: Send + 'static,
    T: Transport<M> + fmt::Debug,
    T::Run: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_as("RemoteRouter", f)
    }
}
