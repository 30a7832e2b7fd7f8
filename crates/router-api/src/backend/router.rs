//! The router every channel backend is.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::gate::SlowDown;
use super::link::Link;
use super::sender::ChannelSender;
use super::table::{Route, RoutingTable};
use super::{Channel, Envelope, Forwarder};
use crate::receiver::{Listeners, PipeReceiver, ReceiverShared};
use crate::{
    DrainBudget, EventLoop, MessageRouter, Operation, Pingee, PipeId, RouterError, RouterStats,
};

/// Routers are told apart by a process-wide number, so `close_pipe` can
/// name a receiver made by another router (R6).
static NEXT_ROUTER: AtomicU64 = AtomicU64::new(1);

/// How many messages a ping routes between two looks at the clock.
const CLOCK_EVERY: usize = 64;

/// Each time a turn has routed a multiple of this many messages, the router
/// makes its hold of the ping gate fast (see gate.rs), if it is not: a
/// burst, worth the heavy barrier that ending the hold will cost. Lone
/// messages never get that far. One under loom, so the model's
/// one-message turns go fast too.
#[cfg(not(loom))]
const FAST_AFTER: usize = 16;
#[cfg(loom)]
const FAST_AFTER: usize = 1;

/// A batch shorter than this says the channel is shallow: taking batches
/// then costs more than it saves (flume's `drain` takes the queue's buffer
/// too, and the senders grow a new one), so the router takes the next
/// [`SINGLES_AFTER_SHALLOW`] messages one by one.
const DEEP_BATCH: usize = 8;

/// See [`DEEP_BATCH`].
const SINGLES_AFTER_SHALLOW: u32 = 32;

/// The backlog capacity kept once a backlog runs dry: a flood may have
/// grown it far beyond what the next burst needs.
const BACKLOG_KEPT: usize = 4096;

/// A complete router over any [`Channel`]; see the [module docs](super).
///
/// It is made un-started on an event loop, and lives on that loop's
/// thread (it is neither `Send` nor `Sync`). Dropping a running router
/// stops it, with the unclosed-pipe warning of
/// [`stop`](MessageRouter::stop).
pub struct ChannelRouter<M: Send + 'static, C: Channel<Envelope<M>>> {
    inner: Rc<Inner<M, C>>,
}

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
    table: RefCell<RoutingTable<M>>,
    runs: Cell<u64>,
    pipes: Cell<u64>,
    manual: Cell<bool>,
    budget: Cell<DrainBudget>,
    routed: Cell<u64>,
    dropped: Cell<u64>,
    pings: Cell<u64>,
    /// Whether the last turn routed more than one message: a burst may be
    /// under way, and the next turn lingers even if it finds little.
    bursting: Cell<bool>,
    /// The closed pipe whose messages are being discarded now, and how many
    /// were discarded since its warning: one warning per burst, not one per
    /// message.
    discarding: Cell<Option<(PipeId, u64)>>,
}

/// One run: from `start` to `stop`.
struct Run<M, C: Channel<Envelope<M>>> {
    number: u64,
    rx: C::Rx,
    /// Messages taken from `rx` and not routed yet: older than any still
    /// in `rx`, so always routed first (R8). It belongs to the run, so a
    /// listener that stops, restarts or switches to `route_until` in the
    /// middle of a batch finds the rest where it looks next, and a stop
    /// drops it with the run (R5). Only the foreground touches it, and
    /// never while a listener runs (R11).
    backlog: RefCell<VecDeque<Envelope<M>>>,
    /// How many messages to take one by one before the next batch.
    singles: Cell<u32>,
    link: Arc<Link<M, C>>,
    pingee: RefCell<Box<dyn Pingee>>,
}

