//! Random sequences of router, sender and listener calls, checked against
//! a small reference model of the spec (RULES.md, R1..R11, S1, V1).
//!
//! Everything runs on the test thread: senders send from the foreground
//! (S3 allows it) and routing happens only through `route_until` and the
//! event loop's `run_pending`, so nothing races and every run is
//! deterministic. After each call the test compares, with the model:
//! - the call's result, error variant and fields included (a refused send
//!   must hand its own message back);
//! - the whole log of what listeners saw and did, in order: every message
//!   the model delivers is delivered once, in order, to every listener
//!   connected when its dispatch began, and nothing else is. Some
//!   listeners act while they are being dispatched to (R11): they close
//!   their own pipe, disconnect themselves, connect another listener or
//!   stop the router, and what those calls return is logged too;
//! - every `WARN` the router logged, word for word (unclosed pipes at
//!   stop; the first drop of a burst for a closed pipe and the sum of the
//!   rest);
//! - `stats()` (routed, dropped, pings), `is_running`, `is_manual` and
//!   `open_pipes`;
//! - the ends of stream (E1, E2): a sender's stop or drop is told to its
//!   receiver, in the log, once the queue is found empty after it, unless
//!   the pipe was closed first.
//!
//! The model tracks the ping gate as the spec says it behaves: a send pings
//! when no ping is on its way; a ping routes at most the drain budget and
//! pings again when it spent it; a router in manual mode takes pings but
//! routes nothing, holds the gate for good, and its senders ping no more.
//!
//! 256 cases per backend in the normal suite; the ignored `deep` tests run
//! 10 000 per backend (`cargo test -p router-reliability --release --test
//! model -- --ignored`). `PROPTEST_CASES` overrides both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use router_api::{
    ClosePipeError, DefaultEventLoop, Disconnect, DrainBudget, ListenerId, MessageReceiver,
    MessageRouter, MessageSender, PipeError, PipeId, RouteError, RouterStartError, RouterStats,
    RouterStopError, SendError, SendErrorKind, SenderEnd, SenderStartError, SenderStopError,
    TimedOut,
};
use router_channel::PipeReceiver;
use router_conformance::capture::capture;
use router_reliability::{Backend, Router};

// ---------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------

/// One call the test makes. Indices pick among the pipes (or listeners)
/// made so far; a call on nothing, or on a dropped sender, is skipped.
#[derive(Clone, Debug)]
enum Op {
    Start,
    Stop,
    /// Make a pipe; then, if asked, start its sender and connect a
    /// listener that only logs (what most code does next).
    Pipe {
        start: bool,
        listen: bool,
    },
    ClosePipe(Index),
    SenderStart(Index),
    SenderStop(Index),
    /// Send through a sender; if `live`, one that can send now (when there
    /// is one), else any.
    Send {
        sender: Index,
        live: bool,
    },
    DropSender(Index),
    Connect(Index, Act),
    Disconnect(Index, Index),
    /// Route until `more` further deliveries, or the timeout.
    RouteUntil {
        more: usize,
        timeout: Wait,
    },
    /// Run the pings the event loop has queued.
    RunPending,
    SetBudget(usize),
    /// Drop the router (it stops itself) and make a new one.
    DropRouter,
}

/// What a listener does, besides logging, each time it gets a message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Act {
    Nothing,
    ClosePipe,
    DisconnectItself,
    ConnectAnother,
    StopRouter,
}

/// The timeout of a `route_until`.
#[derive(Clone, Copy, Debug)]
enum Wait {
    Zero,
    OneMilli,
    /// No timeout; used only when the model says the call will not wait
    /// (otherwise it would wait for ever), else one millisecond.
    Unlimited,
}

