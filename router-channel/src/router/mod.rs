//! The router every channel backend is: its state and lifecycle.
//!
//! The parts of a router's work live beside this file, one each:
//! `run.rs` (one run, and the backlog of a channel that takes batches),
//! `turn.rs` (a ping's turn), `dispatch.rs` (handing messages to
//! listeners), `manual.rs` (`route_until`), `discards.rs` (messages of
//! closed pipes), `pending.rs` and `noted.rs` (ends of stream and latest
//! values: the notes taken, and acting on them).

mod discards;
mod dispatch;
mod manual;
mod noted;
mod pending;
mod run;
mod turn;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use router_api::{
    ClosePipeError, DrainBudget, EventLoop, MessageRouter, PipeError, PipeKind, RouteError,
    RouterControl, RouterStartError, RouterStats, RouterStopError,
};

use crate::kind::Kind;
use crate::link::Link;
use crate::notes::Note;
use crate::receiver::{PipeCloser, PipeReceiver, ReceiverShared};
use crate::route::Route;
use crate::sender::ChannelSender;
use crate::table::RoutingTable;
use crate::{Channel, Envelope};

use discards::DiscardLog;
use pending::Pending;
use run::Run;

/// Routers are told apart by a process-wide number, so `close_pipe` can
/// name a receiver made by another router (R6).
static NEXT_ROUTER: AtomicU64 = AtomicU64::new(1);

/// A complete router over any [`Channel`]; see the [crate docs](crate).
///
/// It is made un-started on an event loop, and lives on that loop's
/// thread (it is neither `Send` nor `Sync`). Dropping a running router
/// stops it, with the unclosed-pipe warning of
/// [`stop`](MessageRouter::stop).
pub struct ChannelRouter<M: Send + 'static, C: Channel<Envelope<M>>> {
    inner: Rc<Inner<M, C>>,
}

/// A router's state, shared with the callback its event loop runs.
struct Inner<M: Send + 'static, C: Channel<Envelope<M>>> {
    id: u64,
    event_loop: Box<dyn EventLoop>,
    /// The current run. Routing loops hold a clone while they route, so
    /// they reach the channel with no borrow per message, and ask
    /// [`live`](Self::live) after each dispatch whether their run is still
    /// the current one.
    run: RefCell<Option<Rc<Run<M, C>>>>,
    /// The number of the current run; 0 while stopped.
    live: Cell<u64>,
    /// How many runs the router has started.
    runs: Cell<u64>,
    table: RefCell<RoutingTable<M>>,
    /// Set for good by the first `route_until` (R10).
    manual: Cell<bool>,
    budget: Cell<DrainBudget>,
    /// Messages handed to a receiver, over all runs.
    routed: Cell<u64>,
    /// Pings taken from the event loop, ignored ones included.
    pings: Cell<u64>,
    /// Whether the last turn routed more than one message: a burst may be
    /// under way, and the next turn lingers even if it finds little.
    bursting: Cell<bool>,
    /// Shared with each run, which counts what it leaves unrouted.
    discards: Rc<DiscardLog>,
    /// Notes (ends of stream, latest values) taken from the run's senders,
    /// not yet acted on.
    pending: Pending<M>,
}