impl<M, C: Channel<Envelope<M>>> Run<M, C> {
    /// The run's next message, if one is queued: the backlog's first, or
    /// else the channel's, with what the channel hands over behind it.
    #[inline]
    fn try_recv(&self) -> Option<Envelope<M>> {
        if !C::TAKES_BATCHES {
            return C::try_recv(&self.rx);
        }
        let mut backlog = self.backlog.borrow_mut();
        if let Some(envelope) = backlog.pop_front() {
            return Some(envelope);
        }
        let singles = self.singles.get();
        if singles > 0 {
            // Only messages count down: looks at an empty channel (while
            // lingering) would otherwise bring the next batch on at once.
            let next = C::try_recv(&self.rx);
            if next.is_some() {
                self.singles.set(singles - 1);
            }
            return next;
        }
        if backlog.capacity() > BACKLOG_KEPT {
            backlog.shrink_to(BACKLOG_KEPT);
        }
        let next = C::try_recv_batch(&self.rx, &mut backlog);
        if backlog.len() + 1 < DEEP_BATCH {
            self.singles.set(SINGLES_AFTER_SHALLOW);
        }
        next
    }
}

enum Next<M> {
    Message(Envelope<M>),
    Empty,
    /// The run this turn belongs to is over, or the router went manual.
    Over,
}

/// How a turn goes on after it found the queue empty.
enum Idle<M> {
    /// A message came; the turn goes on with the gate held.
    Resume(Envelope<M>),
    /// A message came after the gate was freed and a sender has pinged
    /// since: the turn routes it and ends, that ping routes the rest.
    Last(Envelope<M>),
    /// Nothing came (the gate is free), or the run is over.
    Done,
    /// The gate is still held and a later turn must look (see
    /// [`SlowDown::Failed`]).
    Again,
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
                table: RefCell::new(RoutingTable::new()),
                runs: Cell::new(0),
                pipes: Cell::new(0),
                manual: Cell::new(false),
                budget: Cell::new(DrainBudget::default()),
                routed: Cell::new(0),
                dropped: Cell::new(0),
                pings: Cell::new(0),
                bursting: Cell::new(false),
                discarding: Cell::new(None),
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
        RouterStats {
            routed: self.inner.routed.get(),
            dropped: self.inner.dropped.get(),
            pings: self.inner.pings.get(),
        }
    }

    /// How many pipes are open.
    #[must_use]
    pub fn open_pipes(&self) -> usize {
        self.inner.table.borrow().open_pipes()
    }

    /// A forwarder into the current run, for backends whose senders live
    /// elsewhere; `None` when the router is not running.
    #[must_use]
    pub fn forwarder(&self) -> Option<Forwarder<M, C>> {
        let run = self.inner.run.borrow();
        run.as_ref()
            .map(|run| Forwarder::new(Arc::clone(&run.link)))
    }

    /// Whether `route_until` has switched the router to manual mode.
    #[must_use]
    pub fn is_manual(&self) -> bool {
        self.inner.manual.get()
    }
}

