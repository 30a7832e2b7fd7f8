#![doc = include_str!("../README.md")]

mod capability;
pub mod capture;
pub mod checks;
mod fixtures;
mod kit_loop;
mod macros;
mod message;
#[doc(hidden)]
pub mod std_mpsc;
mod suite;
mod threads;

/// `router-api`, re-exported so that a backend's tests need no dependency
/// but this crate and the backend.
pub use router_api as api;

/// `router-jobs`, re-exported so that the jobs suite runs with no dependency
/// but this crate and the router.
pub use router_jobs as jobs;

pub use capability::{Capability, Lacker, Outcome};
pub use kit_loop::{KitLoop, until_deadline};
pub use message::Msg;
pub use suite::{Check, job_suite, suite};

/// What the macros expand to; not public API.
#[doc(hidden)]
pub mod __private {
    use crate::suite::CheckFn;

    pub use crate::__checks as checks;
    pub use crate::__conformance_test as test;

    /// Runs `check` on the routers `factory` makes: the body of every
    /// test `conformance_tests!` writes. Taking the factory as `F: Fn(&L)
    /// -> R` gives a closure its argument type, so `|event_loop| ...`
    /// needs no annotation.
    pub fn run_check<L, R, F: Fn(&L) -> R>(factory: F, check: CheckFn<L, R>) {
        check(&factory);
    }
}
