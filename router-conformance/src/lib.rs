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

pub use capability::{Capability, Lacker, Outcome};
pub use kit_loop::{KitLoop, until_deadline};
pub use message::Msg;
pub use suite::{Check, suite};

/// What the macros expand to; not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::__conformance_test_case as test_case;
    pub use crate::__conformance_test_module as test_module;
    pub use crate::__conformance_test_needing as test_needing;
    pub use crate::__for_each_check as for_each_check;

    /// Gives the factory its argument type, `&L`, so `|event_loop| ...`
    /// needs no annotation.
    pub fn new_router<L, R, F: Fn(&L) -> R>(factory: F) -> F {
        factory
    }
}