impl<M, C> MessageRouter<M> for ChannelRouter<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    type Sender = ChannelSender<M, C>;
    type Receiver = PipeReceiver<M>;

    fn start(&self) -> Result<(), RouterError> {
        let inner = &self.inner;
        if inner.run.borrow().is_some() {
            return Err(RouterError::AlreadyRunning);
        }
        let number = inner.runs.get() + 1;
        inner.runs.set(number);
        let weak = Rc::downgrade(inner);
        let pingee = inner.event_loop.pingee(Box::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.on_ping();
            }
        }));
        let (tx, rx) = C::unbounded();
        let link = Arc::new(Link::new(tx, pingee.pinger()));
        if inner.manual.get() {
            link.gate.silence();
        }
        *inner.run.borrow_mut() = Some(Rc::new(Run {
            number,
            rx,
            backlog: RefCell::new(VecDeque::new()),
            singles: Cell::new(0),
            link,
            pingee: RefCell::new(pingee),
        }));
        inner.live.set(number);
        tracing::debug!(router = inner.id, run = number, "router started");
        Ok(())
    }

    fn stop(&self) -> Result<(), RouterError> {
        self.inner.stop()
    }

    fn pipe(&self) -> Result<(Self::Sender, Self::Receiver), RouterError> {
        let inner = &self.inner;
        let run = inner.run.borrow();
        let run = run.as_ref().ok_or(RouterError::NotRunning {
            operation: Operation::Pipe,
        })?;
        let mut table = inner.table.borrow_mut();
        let slot = table.vacant_slot().ok_or(RouterError::TooManyPipes {
            open: table.open_pipes(),
        })?;
        let pipe = PipeId::new(inner.pipes.get() + 1);
        inner.pipes.set(pipe.get());
        let receiver = PipeReceiver::new(pipe, inner.id, slot);
        table.insert(Rc::clone(receiver.shared()));
        let sender = ChannelSender::new(pipe, Route::from_parts(slot, pipe), Arc::clone(&run.link));
        Ok((sender, receiver))
    }

    fn close_pipe(&self, receiver: &Self::Receiver) -> Result<(), RouterError> {
        let inner = &self.inner;
        if inner.run.borrow().is_none() {
            return Err(RouterError::NotRunning {
                operation: Operation::ClosePipe,
            });
        }
        let shared = receiver.shared();
        let pipe = shared.pipe();
        if shared.owner() != inner.id {
            return Err(RouterError::ForeignPipe { pipe });
        }
        let route = Route::from_parts(shared.slot(), pipe);
        let removed = inner.table.borrow_mut().remove(route);
        match removed {
            Some(_) => Ok(()),
            None => Err(RouterError::PipeNotOpen { pipe }),
        }
    }

    fn route_until<F>(&self, condition: F, timeout: Option<Duration>) -> Result<(), RouterError>
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
    fn stop(&self) -> Result<(), RouterError> {
        let run = self.run.borrow_mut().take();
        let Some(run) = run else {
            return Err(RouterError::NotRunning {
                operation: Operation::Stop,
            });
        };
        self.live.set(0);
        run.pingee.borrow_mut().disconnect();
        // Senders of this run fail from here on (R5), even while a routing
        // loop (one whose listener is stopping the router) still holds the
        // run and its channel.
        run.link.close();
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
        self.flush_discards();
        if count > 0 {
            tracing::warn!(
                router = self.id,
                unclosed_pipes = count,
                "router stopped with {count} unclosed pipes"
            );
        }
        tracing::debug!(router = self.id, run = number, "router stopped");
        Ok(())
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

    /// The next queued message of `run`, if that run is still on and routed
    /// by pings.
    #[inline]
    fn try_next(&self, run: &Run<M, C>) -> Next<M> {
        if !self.current_run(run.number) {
            return Next::Over;
        }
        match run.try_recv() {
            Some(envelope) => Next::Message(envelope),
            None => Next::Empty,
        }
    }

    /// What a turn does when it finds the queue empty: keeps looking for
    /// `linger` (a burst then costs one ping, not one per gap), then frees
    /// the gate for the senders and looks once more.
    ///
    /// Kept out of line: the turn's loop over a full queue stays small.
    #[inline(never)]
    fn idle(&self, run: &Run<M, C>, linger: Duration) -> Idle<M> {
        let link = &run.link;
        match self.linger(run, linger) {
            Next::Message(envelope) => return Idle::Resume(envelope),
            Next::Over => return Idle::Done,
            Next::Empty => {}
        }
        match link.gate.slow_down() {
            SlowDown::WasPlain => {}
            // Senders that skipped their claim during the fast hold: their
            // messages are visible now (gate.rs).
            SlowDown::LookAgain => match self.try_next(run) {
                Next::Message(envelope) => return Idle::Resume(envelope),
                Next::Over => return Idle::Done,
                Next::Empty => {}
            },
            SlowDown::Failed => return Idle::Again,
        }
        link.gate.release();
        // A sender may have queued just before the release and seen the gate
        // held: look once more (see gate.rs). The backlog is empty here (the
        // look that led here found nothing in it, and only this thread fills
        // it), so this looks at the channel, as gate.rs argues.
        match self.try_next(run) {
            Next::Message(envelope) => {
                if link.gate.claim() {
                    Idle::Resume(envelope)
                } else {
                    // A sender pinged: its ping routes the rest.
                    Idle::Last(envelope)
                }
            }
            Next::Empty | Next::Over => Idle::Done,
        }
    }

    /// Keeps looking for the next message of `run` for `linger`.
    fn linger(&self, run: &Run<M, C>, linger: Duration) -> Next<M> {
        if linger.is_zero() {
            return Next::Empty;
        }
        let started = Instant::now();
        loop {
            for _ in 0..CLOCK_EVERY {
                std::hint::spin_loop();
                match self.try_next(run) {
                    Next::Empty => {}
                    next => return next,
                }
            }
            if started.elapsed() >= linger {
                return Next::Empty;
            }
        }
    }

    /// Runs one ping's turn: routes until the queue is empty or the budget
    /// is spent (then pings again, so a flood cannot starve the loop).
    fn on_ping(&self) {
        self.pings.set(self.pings.get() + 1);
        if self.manual.get() {
            // Manual mode for good (R10): the gate stays held, so senders
            // stop pinging, and a ping still queued routes nothing.
            return;
        }
        // Held for the turn (dropped after it): see `Inner::run`.
        let Some(run) = self.current() else {
            return;
        };
        let budget = self.budget.get();
        let max_messages = budget.max_messages.max(1);
        let started = Instant::now();
        let mut turn = Turn {
            inner: self,
            run: &run,
            finished: false,
            routed: 0,
            dispatch: Dispatch::new(self),
        };
        loop {
            let envelope = match self.try_next(&run) {
                Next::Message(envelope) => envelope,
                Next::Over => {
                    turn.finished = true;
                    return;
                }
                Next::Empty => match self.idle(&run, turn.linger(budget)) {
                    Idle::Resume(envelope) => envelope,
                    Idle::Last(envelope) => {
                        turn.finished = true;
                        turn.dispatch.route(envelope);
                        return;
                    }
                    Idle::Done => {
                        turn.finished = true;
                        return;
                    }
                    // Unfinished: the turn's drop pings again.
                    Idle::Again => return,
                },
            };
            turn.dispatch.route(envelope);
            turn.routed += 1;
            if turn.routed.is_multiple_of(FAST_AFTER) {
                // A burst: let senders stop claiming the gate (gate.rs).
                run.link.gate.speed_up();
            }
            if turn.routed >= max_messages
                || (turn.routed.is_multiple_of(CLOCK_EVERY) && started.elapsed() >= budget.max_time)
            {
                // Budget spent with the gate still held: `turn` pings again.
                return;
            }
        }
    }

    fn route_until<F>(&self, mut condition: F, timeout: Option<Duration>) -> Result<(), RouterError>
    where
        F: FnMut() -> bool,
    {
        // Held for the call: see `Inner::run`.
        let mut run = self.current_to_route_until()?;
        run.link.gate.silence();
        self.manual.set(true);
        if condition() {
            return Ok(());
        }
        let deadline = timeout.and_then(|timeout| Instant::now().checked_add(timeout));
        let mut dispatch = Dispatch::new(self);
        loop {
            let envelope = self.next_manual(&mut run, deadline, timeout)?;
            dispatch.route(envelope);
            if condition() {
                return Ok(());
            }
        }
    }

    /// The next message for `route_until`: what is queued first, then
    /// whatever comes before the deadline.
    #[inline]
    fn next_manual(
        &self,
        run: &mut Rc<Run<M, C>>,
        deadline: Option<Instant>,
        timeout: Option<Duration>,
    ) -> Result<Envelope<M>, RouterError> {
        if self.live.get() != run.number {
            // A listener stopped the router during the last dispatch, and
            // may have started it again: follow it to its current run.
            self.follow(run)?;
        }
        if let Some(envelope) = run.try_recv() {
            return Ok(envelope);
        }
        let received = match deadline {
            Some(deadline) => C::recv_deadline(&run.rx, deadline),
            None => C::recv(&run.rx),
        };
        received.ok_or(RouterError::Timeout {
            timeout: timeout.unwrap_or(Duration::MAX),
        })
    }

    /// Moves `run` on to the current run, or fails if there is none. The
    /// old run is dropped with no borrow held (its queued messages' drops
    /// may call the router).
    #[inline(never)]
    fn follow(&self, run: &mut Rc<Run<M, C>>) -> Result<(), RouterError> {
        let current = self.current_to_route_until()?;
        drop(std::mem::replace(run, current));
        Ok(())
    }

    /// The current run, for `route_until`, which fails without one (R3).
    fn current_to_route_until(&self) -> Result<Rc<Run<M, C>>, RouterError> {
        self.current().ok_or(RouterError::NotRunning {
            operation: Operation::RouteUntil,
        })
    }

    fn discard(&self, pipe: PipeId) {
        self.dropped.set(self.dropped.get() + 1);
        match self.discarding.get() {
            Some((current, count)) if current == pipe => {
                self.discarding.set(Some((current, count + 1)));
            }
            _ => {
                self.flush_discards();
                tracing::warn!(pipe = %pipe, "discarding message from closed pipe {pipe}");
                self.discarding.set(Some((pipe, 0)));
            }
        }
    }

    /// Ends a burst of discards: one more warning if it held more than the
    /// first message.
    fn flush_discards(&self) {
        if let Some((pipe, more)) = self.discarding.take()
            && more > 0
        {
            tracing::warn!(
                pipe = %pipe,
                discarded = more,
                "discarded {more} more messages from closed pipe {pipe}"
            );
        }
    }
}

