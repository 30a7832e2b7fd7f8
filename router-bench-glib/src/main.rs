//! The glib rows of router-bench's table: the router on a glib
//! `MainContext` against glib's own way of carrying messages from threads
//! to the context (an `async_channel` read by a `spawn_future_local`-style
//! local future), doing the same work in the same run, one sender and 64:
//!
//! ```sh
//! cargo run --release --manifest-path desktop/Cargo.toml -p router-bench-glib
//! ```
//!
//! It prints rows of router-bench's table (the rest of the table comes
//! from `cargo run --release --example bench` in the main workspace). It
//! is a crate of its own so that the bench reaches down to the adapter,
//! and no adapter depends on the bench.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use glib::MainContext;
use router_bench::report::{Row, Table, Verdict, rate};
use router_bench::{Backend, BenchError, Feed, Hop, PATIENCE, Rig, Tally, Workload};
use router_crossbeam::Crossbeam;
use router_flume::Flume;
use router_glib::GlibLoop;

const ONE_TO_ONE: Workload = Workload::new(1, 1_000_000);
const FAN_IN: Workload = Workload::new(64, 20_000);
const RUNS: usize = 5;

/// Iterates `context` until `tally` has counted `expected`.
fn iterate_until(context: &MainContext, tally: &Tally, expected: u64) -> Result<(), BenchError> {
    let deadline = Instant::now() + PATIENCE;
    while tally.count() < expected {
        if Instant::now() >= deadline {
            return Err(BenchError::ChannelClosed {
                received: tally.count(),
                expected,
            });
        }
        context.iteration(true);
    }
    Ok(())
}

fn router_side<B: Backend>(work: Workload) -> Result<Duration, BenchError> {
    let context = MainContext::new();
    let _owner = context
        .acquire()
        .map_err(|error| BenchError::host("glib", error))?;
    let router_loop = GlibLoop::new(&context).map_err(|error| BenchError::host("glib", error))?;
    let tally = Tally::new();
    let rig = Rig::<B, _>::for_work(router_loop, work, None, || tally.listener())?;
    let started = rig.release();
    iterate_until(&context, &tally, work.messages())?;
    let elapsed = started.elapsed();
    rig.finish()?;
    Ok(elapsed)
}

fn bare_side(work: Workload) -> Result<Duration, BenchError> {
    let context = MainContext::new();
    let _owner = context
        .acquire()
        .map_err(|error| BenchError::host("glib", error))?;
    let (tx, rx) = async_channel::unbounded::<Hop>();
    let tally = Tally::new();
    context.spawn_local({
        let tally = tally.clone();
        async move {
            while let Ok((_, value)) = rx.recv().await {
                tally.record(value);
            }
        }
    });
    let feed = Feed::spawn(
        (0..work.senders as u64)
            .map(|sender| {
                let tx = tx.clone();
                move |value| tx.send_blocking((sender, value)).is_ok()
            })
            .collect(),
        work.per_sender,
    );
    drop(tx);
    let started = feed.release();
    iterate_until(&context, &tally, work.messages())?;
    let elapsed = started.elapsed();
    feed.join()?;
    Ok(elapsed)
}

fn rows<B: Backend>(table: &mut Table) -> Result<(), BenchError> {
    for (senders, work) in [
        ("1 sender x 1 M", ONE_TO_ONE),
        ("64 senders x 20 k", FAN_IN),
    ] {
        let mut routers = Vec::with_capacity(RUNS);
        let mut bares = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            routers.push(router_side::<B>(work)?);
            bares.push(bare_side(work)?);
        }
        routers.sort_unstable();
        bares.sort_unstable();
        let (router, bare) = (routers[RUNS / 2], bares[RUNS / 2]);
        let ratio = bare.as_secs_f64() / router.as_secs_f64();
        table.push(Row {
            backend: B::NAME,
            measure: format!("glib MainContext, {senders}"),
            router: rate(work.messages(), router),
            bare: format!(
                "{} (async_channel + spawn_local)",
                rate(work.messages(), bare)
            ),
            ratio: format!("{ratio:.2}"),
            target: ">= 1.0".to_owned(),
            verdict: Verdict::of(ratio >= 1.0),
        });
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut table = Table::new();
    let measured = rows::<Crossbeam>(&mut table).and_then(|()| rows::<Flume>(&mut table));
    print!("{table}");
    match measured {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("glib bench failed: {error}");
            ExitCode::FAILURE
        }
    }
}
