//! The kit proves it can fail: each deliberately broken backend (a good
//! one with one [`Flaw`]) fails the check of the rule it breaks, while the
//! good backend, bare and wrapped with no flaw, passes every check.

#![allow(clippy::expect_used)]

mod broken;
mod std_mpsc_backend;

use broken::{Broken, Flaw};
use router_conformance::api::DefaultEventLoop;
use router_conformance::{Check, Msg, suite};
use std_mpsc_backend::MpscRouter;

type Router = Broken<MpscRouter<Msg>>;

fn with_flaw(flaw: Flaw) -> impl Fn(&DefaultEventLoop) -> Router {
    move |event_loop| Broken::new(MpscRouter::new(event_loop), event_loop, flaw)
}

fn check(name: &str) -> Check<Router> {
    suite()
        .into_iter()
        .find(|check| check.name() == name)
        .unwrap_or_else(|| panic!("the suite has no check {name}"))
}

/// Asserts that check `name` fails on a backend with `flaw`, with a
/// message naming the check's rule, and passes on the same wrapper with no
/// flaw: the failure is the flaw's, not the wrapper's.
fn assert_caught(flaw: Flaw, name: &str) {
    let check = check(name);
    let failure = check
        .outcome(&with_flaw(flaw))
        .expect_err(&format!("{name} passed a backend with the flaw {flaw:?}"));
    // assert_eq! puts its own words before the check's message.
    assert!(
        failure.contains(&format!("{}:", check.rule()))
            || failure.contains(&format!("{} ", check.rule())),
        "{name} failed on {flaw:?}, but its message does not name {}: {failure}",
        check.rule()
    );
    println!("{flaw:?} caught by {name}: {failure}");
    assert_eq!(
        check.outcome(&with_flaw(Flaw::None)),
        Ok(()),
        "{name} failed on the wrapper with no flaw"
    );
}

#[test]
fn good_backend_passes_every_check_bare_and_wrapped() {
    let bare = |event_loop: &DefaultEventLoop| MpscRouter::<Msg>::new(event_loop);
    let mut failures: Vec<String> = suite()
        .iter()
        .filter_map(|check| {
            check
                .outcome(&bare)
                .err()
                .map(|failure| format!("bare {}: {failure}", check.name()))
        })
        .collect();
    failures.extend(suite().iter().filter_map(|check| {
        check
            .outcome(&with_flaw(Flaw::None))
            .err()
            .map(|failure| format!("wrapped {}: {failure}", check.name()))
    }));
    assert!(
        failures.is_empty(),
        "the good backend failed checks:\n{}",
        failures.join("\n")
    );
}

#[test]
fn second_start_accepted_is_caught_by_r1() {
    assert_caught(
        Flaw::SecondStartAccepted,
        "r1_start_on_running_router_fails_already_running",
    );
}

#[test]
fn second_stop_accepted_is_caught_by_r2() {
    assert_caught(
        Flaw::SecondStopAccepted,
        "r2_stop_on_stopped_router_fails_not_running",
    );
}

#[test]
fn missing_unclosed_pipe_warning_is_caught_by_r4() {
    assert_caught(Flaw::SilentStop, "r4_stop_with_open_pipes_warns_with_count");
}

#[test]
fn thread_left_running_after_stop_is_caught_by_r5() {
    assert_caught(
        Flaw::LingeringThread,
        "r5_no_router_thread_alive_after_stop",
    );
}

#[test]
fn send_succeeding_after_stop_is_caught_by_r5() {
    assert_caught(
        Flaw::SwallowedDisconnect,
        "r5_send_after_router_stop_fails_disconnected_without_blocking",
    );
}

#[test]
fn foreign_receiver_accepted_is_caught_by_r6() {
    assert_caught(
        Flaw::ForeignPipeAccepted,
        "r6_close_pipe_of_another_router_fails_foreign_pipe",
    );
}

#[test]
fn late_message_delivered_is_caught_by_r7() {
    assert_caught(
        Flaw::LateDelivery,
        "r7_message_sent_after_close_is_dropped_with_warning",
    );
    assert_caught(
        Flaw::LateDelivery,
        "r7_message_queued_before_close_is_dropped_with_warning",
    );
}

#[test]
fn reordered_messages_are_caught_by_r8() {
    assert_caught(
        Flaw::Reordering,
        "r8_one_sender_messages_arrive_in_order_once",
    );
    assert_caught(
        Flaw::Reordering,
        "r8_concurrent_senders_each_keep_their_order",
    );
}

#[test]
fn deadline_restarted_per_message_is_caught_by_r9() {
    assert_caught(
        Flaw::PerMessageDeadline,
        "r9_route_until_deadline_covers_the_whole_call",
    );
}

#[test]
fn route_until_ignoring_a_condition_that_holds_is_caught_by_r9() {
    assert_caught(
        Flaw::EagerRouteUntil,
        "r9_route_until_returns_at_once_when_condition_holds",
    );
}

#[test]
fn pings_routed_after_route_until_are_caught_by_r10() {
    assert_caught(
        Flaw::NoManualMode,
        "r10_router_in_manual_mode_ignores_pings",
    );
    assert_caught(
        Flaw::NoManualMode,
        "r10_pings_queued_before_route_until_neither_block_nor_route_twice",
    );
}

#[test]
fn router_poisoned_by_a_panicking_listener_is_caught_by_r11() {
    assert_caught(
        Flaw::PoisonedByPanic,
        "r11_panicking_listener_leaves_router_usable_in_event_loop_mode",
    );
    assert_caught(
        Flaw::PoisonedByPanic,
        "r11_panicking_listener_leaves_router_usable_in_manual_mode",
    );
}

#[test]
fn sender_starting_twice_is_caught_by_s1() {
    assert_caught(
        Flaw::RestartableSender,
        "s1_start_twice_fails_already_started",
    );
}

#[test]
fn guard_that_does_not_stop_its_sender_is_caught_by_s2() {
    assert_caught(
        Flaw::StopIgnored,
        "s2_guard_starts_sender_and_stops_it_when_dropped",
    );
}

#[test]
fn listeners_called_in_reverse_are_caught_by_v1() {
    assert_caught(
        Flaw::ReversedListeners,
        "v1_every_listener_gets_each_message_in_connect_order",
    );
}