/// How many pipes a routing loop remembers (see [`Dispatch`]): enough for
/// the 64 interleaved pipes of the bench's fan-in, few enough to set up
/// in a few nanoseconds per turn.
const ROUTES_REMEMBERED: usize = 64;

/// A routing loop's state between messages: the pipes its messages went
/// to, and how many messages the loop has handed to listeners.
///
/// The pipes are remembered direct-mapped by table slot, each with a
/// snapshot of its listeners: while a message's pipe is remembered and
/// nothing changed it since (see [`ReceiverShared::epoch`]), its listeners
/// are fired with no table look-up, borrow or reference count. Senders'
/// messages interleave in the channel, so remembering only the last pipe
/// was not enough: 64 interleaved pipes then cost 4 ns a message more
/// than one.
///
/// The count reaches the router's [`stats`](ChannelRouter::stats) when the
/// loop ends (dropping the dispatch, a listener's panic included, settles
/// it), not per message: a `Cell` bumped per message is a load and a store
/// the next message waits on, 1.5 ns of the 17 a message cost.
struct Dispatch<'a, M: Send + 'static, C: Channel<Envelope<M>>> {
    inner: &'a Inner<M, C>,
    routes: [Option<LastRoute<M>>; ROUTES_REMEMBERED],
    routed: u64,
}

