//! The parent's way in: an executor's `submit_*_in`, which submit a job
//! by name, with its arguments, to a pool of child processes.

use std::sync::Arc;

use router_jobs::{Executor, Job, JobState, ReportPipe, SubmitError};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::jobs::carrier::{JobWire, MAX_VALUE_LEN};
use crate::jobs::pool::ChildPool;
use crate::jobs::refusal::JobKind;
use crate::jobs::request::{Order, Signature};
use crate::jobs::shipped::Heard;
use crate::router::ProcessRouter;
use crate::wire::EncodeError;

/// An executor whose jobs run in child processes: its router a
/// [`ProcessRouter`] of [`JobWire`], its pool (usually) a [`ChildPool`].
pub type ChildExecutor = Executor<ProcessRouter<JobWire>, JobWire>;

/// Why a job was not submitted to a child process.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChildSubmitError {
    /// The executor took no job: it is stopping, its router made no
    /// pipe, or its pool takes no more jobs (every child is gone, or the
    /// pool was closed).
    #[error(transparent)]
    Executor(#[from] SubmitError),
    /// The arguments do not serialize, or are over
    /// [`MAX_VALUE_LEN`](crate::jobs::MAX_VALUE_LEN).
    #[error("the arguments of job `{name}` cannot travel to a child process")]
    Arguments {
        /// The job's name.
        name: String,
        /// Why.
        #[source]
        source: EncodeError,
    },
}

/// Submits jobs by name to a [`ChildPool`], whose children registered
/// them ([`JobRegistry`](crate::jobs::JobRegistry)): the handle is
/// router-jobs' [`Job`], with its states, callbacks, result and cancel, as
/// for a job on a thread here.
///
/// The job's arguments `A` travel to the child, and its value `T`, error
/// `E` and reports (`P`, `I`) back, as postcard, so they are serde types,
/// and the same ones (by type name; a `&str` passes for a `String`) as
/// the child registered: mind an integer literal's type, `i32` unless
/// said. A job the child does not have, or has with other types or of
/// another kind, fails with
/// [`JobError::BadMessage`](router_jobs::JobError::BadMessage), whose
/// source is the child's [`JobRefusal`](crate::jobs::JobRefusal).
pub trait ChildJobs {
    /// Submits the call `name` with `args` to a child of `pool`.
    ///
    /// # Errors
    ///
    /// [`ChildSubmitError::Executor`] as router-jobs'
    /// [`submit_call`](Executor::submit_call) fails;
    /// [`ChildSubmitError::Arguments`] when `args` cannot travel.
    fn submit_call_in<T, E, A>(
        &self,
        pool: &ChildPool,
        name: &str,
        args: &A,
    ) -> Result<Job<T, E>, ChildSubmitError>
    where
        T: Serialize + DeserializeOwned + 'static,
        E: Serialize + DeserializeOwned + 'static,
        A: Serialize + ?Sized;

    /// Submits the progress job `name` with `args` to a child of `pool`:
    /// its reports reach [`Job::on_report`] through a latest-value pipe.
    ///
    /// # Errors
    ///
    /// As [`submit_call_in`](Self::submit_call_in).
    fn submit_progress_in<P, T, E, A>(
        &self,
        pool: &ChildPool,
        name: &str,
        args: &A,
    ) -> Result<Job<T, E, P>, ChildSubmitError>
    where
        P: Serialize + DeserializeOwned + 'static,
        T: Serialize + DeserializeOwned + 'static,
        E: Serialize + DeserializeOwned + 'static,
        A: Serialize + ?Sized;

    /// Submits the items job `name` with `args` to a child of `pool`: its
    /// items reach [`Job::on_report`] through a bounded pipe of
    /// `capacity`, and the child waits while it is full (and while the
    /// socket between them is).
    ///
    /// # Errors
    ///
    /// As [`submit_call_in`](Self::submit_call_in);
    /// [`SubmitError::Pipe`](router_jobs::SubmitError::Pipe) for a
    /// capacity of 0.
    fn submit_items_in<I, T, E, A>(
        &self,
        pool: &ChildPool,
        capacity: usize,
        name: &str,
        args: &A,
    ) -> Result<Job<T, E, I>, ChildSubmitError>
    where
        I: Serialize + DeserializeOwned + 'static,
        T: Serialize + DeserializeOwned + 'static,
        E: Serialize + DeserializeOwned + 'static,
        A: Serialize + ?Sized;
}

impl ChildJobs for ChildExecutor {
    fn submit_call_in<T, E, A>(
        &self,
        pool: &ChildPool,
        name: &str,
        args: &A,
    ) -> Result<Job<T, E>, ChildSubmitError>
    where
        T: Serialize + DeserializeOwned + 'static,
        E: Serialize + DeserializeOwned + 'static,
        A: Serialize + ?Sized,
    {
        submit(self, pool, (JobKind::Call, ReportPipe::None), name, args)
    }

    fn submit_progress_in<P, T, E, A>(
        &self,
        pool: &ChildPool,
        name: &str,
        args: &A,
    ) -> Result<Job<T, E, P>, ChildSubmitError>
    where
        P: Serialize + DeserializeOwned + 'static,
        T: Serialize + DeserializeOwned + 'static,
        E: Serialize + DeserializeOwned + 'static,
        A: Serialize + ?Sized,
    {
        submit(
            self,
            pool,
            (JobKind::Progress, ReportPipe::Latest),
            name,
            args,
        )
    }

    fn submit_items_in<I, T, E, A>(
        &self,
        pool: &ChildPool,
        capacity: usize,
        name: &str,
        args: &A,
    ) -> Result<Job<T, E, I>, ChildSubmitError>
    where
        I: Serialize + DeserializeOwned + 'static,
        T: Serialize + DeserializeOwned + 'static,
        E: Serialize + DeserializeOwned + 'static,
        A: Serialize + ?Sized,
    {
        let kind = (JobKind::Items, ReportPipe::Bounded { capacity });
        submit(self, pool, kind, name, args)
    }
}

/// Submits the job: its task, on the executor's pool, writes its request
/// to a child of `pool`; its state listener tells the pool what the
/// foreground heard of it.
fn submit<T, E, R, A>(
    executor: &ChildExecutor,
    pool: &ChildPool,
    (kind, report): (JobKind, ReportPipe),
    name: &str,
    args: &A,
) -> Result<Job<T, E, R>, ChildSubmitError>
where
    T: Serialize + DeserializeOwned + 'static,
    E: Serialize + DeserializeOwned + 'static,
    R: Serialize + DeserializeOwned + 'static,
    A: Serialize + ?Sized,
{
    let refused = |source| ChildSubmitError::Arguments {
        name: name.to_owned(),
        source,
    };
    let args = postcard::to_stdvec(args).map_err(|error| refused(EncodeError::Serialize(error)))?;
    if args.len() > MAX_VALUE_LEN {
        return Err(refused(EncodeError::TooLarge {
            len: args.len(),
            limit: MAX_VALUE_LEN,
        }));
    }
    let order = Order {
        name: name.to_owned(),
        kind,
        types: Signature::of::<A, T, E, R>(),
        args,
    };
    let heard = Arc::new(Heard::default());
    let children = pool.children();
    let job = executor.submit_with::<T, E, R, _>(report, {
        let heard = Arc::clone(&heard);
        move |senders| children.ship(order, senders, heard)
    })?;
    job.on_state(move |state| match state {
        JobState::Running => heard.started(),
        state if state.is_done() => heard.done(),
        _ => {}
    });
    Ok(job)
}