fn op() -> impl Strategy<Value = Op> {
    let wait = prop_oneof![
        Just(Wait::Zero),
        Just(Wait::OneMilli),
        Just(Wait::Unlimited)
    ];
    let act = prop_oneof![
        12 => Just(Act::Nothing),
        1 => Just(Act::ClosePipe),
        1 => Just(Act::DisconnectItself),
        1 => Just(Act::ConnectAnother),
        1 => Just(Act::StopRouter),
    ];
    let pipe = (prop::bool::weighted(0.8), prop::bool::weighted(0.8))
        .prop_map(|(start, listen)| Op::Pipe { start, listen });
    prop_oneof![
        3 => Just(Op::Start),
        1 => Just(Op::Stop),
        6 => pipe,
        2 => any::<Index>().prop_map(Op::ClosePipe),
        2 => any::<Index>().prop_map(Op::SenderStart),
        1 => any::<Index>().prop_map(Op::SenderStop),
        24 => (any::<Index>(), prop::bool::weighted(0.85))
            .prop_map(|(sender, live)| Op::Send { sender, live }),
        1 => any::<Index>().prop_map(Op::DropSender),
        4 => (any::<Index>(), act).prop_map(|(pipe, act)| Op::Connect(pipe, act)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(pipe, listener)| Op::Disconnect(pipe, listener)),
        8 => (0usize..5, wait).prop_map(|(more, timeout)| Op::RouteUntil { more, timeout }),
        10 => Just(Op::RunPending),
        1 => (1usize..4).prop_map(Op::SetBudget),
        1 => Just(Op::DropRouter),
    ]
}

/// A started router with a pipe, then random calls.
fn ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(op(), 1..96).prop_map(|ops| {
        let mut all = vec![
            Op::Start,
            Op::Pipe {
                start: true,
                listen: true,
            },
        ];
        all.extend(ops);
        all
    })
}

/// What listeners saw and did, in order. Listeners are named by a tag the
/// test gives them in the order they are made (listener ids are the
/// router's business).
#[derive(Clone, PartialEq, Eq, Debug)]
enum Entry {
    Delivered {
        pipe: usize,
        listener: u64,
        message: u64,
    },
    Acted {
        listener: u64,
        outcome: Outcome,
    },
    Ended {
        pipe: usize,
        end: SenderEnd,
    },
}

/// What a listener's act returned.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Outcome {
    Closed(Result<(), ClosePipeError>),
    Disconnected(bool),
    Connected(u64),
    Stopped(Result<(), RouterStopError>),
}

// ---------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------

/// How many messages the router routes between two looks at the notes
/// (router-channel's `CLOCK_EVERY`).
const NOTES_EVERY: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SenderState {
    Ready,
    Open,
    Stopped,
    Dropped,
}

#[derive(Clone, Debug)]
struct ListenerModel {
    tag: u64,
    act: Act,
    connected: bool,
}

#[derive(Clone, Debug)]
struct PipeModel {
    /// Which router made it (routers are numbered as the test makes them).
    router: u32,
    /// Which run of that router.
    run: u64,
    id: PipeId,
    open: bool,
    sender: SenderState,
    /// Every listener ever connected, in order.
    listeners: Vec<ListenerModel>,
    /// Messages its sender queued (sent successfully): what its end's note
    /// carries.
    queued: u64,
    /// Of those, how many were routed to its listeners.
    routed: u64,
    /// An end whose note was acted on before the pipe's last message was
    /// routed, with the count it waits for (E3).
    parked: Option<(SenderEnd, u64)>,
}

#[derive(Clone, Debug)]
struct Model {
    router: u32,
    running: bool,
    manual: bool,
    run: u64,
    pipes_made: u64,
    budget: usize,
    gate_held: bool,
    ping_queued: bool,
    queue: VecDeque<(usize, u64)>,
    /// Ends of stream posted and not yet acted on, in the order posted,
    /// each with the count of messages its sender queued.
    notes: VecDeque<(usize, SenderEnd, u64)>,
    stats: RouterStats,
    discarding: Option<(PipeId, u64)>,
    pipes: Vec<PipeModel>,
    log: Vec<Entry>,
    deliveries: usize,
    warnings: Vec<String>,
    next_message: u64,
    next_tag: u64,
}

