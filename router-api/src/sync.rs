//! The atomics and locks of the wake-and-pump core: std's, or loom's when
//! the crate is built with `--cfg loom`, so the model checker explores
//! every interleaving of the very code adapters run
//! (`tests/loom_wake.rs`).

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Mutex, MutexGuard};

/// Locks `mutex`, taking over a lock poisoned by a panic: what the core
/// keeps under its locks (queues of plain handles) holds no invariant a
/// panic could break.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
