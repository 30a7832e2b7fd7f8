//! The child's side: its jobs, registered by name, and how one runs when
//! the parent asks for it.

use std::any::type_name;
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};

use router_api::MessageSender;
use router_jobs::{Cancel, Items, JobSenders, Progress};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::jobs::carrier::JobWire;
use crate::jobs::refusal::{JobKind, JobRefusal};
use crate::jobs::request::{Order, Signature};
use crate::sender::ProcessSender;
use crate::wire;

/// A job's senders in the child.
pub(crate) type Senders = JobSenders<ProcessSender<JobWire>>;

/// How a registered job runs, given its name, its arguments' bytes and its
/// senders: the body, or the arguments' refusal.
type Run = Box<dyn Fn(&str, &[u8], Senders) + Send + Sync>;

/// One registered job.
struct Registered {
    kind: JobKind,
    types: Signature,
    run: Run,
}

/// The jobs a child process runs, by name: what
/// [`serve`](crate::jobs::serve) runs when the parent submits a job of
/// that name ([`ChildJobs`](crate::jobs::ChildJobs)).
///
/// Each job is a function of its arguments (any `DeserializeOwned` type)
/// and of what router-jobs hands a body: a [`Cancel`] for a call, a
/// [`Progress`] for a progress job, an [`Items`] for an items job. Its
/// arguments, value, error, progress values and items travel between the
/// processes as postcard, so they are serde types, and the same ones (by
/// type name; a `&str` sent passes for a `String`) as the parent submits
/// and its job handle has: the child refuses a job submitted with other
/// types ([`JobRefusal`]), or of another kind, or of a name it does not
/// have, since postcard's bytes of one type may decode as another's,
/// wrongly.
///
/// ```
/// use router_jobs::Cancelled;
/// use router_process::jobs::JobRegistry;
///
/// let registry = JobRegistry::new()
///     .call("sum", |(from, to): (u64, u64), _cancel| Ok::<u64, String>((from..=to).sum()))
///     .progress("count", |to: u64, progress| {
///         for n in 1..=to {
///             progress.report(n)?;
///         }
///         Ok::<_, Cancelled>(to)
///     })
///     .items("words", |text: String, items| {
///         for word in text.split_whitespace() {
///             items.send(word.to_owned())?;
///         }
///         Ok::<_, Cancelled>(())
///     });
/// assert_eq!(registry.names().collect::<Vec<_>>(), ["count", "sum", "words"]);
/// ```
#[derive(Default)]
pub struct JobRegistry {
    jobs: BTreeMap<String, Registered>,
}

impl JobRegistry {
    /// A registry with no job.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a call named `name`: `body` runs once with the job's
    /// arguments and returns its value or its error. A name registered
    /// again replaces the job registered before.
    #[must_use]
    pub fn call<A, T, E, F>(self, name: impl Into<String>, body: F) -> Self
    where
        A: DeserializeOwned + 'static,
        T: Serialize + DeserializeOwned + 'static,
        E: Serialize + DeserializeOwned + 'static,
        F: Fn(A, &Cancel) -> Result<T, E> + Send + Sync + 'static,
    {
        self.register::<A, T, E, ()>(
            name.into(),
            JobKind::Call,
            Box::new(move |name, bytes, senders| match decode::<A>(name, bytes) {
                Ok(args) => senders.run_call(|cancel| body(args, cancel)),
                Err(refusal) => refuse(senders, refusal),
            }),
        )
    }

    /// Registers a progress job named `name`: `body` runs once with the
    /// job's arguments and reports values of `P` through its
    /// [`Progress`], which reach the parent's
    /// [`Job::on_report`](router_jobs::Job::on_report).
    #[must_use]
    pub fn progress<A, P, T, E, F>(self, name: impl Into<String>, body: F) -> Self
    where
        A: DeserializeOwned + 'static,
        P: Serialize + DeserializeOwned + 'static,
        T: Serialize + DeserializeOwned + 'static,
        E: Serialize + DeserializeOwned + 'static,
        F: Fn(A, &Progress<P>) -> Result<T, E> + Send + Sync + 'static,
    {
        self.register::<A, T, E, P>(
            name.into(),
            JobKind::Progress,
            Box::new(move |name, bytes, senders| match decode::<A>(name, bytes) {
                Ok(args) => senders.run_progress(|progress| body(args, progress)),
                Err(refusal) => refuse(senders, refusal),
            }),
        )
    }