impl<'a, M, C> Dispatch<'a, M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    fn new(inner: &'a Inner<M, C>) -> Self {
        Self {
            inner,
            routes: [const { None }; ROUTES_REMEMBERED],
            routed: 0,
        }
    }

    /// Hands one message to its receiver's listeners, or drops it with a
    /// warning if its pipe is closed (R7). Holds no borrow while listeners
    /// run, so they may call the router (R11).
    ///
    /// A remembered pipe costs no look-up (see [`Dispatch`]): some fifty
    /// instructions a message less, a third of what the router added to the
    /// channel's own.
    #[inline]
    fn route(&mut self, envelope: Envelope<M>) {
        if let Some(last) = &self.routes[Self::place(envelope.route)]
            && last.route == envelope.route
            && last.receiver.epoch() == last.epoch
        {
            self.routed += 1;
            last.listeners.fire(&envelope.message);
            return;
        }
        self.route_afresh(envelope);
    }

    /// Where `route` is remembered.
    #[inline]
    fn place(route: Route) -> usize {
        route.slot() as usize % ROUTES_REMEMBERED
    }

    /// [`route`](Self::route) for a message whose pipe is not remembered,
    /// or changed since: looks the pipe up and remembers it.
    #[inline(never)]
    fn route_afresh(&mut self, envelope: Envelope<M>) {
        let inner = self.inner;
        let receiver = inner.table.borrow().get(envelope.route).map(Rc::clone);
        match receiver {
            Some(receiver) => {
                self.routed += 1;
                let place = &mut self.routes[Self::place(envelope.route)];
                // The snapshot it replaces drops first: a listener's drop
                // may call the router.
                *place = None;
                let fresh = place.insert(LastRoute {
                    route: envelope.route,
                    epoch: receiver.epoch(),
                    listeners: receiver.listeners(),
                    receiver,
                });
                fresh.listeners.fire(&envelope.message);
            }
            None => inner.discard(envelope.route.pipe_before(PipeId::new(inner.pipes.get()))),
        }
    }

    /// Adds the messages routed so far to the router's count and ends the
    /// burst of discards under way.
    fn settle(&mut self) {
        let inner = self.inner;
        inner.routed.set(inner.routed.get() + self.routed);
        self.routed = 0;
        inner.flush_discards();
    }
}

