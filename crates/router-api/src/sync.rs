//! The atomics of the ping protocol: std's, or loom's when the crate is
//! built with `--cfg loom`, so the model checker explores every
//! interleaving of the very code the backends run.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, Ordering};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, Ordering};
