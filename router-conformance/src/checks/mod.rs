//! The checks: one public function per behaviour, named after it and
//! tagged with the rule of the repository's RULES.md it checks (the
//! router's R1–R11, the sender's S1–S3, the receiver's V1, end of stream
//! E1–E3, dropping a receiver D1, bounded pipes B1–B4, latest-value pipes
//! L1–L4, async streams A1–A2, a sender told its pipe closed C1, and the
//! event loop's W1–W4; and the jobs
//! layer's J1–J7, in the `jobs_*` files), whose words its doc comment
//! quotes. Each file holds the checks of one rule or of a
//! few rules close together; what they share is in the kit's `fixtures`.
//!
//! Every check is generic over the event loop `L` ([`KitLoop`](crate::KitLoop))
//! and the router `R`, and takes `new_router`, which builds an un-started
//! router on the loop it is given; it calls it as often as it needs
//! (twice where two routers share a loop, not at all in the W checks that
//! use the loop alone). A check returns nothing when the backend and the
//! loop behave, and panics with a message naming the rule when they do
//! not, like `assert!`. Each check makes its own event loop
//! ([`KitLoop::new_loop`](crate::KitLoop::new_loop), on the thread that
//! runs it) and routers, joins the threads it starts, and can run in
//! parallel with the others.
//!
//! Waits end as soon as their condition holds; a wait that never ends
//! fails after a safety timeout of 10 s, so a broken backend fails a check
//! instead of hanging it. (The one exception is R9's `None` timeout,
//! which by definition cannot give up.)
//!
//! Warnings are read by [`capture`](crate::capture) on the thread that
//! runs the check: a backend **must** log its R4 and R7 warnings on the
//! foreground thread, in the call that stops or routes.

// A check reports a broken rule by panicking, like `assert!`: `expect`
// with a message naming the rule is the point, not an accident.
#![allow(clippy::expect_used)]

pub mod bounded;
pub mod close_pipe;
pub mod closing;
pub mod end_of_stream;
pub mod event_loop;
pub mod event_loop_mode;
pub mod event_loop_storms;
pub mod fairness;
pub mod jobs_cancel;
pub mod jobs_executor;
pub mod jobs_failures;
pub mod jobs_lifecycle;
pub mod jobs_reports;
pub mod latest;
pub mod listener_panics;
pub mod listeners;
pub mod receiver_drop;
pub mod reentrancy;
pub mod route_until;
pub mod router_lifecycle;
pub mod routing;
pub mod sender_guard_and_drop;
pub mod sender_lifecycle;
pub mod shutdown;
pub mod streams;
