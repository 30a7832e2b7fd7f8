//! The kit's event-loop checks can fail: each deliberately broken loop
//! (the default loop with one [`LoopFlaw`]) fails the W checks of the rule
//! it breaks, while the same wrapper with no flaw passes every check of
//! the suite, the router checks included.
//!
//! As in `broken_backends.rs`, what is expected of a check (its rule, the
//! capability it needs) comes from [`suite`]; this file adds only which
//! checks catch which flaw, in [`catchers`].

#![allow(clippy::expect_used)]

mod broken_loop;

use broken_loop::{
    BrokenLoop, DisconnectIgnored, DropsEveryOtherPing, Flawed, InlinePing, LoopFlaw, NoFlaw,
    PanicsWhenGone,
};
use router_conformance::std_mpsc::MpscRouter;
use router_conformance::{Check, Msg, Outcome, suite};

type Router = MpscRouter<Msg>;

fn new_router<F: Flawed>(event_loop: &BrokenLoop<F>) -> Router {
    MpscRouter::new(event_loop)
}

/// The checks that catch `flaw`: each must fail on a loop with it.
fn catchers(flaw: LoopFlaw) -> &'static [&'static str] {
    match flaw {
        LoopFlaw::None => &[],
        LoopFlaw::InlinePing => &["w1_callback_runs_on_the_loop_thread_never_inside_ping"],
        LoopFlaw::DropsEveryOtherPing => &[
            "w2_ping_during_the_callback_runs_it_again",
            "w2_last_message_of_four_busy_senders_is_always_delivered",
        ],
        // Not R5's check: a router's stop drops its pingee, which
        // unregisters the callback even here.
        LoopFlaw::DisconnectIgnored => &["w3_callback_never_runs_after_disconnect"],
        LoopFlaw::PanicsWhenGone => &["w4_pings_after_the_loop_is_gone_do_nothing"],
    }
}

fn check<F: Flawed>(name: &str) -> Check<BrokenLoop<F>, Router> {
    suite()
        .into_iter()
        .find(|check| check.name() == name)
        .unwrap_or_else(|| panic!("the suite has no check {name}"))
}

/// What a check must come to on a loop and backend that keep their
/// rules: passed, or skipped where this platform lacks what it needs.
fn expected_on_a_good_loop<L, R>(check: &Check<L, R>) -> Outcome {
    match check.skipped(&[]) {
        Some((capability, lacker)) => Outcome::Skipped { capability, lacker },
        None => Outcome::Passed,
    }
}

/// Asserts that each check that catches `F`'s flaw fails on a loop with
/// it, with a message naming the check's rule, and passes on the same
/// wrapper with no flaw. The checks run at once, each on its own thread
/// (a loop that loses a ping fails a check only after its safety
/// timeout).
fn assert_caught<F: Flawed>() {
    let flaw = F::FLAW;
    let names = catchers(flaw);
    assert!(!names.is_empty(), "no check is said to catch {flaw:?}");
    std::thread::scope(|scope| {
        let runs: Vec<_> = names
            .iter()
            .map(|name| {
                scope.spawn(move || {
                    let check = check::<F>(name);
                    (check.rule(), check.outcome(&new_router::<F>, &[]))
                })
            })
            .collect();
        for (name, run) in names.iter().zip(runs) {
            let (rule, outcome) = run.join().expect("a check's thread panicked");
            let Outcome::Failed(failure) = outcome else {
                panic!("{name} came to {outcome} on a loop with the flaw {flaw:?}")
            };
            assert!(
                failure.contains(&format!("{rule}:")) || failure.contains(&format!("{rule} ")),
                "{name} failed on {flaw:?}, but its message does not name {rule}: {failure}"
            );
            println!("{flaw:?} caught by {name}: {failure}");
            let good = check::<NoFlaw>(name);
            assert_eq!(
                good.outcome(&new_router::<NoFlaw>, &[]),
                expected_on_a_good_loop(&good),
                "{name} on the wrapper with no flaw"
            );
        }
    });
}

#[test]
fn good_loop_wrapped_with_no_flaw_passes_every_check() {
    let wrong: Vec<String> = suite::<BrokenLoop<NoFlaw>, Router>()
        .iter()
        .filter_map(|check| {
            let outcome = check.outcome(&new_router::<NoFlaw>, &[]);
            (outcome != expected_on_a_good_loop(check))
                .then(|| format!("{}: {outcome}", check.name()))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "the default loop, wrapped with no flaw, did not pass every check it can run:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_check_said_to_catch_a_loop_flaw_is_a_check_of_the_suite() {
    for flaw in [
        LoopFlaw::InlinePing,
        LoopFlaw::DropsEveryOtherPing,
        LoopFlaw::DisconnectIgnored,
        LoopFlaw::PanicsWhenGone,
    ] {
        for name in catchers(flaw) {
            assert!(
                suite::<BrokenLoop<NoFlaw>, Router>()
                    .iter()
                    .any(|check| check.name() == *name),
                "{flaw:?}: the suite has no check {name}"
            );
        }
    }
}

#[test]
fn every_w_rule_has_a_check_that_a_broken_loop_fails() {
    let caught: Vec<String> = [
        LoopFlaw::InlinePing,
        LoopFlaw::DropsEveryOtherPing,
        LoopFlaw::DisconnectIgnored,
        LoopFlaw::PanicsWhenGone,
    ]
    .iter()
    .flat_map(|flaw| catchers(*flaw).iter())
    .map(|name| name.split('_').next().unwrap_or_default().to_owned())
    .collect();
    for rule in ["w1", "w2", "w3", "w4"] {
        assert!(
            caught.iter().any(|caught| caught == rule),
            "no broken loop is caught by a check of {rule}"
        );
    }
}

#[test]
fn callback_run_inside_ping_is_caught_by_w1() {
    assert_caught::<InlinePing>();
}

#[test]
fn every_other_ping_dropped_is_caught_by_w2() {
    assert_caught::<DropsEveryOtherPing>();
}

#[test]
fn disconnect_that_leaves_the_callback_registered_is_caught_by_w3() {
    assert_caught::<DisconnectIgnored>();
}

#[test]
fn ping_that_panics_once_the_loop_is_gone_is_caught_by_w4() {
    assert_caught::<PanicsWhenGone>();
}