impl Model {
    fn new() -> Self {
        Self {
            router: 0,
            running: false,
            manual: false,
            run: 0,
            pipes_made: 0,
            budget: DrainBudget::default().max_messages,
            gate_held: false,
            ping_queued: false,
            queue: VecDeque::new(),
            notes: VecDeque::new(),
            stats: RouterStats::default(),
            discarding: None,
            pipes: Vec::new(),
            log: Vec::new(),
            deliveries: 0,
            warnings: Vec::new(),
            next_message: 0,
            next_tag: 0,
        }
    }

    fn start(&mut self) -> Result<(), RouterStartError> {
        if self.running {
            return Err(RouterStartError::AlreadyRunning);
        }
        self.running = true;
        self.run += 1;
        self.gate_held = false;
        self.ping_queued = false;
        Ok(())
    }

    fn stop(&mut self) -> Result<(), RouterStopError> {
        if !self.running {
            return Err(RouterStopError::NotRunning);
        }
        self.running = false;
        // Queued messages are dropped unrouted and counted as dropped; a
        // queued ping finds its pingee disconnected.
        self.stats.dropped += self.queue.len() as u64;
        self.queue.clear();
        self.notes.clear();
        self.ping_queued = false;
        let router = self.router;
        let mut unclosed = 0;
        for pipe in self
            .pipes
            .iter_mut()
            .filter(|pipe| pipe.router == router && pipe.open)
        {
            pipe.open = false;
            unclosed += 1;
        }
        self.flush_discards();
        if unclosed > 0 {
            let pipes = if unclosed == 1 { "pipe" } else { "pipes" };
            self.warnings
                .push(format!("router stopped with {unclosed} unclosed {pipes}"));
        }
        Ok(())
    }

    fn drop_router(&mut self) {
        if self.running {
            self.stop().unwrap();
        }
        *self = Self {
            router: self.router + 1,
            pipes: std::mem::take(&mut self.pipes),
            log: std::mem::take(&mut self.log),
            deliveries: self.deliveries,
            warnings: std::mem::take(&mut self.warnings),
            next_message: self.next_message,
            next_tag: self.next_tag,
            ..Self::new()
        };
    }

    fn pipe(&mut self) -> Result<PipeId, PipeError> {
        if !self.running {
            return Err(PipeError::NotRunning);
        }
        self.pipes_made += 1;
        let id = PipeId::new(self.pipes_made);
        self.pipes.push(PipeModel {
            router: self.router,
            run: self.run,
            id,
            open: true,
            sender: SenderState::Ready,
            listeners: Vec::new(),
            queued: 0,
            routed: 0,
            parked: None,
        });
        Ok(id)
    }

    fn close_pipe(&mut self, index: usize) -> Result<(), ClosePipeError> {
        let pipe = &mut self.pipes[index];
        if !self.running {
            return Err(ClosePipeError::NotRunning { pipe: pipe.id });
        }
        if pipe.router != self.router {
            return Err(ClosePipeError::Foreign { pipe: pipe.id });
        }
        if !pipe.open {
            return Err(ClosePipeError::NotOpen { pipe: pipe.id });
        }
        pipe.open = false;
        Ok(())
    }

    fn sender_start(&mut self, index: usize) -> Result<(), SenderStartError> {
        let pipe = &mut self.pipes[index];
        match pipe.sender {
            SenderState::Ready => {
                pipe.sender = SenderState::Open;
                Ok(())
            }
            SenderState::Open => Err(SenderStartError::AlreadyStarted { pipe: pipe.id }),
            SenderState::Stopped => Err(SenderStartError::Stopped { pipe: pipe.id }),
            SenderState::Dropped => unreachable!("dropped senders are skipped"),
        }
    }

    fn sender_stop(&mut self, index: usize) -> Result<(), SenderStopError> {
        let pipe = &mut self.pipes[index];
        match pipe.sender {
            SenderState::Open => {
                pipe.sender = SenderState::Stopped;
                self.post(index, SenderEnd::Stopped);
                Ok(())
            }
            SenderState::Ready => Err(SenderStopError::NotStarted { pipe: pipe.id }),
            SenderState::Stopped => Err(SenderStopError::Stopped { pipe: pipe.id }),
            SenderState::Dropped => unreachable!("dropped senders are skipped"),
        }
    }