impl<M, C> Drop for Dispatch<'_, M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    fn drop(&mut self) {
        self.settle();
    }
}

/// A pipe a routing loop remembers, and a snapshot of its listeners,
/// current while the receiver's epoch is unchanged.
struct LastRoute<M> {
    route: Route,
    receiver: Rc<ReceiverShared<M>>,
    epoch: u64,
    listeners: Listeners<M>,
}

/// One ping's turn. When it ends without finishing (budget spent, or a
/// listener panicked), the gate is still held by it, so it pings again:
/// the rest of the queue gets routed and no wake-up is lost.
struct Turn<'a, M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    inner: &'a Inner<M, C>,
    run: &'a Run<M, C>,
    finished: bool,
    /// Messages this turn has taken from the queue, routed or discarded:
    /// what the budget counts.
    routed: usize,
    dispatch: Dispatch<'a, M, C>,
}

impl<M, C> Turn<'_, M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    /// How long to keep looking once the queue is empty. Only in a burst
    /// (this turn or the last routed more than one message): there it saves
    /// the pings of the gaps, but after lone messages it only delays going
    /// back to sleep, and the next lone message then takes longer to wake
    /// the loop (7 µs more at p50 on the 2-core bench machine).
    fn linger(&self, budget: DrainBudget) -> Duration {
        if self.routed > 1 || self.inner.bursting.get() {
            budget.linger
        } else {
            Duration::ZERO
        }
    }
}

