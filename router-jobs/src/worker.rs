//! The worker's side of a job: what its body is handed (a [`Cancel`], a
//! [`Progress`], an [`Items`]) and the frame every job runs in on a pool
//! thread.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};

use router_api::MessageSender;

use crate::{Cancelled, Carries, Outcome};

/// What tells a job's body that the foreground cancelled it: the sender
/// of the job's cancel pipe, which the foreground closes on `cancel()`,
/// so it holds for a worker in another process too (C1).
pub struct Cancel {
    probe: Box<dyn Fn() -> bool>,
}

impl Cancel {
    fn new<M, S: MessageSender<M>>(sender: S) -> Self {
        Self {
            probe: Box::new(move || sender.is_closed()),
        }
    }

    /// Whether the job was cancelled (or its executor stopped): one atomic
    /// load, cheap enough to ask per item of a loop.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        (self.probe)()
    }

    /// `Err(Cancelled)` once the job was cancelled, for `?` in a body.
    ///
    /// # Errors
    ///
    /// [`Cancelled`] once the job was cancelled.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

impl fmt::Debug for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancel")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// Where a body's reports go: a pipe's sender, with the carrier that
/// packs them.
trait Sink<T> {
    /// Sends `value`; `Err` when nothing will route it any more.
    fn send(&mut self, value: T) -> Result<(), Cancelled>;
    /// Ends the pipe, after every value sent.
    fn finish(&mut self);
}

struct PipeSink<M, S, T> {
    sender: S,
    _carried: PhantomData<fn(T) -> M>,
}

impl<M, S, T> Sink<T> for PipeSink<M, S, T>
where
    S: MessageSender<M>,
    M: Carries<T>,
{
    fn send(&mut self, value: T) -> Result<(), Cancelled> {
        let message = match M::pack(value) {
            Ok(message) => message,
            Err(error) => {
                tracing::warn!(pipe = %self.sender.pipe_id(), %error, "a job's report cannot travel; it is dropped");
                return Ok(());
            }
        };
        // A pipe that cannot take it any more (closed, its router
        // stopped) is a job nobody waits for.
        self.sender.send(message).map_err(|_| Cancelled)
    }

    fn finish(&mut self) {
        let _ = self.sender.stop();
    }
}

/// Starts `sender` for a body's reports.
fn sink<M, S, T>(mut sender: S) -> RefCell<Box<dyn Sink<T>>>
where
    S: MessageSender<M>,
    M: Carries<T> + 'static,
    T: 'static,
{
    if let Err(error) = sender.start() {
        tracing::debug!(%error, "a job's report pipe did not start");
    }
    RefCell::new(Box::new(PipeSink {
        sender,
        _carried: PhantomData,
    }))
}

/// What a progress job's body reports through: a latest-value pipe, so a
/// burst of reports wakes the foreground once and it sees the newest
/// (J2); the last report before the body returns always reaches the
/// foreground before the job's final state.
pub struct Progress<P> {
    cancel: Cancel,
    sink: RefCell<Box<dyn Sink<P>>>,
}

impl<P: 'static> Progress<P> {
    pub(crate) fn new<M, S>(cancel: Cancel, sender: S) -> Self
    where
        S: MessageSender<M>,
        M: Carries<P> + 'static,
    {
        Self {
            cancel,
            sink: sink(sender),
        }
    }

    /// Reports `value`, replacing a report the foreground has not taken
    /// yet.
    ///
    /// # Errors
    ///
    /// [`Cancelled`] once the job was cancelled: the value reaches no one.
    pub fn report(&self, value: P) -> Result<(), Cancelled> {
        self.cancel.check()?;
        self.sink.borrow_mut().send(value)
    }

    /// As [`Cancel::check`].
    ///
    /// # Errors
    ///
    /// [`Cancelled`] once the job was cancelled.
    pub fn check(&self) -> Result<(), Cancelled> {
        self.cancel.check()
    }

    /// The job's cancel signal, to hand to code that takes a [`Cancel`].
    #[must_use]
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    pub(crate) fn finish(&self) {
        self.sink.borrow_mut().finish();
    }
}

impl<P> fmt::Debug for Progress<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Progress")
            .field("cancel", &self.cancel)
            .finish_non_exhaustive()
    }
}

/// What an items job's body yields through: a bounded pipe, so a body
/// that runs ahead of the foreground waits for room (J3).
pub struct Items<I> {
    cancel: Cancel,
    sink: RefCell<Box<dyn Sink<I>>>,
}

impl<I: 'static> Items<I> {
    pub(crate) fn new<M, S>(cancel: Cancel, sender: S) -> Self
    where
        S: MessageSender<M>,
        M: Carries<I> + 'static,
    {
        Self {
            cancel,
            sink: sink(sender),
        }
    }

    /// Sends `item`, waiting while the pipe is full.
    ///
    /// # Errors
    ///
    /// [`Cancelled`] once the job was cancelled, also when that happened
    /// while this call waited for room: the item reaches no one.
    pub fn send(&self, item: I) -> Result<(), Cancelled> {
        self.cancel.check()?;
        self.sink.borrow_mut().send(item)?;
        // A cancel during the wait: the foreground drops what comes after
        // it, this item included.
        self.cancel.check()
    }

    /// As [`Cancel::check`].
    ///
    /// # Errors
    ///
    /// [`Cancelled`] once the job was cancelled.
    pub fn check(&self) -> Result<(), Cancelled> {
        self.cancel.check()
    }

    /// The job's cancel signal, to hand to code that takes a [`Cancel`].
    #[must_use]
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    pub(crate) fn finish(&self) {
        self.sink.borrow_mut().finish();
    }
}