    /// Drops the sender of pipe `index`: it ends, unless it was stopped.
    fn drop_sender(&mut self, index: usize) {
        let was = std::mem::replace(&mut self.pipes[index].sender, SenderState::Dropped);
        if matches!(was, SenderState::Ready | SenderState::Open) {
            self.post(index, SenderEnd::Dropped);
        }
    }

    /// The sender of pipe `index` ended: if its run is on, the end is
    /// noted and wakes the router as a send does.
    fn post(&mut self, index: usize, end: SenderEnd) {
        let pipe = &self.pipes[index];
        if pipe.router == self.router && self.running && pipe.run == self.run {
            self.notes.push_back((index, end, pipe.queued));
            self.wake();
        }
    }

    /// Pings if no ping is on its way; a manual router has silenced its
    /// senders.
    fn wake(&mut self) {
        if !self.gate_held && !self.manual {
            self.gate_held = true;
            self.ping_queued = true;
        }
    }

    /// The router acts on the notes taken (between messages, at a turn's
    /// end, when idle): an end is told now if its pipe's queued messages
    /// are all routed, else parked until the last of them is (E1, E3); a
    /// pipe closed meanwhile is told nothing.
    fn act_on_notes(&mut self) {
        while let Some((index, end, queued)) = self.notes.pop_front() {
            let pipe = &mut self.pipes[index];
            if !pipe.open {
                continue;
            }
            if pipe.routed >= queued {
                self.log.push(Entry::Ended { pipe: index, end });
            } else {
                pipe.parked = Some((end, queued));
            }
        }
    }

    /// The message the next send carries.
    fn message(&mut self) -> u64 {
        self.next_message += 1;
        self.next_message
    }

    fn send(&mut self, index: usize, message: u64) -> Result<(), SendError<u64>> {
        let pipe = &self.pipes[index];
        let kind = match pipe.sender {
            SenderState::Ready => SendErrorKind::NotStarted,
            SenderState::Stopped => SendErrorKind::Stopped,
            SenderState::Dropped => unreachable!("dropped senders are skipped"),
            SenderState::Open => {
                if pipe.router == self.router && self.running && pipe.run == self.run {
                    self.queue.push_back((index, message));
                    self.pipes[index].queued += 1;
                    self.wake();
                    return Ok(());
                }
                SendErrorKind::Disconnected(Disconnect::RouterStopped)
            }
        };
        Err(SendError::new(pipe.id, kind, message))
    }

    /// Whether the sender of pipe `index` would send successfully now.
    fn can_send(&self, index: usize) -> bool {
        let pipe = &self.pipes[index];
        pipe.sender == SenderState::Open
            && pipe.router == self.router
            && self.running
            && pipe.run == self.run
    }

    /// Connects a listener to pipe `index`; returns its tag.
    fn connect(&mut self, index: usize, act: Act) -> u64 {
        self.next_tag += 1;
        let tag = self.next_tag;
        self.pipes[index].listeners.push(ListenerModel {
            tag,
            act,
            connected: true,
        });
        tag
    }

    fn disconnect(&mut self, index: usize, tag: u64) -> bool {
        let listener = self.pipes[index]
            .listeners
            .iter_mut()
            .find(|listener| listener.tag == tag)
            .unwrap();
        std::mem::replace(&mut listener.connected, false)
    }

