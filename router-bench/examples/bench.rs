//! Prints the performance table of the router backends against the bare
//! channel under each:
//!
//! ```text
//! cargo run --release --example bench            # 9 runs of each figure
//! cargo run --release --example bench -- --runs 3
//! cargo run --release --example bench -- --only throughput,latency
//! cargo run --release --example bench --features mimalloc
//! ```
//!
//! The last runs everything on mimalloc instead of the system allocator,
//! without the heap-per-pipe row (the counting allocator wraps the system
//! one). Under glibc, crossbeam's channel allocates a block per 31
//! messages on the sending thread and frees it on the receiving one, both
//! under the sending thread's arena lock; how often the two collide
//! depends on how far the receiver trails, so the bare hop and the router
//! each run at one of two speeds (about 60 or 25 M/s) from run to run.
//!
//! `--only` takes any of `throughput`, `split`, `churn`, `latency`,
//! `memory`, `flood`, `loops`, `kinds`, `bounded` (the B throughput rows
//! alone; `kinds` includes them), `process`.
//!
//! Throughput figures are the medians of the runs (router and bare hop
//! interleaved, so both see the same machine); pings per message are the
//! worst.

#[cfg(not(feature = "mimalloc"))]
use std::alloc::System;
use std::process::ExitCode;
use std::time::Duration;

use router_api::DrainBudget;
use router_bench::process::{Blob, Pair, Payload};
use router_bench::report::{Row, Table, Verdict, micros, per_second, rate};
use router_bench::{
    Backend, BenchError, Workload, churn, flood, hop, latency, loops, memory, process, split,
    throughput,
};
use router_crossbeam::Crossbeam;
use router_flume::Flume;
#[cfg(not(feature = "mimalloc"))]
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

/// Counts every allocation, for the bytes per open pipe.
#[cfg(not(feature = "mimalloc"))]
#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// mimalloc, uncounted (`StatsAlloc::new` is not `const` on stable).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The allocator the table was measured on.
const ALLOCATOR_NAME: &str = if cfg!(feature = "mimalloc") {
    "mimalloc"
} else {
    "system allocator (glibc malloc)"
};

/// Live heap bytes now, where the allocator counts them.
#[cfg(not(feature = "mimalloc"))]
fn live_heap() -> Option<usize> {
    let stats = ALLOCATOR.stats();
    Some(
        stats
            .bytes_allocated
            .saturating_sub(stats.bytes_deallocated),
    )
}

/// Live heap bytes now, where the allocator counts them.
#[cfg(feature = "mimalloc")]
fn live_heap() -> Option<usize> {
    None
}

const ONE_TO_ONE: Workload = Workload::new(1, 1_000_000);
const FAN_IN: Workload = Workload::new(64, 20_000);
const OPEN_PIPES: [usize; 3] = [10, 10_000, 1_000_000];
const CHURN_PAIRS: u64 = 1_000_000;
const LATENCY_SAMPLES: u64 = 4_000;
const LATENCY_GAP: Duration = Duration::from_micros(100);
const FLOOD: u64 = 1_000_000;
const TICK: Duration = Duration::from_millis(1);

fn main() -> ExitCode {
    // The process rows run this binary again as their sending child.
    if let Some(outcome) = process::run_child_if_asked() {
        return match outcome {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("process bench child failed: {}", error.chain());
                ExitCode::FAILURE
            }
        };
    }
    let options = Options::from_args();
    let runs = options.runs;
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("CPU: {}", cpu_model());
    println!(
        "router vs bare channel, M = u64, {cores} cores, {ALLOCATOR_NAME}, median of {runs} runs \
         interleaved, after one untimed warm-up run of each side; P1-P3 and the one-thread \
         rows: one try per run each side (the one-thread rows alternating which goes first, \
         each try the second of two rounds on the same router or channel), the bare side \
         with the faster of a recv() loop and a try_iter() drain in the warm-up\n"
    );
    let mut table = Table::new();
    let mut notes = Vec::new();
    let measured = section::<Crossbeam>(&mut table, &mut notes, &options)
        .and_then(|()| section::<Flume>(&mut table, &mut notes, &options))
        .and_then(|()| process_rows(&mut table, &options));
    print!("{table}");
    for note in &notes {
        println!("{note}");
    }
    match measured {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench failed: {}", error.chain());
            ExitCode::FAILURE
        }
    }
}

