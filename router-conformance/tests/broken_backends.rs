//! The kit proves it can fail: each deliberately broken backend (a good
//! one with one [`Flaw`]) fails the checks of the rule it breaks, while the
//! good backend, bare and wrapped with no flaw, passes every check.
//!
//! What is expected of a check comes from the suite's one list
//! ([`suite`]): its rule (which its failure must name) and the capability
//! it needs (where this platform lacks it, the check must be reported
//! skipped instead, by name). This file adds only which checks catch which
//! flaw, in [`catchers`].

#![allow(clippy::expect_used)]

mod broken;

use broken::{Broken, Flaw};
use router_conformance::api::DefaultEventLoop;
use router_conformance::std_mpsc::MpscRouter;
use router_conformance::{Capability, Check, Lacker, Msg, Outcome, suite};

type Router = Broken<MpscRouter<Msg>>;

fn with_flaw(flaw: Flaw) -> impl Fn(&DefaultEventLoop) -> Router {
    move |event_loop| Broken::new(MpscRouter::new(event_loop), event_loop, flaw)
}

/// The checks that catch `flaw`: each must fail on a backend with it.
fn catchers(flaw: Flaw) -> &'static [&'static str] {
    match flaw {
        Flaw::None => &[],
        Flaw::SecondStartAccepted => &["r1_start_on_running_router_fails_already_running"],
        Flaw::SecondStopAccepted => &["r2_stop_on_stopped_router_fails_not_running"],
        Flaw::SilentStop => &["r4_stop_with_open_pipes_warns_with_count"],
        Flaw::LingeringThread => &["r5_no_router_thread_alive_after_stop"],
        Flaw::SwallowedDisconnect => {
            &["r5_send_after_router_stop_fails_disconnected_without_blocking"]
        }
        Flaw::ForeignPipeAccepted => &["r6_close_pipe_of_another_router_fails_foreign_pipe"],
        Flaw::LateDelivery => &[
            "r7_message_sent_after_close_is_dropped_with_warning",
            "r7_message_queued_before_close_is_dropped_with_warning",
        ],
        Flaw::Reordering => &[
            "r8_one_sender_messages_arrive_in_order_once",
            "r8_concurrent_senders_each_keep_their_order",
        ],
        Flaw::PerMessageDeadline => &["r9_route_until_deadline_covers_the_whole_call"],
        Flaw::EagerRouteUntil => &["r9_route_until_returns_at_once_when_condition_holds"],
        Flaw::NoManualMode => &[
            "r10_router_in_manual_mode_ignores_pings",
            "r10_pings_queued_before_route_until_neither_block_nor_route_twice",
        ],
        Flaw::PoisonedByPanic => &[
            "r11_panicking_listener_leaves_router_usable_in_event_loop_mode",
            "r11_panicking_listener_leaves_router_usable_in_manual_mode",
        ],
        Flaw::RestartableSender => &["s1_start_twice_fails_already_started"],
        Flaw::StopIgnored => &["s2_guard_starts_sender_and_stops_it_when_dropped"],
        Flaw::DropLeavesOpen => &["s3_sender_dropped_while_open_stops_itself"],
        Flaw::ReversedListeners => &["v1_every_listener_gets_each_message_in_connect_order"],
        Flaw::EndBeforeLastMessage => &["e1_end_comes_once_after_the_last_message"],
        Flaw::EndOnClosedPipe => &["e1_closed_pipe_is_told_no_end"],
        Flaw::EndsAllStopped => &[
            "e2_dropped_sender_ends_dropped",
            "e2_sender_of_a_panicking_thread_ends_panicked",
        ],
        Flaw::EndsAllDropped => &["e2_stopped_sender_ends_stopped"],
        Flaw::EndDeferred => &["e3_end_comes_within_a_turn_of_its_last_message_under_a_flood"],
        Flaw::SenderNeverClosed => &[
            "c1_sender_is_closed_once_close_pipe_closes_its_pipe",
            "c1_sender_is_closed_once_its_receiver_or_stream_is_dropped",
            "c1_sender_is_closed_once_its_router_stops_or_is_dropped",
            "c1_worker_looping_until_closed_stops_once_its_pipe_closes",
            "c2_sender_learns_its_pipe_closed_within_100_ms",
        ],
        Flaw::BoundIgnored => &[
            "b1_bounded_pipe_takes_its_capacity_and_no_more",
            "b2_send_on_a_full_pipe_waits_for_room",
            "b3_full_pipe_hands_the_message_back",
        ],
        Flaw::FullSendHangs => &["b2_send_waiting_on_a_full_pipe_fails_when_it_cannot_go_on"],
        Flaw::QueuedNotCounted => &["b4_receiver_counts_its_waiting_messages"],
        Flaw::LatestDeliversAll => &[
            "l1_each_routing_delivers_only_the_newest_value",
            "l4_latest_value_is_delivered_within_a_turn_under_a_flood",
        ],
        Flaw::LatestLosesLast => &["l2_last_value_before_the_end_is_delivered"],
        Flaw::LatestPingsPerSend => &["l3_a_burst_of_sends_costs_one_wake_up"],
        Flaw::StreamRepeatsMessages => &["a1_stream_yields_every_message_once_in_order"],
        Flaw::StreamNeverEnds | Flaw::StreamDropLeavesPipeOpen => {
            &["a2_stream_ends_with_its_pipe_and_closes_it_when_dropped"]
        }
        Flaw::DropLeavesPipeOpen => &[
            "d1_dropped_receiver_closes_its_pipe",
            "d1_receiver_dropped_by_its_own_listener_closes_its_pipe",
            "d1_stop_warns_only_of_receivers_still_alive",
        ],
    }
}