impl<M, C> ChannelRouter<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    /// A router, not yet started, that will route on `event_loop`.
    ///
    /// The router keeps a clone of the loop handle and registers with it at
    /// each [`start`](MessageRouter::start).
    pub fn new<E: EventLoop + Clone + 'static>(event_loop: &E) -> Self {
        Self {
            inner: Rc::new(Inner {
                id: NEXT_ROUTER.fetch_add(1, Ordering::Relaxed),
                event_loop: Box::new(event_loop.clone()),
                run: RefCell::new(None),
                live: Cell::new(0),
                runs: Cell::new(0),
                table: RefCell::new(RoutingTable::new()),
                manual: Cell::new(false),
                budget: Cell::new(DrainBudget::default()),
                routed: Cell::new(0),
                pings: Cell::new(0),
                bursting: Cell::new(false),
                discards: Rc::default(),
                pending: Pending::default(),
            }),
        }
    }

    /// Sets how much one ping may route before it yields the event loop.
    pub fn set_drain_budget(&self, budget: DrainBudget) {
        self.inner.budget.set(budget);
    }

    /// How much one ping may route before it yields the event loop.
    #[must_use]
    pub fn drain_budget(&self) -> DrainBudget {
        self.inner.budget.get()
    }

    /// What the router has done so far, over all its runs.
    #[must_use]
    pub fn stats(&self) -> RouterStats {
        // Non-exhaustive: made from the default, field by field.
        let mut stats = RouterStats::default();
        stats.routed = self.inner.routed.get();
        stats.dropped = self.inner.discards.dropped();
        stats.pings = self.inner.pings.get();
        stats
    }

    /// How many pipes are open.
    #[must_use]
    pub fn open_pipes(&self) -> usize {
        self.inner.table.borrow().open_pipes()
    }

    /// Whether `route_until` has switched the router to manual mode.
    #[must_use]
    pub fn is_manual(&self) -> bool {
        self.inner.manual.get()
    }
}

impl<M, C> RouterControl for ChannelRouter<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    fn stats(&self) -> RouterStats {
        ChannelRouter::stats(self)
    }

    fn open_pipes(&self) -> usize {
        ChannelRouter::open_pipes(self)
    }

    fn drain_budget(&self) -> DrainBudget {
        ChannelRouter::drain_budget(self)
    }

    fn set_drain_budget(&self, budget: DrainBudget) {
        ChannelRouter::set_drain_budget(self, budget);
    }
}

impl<M, C> MessageRouter<M> for ChannelRouter<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    type Sender = ChannelSender<M, C>;
    type Receiver = PipeReceiver<M>;

    fn start(&self) -> Result<(), RouterStartError> {
        self.inner.start()
    }

    fn stop(&self) -> Result<(), RouterStopError> {
        self.inner.stop()
    }

    fn pipe(&self) -> Result<(Self::Sender, Self::Receiver), PipeError> {
        self.pipe_of(PipeKind::Unbounded)
    }

    fn pipe_of(&self, kind: PipeKind) -> Result<(Self::Sender, Self::Receiver), PipeError> {
        let inner = &self.inner;
        let run = inner.run.borrow();
        let run = run.as_ref().ok_or(PipeError::NotRunning)?;
        let kind = Kind::of(kind)?;
        inner
            .table
            .borrow_mut()
            .open(kind, inner, inner.id, &run.link)
    }

    fn close_pipe(&self, receiver: &Self::Receiver) -> Result<(), ClosePipeError> {
        let inner = &self.inner;
        let shared = receiver.shared();
        let pipe = shared.pipe();
        if inner.run.borrow().is_none() {
            return Err(ClosePipeError::NotRunning { pipe });
        }
        if shared.owner() != inner.id {
            return Err(ClosePipeError::Foreign { pipe });
        }
        match inner.close(Route::from_parts(shared.slot(), pipe)) {
            Some(_) => Ok(()),
            None => Err(ClosePipeError::NotOpen { pipe }),
        }
    }

    fn route_until<F>(&self, condition: F, timeout: Option<Duration>) -> Result<(), RouteError>
    where
        F: FnMut() -> bool,
    {
        self.inner.route_until(condition, timeout)
    }

    fn is_running(&self) -> bool {
        self.inner.run.borrow().is_some()
    }
}

