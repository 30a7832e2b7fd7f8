//! The kit's three macros: `conformance_tests!`, which a backend's tests
//! call; `__checks!`, the one list of checks, from which the tests and
//! [`suite`](crate::suite) are made; and `__conformance_test!`, which
//! writes one check's `#[test]`. The checking is done by the generic
//! functions of [`checks`](crate::checks).

/// Writes one `#[test]` per check of the suite, in a module `$name`, for
/// the routers `$factory` makes, on the default event loop or on the loop
/// named after `on:`.
///
/// `$factory` is a closure (or function) that takes a
/// `&DefaultEventLoop` (or a `&L` for `on: L`) and returns a new,
/// un-started router of [`Msg`](crate::Msg) on it. The generated module
/// imports everything of the module the macro is called in, so the
/// factory (and the loop) can name what is in scope there; call the macro
/// at module level (not inside a function).
///
/// ```
/// # mod my_backend { pub use router_conformance::std_mpsc::MpscRouter; }
/// use my_backend::MpscRouter;
/// use router_conformance::Msg;
///
/// router_conformance::conformance_tests!(std_mpsc, |event_loop| MpscRouter::<Msg>::new(event_loop));
/// # fn main() {}
/// ```
///
/// The tests are named after the checks' behaviour, their rule first
/// (`std_mpsc::r4_stop_with_open_pipes_warns_with_count`), so
/// `cargo test r4_` runs one rule. See the crate docs for a whole example.
///
/// # Capabilities
///
/// A few checks need something besides the router (see
/// [`Capability`](crate::Capability)). A backend that lacks one names it
/// after the factory, and the checks that need it are skipped by name:
///
/// ```
/// # use router_conformance::std_mpsc::MpscRouter;
/// # use router_conformance::Msg;
/// router_conformance::conformance_tests!(
///     pooled,
///     |event_loop| MpscRouter::<Msg>::new(event_loop),
///     lacks: [CountThreads],
/// );
/// # fn main() {}
/// ```
///
/// Each such check's `#[test]` is then marked
/// `#[ignore = "skipped: the backend lacks CountThreads"]`, so `cargo test`
/// lists it as ignored, by name, and `cargo test -- --ignored` still runs
/// it on demand. Where the platform lacks a capability (threads are
/// counted on Linux and Android only), its checks are marked
/// `#[ignore = "skipped: this platform lacks CountThreads"]` the same way,
/// with no word from the backend. A name that is not a capability does not
/// compile.
///
/// A capability of the event loop (`PassesPanics`) is declared the same
/// way, by the harness of a loop that lacks it (`on:`, below), and its
/// checks are marked `#[ignore = "skipped: the event loop lacks
/// PassesPanics"]`.
///
/// # On another event loop
///
/// `on: L` names the event loop the checks run on: a type implementing
/// [`KitLoop`](crate::KitLoop), which makes a fresh loop for each check
/// and drives it. An event-loop adapter's tests implement it for a
/// harness around the adapter's loop and run the whole suite, the `W`
/// checks of the loop's own rules included, once per router backend:
///
/// ```
/// # use router_conformance::std_mpsc::MpscRouter;
/// use std::time::Duration;
/// use router_conformance::api::{DefaultEventLoop, EventLoop, Pingee};
/// use router_conformance::{KitLoop, Msg};
///
/// /// The loop under check; here a plain wrapper of the default loop.
/// #[derive(Clone)]
/// struct Harness(DefaultEventLoop);
///
/// impl EventLoop for Harness {
///     fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
///         self.0.pingee(on_ping)
///     }
/// }
///
/// impl KitLoop for Harness {
///     fn new_loop() -> Self {
///         Harness(DefaultEventLoop::new())
///     }
///     fn run_until(&self, condition: &mut dyn FnMut() -> bool, timeout: Duration) -> bool {
///         self.0.run_until(condition, Some(timeout)).is_ok()
///     }
///     fn run_pending(&self) -> usize {
///         self.0.run_pending()
///     }
/// }
///
/// router_conformance::conformance_tests!(on_harness, on: Harness, |event_loop| {
///     MpscRouter::<Msg>::new(event_loop)
/// });
/// # fn main() {}
/// ```
///
/// `lacks: [...]` follows the factory there too, for what the backend or
/// the loop lacks: `conformance_tests!(name, on: Harness, factory, lacks:
/// [PassesPanics])`.
#[macro_export]
macro_rules! conformance_tests {
    // The jobs layer's suite (J), on an executor over the routers of
    // `JobMessage` the factory makes.
    (jobs: $name:ident, on: $loop:ty, $factory:expr $(,)?) => {
        #[allow(clippy::redundant_closure)]
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $crate::__private::checks! { jobs tests { $loop, $factory, [] } }
        }
    };
    (jobs: $name:ident, $factory:expr $(,)?) => {
        $crate::conformance_tests!(jobs: $name, on: $crate::api::DefaultEventLoop, $factory);
    };
    ($name:ident, on: $loop:ty, $factory:expr $(, lacks: [$($lack:ident),* $(,)?])? $(,)?) => {
        // Only capabilities are accepted after `lacks:`.
        const _: &[$crate::Capability] = &[$($($crate::Capability::$lack),*)?];

        // A factory closure that only calls a function reads best as the
        // one line the docs show; clippy would ask for the function.
        #[allow(clippy::redundant_closure)]
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $crate::__private::checks! { tests { $loop, $factory, [$($($lack),*)?] } }
        }
    };
    // No `on:`: the default loop.
    ($name:ident, $factory:expr $(, lacks: [$($lack:ident),* $(,)?])? $(,)?) => {
        $crate::conformance_tests!(
            $name, on: $crate::api::DefaultEventLoop, $factory $(, lacks: [$($lack),*])?
        );
    };
}

