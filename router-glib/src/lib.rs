#![doc = include_str!("../README.md")]

use std::fmt;
use std::time::Duration;

use glib::MainContext;
use router_api::{EventLoop, Pingee, Pump, WakeLoop};

/// Why a [`GlibLoop`] could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GlibLoopError {
    /// The context is owned by another thread: a loop's callbacks run on
    /// the thread that owns (iterates) its context, so it must be made
    /// there.
    #[error(
        "the glib MainContext is owned by another thread: make the router's loop on the thread that runs the context"
    )]
    NotOwner,
}

/// A router's event loop on a glib [`MainContext`] (the loop of GTK apps).
///
/// Made with [`GlibLoop::new`] on the thread that runs the context: it
/// spawns one local future on the context. A ping marks its pingee pending
/// and, if it was not, puts a token in a one-place channel
/// (`async_channel`, so a full channel means a wake-up is on its way:
/// pings coalesce, none is lost); the future wakes, runs the callbacks of
/// the pingees pinged since on the context's thread (router-api's
/// `WakeLoop` and [`Pump`]), and yields to the context's other sources
/// before it waits again.
///
/// A listener that panics does not end the future: glib would stop at it
/// and pass the panic to nobody, so it is caught, logged through `tracing`
/// as an error, and routing goes on.
///
/// Clones are handles to the same loop. Once the context is gone (or the
/// future with it), pings do nothing, and `stop` on a router of this loop
/// still works.
#[derive(Clone)]
pub struct GlibLoop {
    wake_loop: WakeLoop,
}

impl GlibLoop {
    /// A loop whose callbacks run on `context`, which the calling thread
    /// owns or can own (the thread that runs it).
    ///
    /// # Errors
    ///
    /// [`GlibLoopError::NotOwner`] if another thread owns `context`.
    pub fn new(context: &MainContext) -> Result<Self, GlibLoopError> {
        // `spawn_local` panics on a context another thread owns: ask first.
        let _owner = context.acquire().map_err(|_| GlibLoopError::NotOwner)?;
        let (wakes, woken) = async_channel::bounded::<()>(1);
        let (wake_loop, pump) = WakeLoop::new(move || {
            // Full: a wake-up is on its way already. Closed: the context
            // and the future are gone, and so is the loop.
            let _ = wakes.try_send(());
        });
        context.spawn_local(pump_future(woken, pump));
        Ok(Self { wake_loop })
    }

    /// [`new`](Self::new) on the thread-default context, or the global
    /// default one.
    ///
    /// # Errors
    ///
    /// [`GlibLoopError::NotOwner`] if another thread owns that context.
    pub fn on_thread_default() -> Result<Self, GlibLoopError> {
        Self::new(&MainContext::ref_thread_default())
    }
}

/// The loop's future: waits for a wake-up, runs what is pending, yields.
async fn pump_future(woken: async_channel::Receiver<()>, pump: Pump) {
    while woken.recv().await.is_ok() {
        // A listener's panic would end this future, and routing with it:
        // caught and logged instead, and the loop goes on (R11).
        pump.run_pending_caught();
        // A router that ended its turn on the budget has pinged again and
        // the token is there: without a yield the future would go on at
        // once and the context's other sources would wait.
        glib::timeout_future(Duration::ZERO).await;
    }
}

impl EventLoop for GlibLoop {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        self.wake_loop.pingee(on_ping)
    }
}

impl fmt::Debug for GlibLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlibLoop").finish_non_exhaustive()
    }
}

/// Compile-time facts (see RULES.md, "Compile-time facts").
mod facts {
    use static_assertions::{assert_impl_all, assert_not_impl_any};

    assert_not_impl_any!(super::GlibLoop: Send, Sync);
    assert_impl_all!(super::GlibLoopError: Send, Sync, std::error::Error);
}
