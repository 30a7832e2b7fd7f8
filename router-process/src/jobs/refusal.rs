//! Why a child process refused a job it was sent, and the kinds of job.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of a job: which of router-jobs' three it is, so which of a
/// [`JobRegistry`](crate::jobs::JobRegistry)'s registrations runs it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub enum JobKind {
    /// A call: runs once, returns a value or an error.
    Call,
    /// A progress job: reports values through a latest-value pipe.
    Progress,
    /// An items job: yields values through a bounded pipe.
    Items,
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Call => "call",
            Self::Progress => "progress",
            Self::Items => "items",
        })
    }
}

/// Why a child process did not run a job: the parent submitted what the
/// child did not register. The job fails with
/// [`JobError::BadMessage`](router_jobs::JobError::BadMessage), this as its
/// source (`error.downcast_ref::<JobRefusal>()`), as soon as the child
/// took it from its queue; the body never ran.
///
/// The names in it are the child's words: they are escaped when shown.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum JobRefusal {
    /// The child has no job of this name.
    #[error(
        "the child process has no job named `{}` (it has: {})",
        name.escape_debug(),
        known.join(", ").escape_debug()
    )]
    UnknownJob {
        /// The name the parent asked for.
        name: String,
        /// The names the child registered.
        known: Vec<String>,
    },
    /// The child registered the job as another kind.
    #[error(
        "job `{}` is a {registered} job in the child process, submitted as a {submitted} job",
        name.escape_debug()
    )]
    OtherKind {
        /// The job's name.
        name: String,
        /// The kind the child registered.
        registered: JobKind,
        /// The kind the parent submitted.
        submitted: JobKind,
    },
    /// The child registered the job with another type of arguments than
    /// the parent sent, or of value, error or report than the parent's
    /// job handle has.
    #[error(
        "job `{}`: its {part} type is `{}` in the child process, `{}` in the parent",
        name.escape_debug(),
        registered.escape_debug(),
        submitted.escape_debug()
    )]
    OtherType {
        /// The job's name.
        name: String,
        /// Which type: `arguments`, `value`, `error` or `report`.
        part: String,
        /// Its type in the child.
        registered: String,
        /// Its type in the parent.
        submitted: String,
    },
    /// The arguments, of the type's name, do not decode as the type the
    /// child's job takes (a parent of another build).
    #[error(
        "job `{}` cannot read its arguments as a `{}`",
        name.escape_debug(),
        expected.escape_debug()
    )]
    Arguments {
        /// The job's name.
        name: String,
        /// The type the child's job takes.
        expected: String,
    },
}