/// The one list of checks, as `test_name => module::function`, followed
/// by `needs Capability` for a check that needs one: [`conformance_tests!`],
/// [`suite`](crate::suite), the README's and RULES.md's tables (checked by
/// `tests/readme.rs` and `tests/rules.rs`) and the broken-backend tests
/// are all made from it.
///
/// `tests { Loop, factory, [lacks] }` writes each check's `#[test]` with
/// `__conformance_test!`; `suite { Loop, Router }` makes the `Vec` of
/// [`Check`](crate::Check)s that `suite` returns (only the kit itself
/// can: `Check::new` is the kit's own).
#[doc(hidden)]
#[macro_export]
macro_rules! __checks {
    // What to make, given the jobs layer's list.
    (jobs $make:ident $args:tt) => {
        $crate::__private::checks! { $make $args
        j1_call_runs_then_completes_once => jobs_lifecycle::call_runs_then_completes_once,
        j2_last_report_comes_before_completed_and_a_burst_wakes_once => jobs_reports::last_report_comes_before_completed_and_a_burst_wakes_once,
        j3_items_arrive_in_order_and_at_most_capacity_wait => jobs_reports::items_arrive_in_order_and_at_most_capacity_wait,
        j4_cancel_before_start_never_runs_the_body => jobs_cancel::cancel_before_start_never_runs_the_body,
        j4_cancel_while_running_fails_the_next_check_and_discards_the_result => jobs_cancel::cancel_while_running_fails_the_next_check_and_discards_the_result,
        j4_cancel_wakes_a_worker_waiting_for_room => jobs_cancel::cancel_wakes_a_worker_waiting_for_room,
        j5_an_error_fails_the_job_with_it => jobs_failures::an_error_fails_the_job_with_it,
        j5_a_panic_fails_the_job_and_the_pool_goes_on => jobs_failures::a_panic_fails_the_job_and_the_pool_goes_on,
        j5_a_lost_worker_fails_its_job_as_lost => jobs_failures::a_lost_worker_fails_its_job_as_lost,
        j6_result_is_taken_once_and_the_future_resolves_when_done => jobs_lifecycle::result_is_taken_once_and_the_future_resolves_when_done,
        j7_stop_cancels_refuses_and_stops_when_the_last_job_is_done => jobs_executor::stop_cancels_refuses_and_stops_when_the_last_job_is_done,
        j7_shutdown_times_out_naming_live_jobs_then_finishes => jobs_executor::shutdown_times_out_naming_live_jobs_then_finishes,
        }
    };
    // What to make, given the router's list.
    ($make:ident $args:tt) => {
        $crate::__private::checks! { $make $args
        r1_start_on_new_router_starts => router_lifecycle::start_on_new_router_starts,
        r1_start_on_running_router_fails_already_running => router_lifecycle::start_on_running_router_fails_already_running,
        r1_start_on_stopped_router_starts_again => router_lifecycle::start_on_stopped_router_starts_again,
        r2_stop_on_new_router_fails_not_running => router_lifecycle::stop_on_new_router_fails_not_running,
        r2_stop_on_stopped_router_fails_not_running => router_lifecycle::stop_on_stopped_router_fails_not_running,
        r3_pipe_on_router_not_running_fails => router_lifecycle::pipe_on_router_not_running_fails,
        r3_close_pipe_on_router_not_running_fails => router_lifecycle::close_pipe_on_router_not_running_fails,
        r3_route_until_on_router_not_running_fails => router_lifecycle::route_until_on_router_not_running_fails,
        r4_stop_with_open_pipes_warns_with_count => router_lifecycle::stop_with_open_pipes_warns_with_count,
        r4_stop_with_every_pipe_closed_logs_no_warning => router_lifecycle::stop_with_every_pipe_closed_logs_no_warning,
        r5_no_router_thread_alive_after_stop => shutdown::no_router_thread_alive_after_stop needs CountThreads,
        r5_no_ping_reaches_router_after_stop => shutdown::no_ping_reaches_router_after_stop,
        r5_send_after_router_stop_fails_disconnected_without_blocking => shutdown::send_after_router_stop_fails_disconnected_without_blocking,
        r5_sender_of_previous_run_fails_disconnected => shutdown::sender_of_previous_run_fails_disconnected,
        r6_close_pipe_twice_fails_pipe_not_open => close_pipe::close_pipe_twice_fails_pipe_not_open,
        r6_close_pipe_of_previous_run_fails_pipe_not_open => close_pipe::close_pipe_of_previous_run_fails_pipe_not_open,
        r6_close_pipe_of_another_router_fails_foreign_pipe => close_pipe::close_pipe_of_another_router_fails_foreign_pipe,
        r7_message_sent_after_close_is_dropped_with_warning => routing::message_sent_after_close_is_dropped_with_warning,
        r7_message_queued_before_close_is_dropped_with_warning => routing::message_queued_before_close_is_dropped_with_warning,
        r8_one_sender_messages_arrive_in_order_once => routing::one_sender_messages_arrive_in_order_once,
        r8_concurrent_senders_each_keep_their_order => routing::concurrent_senders_each_keep_their_order,
        r9_route_until_returns_at_once_when_condition_holds => route_until::route_until_returns_at_once_when_condition_holds,
        r9_route_until_stops_as_soon_as_condition_holds => route_until::route_until_stops_as_soon_as_condition_holds,
        r9_route_until_without_timeout_waits_for_messages => route_until::route_until_without_timeout_waits_for_messages,
        r9_route_until_times_out_within_bounded_time => route_until::route_until_times_out_within_bounded_time,
        r9_route_until_deadline_covers_the_whole_call => route_until::route_until_deadline_covers_the_whole_call,
        r9_route_until_with_zero_timeout_routes_queued_messages => route_until::route_until_with_zero_timeout_routes_queued_messages,
        r9_route_until_works_after_a_timed_out_call => route_until::route_until_works_after_a_timed_out_call,
        r10_event_loop_routes_every_burst_without_user_call => event_loop_mode::event_loop_routes_every_burst_without_user_call,
        r10_pings_queued_before_route_until_neither_block_nor_route_twice => event_loop_mode::pings_queued_before_route_until_neither_block_nor_route_twice,
        r10_router_in_manual_mode_ignores_pings => event_loop_mode::router_in_manual_mode_ignores_pings,
        r11_listener_may_close_its_own_pipe => reentrancy::listener_may_close_its_own_pipe,
        r11_listener_may_open_a_pipe => reentrancy::listener_may_open_a_pipe,
        r11_listener_may_connect_and_disconnect_listeners => reentrancy::listener_may_connect_and_disconnect_listeners,
        r11_panicking_listener_leaves_router_usable_in_event_loop_mode => listener_panics::panicking_listener_leaves_router_usable_in_event_loop_mode needs PassesPanics,
        r11_panicking_listener_leaves_router_usable_in_manual_mode => listener_panics::panicking_listener_leaves_router_usable_in_manual_mode,
        s1_send_before_start_fails_not_started => sender_lifecycle::send_before_start_fails_not_started,
        s1_start_twice_fails_already_started => sender_lifecycle::start_twice_fails_already_started,
        s1_stop_before_start_fails_not_started => sender_lifecycle::stop_before_start_fails_not_started,
        s1_stop_twice_fails_stopped => sender_lifecycle::stop_twice_fails_stopped,
        s1_start_after_stop_fails_stopped => sender_lifecycle::start_after_stop_fails_stopped,
        s1_send_after_stop_fails_stopped => sender_lifecycle::send_after_stop_fails_stopped,
        s2_guard_starts_sender_and_stops_it_when_dropped => sender_guard_and_drop::guard_starts_sender_and_stops_it_when_dropped,
        s2_open_on_started_sender_fails_already_started => sender_guard_and_drop::open_on_started_sender_fails_already_started,
        s3_sender_sends_from_foreground_thread => sender_guard_and_drop::sender_sends_from_foreground_thread,
        s3_boxed_sender_sends_from_another_thread => sender_guard_and_drop::boxed_sender_sends_from_another_thread,
        s3_sender_dropped_while_open_delivers_what_it_sent => sender_guard_and_drop::sender_dropped_while_open_delivers_what_it_sent,
        s3_sender_dropped_while_open_stops_itself => sender_guard_and_drop::sender_dropped_while_open_stops_itself needs CountThreads,
        v1_every_listener_gets_each_message_in_connect_order => listeners::every_listener_gets_each_message_in_connect_order,
        v1_disconnected_listener_is_no_longer_called => listeners::disconnected_listener_is_no_longer_called,
        v1_disconnect_with_another_receivers_listener_returns_false => listeners::disconnect_with_another_receivers_listener_returns_false,
        e1_end_comes_once_after_the_last_message => end_of_stream::end_comes_once_after_the_last_message,
        e1_closed_pipe_is_told_no_end => end_of_stream::closed_pipe_is_told_no_end,
        e2_stopped_sender_ends_stopped => end_of_stream::stopped_sender_ends_stopped,
        e2_dropped_sender_ends_dropped => end_of_stream::dropped_sender_ends_dropped,
        e2_sender_of_a_panicking_thread_ends_panicked => end_of_stream::sender_of_a_panicking_thread_ends_panicked,
        e3_end_comes_within_a_turn_of_its_last_message_under_a_flood => fairness::end_comes_within_a_turn_of_its_last_message_under_a_flood needs ImmediateSends,
        d1_dropped_receiver_closes_its_pipe => receiver_drop::dropped_receiver_closes_its_pipe,
        d1_receiver_dropped_by_its_own_listener_closes_its_pipe => receiver_drop::receiver_dropped_by_its_own_listener_closes_its_pipe,
        d1_stop_warns_only_of_receivers_still_alive => receiver_drop::stop_warns_only_of_receivers_still_alive,
        b1_bounded_pipe_takes_its_capacity_and_no_more => bounded::bounded_pipe_takes_its_capacity_and_no_more needs ImmediateSends,
        b2_send_on_a_full_pipe_waits_for_room => bounded::send_on_a_full_pipe_waits_for_room needs ImmediateSends,
        b2_send_waiting_on_a_full_pipe_fails_when_it_cannot_go_on => bounded::send_waiting_on_a_full_pipe_fails_when_it_cannot_go_on needs ImmediateSends,
        b3_full_pipe_hands_the_message_back => bounded::full_pipe_hands_the_message_back needs ImmediateSends,
        b4_receiver_counts_its_waiting_messages => bounded::receiver_counts_its_waiting_messages,
        l1_each_routing_delivers_only_the_newest_value => latest::each_routing_delivers_only_the_newest_value needs ImmediateSends,
        l2_last_value_before_the_end_is_delivered => latest::last_value_before_the_end_is_delivered,
        l3_a_burst_of_sends_costs_one_wake_up => latest::a_burst_of_sends_costs_one_wake_up needs ImmediateSends,
        l4_latest_value_is_delivered_within_a_turn_under_a_flood => fairness::latest_value_is_delivered_within_a_turn_under_a_flood needs ImmediateSends,
        a1_stream_yields_every_message_once_in_order => streams::stream_yields_every_message_once_in_order,
        a2_stream_ends_with_its_pipe_and_closes_it_when_dropped => streams::stream_ends_with_its_pipe_and_closes_it_when_dropped,
        c1_sender_is_closed_once_close_pipe_closes_its_pipe => closing::sender_is_closed_once_close_pipe_closes_its_pipe,
        c1_sender_is_closed_once_its_receiver_or_stream_is_dropped => closing::sender_is_closed_once_its_receiver_or_stream_is_dropped,
        c1_sender_is_closed_once_its_router_stops_or_is_dropped => closing::sender_is_closed_once_its_router_stops_or_is_dropped,
        c1_worker_looping_until_closed_stops_once_its_pipe_closes => closing::worker_looping_until_closed_stops_once_its_pipe_closes,
        c2_sender_learns_its_pipe_closed_within_100_ms => closing::sender_learns_its_pipe_closed_within_100_ms,
        w1_callback_runs_on_the_loop_thread_never_inside_ping => event_loop::callback_runs_on_the_loop_thread_never_inside_ping,
        w2_ping_during_the_callback_runs_it_again => event_loop::ping_during_the_callback_runs_it_again,
        w2_pings_of_four_busy_threads_are_never_lost => event_loop_storms::pings_of_four_busy_threads_are_never_lost,
        w2_last_message_of_four_busy_senders_is_always_delivered => event_loop_storms::last_message_of_four_busy_senders_is_always_delivered,
        w3_callback_never_runs_after_disconnect => event_loop::callback_never_runs_after_disconnect,
        w4_pings_after_the_loop_is_gone_do_nothing => event_loop::pings_after_the_loop_is_gone_do_nothing,
        }
    };
    (
        tests { $loop:ty, $factory:expr, $lacks:tt }
        $($test:ident => $module:ident :: $check:ident $(needs $needs:ident)?,)*
    ) => {
        $(
            $crate::__private::test! {
                $($needs $lacks)? fn $test($loop, $factory, $module::$check)
            }
        )*
    };
    (
        suite { $loop:ty, $router:ty }
        $($test:ident => $module:ident :: $check:ident $(needs $needs:ident)?,)*
    ) => {
        vec![$(
            $crate::Check::new(
                stringify!($test),
                concat!(stringify!($module), "::", stringify!($check)),
                &[$($crate::Capability::$needs)?],
                $crate::checks::$module::$check::<$loop, $router>,
            )
        ),*]
    };
}