    /// Routes one queued message (R7, R8, V1, R11).
    fn route(&mut self, (index, message): (usize, u64)) {
        let pipe = &self.pipes[index];
        if !pipe.open {
            self.discard(pipe.id);
            return;
        }
        self.stats.routed += 1;
        // The listeners connected when the dispatch begins get the message,
        // whatever they change meanwhile.
        let snapshot: Vec<_> = pipe
            .listeners
            .iter()
            .filter(|listener| listener.connected)
            .map(|listener| (listener.tag, listener.act))
            .collect();
        self.pipes[index].routed += 1;
        for (tag, act) in snapshot {
            self.log.push(Entry::Delivered {
                pipe: index,
                listener: tag,
                message,
            });
            self.deliveries += 1;
            let outcome = match act {
                Act::Nothing => continue,
                Act::ClosePipe => Outcome::Closed(self.close_pipe(index)),
                Act::DisconnectItself => Outcome::Disconnected(self.disconnect(index, tag)),
                Act::ConnectAnother => Outcome::Connected(self.connect(index, Act::Nothing)),
                Act::StopRouter => Outcome::Stopped(self.stop()),
            };
            self.log.push(Entry::Acted {
                listener: tag,
                outcome,
            });
        }
        // An end parked for this message is told after its listeners,
        // unless one of them closed the pipe (E1, E3).
        let pipe = &mut self.pipes[index];
        if pipe.open
            && let Some((end, queued)) = pipe.parked
            && pipe.routed >= queued
        {
            pipe.parked = None;
            self.log.push(Entry::Ended { pipe: index, end });
        }
    }

    fn discard(&mut self, pipe: PipeId) {
        self.stats.dropped += 1;
        match &mut self.discarding {
            Some((current, more)) if *current == pipe => *more += 1,
            _ => {
                self.flush_discards();
                self.warnings
                    .push(format!("discarding message from closed pipe {pipe}"));
                self.discarding = Some((pipe, 0));
            }
        }
    }

    fn flush_discards(&mut self) {
        if let Some((pipe, more)) = self.discarding.take()
            && more > 0
        {
            self.warnings.push(format!(
                "discarded {more} more messages from closed pipe {pipe}"
            ));
        }
    }

    /// R9: routes one message at a time until `more` further deliveries.
    fn route_until(&mut self, more: usize, timeout: Option<Duration>) -> Result<(), RouteError> {
        if !self.running {
            return Err(RouteError::NotRunning);
        }
        self.manual = true;
        let target = self.deliveries + more;
        if self.deliveries >= target {
            return Ok(());
        }
        let mut since_notes = 0;
        let result = loop {
            // A listener may have stopped the router.
            if !self.running {
                break Err(RouteError::NotRunning);
            }
            let Some(queued) = self.queue.pop_front() else {
                if !self.notes.is_empty() {
                    // Acted on, then the condition is asked (it holds no
                    // more than before: ends are not deliveries).
                    self.act_on_notes();
                    continue;
                }
                break Err(TimedOut::after(timeout.unwrap_or(Duration::MAX)).into());
            };
            self.route(queued);
            since_notes += 1;
            if since_notes == NOTES_EVERY {
                since_notes = 0;
                self.act_on_notes();
            }
            if self.deliveries >= target {
                break Ok(());
            }
        };
        self.flush_discards();
        result
    }

    /// Whether `route_until(more, None)` returns without waiting.
    fn route_until_returns(&self, more: usize) -> bool {
        let mut trial = self.clone();
        !matches!(
            trial.route_until(more, Some(Duration::ZERO)),
            Err(RouteError::TimedOut(_))
        )
    }

    /// The event loop runs the router's queued ping, if any (R10).
    fn run_pending(&mut self) {
        if !std::mem::take(&mut self.ping_queued) {
            return;
        }
        self.stats.pings += 1;
        let run = self.run;
        let mut routed = 0;
        loop {
            // The turn ends when the run it belongs to is over, or the
            // router went manual (then the gate stays held for good).
            if !self.running || self.run != run || self.manual {
                break;
            }
            let Some(queued) = self.queue.pop_front() else {
                self.gate_held = false;
                self.act_on_notes();
                break;
            };
            self.route(queued);
            routed += 1;
            if routed >= self.budget {
                // A turn that stops with messages queued acts on the notes
                // first (E3).
                self.act_on_notes();
                // Budget spent with the gate held: ping again, if the run
                // is still on.
                if self.running && self.run == run && !self.manual {
                    self.ping_queued = true;
                }
                break;
            }
            if routed % NOTES_EVERY == 0 {
                // Between messages, every few dozen (E3).
                self.act_on_notes();
            }
        }
        self.flush_discards();
    }