/// The processor's model name, as `lscpu` shows it (Linux), for the
/// table's header: ratios differ from one processor to the next.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no /proc/cpuinfo)".to_owned())
}

/// The command line: `--runs N`, `--only a,b`.
struct Options {
    runs: usize,
    only: Option<Vec<String>>,
}

impl Options {
    fn from_args() -> Self {
        let args: Vec<String> = std::env::args().collect();
        let value = |flag: &str| {
            args.windows(2)
                .find(|pair| pair[0] == flag)
                .map(|pair| pair[1].clone())
        };
        Self {
            runs: value("--runs")
                .and_then(|runs| runs.parse().ok())
                .unwrap_or(9)
                .max(1),
            only: value("--only").map(|only| only.split(',').map(str::to_owned).collect()),
        }
    }

    fn wants(&self, part: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|wanted| wanted == part))
    }
}

fn section<B: Backend>(
    table: &mut Table,
    notes: &mut Vec<String>,
    options: &Options,
) -> Result<(), BenchError> {
    let runs = options.runs;
    if options.wants("throughput") {
        throughput_rows::<B>(table, runs)?;
    }
    if options.wants("split") {
        split_rows::<B>(table, runs)?;
    }
    if options.wants("churn") {
        churn_rows::<B>(table, runs)?;
    }
    if options.wants("latency") {
        latency_rows::<B>(table)?;
    }
    if options.wants("memory") {
        memory_row::<B>(table)?;
    }
    if options.wants("flood") {
        flood_notes::<B>(table, notes)?;
    }
    if options.wants("loops") {
        loop_rows::<B>(table, runs)?;
    }
    if options.wants("kinds") || options.wants("bounded") {
        bounded_rows::<B>(table, runs)?;
    }
    if options.wants("kinds") {
        kind_rows::<B>(table)?;
    }
    Ok(())
}

const BOUNDED_CAPACITY: usize = 1024;
const BOUNDED_FLOOD: u64 = 5_000_000;
/// The one-thread B rows' messages per round, and their pipe's capacity.
const ONE_THREAD: u64 = 1_000_000;
const STALL: Duration = Duration::from_millis(100);
const UPDATERS: usize = 8;
const UPDATES: u64 = 1_000_000;
const FRAME: Duration = Duration::from_micros(16_667);

/// The B throughput rows: a bounded pipe against an unbounded one, and
/// the bare channel's bounded against its unbounded (the ceiling), each
/// side the median of `runs` runs, interleaved, after one warm-up run.
fn bounded_rows<B: Backend>(table: &mut Table, runs: usize) -> Result<(), BenchError> {
    use router_api::PipeKind;
    use router_bench::kinds;

    let bounded = PipeKind::Bounded {
        capacity: BOUNDED_CAPACITY,
    };
    let routed = |kind| {
        kinds::flood::<B>(kind, BOUNDED_FLOOD, Duration::ZERO, &live_heap).map(|run| run.elapsed)
    };
    let bare = |capacity| kinds::bare_flood::<B>(capacity, BOUNDED_FLOOD);
    type Side<'a> = &'a dyn Fn() -> Result<Duration, BenchError>;
    let sides: [Side<'_>; 4] = [
        &|| routed(bounded),
        &|| routed(PipeKind::Unbounded),
        &|| bare(Some(BOUNDED_CAPACITY)),
        &|| bare(None),
    ];
    let mut times: [Vec<Duration>; 4] = Default::default();
    for run in 0..=runs {
        // Each pair alternates which of its two goes first.
        let order = if run % 2 == 0 {
            [0, 1, 2, 3]
        } else {
            [1, 0, 3, 2]
        };
        for side in order {
            let time = sides[side]()?;
            if run > 0 {
                times[side].push(time);
            }
        }
    }
    let [
        router_bounded,
        router_unbounded,
        bare_bounded,
        bare_unbounded,
    ] = times.map(|mut side| {
        side.sort_unstable();
        side[side.len() / 2]
    });
    let ratio = router_unbounded.as_secs_f64() / router_bounded.as_secs_f64();
    let flood = format!("1 sender x {} msgs", count(BOUNDED_FLOOD));
    table.push(Row {
        backend: B::NAME,
        measure: format!("B bounded({BOUNDED_CAPACITY}), {flood}"),
        router: rate(BOUNDED_FLOOD, router_bounded),
        bare: format!("{} (unbounded pipe)", rate(BOUNDED_FLOOD, router_unbounded)),
        ratio: format!("{ratio:.2}"),
        target: ">= 0.8".to_owned(),
        verdict: Verdict::of(ratio >= 0.8),
    });
    table.push(Row {
        backend: B::NAME,
        measure: format!("B no router: bare bounded({BOUNDED_CAPACITY}) vs unbounded(), {flood}"),
        router: format!("{} (bare bounded)", rate(BOUNDED_FLOOD, bare_bounded)),
        bare: format!("{} (bare unbounded)", rate(BOUNDED_FLOOD, bare_unbounded)),
        ratio: format!(
            "{:.2}",
            bare_unbounded.as_secs_f64() / bare_bounded.as_secs_f64()
        ),
        target: "ceiling".to_owned(),
        verdict: Verdict::Info,
    });
    one_thread_bounded_rows::<B>(table, runs)
}

