//! The executor: submits jobs to a pool, gives each its pipes on one
//! router, and keeps the live ones until they are done.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::rc::{Rc, Weak};
use std::time::Duration;

use router_api::{MessageRouter, RouteError, RouterStartError};

use crate::core::{JobCore, JobId, LiveJob, Registry};
use crate::pool::{Pool, Task};
use crate::worker::{Cancel, Items, JobSenders, Progress};
use crate::{Carries, ExecutorState, Job, JobMessage, Outcome, ShutdownError, SubmitError};

/// Runs jobs on a pool of worker threads and reports each on the
/// foreground thread, through one router (see the crate docs).
///
/// `Rt` is the router, of message type `M` ([`JobMessage`] for jobs in
/// this process): the executor owns it, starts it, and stops it when it
/// has stopped. One executor runs jobs of any result, progress and item
/// types. It is neither `Send` nor `Sync`: jobs are submitted from the
/// foreground thread, which routes their messages, and a worker that
/// tries to submit does not compile.
///
/// Dropping an executor with jobs live cancels them, closes their pipes
/// (a job's handle then says [`Cancelled`](crate::JobState::Cancelled))
/// and stops the router; workers still running find their pipes gone.
/// [`shutdown`](Self::shutdown) first to wait for them.
pub struct Executor<Rt, M = JobMessage>
where
    Rt: MessageRouter<M> + 'static,
    M: 'static,
{
    core: Rc<Core<Rt, M>>,
}

/// The report pipe a job gets ([`Executor::submit_with`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ReportPipe {
    /// None: a call.
    None,
    /// A latest-value pipe: a progress job's.
    Latest,
    /// A bounded pipe of `capacity`: an items job's.
    Bounded {
        /// How many items may wait unrouted.
        capacity: usize,
    },
}

/// A callback of the executor's state changes.
type StateListener = Rc<dyn Fn(ExecutorState)>;

/// An executor's state, shared with its jobs (which tell it when they are
/// done).
struct Core<Rt, M> {
    router: Rt,
    pool: Box<dyn Pool>,
    state: Cell<ExecutorState>,
    live: RefCell<BTreeMap<JobId, Rc<dyn LiveJob>>>,
    next: Cell<JobId>,
    on_state: RefCell<Vec<StateListener>>,
    _message: PhantomData<fn(M)>,
}