    fn open_pipes(&self) -> usize {
        self.pipes
            .iter()
            .filter(|pipe| pipe.router == self.router && pipe.open)
            .count()
    }
}

// ---------------------------------------------------------------------
// The real thing
// ---------------------------------------------------------------------

type RealRouter<B> = Router<B, u64>;
type RealSender<B> = <RealRouter<B> as MessageRouter<u64>>::Sender;

/// What every listener closure shares.
#[derive(Default)]
struct Journal {
    log: RefCell<Vec<Entry>>,
    deliveries: Cell<usize>,
    next_tag: Cell<u64>,
}

/// A pipe's foreground end, as its listeners see it.
#[derive(Clone)]
struct PipeEnd {
    index: usize,
    receiver: Weak<PipeReceiver<u64>>,
    /// `(tag, id)` of every listener ever connected, in order.
    listeners: Rc<RefCell<Vec<(u64, ListenerId)>>>,
}

impl PipeEnd {
    /// Connects a listener that logs and then does `act`; returns its tag.
    fn connect<B: Backend>(
        &self,
        journal: &Rc<Journal>,
        router: &Weak<RealRouter<B>>,
        act: Act,
    ) -> u64 {
        let receiver = self
            .receiver
            .upgrade()
            .expect("the test keeps every receiver");
        let tag = journal.next_tag.get() + 1;
        journal.next_tag.set(tag);
        let listener = {
            let (journal, router, end) = (Rc::clone(journal), router.clone(), self.clone());
            move |message: &u64| end.heard::<B>(&journal, &router, tag, act, *message)
        };
        let id = receiver.connect(listener);
        self.listeners.borrow_mut().push((tag, id));
        tag
    }

    fn heard<B: Backend>(
        &self,
        journal: &Rc<Journal>,
        router: &Weak<RealRouter<B>>,
        tag: u64,
        act: Act,
        message: u64,
    ) {
        journal.log.borrow_mut().push(Entry::Delivered {
            pipe: self.index,
            listener: tag,
            message,
        });
        journal.deliveries.set(journal.deliveries.get() + 1);
        let (Some(router), Some(receiver)) = (router.upgrade(), self.receiver.upgrade()) else {
            return;
        };
        let outcome = match act {
            Act::Nothing => return,
            Act::ClosePipe => Outcome::Closed(router.close_pipe(&receiver)),
            Act::DisconnectItself => {
                let id = self.id_of(tag);
                Outcome::Disconnected(receiver.disconnect(id))
            }
            Act::ConnectAnother => Outcome::Connected(self.connect::<B>(
                journal,
                &Rc::downgrade(&router),
                Act::Nothing,
            )),
            Act::StopRouter => Outcome::Stopped(router.stop()),
        };
        journal.log.borrow_mut().push(Entry::Acted {
            listener: tag,
            outcome,
        });
    }

    fn id_of(&self, tag: u64) -> ListenerId {
        self.listeners
            .borrow()
            .iter()
            .find(|(known, _)| *known == tag)
            .map(|(_, id)| *id)
            .expect("every listener is recorded when connected")
    }
}

struct RealPipe<B: Backend> {
    sender: Option<RealSender<B>>,
    // Kept alive here; listeners hold it weakly.
    receiver: Rc<PipeReceiver<u64>>,
    end: PipeEnd,
}

struct Real<B: Backend> {
    event_loop: DefaultEventLoop,
    router: Rc<RealRouter<B>>,
    pipes: Vec<RealPipe<B>>,
    journal: Rc<Journal>,
}

/// Fails the case, naming the step, the call and what differs.
macro_rules! agree {
    ($step:expr, $op:expr, $what:literal, $real:expr, $model:expr $(,)?) => {{
        let (real, model) = (&$real, &$model);
        prop_assert_eq!(
            real,
            model,
            "step {} ({:?}): {}: the router (left) and the model (right) disagree",
            $step,
            $op,
            $what
        );
    }};
}

fn pick(index: &Index, len: usize) -> Option<usize> {
    (len > 0).then(|| index.index(len))
}

