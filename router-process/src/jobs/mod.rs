//! Jobs in child processes (feature `jobs`): router-jobs' executor runs
//! jobs in a pool of child processes, by name, with the same handles and
//! the same states as on threads.
//!
//! - **In the child**: register job functions by name in a
//!   [`JobRegistry`] (a call, a progress job, an items job, each a
//!   function of its serde arguments) and hand it to [`serve`], which
//!   reads the parent's requests from standard input and runs each job on
//!   a thread of a few.
//! - **In the parent**: a [`ChildExecutor`] (an
//!   [`Executor`](router_jobs::Executor) over a [`ProcessRouter`] of
//!   [`JobWire`]) with a [`ChildPool`] of children as its pool, and
//!   [`ChildJobs::submit_call_in`] (`submit_progress_in`,
//!   `submit_items_in`) to submit a job by name.
//!
//! What crosses, and how:
//!
//! | | how it crosses |
//! |---|---|
//! | the request | a frame on the child's standard input: name, kind, types, arguments (postcard), and the tokens of the job's three pipes |
//! | started, result, error | the outcome pipe: the child's sender, rebuilt from its token, sends `Outcome`s as [`JobWire`]s |
//! | a panic | caught around the body in the child (router-jobs' frame), sent as `Outcome::Panicked` with its message; the child goes on |
//! | progress, items | the report pipe, latest-value or bounded, as for a thread; the monitor holds a full bounded pipe's connection unread, so the child waits in its writes |
//! | cancel | the parent closes the job's cancel pipe; the child's sender of it learns within 100 ms (C2) and the body's next check fails |
//! | a child gone | a started job's connections break (`SenderEnd::Lost`); a job it had not started has its outcome pipe ended by the pool once the child is reaped; either fails as `JobError::Lost` |
//! | a job the child cannot run | its [`JobRefusal`] on the outcome pipe: `JobError::BadMessage` |
//!
//! Bodies are functions the child registered, not closures: a closure and
//! what it captures cannot cross to another process. So router-conformance's
//! jobs suite, whose bodies are closures over the test's own state, runs on
//! thread pools; this crate's `tests/jobs.rs` checks J1 to J7 with named
//! jobs in real children instead.

mod carrier;
mod pool;
mod refusal;
mod registry;
mod request;
mod serve;
mod shipped;
mod submit;

pub use carrier::{JobWire, MAX_VALUE_LEN, UnpackError};
pub use pool::ChildPool;
pub use refusal::{JobKind, JobRefusal};
pub use registry::JobRegistry;
pub use serve::{ServeError, serve, serve_with_threads};
pub use submit::{ChildExecutor, ChildJobs, ChildSubmitError};

#[cfg(doc)]
use crate::ProcessRouter;

/// Compile-time facts about the public types (see RULES.md, "Compile-time
/// facts").
mod facts {
    use static_assertions::assert_impl_all;

    use super::{
        ChildPool, ChildSubmitError, JobKind, JobRefusal, JobRegistry, JobWire, ServeError,
        UnpackError,
    };

    assert_impl_all!(JobWire: Send, Clone);
    assert_impl_all!(ChildPool: Send, Sync, Clone, router_jobs::Pool);
    assert_impl_all!(JobRegistry: Send, Sync);
    assert_impl_all!(JobKind: Send, Sync, Copy);
    assert_impl_all!(JobRefusal: Send, Sync, std::error::Error);
    assert_impl_all!(UnpackError: Send, Sync, std::error::Error);
    assert_impl_all!(ServeError: Send, Sync, std::error::Error);
    assert_impl_all!(ChildSubmitError: Send, Sync, std::error::Error);
}