impl<Rt, M> Executor<Rt, M>
where
    Rt: MessageRouter<M> + 'static,
    M: 'static,
{
    /// An executor that routes through `router` (started here if it is
    /// not running) and runs jobs on `pool`.
    ///
    /// # Errors
    ///
    /// The router's own, if it was not running and did not start.
    pub fn new(router: Rt, pool: impl Pool + 'static) -> Result<Self, RouterStartError> {
        if !router.is_running() {
            router.start()?;
        }
        Ok(Self {
            core: Rc::new(Core {
                router,
                pool: Box::new(pool),
                state: Cell::new(ExecutorState::Running),
                live: RefCell::default(),
                next: Cell::new(1),
                on_state: RefCell::default(),
                _message: PhantomData,
            }),
        })
    }

    /// The executor's router, for its stats.
    #[must_use]
    pub fn router(&self) -> &Rt {
        &self.core.router
    }

    /// Where the executor is.
    #[must_use]
    pub fn state(&self) -> ExecutorState {
        self.core.state.get()
    }

    /// How many of its jobs are not done yet.
    #[must_use]
    pub fn live(&self) -> usize {
        self.core.live.borrow().len()
    }

    /// Calls `listener` with each state the executor enters from now on.
    pub fn on_state(&self, listener: impl Fn(ExecutorState) + 'static) {
        self.core.on_state.borrow_mut().push(Rc::new(listener));
    }

    /// Submits a call: `body` runs once on a worker thread and returns the
    /// job's value or error (J1). It is handed a [`Cancel`] to check.
    ///
    /// # Errors
    ///
    /// [`SubmitError::NotRunning`] once the executor is stopping,
    /// [`SubmitError::Pipe`] if the router makes no pipe,
    /// [`SubmitError::PoolClosed`] if the pool takes no more work.
    pub fn submit_call<T, E, F>(&self, body: F) -> Result<Job<T, E>, SubmitError>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: FnOnce(&Cancel) -> Result<T, E> + Send + 'static,
        M: Carries<Outcome<T, E>> + Carries<()>,
    {
        self.submit_with::<T, E, (), _>(ReportPipe::None, move |senders| {
            senders.run_call(body);
        })
    }

    /// Submits a progress job: `body` reports values of type `P` through
    /// its [`Progress`], a latest-value pipe, so a burst wakes the
    /// foreground once, the newest value is the one seen, and the last one
    /// before the body returns is never lost (J2). Listen with
    /// [`Job::on_report`].
    ///
    /// # Errors
    ///
    /// As [`submit_call`](Self::submit_call).
    pub fn submit_progress<P, T, E, F>(&self, body: F) -> Result<Job<T, E, P>, SubmitError>
    where
        P: Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
        F: FnOnce(&Progress<P>) -> Result<T, E> + Send + 'static,
        M: Carries<Outcome<T, E>> + Carries<P>,
    {
        self.submit_with::<T, E, P, _>(ReportPipe::Latest, move |senders| {
            senders.run_progress(body);
        })
    }

    /// Submits an items job: `body` yields values of type `I` through its
    /// [`Items`], a bounded pipe of `capacity`, so a body that runs ahead
    /// of the foreground waits for room, and a cancel wakes it (J3).
    /// Listen with [`Job::on_report`].
    ///
    /// # Errors
    ///
    /// As [`submit_call`](Self::submit_call); [`SubmitError::Pipe`] for a
    /// capacity of 0.
    pub fn submit_items<I, T, E, F>(
        &self,
        capacity: usize,
        body: F,
    ) -> Result<Job<T, E, I>, SubmitError>
    where
        I: Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
        F: FnOnce(&Items<I>) -> Result<T, E> + Send + 'static,
        M: Carries<Outcome<T, E>> + Carries<I>,
    {
        self.submit_with::<T, E, I, _>(ReportPipe::Bounded { capacity }, move |senders| {
            senders.run_items(body);
        })
    }

    /// Submits a job whose body runs wherever `work` sends it: makes the
    /// job's pipes (and a report pipe of `report`) and its handle, and
    /// hands `work` the pipes' senders, on the pool. For a worker
    /// elsewhere (a child process): `work` ships the senders (as tokens)
    /// to it, and the worker runs the body with the senders' `run_*`; the
    /// three `submit_*` above are this with a body run on the pool thread.
    ///
    /// # Errors
    ///
    /// As [`submit_call`](Self::submit_call).
    pub fn submit_with<T, E, R, W>(
        &self,
        report: ReportPipe,
        work: W,
    ) -> Result<Job<T, E, R>, SubmitError>
    where
        T: 'static,
        E: 'static,
        R: 'static,
        W: FnOnce(JobSenders<Rt::Sender>) + Send + 'static,
        M: Carries<Outcome<T, E>> + Carries<R>,
    {
        let state = self.core.state.get();
        if state != ExecutorState::Running {
            return Err(SubmitError::NotRunning { state });
        }
        let report = match report {
            ReportPipe::None => None,
            ReportPipe::Latest => Some(self.core.router.pipe_latest()?),
            ReportPipe::Bounded { capacity } => Some(self.core.router.pipe_bounded(capacity)?),
        };
        self.submit(report, move |outcome, cancel, report| {
            work(JobSenders {
                outcome,
                cancel,
                report,
            });
        })
    }

    /// Makes a job's pipes and its handle, and hands `work` (which gets the
    /// senders of the outcome, cancel and report pipes) to the pool.
    fn submit<T, E, R, W>(
        &self,
        report: Option<(Rt::Sender, Rt::Receiver)>,
        work: W,
    ) -> Result<Job<T, E, R>, SubmitError>
    where
        T: 'static,
        E: 'static,
        R: 'static,
        W: FnOnce(Rt::Sender, Rt::Sender, Option<Rt::Sender>) + Send + 'static,
        M: Carries<Outcome<T, E>> + Carries<R>,
    {
        let core = &self.core;
        let (outcome_tx, outcome_rx) = core.router.pipe()?;
        let (cancel_tx, cancel_rx) = core.router.pipe()?;
        let (report_tx, report_rx) = report.unzip();
        let id = core.next.get();
        core.next.set(id + 1);
        let registry: Weak<dyn Registry> = Rc::downgrade(core) as Weak<dyn Registry>;
        let job = JobCore::<T, E, R>::new(id, report_rx.is_some(), registry);
        job.attach(outcome_rx, report_rx, cancel_rx);
        let task = Task::new(move || work(outcome_tx, cancel_tx, report_tx));
        if core.pool.execute(task).is_err() {
            // The job's pipes close with its handle, here.
            return Err(SubmitError::PoolClosed);
        }
        core.live
            .borrow_mut()
            .insert(id, Rc::clone(&job) as Rc<dyn LiveJob>);
        Ok(Job::new(job))
    }

    /// Stops the executor (J7): cancels every live job, takes no new one,
    /// and returns at once. It is [`Stopping`](ExecutorState::Stopping)
    /// until the last job is done, then [`Stopped`](ExecutorState::Stopped)
    /// and its router is stopped. Nothing if it is stopping already.
    pub fn stop(&self) {
        self.core.stop();
    }

    /// Stops the executor and routes, through
    /// [`route_until`](MessageRouter::route_until), until no job is live or
    /// `timeout` passes (J7). That switches the router to manual mode for
    /// good: the application's loop routes it no more.
    ///
    /// # Errors
    ///
    /// [`ShutdownError::TimedOut`], with the number of jobs still live,
    /// when their bodies did not end in time; the executor stays
    /// stopping, its pool intact, and a later `shutdown` may finish it.
    /// [`ShutdownError::RouterStopped`] when its router was stopped under
    /// it.
    pub fn shutdown(&self, timeout: Duration) -> Result<(), ShutdownError> {
        let core = &self.core;
        core.stop();
        if core.state.get() == ExecutorState::Stopped {
            return Ok(());
        }
        let routed = core
            .router
            .route_until(|| core.state.get() == ExecutorState::Stopped, Some(timeout));
        let live = core.live.borrow().len();
        match routed {
            _ if core.state.get() == ExecutorState::Stopped => Ok(()),
            Err(RouteError::TimedOut(_)) => Err(ShutdownError::TimedOut { live, timeout }),
            Ok(()) | Err(_) => Err(ShutdownError::RouterStopped { live }),
        }
    }
}

