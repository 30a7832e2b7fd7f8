//! Benchmarks of the message-router backends against the bare channel
//! under them.
//!
//! Every measurement runs the router and, in the same run, the bare
//! channel of the same crate doing the same work: one closure call per
//! `(u64, u64)` message (see [`Tally`]). The figure users judge is the
//! ratio of the two. The functions here are shared by the criterion
//! benches (`cargo bench -p router-bench`) and the example that prints the
//! one table (`cargo run --release --example bench`).
//!
//! | module | measures |
//! |---|---|
//! | [`hop`] | the bare hop: the faster of a blocking `recv` loop and a `try_iter` drain |
//! | [`throughput`] | P1 manual mode, P2 event-loop mode, P3 64 senders into 64 pipes |
//! | [`churn`] | P4 `pipe` + `close_pipe` pairs with many pipes open |
//! | [`latency`] | P5 send-to-listener latency of single messages |
//! | [`loops`] | the router on tokio and calloop against each loop's own channel |
//! | [`split`] | what each end costs per message on its own, no second core involved |
//! | [`memory`] | heap bytes per open pipe |
//! | [`flood`] | how long another callback of the loop waits while a flood drains |
//! | [`process`] | the process backend against a bare socket hop of the same frames |
//! | [`report`] | the table the `bench` example prints |
//!
//! [`memory`] reads the heap through a function the caller passes: the
//! `bench` example installs a counting `#[global_allocator]` for it.
//!
//! ```no_run
//! use router_bench::{Workload, hop, throughput};
//! use router_crossbeam::Crossbeam;
//!
//! let work = Workload::new(1, 100_000);
//! let router = throughput::manual::<Crossbeam>(work)?;
//! let bare = hop::best::<Crossbeam>(work)?;
//! println!("ratio {:.2}", bare.as_secs_f64() / router.elapsed.as_secs_f64());
//! # Ok::<(), router_bench::BenchError>(())
//! ```

mod backend;
mod error;
mod feed;
mod rig;
mod tally;
mod workload;

pub mod churn;
pub mod flood;
pub mod hop;
pub mod kinds;
pub mod latency;
pub mod loops;
pub mod memory;
pub mod process;
pub mod report;
pub mod split;
pub mod throughput;

pub use backend::Backend;
pub use error::BenchError;
pub use feed::Feed;
pub use rig::Rig;
pub use tally::Tally;
pub use workload::Workload;

/// What every message carries besides its payload in the bare hop: the
/// number of the sender, as the router's envelope carries the route.
pub type Hop = (u64, u64);

/// How long any one measurement may wait for its messages before it gives
/// up; far beyond what a healthy run takes.
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);