    /// Registers an items job named `name`: `body` runs once with the
    /// job's arguments and yields values of `I` through its [`Items`],
    /// waiting while the parent's pipe is full.
    #[must_use]
    pub fn items<A, I, T, E, F>(self, name: impl Into<String>, body: F) -> Self
    where
        A: DeserializeOwned + 'static,
        I: Serialize + DeserializeOwned + 'static,
        T: Serialize + DeserializeOwned + 'static,
        E: Serialize + DeserializeOwned + 'static,
        F: Fn(A, &Items<I>) -> Result<T, E> + Send + Sync + 'static,
    {
        self.register::<A, T, E, I>(
            name.into(),
            JobKind::Items,
            Box::new(move |name, bytes, senders| match decode::<A>(name, bytes) {
                Ok(args) => senders.run_items(|items| body(args, items)),
                Err(refusal) => refuse(senders, refusal),
            }),
        )
    }

    /// The names of the registered jobs, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.jobs.keys().map(String::as_str)
    }

    fn register<A, T, E, R>(mut self, name: String, kind: JobKind, run: Run) -> Self {
        let registered = Registered {
            kind,
            types: Signature::of::<A, T, E, R>(),
            run,
        };
        self.jobs.insert(name, registered);
        self
    }

    /// Runs the job `order` asks for on this thread, its words going to
    /// `senders` (their cancel sender started); or tells the parent why
    /// not.
    pub(crate) fn run(&self, order: &Order, senders: Senders) {
        let name = &order.name;
        let Some(job) = self.jobs.get(name) else {
            let known = self.names().map(str::to_owned).collect();
            return refuse(
                senders,
                JobRefusal::UnknownJob {
                    name: name.clone(),
                    known,
                },
            );
        };
        if job.kind != order.kind {
            return refuse(
                senders,
                JobRefusal::OtherKind {
                    name: name.clone(),
                    registered: job.kind,
                    submitted: order.kind,
                },
            );
        }
        if let Some((part, registered, submitted)) = job.types.differs(&order.types) {
            return refuse(
                senders,
                JobRefusal::OtherType {
                    name: name.clone(),
                    part: part.to_owned(),
                    registered: registered.to_owned(),
                    submitted: submitted.to_owned(),
                },
            );
        }
        (job.run)(name, &order.args, senders);
    }
}

impl fmt::Debug for JobRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// The arguments of job `name`, if the bytes are one whole `A`; if not,
/// its refusal (a panic of `A`'s `Deserialize` is caught, as the body's
/// would be).
fn decode<A: DeserializeOwned>(name: &str, bytes: &[u8]) -> Result<A, JobRefusal> {
    let decoded = panic::catch_unwind(AssertUnwindSafe(|| wire::decode_payload::<A>(bytes)));
    match decoded {
        Ok(Ok(args)) => Ok(args),
        _ => Err(JobRefusal::Arguments {
            name: name.to_owned(),
            expected: type_name::<A>().to_owned(),
        }),
    }
}

/// Tells the parent that the job was not run, and why: the refusal on its
/// outcome pipe, then every pipe ended.
fn refuse(senders: Senders, refusal: JobRefusal) {
    tracing::warn!(%refusal, "a job the parent sent was refused");
    let JobSenders {
        mut outcome,
        cancel,
        report,
    } = senders;
    // The report pipe ends first (dropped un-started, it connects to say
    // so): the parent's job settles once both have.
    drop(report);
    drop(cancel);
    match outcome.start() {
        Ok(()) => {
            if let Err(error) = outcome.send(JobWire::refusal(refusal)) {
                tracing::debug!(%error, "a job's refusal was not delivered");
            }
            let _ = outcome.stop();
        }
        Err(error) => tracing::debug!(%error, "a refused job's outcome pipe did not start"),
    }
}