fn run_case<B: Backend>(ops: &[Op]) -> Result<(), TestCaseError> {
    let event_loop = DefaultEventLoop::new();
    let mut real = Real::<B> {
        router: Rc::new(B::router(&event_loop)),
        event_loop,
        pipes: Vec::new(),
        journal: Rc::default(),
    };
    let mut model = Model::new();
    for (step, op) in ops.iter().enumerate() {
        let warned_before = model.warnings.len();
        let (outcome, captured) = capture(|| apply(&mut real, &mut model, op));
        outcome.map_err(|error| TestCaseError::fail(format!("step {step} ({op:?}): {error}")))?;
        let warnings: Vec<_> = captured
            .warnings()
            .map(|event| event.message.clone())
            .collect();
        agree!(
            step,
            op,
            "the warnings",
            warnings,
            model.warnings[warned_before..]
        );
        agree!(
            step,
            op,
            "the listeners' log",
            *real.journal.log.borrow(),
            model.log
        );
        agree!(step, op, "stats()", real.router.stats(), model.stats);
        agree!(
            step,
            op,
            "is_running()",
            real.router.is_running(),
            model.running
        );
        agree!(
            step,
            op,
            "is_manual()",
            real.router.is_manual(),
            model.manual
        );
        agree!(
            step,
            op,
            "open_pipes()",
            real.router.open_pipes(),
            model.open_pipes()
        );
        for (index, pipe) in model.pipes.iter().enumerate() {
            let connected = pipe.listeners.iter().filter(|l| l.connected).count();
            agree!(
                step,
                op,
                "a receiver's listener_count()",
                real.pipes[index].receiver.listener_count(),
                connected
            );
        }
    }
    Ok(())
}

/// What a call returned, for comparing results whose errors may hold a
/// backend's boxed cause (and so are not `PartialEq`): their `Debug`
/// names every variant and field.
fn shown(result: impl std::fmt::Debug) -> String {
    format!("{result:?}")
}

