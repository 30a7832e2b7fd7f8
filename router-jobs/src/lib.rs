#![doc = include_str!("../README.md")]

mod carrier;
mod core;
mod error;
mod executor;
mod future;
mod job;
mod machine;
mod pool;
mod state;
mod worker;

pub use carrier::{Carries, JobMessage, Outcome};
pub use core::JobId;
pub use error::{Cancelled, JobError, ShutdownError, SubmitError};
pub use executor::{Executor, ReportPipe};
pub use future::{Done, JobResult};
pub use job::Job;
pub use pool::{Pool, Task, ThreadPool};
pub use state::{ExecutorState, JobState};
pub use worker::{Cancel, Items, JobSenders, Progress};

/// Compile-time facts about the public types (see RULES.md, "Compile-time
/// facts").
mod facts {
    use static_assertions::{assert_impl_all, assert_not_impl_any};

    use crate::{Cancelled, JobError, JobMessage, ShutdownError, SubmitError, Task, ThreadPool};

    assert_impl_all!(JobMessage: Send);
    assert_impl_all!(Task: Send);
    assert_impl_all!(ThreadPool: Send, Sync);
    assert_impl_all!(Cancelled: Send, Sync, Copy, std::error::Error);
    assert_impl_all!(SubmitError: Send, Sync, std::error::Error);
    assert_impl_all!(ShutdownError: Send, Sync, Copy, std::error::Error);
    assert_impl_all!(JobError<std::io::Error>: Send, Sync, std::error::Error);
    // Handles live on the foreground thread (J6).
    assert_not_impl_any!(crate::Job<u8, u8, u8>: Send, Sync);
    assert_not_impl_any!(crate::Cancel: Send, Sync);

    fn _pool_is_object_safe(_: &dyn crate::Pool) {}
}