fn check(name: &str) -> Check<DefaultEventLoop, Router> {
    suite()
        .into_iter()
        .find(|check| check.name() == name)
        .unwrap_or_else(|| panic!("the suite has no check {name}"))
}

/// What a check must come to on a backend that keeps its rule, from the
/// list: passed, or skipped where this platform lacks what it needs.
fn expected_on_a_good_backend<L, R>(check: &Check<L, R>) -> Outcome {
    match check.skipped(&[]) {
        Some((capability, lacker)) => Outcome::Skipped { capability, lacker },
        None => Outcome::Passed,
    }
}

/// Asserts that each check that catches `flaw` fails on a backend with
/// it, with a message naming the check's rule, and comes to what it does
/// on a good backend on the same wrapper with no flaw: the failure is the
/// flaw's, not the wrapper's. Where this platform lacks what a check
/// needs, asserts it is reported skipped instead.
fn assert_caught(flaw: Flaw) {
    let names = catchers(flaw);
    assert!(!names.is_empty(), "no check is said to catch {flaw:?}");
    for name in names {
        let check = check(name);
        let outcome = check.outcome(&with_flaw(flaw), &[]);
        if let Some((capability, lacker)) = check.skipped(&[]) {
            assert_eq!(
                outcome,
                Outcome::Skipped { capability, lacker },
                "{name} needs {capability}, which this platform lacks"
            );
            println!("{flaw:?} not looked for by {name}: {outcome}");
            continue;
        }
        let Outcome::Failed(failure) = outcome else {
            panic!("{name} came to {outcome} on a backend with the flaw {flaw:?}")
        };
        // assert_eq! puts its own words before the check's message.
        assert!(
            failure.contains(&format!("{}:", check.rule()))
                || failure.contains(&format!("{} ", check.rule())),
            "{name} failed on {flaw:?}, but its message does not name {}: {failure}",
            check.rule()
        );
        println!("{flaw:?} caught by {name}: {failure}");
        assert_eq!(
            check.outcome(&with_flaw(Flaw::None), &[]),
            expected_on_a_good_backend(&check),
            "{name} on the wrapper with no flaw"
        );
    }
}

