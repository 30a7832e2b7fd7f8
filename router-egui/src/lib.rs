#![doc = include_str!("../README.md")]

use std::fmt;

use router_api::{EventLoop, Pingee, Pump, WakeLoop};

/// A router's event loop in an egui app.
///
/// A ping marks its pingee pending and, if it was not, asks egui for a
/// repaint of the root viewport ([`egui::Context::request_repaint_of`]),
/// which wakes a sleeping integration: eframe, or one written by hand that
/// sets [`egui::Context::set_request_repaint_callback`] *and* honours each
/// frame's `repaint_delay`, as
/// [Writing your own integration](crate#writing-your-own-integration)
/// says. The app calls
/// [`Pump::run_pending`] at the start of each frame, which runs the
/// callbacks of the pingees pinged since on the UI thread: listeners then
/// update the app's state before it is drawn.
///
/// Clones are handles to the same loop. Once the [`Pump`] is dropped,
/// pings do nothing.
#[derive(Clone)]
pub struct EguiLoop {
    wake_loop: WakeLoop,
}

impl EguiLoop {
    /// A loop that wakes `context`'s integration, and the pump the app
    /// calls at the start of each frame.
    #[must_use]
    pub fn new(context: &egui::Context) -> (Self, Pump) {
        let context = context.clone();
        let (wake_loop, pump) =
            WakeLoop::new(move || context.request_repaint_of(egui::ViewportId::ROOT));
        (Self { wake_loop }, pump)
    }
}

impl EventLoop for EguiLoop {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        self.wake_loop.pingee(on_ping)
    }
}

impl fmt::Debug for EguiLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EguiLoop").finish_non_exhaustive()
    }
}

/// Compile-time facts (see RULES.md, "Compile-time facts").
mod facts {
    use static_assertions::assert_not_impl_any;

    assert_not_impl_any!(super::EguiLoop: Send, Sync);
}
