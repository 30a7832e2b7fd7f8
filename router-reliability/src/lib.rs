//! Reliability tests of the message-router backends, and what they share.
//!
//! The tests are in `tests/`:
//!
//! | file | what it shows |
//! |---|---|
//! | `model.rs` | random sequences of router, sender and listener calls agree with a small reference model of the spec: every result, every delivery, every warning, every counter |
//! | `soak.rs` | 64 worker threads flood a router whose pipes the foreground closes at random; every message is delivered once, in order, or counted as dropped |
//! | `misuse.rs` | each misuse or fault (dropped routers and senders, panicking workers and listeners, re-entrant calls, a million messages for a closed pipe) gives a clear error or a documented behaviour, never a panic in the library, never a hang |
//! | `lints.rs` | the `[workspace.lints]` of `desktop/Cargo.toml` and `servers/Cargo.toml` are the root `Cargo.toml`'s, copied (Cargo cannot include them) |
//!
//! The loom models live beside the code they check, since each needs its
//! crate built with `--cfg loom`: the ping gate's in router-channel
//! (`tests/loom_ping.rs`), the wake-and-pump core's in router-api
//! (`tests/loom_wake.rs`).
//!
//! Each test runs on every backend through [`for_each_backend!`]. The short
//! versions run with `cargo test`; the deep ones (10 000 model cases and
//! a 64 x 100 000 soak per backend, a few minutes in all) with
//! `cargo test -p router-reliability -- --ignored`.
//!
//! This crate holds the support the tests share:
//! - [`Backend`]: a channel backend, so one generic test covers them all;
//! - [`Workers`]: worker threads that each open a sender and send a
//!   numbered stream of messages;
//! - [`CountingLoop`]: an event loop that counts the callbacks it runs, to
//!   check [`RouterStats::pings`](router_api::RouterStats) against;
//! - [`DiscardTally`]: a subscriber that sums the closed-pipe warnings per
//!   pipe without keeping them, for floods too big to capture;
//! - [`SplitMix64`]: a tiny seeded generator for reproducible random
//!   moments.

mod backend;
mod counting_loop;
mod discard_tally;
mod random;
mod workers;

pub use backend::{Backend, Router};
pub use counting_loop::CountingLoop;
pub use discard_tally::DiscardTally;
pub use random::SplitMix64;
pub use workers::{WorkerFailure, WorkerReport, Workers};

#[doc(hidden)]
pub mod __private {
    pub use router_crossbeam::Crossbeam;
    pub use router_flume::Flume;
}