impl<I> fmt::Debug for Items<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("cancel", &self.cancel)
            .finish_non_exhaustive()
    }
}

/// The senders of one job's pipes, handed to whatever runs the job: a
/// pool thread here, or a worker elsewhere that rebuilt them (a child
/// process, from their tokens). `run_call`, `run_progress` and
/// `run_items` run a body in the frame every job runs in (J1, J4, J5).
#[derive(Debug)]
pub struct JobSenders<S> {
    /// The outcome pipe's sender: the worker's words (started, then the
    /// last one).
    pub outcome: S,
    /// The cancel pipe's sender, never sent on: the foreground closes the
    /// pipe to cancel, and the worker asks `is_closed` (C1, C2).
    pub cancel: S,
    /// The report pipe's sender (latest-value for progress, bounded for
    /// items), if the job has one.
    pub report: Option<S>,
}

impl<S> JobSenders<S> {
    /// Runs a call's `body` in the job's frame.
    pub fn run_call<M, T, E>(self, body: impl FnOnce(&Cancel) -> Result<T, E>)
    where
        S: MessageSender<M>,
        M: Carries<Outcome<T, E>>,
    {
        let cancel = Cancel::new(self.cancel);
        run(self.outcome, &cancel, || body(&cancel), || {});
    }

    /// Runs a progress job's `body` in the job's frame, its reports going
    /// to the report pipe.
    pub fn run_progress<M, P, T, E>(self, body: impl FnOnce(&Progress<P>) -> Result<T, E>)
    where
        S: MessageSender<M>,
        M: Carries<Outcome<T, E>> + Carries<P> + 'static,
        P: 'static,
    {
        let Some(report) = self.report else {
            // Dropped un-run: the job fails as lost (J5).
            tracing::warn!(pipe = %self.outcome.pipe_id(), "a progress job came without its report pipe");
            return;
        };
        let progress = Progress::new(Cancel::new(self.cancel), report);
        run(
            self.outcome,
            progress.cancel(),
            || body(&progress),
            || progress.finish(),
        );
    }

    /// Runs an items job's `body` in the job's frame, its items going to
    /// the report pipe.
    pub fn run_items<M, I, T, E>(self, body: impl FnOnce(&Items<I>) -> Result<T, E>)
    where
        S: MessageSender<M>,
        M: Carries<Outcome<T, E>> + Carries<I> + 'static,
        I: 'static,
    {
        let Some(report) = self.report else {
            tracing::warn!(pipe = %self.outcome.pipe_id(), "an items job came without its report pipe");
            return;
        };
        let items = Items::new(Cancel::new(self.cancel), report);
        run(
            self.outcome,
            items.cancel(),
            || body(&items),
            || items.finish(),
        );
    }
}

/// Runs one job on a pool thread: says it started, runs `body` (unless the
/// job was cancelled first: then it says `Abandoned` and the body never
/// runs), calls `finish_reports` (the report pipe's end comes after its
/// last value), then says the body's last word. A panic in the body is
/// caught and said as `Panicked`; the pool thread goes on.
fn run<M, S, T, E>(
    outcome: S,
    cancel: &Cancel,
    body: impl FnOnce() -> Result<T, E>,
    finish_reports: impl FnOnce(),
) where
    S: MessageSender<M>,
    M: Carries<Outcome<T, E>>,
{
    let mut outcome = outcome;
    if let Err(error) = outcome.start() {
        // Dropped un-started, it ends its pipe: the job fails as lost.
        tracing::debug!(%error, "a job's outcome pipe did not start");
        finish_reports();
        return;
    }
    if cancel.is_cancelled() {
        finish_reports();
        say(&mut outcome, Outcome::Abandoned);
    } else {
        say(&mut outcome, Outcome::Started);
        let result = panic::catch_unwind(AssertUnwindSafe(body));
        finish_reports();
        say(
            &mut outcome,
            match result {
                Ok(Ok(value)) => Outcome::Returned(value),
                Ok(Err(error)) => Outcome::Raised(error),
                Err(payload) => Outcome::Panicked(panic_message(&*payload)),
            },
        );
    }
    let _ = outcome.stop();
}

fn say<M, S, T, E>(outcome: &mut S, said: Outcome<T, E>)
where
    S: MessageSender<M>,
    M: Carries<Outcome<T, E>>,
{
    match M::pack(said) {
        Ok(message) => {
            if let Err(error) = outcome.send(message) {
                // The foreground is gone (the executor dropped): nobody
                // waits for the word.
                tracing::debug!(%error, "a job's word was not delivered");
            }
        }
        Err(error) => {
            tracing::warn!(pipe = %outcome.pipe_id(), %error, "a job's word cannot travel; the job will fail as lost");
        }
    }
}

/// The message of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic whose payload is not text".to_owned()
    }
}
