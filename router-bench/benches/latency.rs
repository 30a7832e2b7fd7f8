//! P5 under criterion: the mean time from `send` to the listener of single
//! messages spaced apart, against the bare channel's blocking `recv`.
//! (The `bench` example prints p50 and p99.)
//!
//! `cargo bench -p router-bench --bench latency`

#![allow(clippy::expect_used)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use router_bench::{Backend, latency};
use router_crossbeam::Crossbeam;
use router_flume::Flume;

const GAP: Duration = Duration::from_micros(100);

fn latency<B: Backend>(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("P5 latency/{}", B::NAME));
    group.bench_function("router", |bench| {
        bench.iter_custom(|iters| {
            latency::router::<B>(iters, GAP, None)
                .expect("the router routes every message")
                .total()
        });
    });
    group.bench_function("bare", |bench| {
        bench.iter_custom(|iters| {
            latency::bare::<B>(iters, GAP)
                .expect("the channel carries every message")
                .total()
        });
    });
    group.finish();
}

fn cases(c: &mut Criterion) {
    latency::<Crossbeam>(c);
    latency::<Flume>(c);
}

criterion_group! {
    name = benches;
    // Each message waits out its gap, which criterion does not see: keep
    // the measured time short, or the wall time is a hundred times longer.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(100));
    targets = cases
}
criterion_main!(benches);
