//! The whole suite as a list, for running checks by name.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use router_api::{DefaultEventLoop, MessageRouter};

use crate::Msg;

/// A check function, given the factory of the routers it checks.
type CheckFn<R> = fn(&dyn Fn(&DefaultEventLoop) -> R);

/// One check of the suite: its name (the `#[test]` name
/// [`conformance_tests!`](crate::conformance_tests) gives it) and its
/// function.
pub struct Check<R> {
    name: &'static str,
    run: CheckFn<R>,
}

impl<R> Check<R> {
    /// The check's name, its rule first: `r4_stop_with_open_pipes_warns_with_count`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The rule the check checks: `R4`.
    #[must_use]
    pub fn rule(&self) -> String {
        self.name
            .split('_')
            .next()
            .unwrap_or_default()
            .to_uppercase()
    }

    /// Runs the check on routers made by `new_router`.
    ///
    /// # Panics
    ///
    /// When the backend breaks the check's rule.
    pub fn run(&self, new_router: &dyn Fn(&DefaultEventLoop) -> R) {
        (self.run)(new_router);
    }

    /// Runs the check and returns its failure message instead of
    /// panicking.
    ///
    /// # Errors
    ///
    /// The message of the check's panic, when the backend breaks the rule.
    pub fn outcome(&self, new_router: &dyn Fn(&DefaultEventLoop) -> R) -> Result<(), String> {
        catch_unwind(AssertUnwindSafe(|| self.run(new_router))).map_err(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
                .unwrap_or_else(|| "the check panicked with a payload that is not text".to_owned())
        })
    }
}

impl<R> Clone for Check<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Check<R> {}

impl<R> fmt::Debug for Check<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check").field("name", &self.name).finish()
    }
}

/// Builds the list from the one list of checks in `__for_each_check!`.
macro_rules! check_list {
    ({} $($test:ident => $module:ident :: $check:ident),* $(,)?) => {
        vec![$(Check {
            name: stringify!($test),
            run: crate::checks::$module::$check::<R>,
        }),*]
    };
}

/// Every check of the suite, in the order
/// [`conformance_tests!`](crate::conformance_tests) writes them.
///
/// ```
/// # use router_channel::ChannelRouter;
/// # struct StdMpsc;
/// # impl<T: Send + 'static> router_channel::Channel<T> for StdMpsc {
/// #     type Tx = std::sync::mpsc::Sender<T>;
/// #     type Rx = std::sync::mpsc::Receiver<T>;
/// #     fn unbounded() -> (Self::Tx, Self::Rx) { std::sync::mpsc::channel() }
/// #     fn send(tx: &Self::Tx, v: T) -> Result<(), T> { tx.send(v).map_err(|e| e.0) }
/// #     fn try_recv(rx: &Self::Rx) -> Option<T> { rx.try_recv().ok() }
/// #     fn recv(rx: &Self::Rx) -> Option<T> { rx.recv().ok() }
/// #     fn recv_deadline(rx: &Self::Rx, d: std::time::Instant) -> Option<T> {
/// #         rx.recv_timeout(d.saturating_duration_since(std::time::Instant::now())).ok()
/// #     }
/// # }
/// use router_conformance::{Msg, suite};
///
/// let new_router = |event_loop: &_| ChannelRouter::<Msg, StdMpsc>::new(event_loop);
/// let check = suite()
///     .into_iter()
///     .find(|check| check.name() == "r4_stop_with_open_pipes_warns_with_count")
///     .expect("the suite has an R4 check");
/// assert_eq!(check.rule(), "R4");
/// assert_eq!(check.outcome(&new_router), Ok(()));
/// ```
#[must_use]
pub fn suite<R>() -> Vec<Check<R>>
where
    R: MessageRouter<Msg> + 'static,
    R::Receiver: 'static,
{
    crate::__for_each_check!([check_list] {})
}