/// One check's `#[test]`, which runs the check's function on the routers
/// the factory makes: `fn test_name(Loop, factory, module::function)`.
///
/// A check that needs a capability comes with its name and the list of
/// what the backend (or loop) lacks in front, `CountThreads [..] fn ...`,
/// and is marked ignored, with the reason [`Outcome`](crate::Outcome)
/// gives too, when the list names it or the platform lacks it. The list
/// is walked one name at a time; each capability has its rule here, the
/// one place that says who declares it lacking and which platforms have
/// it.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_test {
    // The test, with the reason it is skipped, if any.
    ($(#[$skip:meta])? fn $test:ident($loop:ty, $factory:expr, $module:ident :: $check:ident)) => {
        #[test]
        $(#[$skip])?
        fn $test() {
            $crate::__private::run_check::<$loop, _, _>($factory, $crate::checks::$module::$check);
        }
    };
    // Lacked by the backend, or by the loop, which said so in `lacks:`.
    (CountThreads [CountThreads $(, $rest:ident)*] $($test:tt)*) => {
        $crate::__private::test! { #[ignore = "skipped: the backend lacks CountThreads"] $($test)* }
    };
    (ImmediateSends [ImmediateSends $(, $rest:ident)*] $($test:tt)*) => {
        $crate::__private::test! { #[ignore = "skipped: the backend lacks ImmediateSends"] $($test)* }
    };
    (PassesPanics [PassesPanics $(, $rest:ident)*] $($test:tt)*) => {
        $crate::__private::test! { #[ignore = "skipped: the event loop lacks PassesPanics"] $($test)* }
    };
    // Lacked by the platform.
    (CountThreads [] $($test:tt)*) => {
        $crate::__private::test! {
            #[cfg_attr(
                not(any(target_os = "linux", target_os = "android")),
                ignore = "skipped: this platform lacks CountThreads"
            )]
            $($test)*
        }
    };
    // Lacked by nobody.
    ($needs:ident [] $($test:tt)*) => {
        $crate::__private::test! { $($test)* }
    };
    // Another name: on down the list.
    ($needs:ident [$other:ident $(, $rest:ident)*] $($test:tt)*) => {
        $crate::__private::test! { $needs [$($rest),*] $($test)* }
    };
}