impl<M, C> Inner<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    fn start(self: &Rc<Self>) -> Result<(), RouterStartError> {
        if self.run.borrow().is_some() {
            return Err(RouterStartError::AlreadyRunning);
        }
        let number = self.runs.get() + 1;
        self.runs.set(number);
        let weak = Rc::downgrade(self);
        let pingee = self.event_loop.pingee(Box::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.on_ping();
            }
        }));
        let (tx, rx) = C::unbounded();
        let link = Arc::new(Link::new(tx, pingee.pinger()));
        if self.manual.get() {
            link.gate.silence();
        }
        *self.run.borrow_mut() = Some(Rc::new(Run::new(
            number,
            rx,
            link,
            pingee,
            Rc::clone(&self.discards),
        )));
        self.live.set(number);
        tracing::debug!(router = self.id, run = number, "router started");
        Ok(())
    }

    fn stop(&self) -> Result<(), RouterStopError> {
        let run = self.run.borrow_mut().take();
        let Some(run) = run else {
            return Err(RouterStopError::NotRunning);
        };
        self.live.set(0);
        let mut notes = self.pending.clear();
        run.pingee.borrow_mut().disconnect();
        // Senders of this run fail from here on (R5), even while a routing
        // loop (one whose listener is stopping the router) still holds the
        // run and its channel.
        run.link.close();
        // No note comes after the close: the values still in latest-value
        // slots are dropped unrouted, and counted so (R4).
        run.link.notes.take(&mut notes);
        let latest: Vec<M> = notes.iter().filter_map(Note::latest_value).collect();
        self.discards.unrouted(latest.len() as u64);
        let unclosed = self.table.borrow_mut().take_all();
        // Dropping the run drops the channel's receiving half. Queued
        // messages (in the channel and the backlog) and the closed receivers
        // drop here too, or when the routing loop holding the run returns,
        // with no borrow held: their drops may run user code that calls the
        // router.
        let number = run.number;
        drop(run);
        let count = unclosed.len();
        drop(unclosed);
        drop(notes);
        drop(latest);
        self.discards.flush();
        if count > 0 {
            let pipes = if count == 1 { "pipe" } else { "pipes" };
            tracing::warn!(
                router = self.id,
                unclosed_pipes = count,
                "router stopped with {count} unclosed {pipes}"
            );
        }
        tracing::debug!(router = self.id, run = number, "router stopped");
        Ok(())
    }

    /// Takes the pipe of `route` out of the routing table, if it is open:
    /// its later messages are discarded (R7). The caller drops what comes
    /// back once it holds no borrow (the listeners' drops may call the
    /// router).
    fn close(&self, route: Route) -> Option<Rc<ReceiverShared<M>>> {
        self.table.borrow_mut().remove(route)
    }

    /// The current run, if the router is running.
    fn current(&self) -> Option<Rc<Run<M, C>>> {
        self.run.borrow().as_ref().map(Rc::clone)
    }

    /// Whether run `number` is still on and routed by pings: what a turn of
    /// that run may go on routing.
    fn current_run(&self, number: u64) -> bool {
        self.live.get() == number && !self.manual.get()
    }
}

impl<M, C> PipeCloser for Inner<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    fn close_dropped(&self, route: Route) {
        // No borrow of the table is held while user code runs (listeners,
        // and the drops of what they own, run with none), so it is free;
        // a drop must not panic, so that is checked, not assumed.
        let removed = match self.table.try_borrow_mut() {
            Ok(mut table) => table.remove(route),
            Err(_) => {
                tracing::error!(
                    router = self.id,
                    ?route,
                    "a receiver dropped while the routing table was in use: its pipe stays open until stop"
                );
                return;
            }
        };
        if let Some(receiver) = removed {
            tracing::debug!(router = self.id, pipe = %receiver.pipe(), "receiver dropped: its pipe is closed");
        }
    }
}

impl<M: Send + 'static, C: Channel<Envelope<M>>> Drop for ChannelRouter<M, C> {
    fn drop(&mut self) {
        let running = self.inner.run.borrow().is_some();
        if running {
            tracing::debug!(
                router = self.inner.id,
                "dropping a running router: stopping it"
            );
            // Only "not running" can fail, and the router is running.
            let _ = self.inner.stop();
        }
    }
}

impl<M: Send + 'static, C: Channel<Envelope<M>>> fmt::Debug for ChannelRouter<M, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelRouter")
            .field("id", &self.inner.id)
            .field("running", &self.inner.run.borrow().is_some())
            .field("manual", &self.inner.manual.get())
            .field("open_pipes", &self.inner.table.borrow().open_pipes())
            .finish()
    }
}