/// The one-thread B rows: what a bounded pipe's credit costs each end per
/// message, against an unbounded pipe, with no other core taking part;
/// medians of `runs` runs, alternating which pipe goes first, after one
/// warm-up run.
fn one_thread_bounded_rows<B: Backend>(table: &mut Table, runs: usize) -> Result<(), BenchError> {
    use router_api::PipeKind;
    use router_bench::kinds;

    let bounded = PipeKind::Bounded {
        capacity: ONE_THREAD as usize,
    };
    let mut ends: [Vec<(f64, f64)>; 2] = Default::default();
    for run in 0..=runs {
        let order = if run % 2 == 0 { [0, 1] } else { [1, 0] };
        for side in order {
            let kind = if side == 0 {
                bounded
            } else {
                PipeKind::Unbounded
            };
            let both = kinds::one_thread::<B>(kind, ONE_THREAD)?;
            if run > 0 {
                ends[side].push(both);
            }
        }
    }
    let median = |side: &[(f64, f64)], end: fn(&(f64, f64)) -> f64| {
        let mut values: Vec<f64> = side.iter().map(end).collect();
        values.sort_unstable_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let capacity = count(ONE_THREAD);
    for (what, end) in [
        ("send", (|both| both.0) as fn(&(f64, f64)) -> f64),
        ("receive + listener", |both| both.1),
    ] {
        let (router, unbounded) = (median(&ends[0], end), median(&ends[1], end));
        table.push(Row {
            backend: B::NAME,
            measure: format!("B {what}, 1 thread, bounded({capacity}), queue pre-filled"),
            router: format!("{router:.1} ns"),
            bare: format!("{unbounded:.1} ns (unbounded pipe)"),
            ratio: format!("{:.2}", unbounded / router),
            target: "report".to_owned(),
            verdict: Verdict::Info,
        });
    }
    Ok(())
}

/// The bounded pipe flooded while the foreground stalls, against an
/// unbounded one; latest-value pipes at 60 Hz, against unbounded ones.
fn kind_rows<B: Backend>(table: &mut Table) -> Result<(), BenchError> {
    use router_api::PipeKind;
    use router_bench::kinds;

    let bounded = PipeKind::Bounded {
        capacity: BOUNDED_CAPACITY,
    };
    let router = kinds::flood::<B>(bounded, BOUNDED_FLOOD, STALL, &live_heap)?;
    let unbounded = kinds::flood::<B>(PipeKind::Unbounded, BOUNDED_FLOOD, STALL, &live_heap)?;
    if let (Some(held), Some(unbounded_held)) = (router.peak_heap, unbounded.peak_heap) {
        // What n messages take in the channel: their envelopes. At most n
        // wait (B1), but in two buffers where the channel takes batches
        // (flume's queue and the router's backlog), each sized for n.
        let n_messages = BOUNDED_CAPACITY * size_of::<(u64, u64)>();
        table.push(Row {
            backend: B::NAME,
            measure: format!(
                "B heap held at most, bounded({BOUNDED_CAPACITY}), {} msgs, {} ms stall first",
                count(BOUNDED_FLOOD),
                STALL.as_millis()
            ),
            router: format!("{:.1} KB", held as f64 / 1e3),
            bare: format!("{:.1} MB (unbounded pipe)", unbounded_held as f64 / 1e6),
            ratio: format!("{:.2} x n msgs", held as f64 / n_messages as f64),
            target: "<= 2.5 x n msgs (2 buffers of n)".to_owned(),
            verdict: Verdict::of(held * 2 <= 5 * n_messages),
        });
    }
    let latest = kinds::frames::<B>(PipeKind::Latest, UPDATERS, UPDATES, FRAME)?;
    let queued = kinds::frames::<B>(PipeKind::Unbounded, UPDATERS, UPDATES, FRAME)?;
    table.push(Row {
        backend: B::NAME,
        measure: format!(
            "L latest, {UPDATERS} threads x {} updates (bursts of {}), 60 Hz: per frame, most values, median/worst time",
            count(UPDATES),
            kinds::BURST
        ),
        router: format!(
            "{}, {} / {}",
            latest.most_per_frame,
            micros(latest.median),
            micros(latest.worst)
        ),
        bare: format!(
            "{}, {} / {} (unbounded pipes)",
            count(queued.most_per_frame),
            micros(queued.median),
            micros(queued.worst)
        ),
        ratio: format!(
            "{}/{} frames newest, {} pings",
            latest.newest, latest.frames, latest.pings
        ),
        target: format!("<= {} values a frame, every frame newest", 2 * UPDATERS),
        verdict: Verdict::of(
            latest.newest == latest.frames && latest.most_per_frame <= 2 * UPDATERS as u64,
        ),
    });
    Ok(())
}

/// A measurement of one side of a loop row.
type LoopSide = fn(Workload) -> Result<Duration, BenchError>;

/// The router on tokio and on calloop against the loop's own channel, one
/// sender and 64, medians of interleaved runs.
fn loop_rows<B: Backend>(table: &mut Table, runs: usize) -> Result<(), BenchError> {
    let hosts: [(&str, LoopSide, LoopSide, &str); 2] = [
        (
            "tokio LocalSet",
            loops::tokio_router::<B>,
            loops::tokio_bare,
            "tokio mpsc + spawn_local",
        ),
        (
            "calloop",
            loops::calloop_router::<B>,
            loops::calloop_bare,
            "calloop::channel",
        ),
    ];
    for (host, router_side, bare_side, bare_name) in hosts {
        for (senders, work) in [
            ("1 sender x 1 M", ONE_TO_ONE),
            ("64 senders x 20 k", FAN_IN),
        ] {
            let mut routers = Vec::with_capacity(runs);
            let mut bares = Vec::with_capacity(runs);
            for _ in 0..runs {
                routers.push(router_side(work)?);
                bares.push(bare_side(work)?);
            }
            routers.sort_unstable();
            bares.sort_unstable();
            let (router, bare) = (routers[runs / 2], bares[runs / 2]);
            let ratio = bare.as_secs_f64() / router.as_secs_f64();
            table.push(Row {
                backend: B::NAME,
                measure: format!("{host}, {senders}"),
                router: rate(work.messages(), router),
                bare: format!("{} ({bare_name})", rate(work.messages(), bare)),
                ratio: format!("{ratio:.2}"),
                target: ">= 1.0".to_owned(),
                verdict: Verdict::of(ratio >= 1.0),
            });
        }
    }
    Ok(())
}

/// The median router run, its worst pings, and the median bare hop (each
/// run's bare hop being the faster of its two loops) with the loop that
/// made it. Medians, not bests: on a shared 2-core VM the best of nine
/// catches a lucky schedule (the bare crossbeam hop ranged 22 to 65 M/s
/// between runs), and a ratio of two outliers says little.
struct Typical {
    router: Duration,
    pings: u64,
    bare: Duration,
    via: &'static str,
    /// The best router run over the best bare hop: both ends at their
    /// faster speed (see `--features mimalloc` in the module docs).
    best_ratio: f64,
}

fn typical_of(
    runs: usize,
    mut router: impl FnMut() -> Result<throughput::RouterRun, BenchError>,
    mut bare: impl FnMut() -> Result<(Duration, &'static str), BenchError>,
) -> Result<Typical, BenchError> {
    let mut routers = Vec::with_capacity(runs);
    let mut bares = Vec::with_capacity(runs);
    let mut pings = 0;
    for _ in 0..runs {
        let run = router()?;
        routers.push(run.elapsed);
        pings = pings.max(run.pings);
        bares.push(bare()?);
    }
    routers.sort_unstable();
    bares.sort_unstable_by_key(|(elapsed, _)| *elapsed);
    let (bare, via) = bares[bares.len() / 2];
    Ok(Typical {
        router: routers[routers.len() / 2],
        pings,
        bare,
        via,
        best_ratio: bares[0].0.as_secs_f64() / routers[0].as_secs_f64(),
    })
}

fn throughput_rows<B: Backend>(table: &mut Table, runs: usize) -> Result<(), BenchError> {
    let cases: [(&str, Workload, bool, f64); 3] = [
        ("P1 manual, 1 sender, 1 M msgs", ONE_TO_ONE, true, 0.9),
        ("P2 event loop, 1 sender, 1 M msgs", ONE_TO_ONE, false, 0.8),
        ("P3 event loop, 64 senders x 20 k", FAN_IN, false, 0.9),
    ];
    for (measure, work, manual, target) in cases {
        let router = || {
            if manual {
                throughput::manual::<B>(work)
            } else {
                throughput::event_loop::<B>(work, None)
            }
        };
        // A warm-up of each side (the same heap state for both), which
        // also picks the bare loop; then one try per run each side.
        let bare_loop = hop::Loop::pick::<B>(work)?;
        router()?;
        let typical = typical_of(runs, router, || {
            Ok((bare_loop.run::<B>(work)?, bare_loop.name()))
        })?;
        let ratio = typical.bare.as_secs_f64() / typical.router.as_secs_f64();
        table.push(Row {
            backend: B::NAME,
            measure: measure.to_owned(),
            router: rate(work.messages(), typical.router),
            bare: format!("{} ({})", rate(work.messages(), typical.bare), typical.via),
            ratio: format!("{ratio:.2} (best {:.2})", typical.best_ratio),
            target: format!(">= {target}"),
            verdict: Verdict::of(ratio >= target),
        });
        if !manual {
            let per_message = typical.pings as f64 / work.messages() as f64;
            table.push(Row {
                backend: B::NAME,
                measure: format!("{} pings/msg", &measure[..2]),
                router: format!("{per_message:.5}"),
                bare: String::new(),
                ratio: format!("{} pings", typical.pings),
                target: if work == ONE_TO_ONE {
                    "<= 0.001".to_owned()
                } else {
                    String::new()
                },
                verdict: if work == ONE_TO_ONE {
                    Verdict::of(per_message <= 0.001)
                } else {
                    Verdict::Info
                },
            });
        }
    }
    Ok(())
}

/// One end's nanoseconds per message in a split.
type End = fn(&split::Split) -> f64;

/// What each end costs per message on one thread (see `router_bench::split`):
/// the router's own cost, free of the cross-core swings of the P1-P3 rows.
fn split_rows<B: Backend>(table: &mut Table, runs: usize) -> Result<(), BenchError> {
    for (pipes, work) in [("1 pipe", ONE_TO_ONE), ("64 pipes", FAN_IN)] {
        // A warm-up of each side (the same heap state for both), which
        // also picks the bare loop; then one try per run each side.
        let bare_loop = split::pick::<B>(work)?;
        split::split::<B>(work, bare_loop, true)?;
        let mut splits = (0..runs)
            .map(|run| split::split::<B>(work, bare_loop, run % 2 == 0))
            .collect::<Result<Vec<_>, _>>()?;
        let median = |splits: &mut Vec<split::Split>, end: End| {
            splits.sort_unstable_by(|a, b| end(a).total_cmp(&end(b)));
            end(&splits[splits.len() / 2])
        };
        let ends: [(&str, End, End); 3] = [
            ("send", |s| s.router_send, |s| s.bare_send),
            (
                "receive + listener",
                |s| s.router_receive,
                |s| s.bare_receive,
            ),
            // In the router's column, a loop with no router (`Split::table_receive`).
            (
                "no router: bare receive + a listener table",
                |s| s.table_receive,
                |s| s.bare_receive,
            ),
        ];
        for (end, router_end, bare_end) in ends {
            if end == "send" && work == FAN_IN {
                continue; // The same sends as one pipe's, round-robin.
            }
            let router = median(&mut splits, router_end);
            let bare = median(&mut splits, bare_end);
            table.push(Row {
                backend: B::NAME,
                measure: format!("{end}, 1 thread, {pipes}, queue pre-filled"),
                router: format!("{router:.1} ns"),
                bare: format!("{bare:.1} ns"),
                ratio: format!("{:.2}", bare / router),
                target: String::new(),
                verdict: Verdict::Info,
            });
        }
    }
    Ok(())
}

fn churn_rows<B: Backend>(table: &mut Table, runs: usize) -> Result<(), BenchError> {
    let mut rates = Vec::new();
    for open in OPEN_PIPES {
        let churn = churn::Churn::<B>::new(open)?;
        let mut best = Duration::MAX;
        for _ in 0..runs {
            best = best.min(churn.pairs(CHURN_PAIRS)?);
        }
        churn.finish()?;
        let pairs_per_second = per_second(CHURN_PAIRS, best);
        rates.push(pairs_per_second);
        table.push(Row {
            backend: B::NAME,
            measure: format!("P4 pipe+close, {} open", count(open as u64)),
            router: rate(CHURN_PAIRS, best),
            bare: String::new(),
            ratio: String::new(),
            target: ">= 5 M/s".to_owned(),
            verdict: Verdict::of(pairs_per_second >= 5e6),
        });
    }
    let mean = rates.iter().sum::<f64>() / rates.len() as f64;
    let spread = rates
        .iter()
        .map(|rate| (rate / mean - 1.0).abs())
        .fold(0.0, f64::max);
    table.push(Row {
        backend: B::NAME,
        measure: "P4 flatness, 10 to 1 M open".to_owned(),
        router: format!("±{:.0}% of mean", spread * 100.0),
        bare: String::new(),
        ratio: format!(
            "{:.2}",
            rates.last().copied().unwrap_or(0.0) / rates.first().copied().unwrap_or(1.0)
        ),
        target: "±20%".to_owned(),
        verdict: Verdict::of(spread <= 0.2),
    });
    Ok(())
}

fn latency_rows<B: Backend>(table: &mut Table) -> Result<(), BenchError> {
    let bare = latency::bare::<B>(LATENCY_SAMPLES, LATENCY_GAP)?;
    let router = latency::router::<B>(LATENCY_SAMPLES, LATENCY_GAP, None)?;
    let (p50, bare50) = (router.quantile(0.5), bare.quantile(0.5));
    let ratio = p50.as_secs_f64() / bare50.as_secs_f64().max(f64::MIN_POSITIVE);
    table.push(Row {
        backend: B::NAME,
        measure: format!(
            "P5 latency p50, {} msgs {:?} apart",
            count(LATENCY_SAMPLES),
            LATENCY_GAP
        ),
        router: micros(p50),
        bare: micros(bare50),
        ratio: format!("{ratio:.2}x"),
        target: "<= 2x bare".to_owned(),
        verdict: Verdict::of(ratio <= 2.0),
    });
    let p99 = router.quantile(0.99);
    table.push(Row {
        backend: B::NAME,
        measure: "P5 latency p99".to_owned(),
        router: micros(p99),
        bare: micros(bare.quantile(0.99)),
        ratio: String::new(),
        target: "<= 50 µs".to_owned(),
        verdict: Verdict::of(p99 <= Duration::from_micros(50)),
    });
    Ok(())
}

fn memory_row<B: Backend>(table: &mut Table) -> Result<(), BenchError> {
    if live_heap().is_none() {
        // Not counted under this allocator; the default build measures it.
        return Ok(());
    }
    let footprint = memory::per_pipe::<B>(1_000_000, || live_heap().unwrap_or(0))?;
    table.push(Row {
        backend: B::NAME,
        measure: format!("heap per open pipe, {} open", count(footprint.pipes as u64)),
        router: format!("{:.1} B", footprint.heap_bytes),
        bare: String::new(),
        ratio: format!(
            "handles {} B + {} B",
            footprint.sender_bytes, footprint.receiver_bytes
        ),
        target: "<= 128 B".to_owned(),
        verdict: Verdict::of(footprint.heap_bytes <= 128.0),
    });
    Ok(())
}

fn flood_notes<B: Backend>(table: &mut Table, notes: &mut Vec<String>) -> Result<(), BenchError> {
    let budget = DrainBudget::default();
    let idle = flood::flood::<B>(0, budget, TICK)?;
    let bounded = flood::flood::<B>(FLOOD, budget, TICK)?;
    let unbounded = flood::flood::<B>(
        FLOOD,
        DrainBudget {
            max_messages: usize::MAX,
            max_time: Duration::MAX,
            ..budget
        },
        TICK,
    )?;
    let worst = bounded.waits.quantile(1.0);
    // A tick pinged during a turn runs when the turn ends, and a turn ends
    // once its budget's time is spent, checked every few dozen messages.
    // A turn can still last longer if the scheduler takes its core for a
    // while (the flooding sender wants one too), so the bound checked is
    // two turns' time; without a budget the wait is the whole flood.
    let bound = budget.max_time * 2;
    table.push(Row {
        backend: B::NAME,
        measure: "flood 1 M: other callback's max wait".to_owned(),
        router: micros(worst),
        bare: format!("idle loop: {}", micros(idle.waits.quantile(1.0))),
        ratio: format!("no budget: {}", micros(unbounded.waits.quantile(1.0))),
        target: format!("<= 2 turns ({bound:?})"),
        verdict: Verdict::of(worst <= bound),
    });
    notes.push(format!(
        "{}: a flood of {FLOOD} under the default budget ({} msgs / {:?} a turn) drained in \
         {:.1} ms over {} pings; a callback pinged every {TICK:?} ran {} times, waiting \
         p50 {} / p99 {} / max {} (idle loop: max {}); with no budget: {} pings, {} ticks, \
         max wait {}",
        B::NAME,
        budget.max_messages,
        budget.max_time,
        bounded.elapsed.as_secs_f64() * 1e3,
        bounded.pings,
        bounded.waits.len(),
        micros(bounded.waits.quantile(0.5)),
        micros(bounded.waits.quantile(0.99)),
        micros(worst),
        micros(idle.waits.quantile(1.0)),
        unbounded.pings,
        unbounded.waits.len(),
        micros(unbounded.waits.quantile(1.0)),
    ));
    Ok(())
}

/// A count as the table shows it: 10, 10 k, 1 M.
fn count(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n.is_multiple_of(1_000_000) => format!("{} M", n / 1_000_000),
        n if n >= 1_000 && n.is_multiple_of(1_000) => format!("{} k", n / 1_000),
        n => n.to_string(),
    }
}

/// The process backend against a bare socket hop of the same frames, one
/// child process sending on each side; the median of five rounds (process
/// start-up varies more than the hop does).
fn process_rows(table: &mut Table, options: &Options) -> Result<(), BenchError> {
    if !options.wants("process") {
        return Ok(());
    }
    process_row::<Pair>(table)?;
    process_row::<Blob>(table)
}

fn process_row<P: Payload>(table: &mut Table) -> Result<(), BenchError> {
    let (bare, routed) = process::median_rates::<P>(5)?;
    table.push(Row {
        backend: "process",
        measure: format!("child -> listener, {} x {}", P::NAME, P::COUNT),
        router: format!("{:.2} M/s", routed / 1e6),
        bare: format!("{:.2} M/s (socket)", bare / 1e6),
        ratio: format!("{:.2}", routed / bare),
        target: String::new(),
        verdict: Verdict::Info,
    });
    Ok(())
}
