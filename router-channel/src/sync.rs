//! The atomics and barriers of the ping protocol: std's and the kernel's,
//! or loom's when the crate is built with `--cfg loom`, so the model
//! checker explores every interleaving of the very code the backends run.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(loom)]
pub(crate) use loom::thread::{Thread, ThreadId, current as current_thread, park};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::thread::{Thread, ThreadId, current as current_thread, park};

/// Waits for an unpark or `timeout`. Loom has no timed park: its models
/// wait without a deadline, and a timed wait there parks until unparked.
pub(crate) fn park_timeout(timeout: std::time::Duration) {
    #[cfg(not(loom))]
    std::thread::park_timeout(timeout);
    #[cfg(loom)]
    {
        let _ = timeout;
        park();
    }
}

/// Locks `mutex`, taking over a lock poisoned by a panic: what is kept
/// under these locks (a thread handle, a list of notes, a pipe's latest
/// value) holds no invariant a panic breaks.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Asymmetric barriers: a *light* one for the hot side (every send), which
/// costs nothing at run time, paired with a *heavy* one for the cold side
/// (the router ending a fast hold of the ping gate, once per burst, or
/// starting to wait in `route_until`, see waiter.rs), which
/// makes every running thread of the process execute a full barrier before
/// it returns.
///
/// Paired, they order like two `fence(SeqCst)`: in
///
/// ```text
/// sender: store message; light(); load gate
/// router: store gate;    heavy(); load message
/// ```
///
/// at least one of the two loads sees the other side's store. That is the
/// one ordering the gate needs from a sender, and a sender then no longer
/// pays a locked instruction per message, which on a queue the router is
/// draining costs more than the channel's own send (see gate.rs).
///
/// On Linux the heavy barrier is `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`
/// (kernel 4.14 and later), called through `rustix`. Elsewhere, or when the
/// kernel refuses to register the process, [`available`] says `false` and
/// the gate never takes fast holds: senders claim it on every send. Under
/// loom both barriers are `fence(SeqCst)`: loom cannot model the kernel's
/// barrier, but the fence pair gives the ordering the kernel's documents
/// promise, so the model checks the protocol built on it.
pub(crate) mod barrier {
    /// Whether the process-wide barrier can be used. Decided once per
    /// process; the first call registers the process with the kernel.
    #[cfg(not(loom))]
    pub(crate) fn available() -> bool {
        use std::sync::OnceLock;
        static AVAILABLE: OnceLock<bool> = OnceLock::new();
        *AVAILABLE.get_or_init(kernel::register)
    }

    /// Under loom: whatever the model chose (see `set_available`).
    #[cfg(loom)]
    pub(crate) fn available() -> bool {
        model::AVAILABLE.with(std::cell::Cell::get)
    }

    /// The hot side's barrier: keeps the compiler from moving the sender's
    /// look at the gate ahead of its send.
    #[inline]
    pub(crate) fn light() {
        #[cfg(not(loom))]
        std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
        #[cfg(loom)]
        loom::sync::atomic::fence(loom::sync::atomic::Ordering::SeqCst);
    }

    /// A full barrier, for a hot side that cannot count on the heavy one
    /// (the process-wide barrier is missing).
    #[inline]
    pub(crate) fn full() {
        #[cfg(not(loom))]
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        #[cfg(loom)]
        loom::sync::atomic::fence(loom::sync::atomic::Ordering::SeqCst);
    }

    /// The cold side's barrier. `false` if the kernel failed it, which it
    /// does not do once the process has registered (see [`available`]).
    #[must_use]
    pub(crate) fn heavy() -> bool {
        #[cfg(not(loom))]
        return kernel::barrier();
        #[cfg(loom)]
        {
            loom::sync::atomic::fence(loom::sync::atomic::Ordering::SeqCst);
            true
        }
    }

    #[cfg(loom)]
    pub(crate) mod model {
        use std::cell::Cell;

        std::thread_local! {
            pub(crate) static AVAILABLE: Cell<bool> = const { Cell::new(true) };
        }
    }

    #[cfg(all(not(loom), target_os = "linux"))]
    mod kernel {
        use rustix::thread::{MembarrierCommand, MembarrierQuery, membarrier, membarrier_query};

        pub(super) fn register() -> bool {
            let supported = membarrier_query();
            let usable = supported.contains(MembarrierQuery::PRIVATE_EXPEDITED)
                && supported.contains(MembarrierQuery::REGISTER_PRIVATE_EXPEDITED)
                && membarrier(MembarrierCommand::RegisterPrivateExpedited).is_ok();
            tracing::debug!(
                membarrier = usable,
                "ping gate: fast holds {}",
                if usable {
                    "on"
                } else {
                    "off: senders claim per message"
                }
            );
            usable
        }

        pub(super) fn barrier() -> bool {
            let done = membarrier(MembarrierCommand::PrivateExpedited).is_ok();
            if !done {
                std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
            }
            done
        }
    }

    #[cfg(all(not(loom), not(target_os = "linux")))]
    mod kernel {
        pub(super) fn register() -> bool {
            false
        }

        pub(super) fn barrier() -> bool {
            std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
            false
        }
    }
}
