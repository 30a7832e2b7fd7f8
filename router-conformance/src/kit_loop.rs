//! The event loop the checks run on: [`DefaultEventLoop`] unless a
//! harness names another.

use std::time::Duration;

use router_api::{DefaultEventLoop, EventLoop};

/// An event loop the kit can drive: made fresh for each check, on the
/// check's thread.
///
/// Every check makes its loop with [`new_loop`](Self::new_loop), gives it
/// to the factory of the routers it checks, and drives it with
/// [`run_until`](Self::run_until) and [`run_pending`](Self::run_pending),
/// on the thread that runs the check, which is the loop's own thread. The
/// `W` checks use the loop alone, through [`EventLoop::pingee`].
///
/// The kit implements it for [`DefaultEventLoop`], which
/// `conformance_tests!(name, factory)` runs on. An adapter's tests
/// implement it for a harness that owns the host loop (a runtime, a
/// context, a window's event loop) and the adapter's loop on it, and
/// name it: `conformance_tests!(name, on: Harness, factory)`. Dropping the
/// last handle of a harness must end the host loop, so that rule W4 (pings
/// after the loop is gone do nothing) is checked on the real thing.
///
/// ```
/// use std::time::Duration;
/// use std::{cell::Cell, rc::Rc};
/// use router_conformance::KitLoop;
/// use router_conformance::api::{DefaultEventLoop, EventLoop, Pingee};
///
/// let event_loop = DefaultEventLoop::new_loop();
/// let runs = Rc::new(Cell::new(0));
/// let pingee = event_loop.pingee(Box::new({
///     let runs = Rc::clone(&runs);
///     move || runs.set(runs.get() + 1)
/// }));
/// pingee.pinger().ping();
/// assert_eq!(KitLoop::run_pending(&event_loop), 1);
/// assert!(!KitLoop::run_until(&event_loop, &mut || runs.get() == 2, Duration::from_millis(10)));
/// ```
pub trait KitLoop: EventLoop + Clone + 'static {
    /// A new loop, driven from the calling thread.
    fn new_loop() -> Self;

    /// Runs the loop (the callbacks of pings) until `condition` holds;
    /// `false` if `timeout` passed first. Asks the condition first, and
    /// again after each callback or wake-up; returns as soon as it holds.
    ///
    /// A callback's panic passes on to the caller, where the host loop
    /// lets it.
    fn run_until(&self, condition: &mut dyn FnMut() -> bool, timeout: Duration) -> bool;

    /// Runs the callbacks of the pings queued now, without waiting, and
    /// returns how many callbacks ran.
    fn run_pending(&self) -> usize;
}

impl KitLoop for DefaultEventLoop {
    fn new_loop() -> Self {
        DefaultEventLoop::new()
    }

    fn run_until(&self, condition: &mut dyn FnMut() -> bool, timeout: Duration) -> bool {
        DefaultEventLoop::run_until(self, condition, Some(timeout)).is_ok()
    }

    fn run_pending(&self) -> usize {
        DefaultEventLoop::run_pending(self)
    }
}

/// The body of most [`KitLoop::run_until`]s: calls `step` with the time
/// left until `condition` holds or `timeout` has passed, and says whether
/// the condition held. `step` runs the host loop once, for at most the
/// time it is given (calloop's `dispatch`, winit's `pump_app_events`, a
/// glib iteration).
///
/// ```
/// use std::cell::Cell;
/// use std::time::Duration;
/// use router_conformance::until_deadline;
///
/// let steps = Cell::new(0);
/// let held = until_deadline(&mut || steps.get() == 3, Duration::from_secs(10), |_left| {
///     steps.set(steps.get() + 1);
/// });
/// assert!(held);
/// assert!(!until_deadline(&mut || false, Duration::from_millis(1), |left| std::thread::sleep(left)));
/// ```
pub fn until_deadline(
    condition: &mut dyn FnMut() -> bool,
    timeout: Duration,
    mut step: impl FnMut(Duration),
) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    while !condition() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        step(left);
    }
    true
}