#[test]
fn good_backend_passes_every_check_bare_and_wrapped() {
    let bare = |event_loop: &DefaultEventLoop| MpscRouter::<Msg>::new(event_loop);
    let mut wrong: Vec<String> = suite()
        .iter()
        .filter_map(|check| {
            let outcome = check.outcome(&bare, &[]);
            (outcome != expected_on_a_good_backend(check))
                .then(|| format!("bare {}: {outcome}", check.name()))
        })
        .collect();
    wrong.extend(suite().iter().filter_map(|check| {
        let outcome = check.outcome(&with_flaw(Flaw::None), &[]);
        (outcome != expected_on_a_good_backend(check))
            .then(|| format!("wrapped {}: {outcome}", check.name()))
    }));
    assert!(
        wrong.is_empty(),
        "the good backend did not pass every check it can run:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_check_said_to_catch_a_flaw_is_in_the_suite() {
    for flaw in broken::ALL_FLAWS {
        for name in catchers(*flaw) {
            assert!(
                suite::<DefaultEventLoop, Router>()
                    .iter()
                    .any(|check| check.name() == *name),
                "{flaw:?}: the suite has no check {name}"
            );
        }
    }
}

#[test]
fn checks_needing_what_the_backend_or_loop_lacks_are_skipped_by_name_not_run() {
    // A backend that leaves a thread behind: were the thread checks run,
    // they would fail.
    let lingering = with_flaw(Flaw::LingeringThread);
    for capability in Capability::ALL {
        let (lacker, who) = match capability.declared_by() {
            Lacker::Backend => (Lacker::Backend, "the backend"),
            Lacker::EventLoop => (Lacker::EventLoop, "the event loop"),
            Lacker::Platform => panic!("{capability} is declared lacking by the platform"),
        };
        let needing: Vec<_> = suite::<DefaultEventLoop, Router>()
            .into_iter()
            .filter(|check| check.requires() == Some(*capability))
            .collect();
        assert!(!needing.is_empty(), "no check needs {capability}");
        for check in needing {
            let outcome = check.outcome(&lingering, &[*capability]);
            assert_eq!(
                outcome,
                Outcome::Skipped {
                    capability: *capability,
                    lacker
                },
                "{}",
                check.name()
            );
            assert_eq!(
                outcome.to_string(),
                format!("skipped: {who} lacks {capability}")
            );
        }
    }
}

#[test]
fn second_start_accepted_is_caught_by_r1() {
    assert_caught(Flaw::SecondStartAccepted);
}

#[test]
fn second_stop_accepted_is_caught_by_r2() {
    assert_caught(Flaw::SecondStopAccepted);
}

#[test]
fn missing_unclosed_pipe_warning_is_caught_by_r4() {
    assert_caught(Flaw::SilentStop);
}

#[test]
fn thread_left_running_after_stop_is_caught_by_r5() {
    assert_caught(Flaw::LingeringThread);
}

#[test]
fn send_succeeding_after_stop_is_caught_by_r5() {
    assert_caught(Flaw::SwallowedDisconnect);
}

#[test]
fn foreign_receiver_accepted_is_caught_by_r6() {
    assert_caught(Flaw::ForeignPipeAccepted);
}

#[test]
fn late_message_delivered_is_caught_by_r7() {
    assert_caught(Flaw::LateDelivery);
}

#[test]
fn reordered_messages_are_caught_by_r8() {
    assert_caught(Flaw::Reordering);
}

#[test]
fn deadline_restarted_per_message_is_caught_by_r9() {
    assert_caught(Flaw::PerMessageDeadline);
}

#[test]
fn route_until_ignoring_a_condition_that_holds_is_caught_by_r9() {
    assert_caught(Flaw::EagerRouteUntil);
}

#[test]
fn pings_routed_after_route_until_are_caught_by_r10() {
    assert_caught(Flaw::NoManualMode);
}

#[test]
fn router_poisoned_by_a_panicking_listener_is_caught_by_r11() {
    assert_caught(Flaw::PoisonedByPanic);
}

#[test]
fn sender_starting_twice_is_caught_by_s1() {
    assert_caught(Flaw::RestartableSender);
}

#[test]
fn guard_that_does_not_stop_its_sender_is_caught_by_s2() {
    assert_caught(Flaw::StopIgnored);
}

#[test]
fn sender_that_does_not_stop_when_dropped_is_caught_by_s3() {
    assert_caught(Flaw::DropLeavesOpen);
}

#[test]
fn listeners_called_in_reverse_are_caught_by_v1() {
    assert_caught(Flaw::ReversedListeners);
}

#[test]
fn end_told_before_the_last_message_is_caught_by_e1() {
    assert_caught(Flaw::EndBeforeLastMessage);
}

#[test]
fn end_told_to_a_closed_pipe_is_caught_by_e1() {
    assert_caught(Flaw::EndOnClosedPipe);
}

#[test]
fn every_end_told_as_stopped_is_caught_by_e2() {
    assert_caught(Flaw::EndsAllStopped);
}

#[test]
fn end_held_back_by_a_flood_is_caught_by_e3() {
    assert_caught(Flaw::EndDeferred);
}

#[test]
fn sender_that_never_learns_its_pipe_closed_is_caught_by_c1_c2() {
    assert_caught(Flaw::SenderNeverClosed);
}

#[test]
fn every_end_told_as_dropped_is_caught_by_e2() {
    assert_caught(Flaw::EndsAllDropped);
}

#[test]
fn receiver_drop_leaving_its_pipe_open_is_caught_by_d1() {
    assert_caught(Flaw::DropLeavesPipeOpen);
}

#[test]
fn bounded_pipe_made_unbounded_is_caught_by_b1_b2_b3() {
    assert_caught(Flaw::BoundIgnored);
}

#[test]
fn send_hanging_after_its_pipe_went_is_caught_by_b2() {
    assert_caught(Flaw::FullSendHangs);
}

#[test]
fn bounded_pipe_that_does_not_count_is_caught_by_b4() {
    assert_caught(Flaw::QueuedNotCounted);
}

#[test]
fn latest_pipe_delivering_every_value_is_caught_by_l1() {
    assert_caught(Flaw::LatestDeliversAll);
}

#[test]
fn latest_pipe_losing_its_last_value_is_caught_by_l2() {
    assert_caught(Flaw::LatestLosesLast);
}

#[test]
fn latest_pipe_waking_the_loop_per_send_is_caught_by_l3() {
    assert_caught(Flaw::LatestPingsPerSend);
}

#[test]
fn stream_repeating_messages_is_caught_by_a1() {
    assert_caught(Flaw::StreamRepeatsMessages);
}

#[test]
fn stream_that_never_ends_is_caught_by_a2() {
    assert_caught(Flaw::StreamNeverEnds);
}

#[test]
fn stream_dropped_leaving_its_pipe_open_is_caught_by_a2() {
    assert_caught(Flaw::StreamDropLeavesPipeOpen);
}
