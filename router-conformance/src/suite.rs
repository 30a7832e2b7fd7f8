//! The whole suite as a list, for running checks by name.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use router_api::MessageRouter;

use crate::capability::{Capability, Lacker, Outcome};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// A check function, given the factory of the routers it checks.
pub(crate) type CheckFn<L, R> = fn(&dyn Fn(&L) -> R);

/// One check of the suite, for routers `R` on event loops `L`: its name
/// (the `#[test]` name [`conformance_tests!`](crate::conformance_tests)
/// gives it), its function, and the capability it needs, if any.
pub struct Check<L, R> {
    name: &'static str,
    function: &'static str,
    requires: Option<Capability>,
    run: CheckFn<L, R>,
}

impl<L, R> Check<L, R> {
    /// A row of the list in `__checks!`: the check `function` (under
    /// [`checks`](crate::checks)), tested as `name`, needing the first of
    /// `needs`, if any.
    pub(crate) fn new(
        name: &'static str,
        function: &'static str,
        needs: &[Capability],
        run: CheckFn<L, R>,
    ) -> Self {
        Self {
            name,
            function,
            requires: needs.first().copied(),
            run,
        }
    }

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

    /// The check's function, under [`checks`](crate::checks):
    /// `router_lifecycle::stop_with_open_pipes_warns_with_count`.
    #[must_use]
    pub fn function(&self) -> &'static str {
        self.function
    }

    /// The capability the check needs besides the router, if any: where
    /// it is lacking, the check is skipped by name.
    #[must_use]
    pub fn requires(&self) -> Option<Capability> {
        self.requires
    }

    /// Why the check cannot run for a backend (and event loop) that lacks
    /// `lacks`, on this platform: the capability it needs and who lacks it
    /// ([`Capability::declared_by`] when `lacks` names it), or `None` when
    /// it can run. The word of the backend or loop comes first.
    #[must_use]
    pub fn skipped(&self, lacks: &[Capability]) -> Option<(Capability, Lacker)> {
        let capability = self.requires?;
        if lacks.contains(&capability) {
            Some((capability, capability.declared_by()))
        } else if !capability.on_this_platform() {
            Some((capability, Lacker::Platform))
        } else {
            None
        }
    }

    /// Runs the check on routers made by `new_router`, on a new loop
    /// ([`KitLoop::new_loop`]) driven from this thread.
    ///
    /// # Panics
    ///
    /// When the backend breaks the check's rule, and when the check needs
    /// a capability this platform lacks (it cannot look; see
    /// [`outcome`](Self::outcome), which skips it).
    pub fn run(&self, new_router: &dyn Fn(&L) -> R) {
        (self.run)(new_router);
    }

    /// Runs the check for a backend (and event loop) that lacks the
    /// capabilities `lacks` (`&[]` for one that lacks none), and says what
    /// came of it, instead of panicking: [`Outcome::Skipped`] without
    /// running it when it needs a capability that the backend, the loop or
    /// this platform lacks,
    /// [`Outcome::Failed`] with the check's message when the backend broke
    /// the rule, [`Outcome::Passed`] otherwise.
    pub fn outcome(&self, new_router: &dyn Fn(&L) -> R, lacks: &[Capability]) -> Outcome {
        if let Some((capability, lacker)) = self.skipped(lacks) {
            return Outcome::Skipped { capability, lacker };
        }
        match catch_unwind(AssertUnwindSafe(|| self.run(new_router))) {
            Ok(()) => Outcome::Passed,
            Err(panic) => Outcome::Failed(
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
                    .unwrap_or_else(|| {
                        "the check panicked with a payload that is not text".to_owned()
                    }),
            ),
        }
    }
}

impl<L, R> Clone for Check<L, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<L, R> Copy for Check<L, R> {}

impl<L, R> fmt::Debug for Check<L, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check")
            .field("name", &self.name)
            .field("requires", &self.requires)
            .finish()
    }
}

/// Every check of the suite, for routers `R` on event loops `L`, in the
/// order [`conformance_tests!`](crate::conformance_tests) writes them.
///
/// `L` is [`DefaultEventLoop`](router_api::DefaultEventLoop) for a
/// backend's tests, or an adapter's harness (see [`KitLoop`]); a harness
/// of one's own (one that cannot use libtest, say) runs each check with
/// [`Check::outcome`] and reports it by [`Check::name`].
///
/// ```
/// # use router_conformance::std_mpsc::MpscRouter;
/// use router_conformance::api::DefaultEventLoop;
/// use router_conformance::{Capability, Msg, Outcome, suite};
///
/// let new_router = |event_loop: &DefaultEventLoop| MpscRouter::<Msg>::new(event_loop);
/// let check = suite()
///     .into_iter()
///     .find(|check| check.name() == "r4_stop_with_open_pipes_warns_with_count")
///     .expect("the suite has an R4 check");
/// assert_eq!(check.rule(), "R4");
/// assert_eq!(check.outcome(&new_router, &[]), Outcome::Passed);
///
/// // A backend that lacks a capability: its checks are skipped, by name.
/// for check in suite() {
///     if check.requires() == Some(Capability::CountThreads) {
///         let outcome = check.outcome(&new_router, &[Capability::CountThreads]);
///         assert_eq!(outcome.to_string(), "skipped: the backend lacks CountThreads");
///     }
/// }
/// ```
#[must_use]
pub fn suite<L, R>() -> Vec<Check<L, R>>
where
    L: KitLoop,
    R: MessageRouter<Msg> + 'static,
    R::Receiver: 'static,
{
    crate::__checks!(suite { L, R })
}

/// Every check of the jobs layer's suite (J), for executors over routers
/// `R` of [`JobMessage`](router_jobs::JobMessage) on event loops `L`, in
/// the order `conformance_tests!(jobs: name, ...)` writes them.
#[must_use]
pub fn job_suite<L, R>() -> Vec<Check<L, R>>
where
    L: KitLoop,
    R: MessageRouter<router_jobs::JobMessage> + router_api::RouterControl + 'static,
{
    crate::__checks!(jobs suite { L, R })
}