impl<Rt, M> Core<Rt, M>
where
    Rt: MessageRouter<M> + 'static,
    M: 'static,
{
    fn enter(&self, state: ExecutorState) {
        self.state.set(state);
        let listeners = self.on_state.borrow().clone();
        for listener in listeners {
            listener(state);
        }
    }

    fn stop(&self) {
        if self.state.get() != ExecutorState::Running {
            return;
        }
        self.enter(ExecutorState::Stopping);
        self.each_live(|job| {
            job.cancel();
        });
        self.stop_if_idle();
    }

    /// Calls `act` on each live job, with no borrow of the map held: a job
    /// that `act` ends leaves it (and the last to leave stops the
    /// executor).
    fn each_live(&self, act: impl Fn(&dyn LiveJob)) {
        let ids: Vec<JobId> = self.live.borrow().keys().copied().collect();
        for id in ids {
            let job = self.live.borrow().get(&id).map(Rc::clone);
            if let Some(job) = job {
                act(&*job);
            }
        }
    }

    /// Stopping with no job live: stopped, and the router too.
    fn stop_if_idle(&self) {
        if self.state.get() == ExecutorState::Stopping && self.live.borrow().is_empty() {
            if let Err(error) = self.router.stop() {
                tracing::debug!(%error, "the executor's router was stopped already");
            }
            self.enter(ExecutorState::Stopped);
        }
    }
}

impl<Rt, M> Registry for Core<Rt, M>
where
    Rt: MessageRouter<M> + 'static,
    M: 'static,
{
    fn job_done(&self, id: JobId) {
        let done = self.live.borrow_mut().remove(&id);
        drop(done);
        self.stop_if_idle();
    }
}

impl<Rt, M> Drop for Executor<Rt, M>
where
    Rt: MessageRouter<M> + 'static,
    M: 'static,
{
    fn drop(&mut self) {
        let core = &self.core;
        if core.state.get() == ExecutorState::Running {
            core.state.set(ExecutorState::Stopping);
        }
        core.each_live(|job| job.abandon());
        core.stop_if_idle();
    }
}

impl<Rt, M> fmt::Debug for Executor<Rt, M>
where
    Rt: MessageRouter<M> + 'static,
    M: 'static,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor")
            .field("state", &self.core.state.get())
            .field("live", &self.core.live.borrow().len())
            .finish_non_exhaustive()
    }
}
