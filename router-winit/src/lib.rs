#![doc = include_str!("../README.md")]

use std::fmt;
use std::sync::{Mutex, PoisonError};

use router_api::{EventLoop, Pingee, Pump, WakeLoop};
use winit::event_loop::EventLoopProxy;

/// A router's event loop in a winit app.
///
/// A ping marks its pingee pending, and the first ping of a batch (router-
/// api's `WakeLoop` wakes once per batch) sends one user event through the
/// app's [`EventLoopProxy`]. winit's proxy queues one event per call, so
/// that coalescing is what keeps a burst from flooding the app's queue.
/// The app's `ApplicationHandler::user_event` calls [`Pump::run_pending`]
/// for that event, which runs the callbacks of the pingees pinged since,
/// on the loop's thread.
///
/// Clones are handles to the same loop. Once the winit loop has exited
/// (the proxy refuses events) or the [`Pump`] is dropped, pings do
/// nothing.
#[derive(Clone)]
pub struct WinitLoop {
    wake_loop: WakeLoop,
}

impl WinitLoop {
    /// A loop that wakes the app with `event()` through `proxy`, and the
    /// pump its `user_event` calls for that event.
    pub fn new<T, F>(proxy: EventLoopProxy<T>, event: F) -> (Self, Pump)
    where
        T: Send + 'static,
        F: Fn() -> T + Send + Sync + 'static,
    {
        // The proxy is `Send`; whether it is `Sync` differs by platform.
        let proxy = Mutex::new(proxy);
        let (wake_loop, pump) = WakeLoop::new(move || {
            let proxy = proxy.lock().unwrap_or_else(PoisonError::into_inner);
            // Refused once the winit loop has exited: nothing to wake.
            let _ = proxy.send_event(event());
        });
        (Self { wake_loop }, pump)
    }
}

impl EventLoop for WinitLoop {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        self.wake_loop.pingee(on_ping)
    }
}

impl fmt::Debug for WinitLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WinitLoop").finish_non_exhaustive()
    }
}

/// Compile-time facts (see RULES.md, "Compile-time facts").
mod facts {
    use static_assertions::assert_not_impl_any;

    assert_not_impl_any!(super::WinitLoop: Send, Sync);
}