impl<M, C> Drop for Turn<'_, M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    fn drop(&mut self) {
        self.dispatch.settle();
        self.inner.bursting.set(self.routed > 1);
        if !self.finished && self.inner.current_run(self.run.number) {
            self.run.link.pinger.ping();
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

#[cfg(test)]
mod backlog_tests {
    //! The backlog of a channel that takes batches, against listeners that
    //! change the router in the middle of a batch (R5, R8, R11).
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::rc::{Rc, Weak};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use super::ChannelRouter;
    use crate::backend::Channel;
    use crate::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender};

    const PATIENCE: Duration = Duration::from_secs(10);

    /// std's mpsc, taking everything queued at each look.
    struct Batched;

    impl<T: Send + 'static> Channel<T> for Batched {
        type Tx = mpsc::Sender<T>;
        type Rx = mpsc::Receiver<T>;
        const TAKES_BATCHES: bool = true;

        fn unbounded() -> (Self::Tx, Self::Rx) {
            mpsc::channel()
        }
        fn send(tx: &Self::Tx, value: T) -> Result<(), T> {
            tx.send(value).map_err(|e| e.0)
        }
        fn try_recv(rx: &Self::Rx) -> Option<T> {
            rx.try_recv().ok()
        }
        fn recv(rx: &Self::Rx) -> Option<T> {
            rx.recv().ok()
        }
        fn recv_deadline(rx: &Self::Rx, deadline: Instant) -> Option<T> {
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .ok()
        }
        fn try_recv_batch(rx: &Self::Rx, rest: &mut VecDeque<T>) -> Option<T> {
            let next = rx.try_recv().ok()?;
            rest.extend(rx.try_iter());
            Some(next)
        }
    }

    type BatchedRouter<M> = ChannelRouter<M, Batched>;

    #[test]
    fn route_until_called_by_a_listener_mid_batch_routes_the_rest_in_order() {
        let event_loop = DefaultEventLoop::new();
        let router = Rc::new(BatchedRouter::<u32>::new(&event_loop));
        router.start().unwrap();
        let (mut sender, receiver) = router.pipe().unwrap();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let weak: Weak<BatchedRouter<u32>> = Rc::downgrade(&router);
        receiver.connect({
            let seen = Rc::clone(&seen);
            move |n: &u32| {
                seen.borrow_mut().push(*n);
                if *n == 2 {
                    let router = weak.upgrade().unwrap();
                    let seen = Rc::clone(&seen);
                    router
                        .route_until(move || seen.borrow().len() >= 4, Some(PATIENCE))
                        .unwrap();
                }
            }
        });
        {
            // All six are queued before the first ping: one batch.
            let mut open = sender.open().unwrap();
            for n in 1..=6 {
                open.send(n).unwrap();
            }
        }
        event_loop
            .run_until(|| seen.borrow().len() >= 4, Some(PATIENCE))
            .unwrap();
        router
            .route_until(|| seen.borrow().len() >= 6, Some(PATIENCE))
            .unwrap();
        assert_eq!(*seen.borrow(), vec![1, 2, 3, 4, 5, 6]);
        router.close_pipe(&receiver).unwrap();
        router.stop().unwrap();
    }

    /// Counts its drops.
    struct Tracked(Arc<AtomicUsize>);

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn stop_called_by_a_listener_mid_batch_drops_the_rest_of_the_batch() {
        let event_loop = DefaultEventLoop::new();
        let router = Rc::new(BatchedRouter::<Tracked>::new(&event_loop));
        router.start().unwrap();
        let (mut sender, receiver) = router.pipe().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let routed = Rc::new(RefCell::new(0));
        let stopped = Rc::new(Cell::new(false));
        let weak = Rc::downgrade(&router);
        receiver.connect({
            let (routed, stopped) = (Rc::clone(&routed), Rc::clone(&stopped));
            move |_: &Tracked| {
                *routed.borrow_mut() += 1;
                weak.upgrade().unwrap().stop().unwrap();
                stopped.set(true);
            }
        });
        let mut open = sender.open().unwrap();
        for _ in 0..6 {
            open.send(Tracked(Arc::clone(&drops))).unwrap();
        }
        event_loop
            .run_until(|| stopped.get(), Some(PATIENCE))
            .unwrap();
        // The five behind the one being dispatched went with the run, when
        // the turn that held it returned; the dispatched one after its
        // listeners. None was routed.
        assert_eq!(drops.load(Ordering::SeqCst), 6);
        assert_eq!(*routed.borrow(), 1);
        let refused = open.send(Tracked(Arc::clone(&drops)));
        assert!(refused.is_err(), "a sender of a stopped run must fail");
        drop(refused);
        drop(open);
        assert_eq!(event_loop.run_pending(), 0);
        assert_eq!(*routed.borrow(), 1);
        assert_eq!(drops.load(Ordering::SeqCst), 7);
    }
}