/// Makes the call on both sides and compares what each returned.
fn apply<B: Backend>(real: &mut Real<B>, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let live_sender = |model: &Model, index: &Index| {
        pick(index, model.pipes.len()).filter(|&i| model.pipes[i].sender != SenderState::Dropped)
    };
    match op {
        Op::Start => prop_assert_eq!(shown(real.router.start()), shown(model.start())),
        Op::Stop => prop_assert_eq!(real.router.stop(), model.stop()),
        Op::Pipe { start, listen } => match (real.router.pipe(), model.pipe()) {
            (Ok((mut sender, receiver)), Ok(id)) => {
                prop_assert_eq!(sender.pipe_id(), id);
                prop_assert_eq!(receiver.pipe_id(), id);
                let index = real.pipes.len();
                if *start {
                    prop_assert_eq!(shown(sender.start()), shown(model.sender_start(index)));
                }
                {
                    let journal = Rc::clone(&real.journal);
                    receiver.on_end(move |end: &SenderEnd| {
                        journal.log.borrow_mut().push(Entry::Ended {
                            pipe: index,
                            end: *end,
                        });
                    });
                }
                let receiver = Rc::new(receiver);
                let end = PipeEnd {
                    index,
                    receiver: Rc::downgrade(&receiver),
                    listeners: Rc::default(),
                };
                if *listen {
                    let tag =
                        end.connect::<B>(&real.journal, &Rc::downgrade(&real.router), Act::Nothing);
                    prop_assert_eq!(tag, model.connect(index, Act::Nothing));
                }
                real.pipes.push(RealPipe {
                    sender: Some(sender),
                    receiver,
                    end,
                });
            }
            (made, expected) => prop_assert_eq!(made.map(|_| ()), expected.map(|_| ())),
        },
        Op::ClosePipe(index) => {
            if let Some(i) = pick(index, model.pipes.len()) {
                prop_assert_eq!(
                    real.router.close_pipe(&real.pipes[i].receiver),
                    model.close_pipe(i)
                );
            }
        }
        Op::SenderStart(index) => {
            if let Some(i) = live_sender(model, index) {
                let sender = real.pipes[i].sender.as_mut().unwrap();
                prop_assert_eq!(shown(sender.start()), shown(model.sender_start(i)));
            }
        }
        Op::SenderStop(index) => {
            if let Some(i) = live_sender(model, index) {
                let sender = real.pipes[i].sender.as_mut().unwrap();
                prop_assert_eq!(sender.stop(), model.sender_stop(i));
            }
        }
        Op::Send { sender, live } => {
            let live_now: Vec<_> = (0..model.pipes.len())
                .filter(|&i| model.can_send(i))
                .collect();
            let chosen = if *live && !live_now.is_empty() {
                Some(live_now[sender.index(live_now.len())])
            } else {
                live_sender(model, sender)
            };
            if let Some(i) = chosen {
                let message = model.message();
                let sender = real.pipes[i].sender.as_mut().unwrap();
                let sent = sender.send(message);
                let expected = model.send(i, message);
                prop_assert_eq!(shown(&sent), shown(&expected));
                prop_assert_eq!(
                    sent.map_err(SendError::into_message),
                    expected.map_err(SendError::into_message)
                );
            }
        }
        Op::DropSender(index) => {
            if let Some(i) = live_sender(model, index) {
                drop(real.pipes[i].sender.take());
                model.drop_sender(i);
            }
        }
        Op::Connect(index, act) => {
            if let Some(i) = pick(index, model.pipes.len()) {
                let router = Rc::downgrade(&real.router);
                let tag = real.pipes[i].end.connect::<B>(&real.journal, &router, *act);
                prop_assert_eq!(tag, model.connect(i, *act));
            }
        }
        Op::Disconnect(index, listener) => {
            if let Some(i) = pick(index, model.pipes.len())
                && let Some(l) = pick(listener, model.pipes[i].listeners.len())
            {
                let (tag, id) = real.pipes[i].end.listeners.borrow()[l];
                let disconnected = real.pipes[i].receiver.disconnect(id);
                prop_assert_eq!(disconnected, model.disconnect(i, tag));
            }
        }
        Op::RouteUntil { more, timeout } => {
            let timeout = match timeout {
                Wait::Zero => Some(Duration::ZERO),
                Wait::OneMilli => Some(Duration::from_millis(1)),
                Wait::Unlimited if model.route_until_returns(*more) => None,
                Wait::Unlimited => Some(Duration::from_millis(1)),
            };
            let target = real.journal.deliveries.get() + more;
            let journal = Rc::clone(&real.journal);
            let routed = real
                .router
                .route_until(|| journal.deliveries.get() >= target, timeout);
            prop_assert_eq!(routed, model.route_until(*more, timeout));
        }
        Op::RunPending => {
            real.event_loop.run_pending();
            model.run_pending();
        }
        Op::SetBudget(max_messages) => {
            real.router.set_drain_budget(DrainBudget {
                max_messages: *max_messages,
                ..DrainBudget::default()
            });
            model.budget = *max_messages;
        }
        Op::DropRouter => {
            let fresh = Rc::new(B::router(&real.event_loop));
            drop(std::mem::replace(&mut real.router, fresh));
            model.drop_router();
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------

fn check<B: Backend>(cases: u32) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    if let Err(failure) = runner.run(&ops(), |ops| run_case::<B>(&ops)) {
        panic!("{}: {failure}", B::NAME);
    }
}

/// How many cases to run: `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

fn random_calls_agree_with_the_model<B: Backend>() {
    check::<B>(cases(256));
}

fn deep_random_calls_agree_with_the_model<B: Backend>() {
    let started = std::time::Instant::now();
    let cases = cases(10_000);
    check::<B>(cases);
    eprintln!(
        "{}: {cases} random call sequences agreed with the model in {:.1?}",
        B::NAME,
        started.elapsed()
    );
}

router_reliability::for_each_backend! {
    random_calls_agree_with_the_model;
    #[ignore = "deep: 10 000 cases per backend; run with --ignored"]
    deep_random_calls_agree_with_the_model;
}
