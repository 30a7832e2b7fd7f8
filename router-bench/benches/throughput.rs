//! P1..P3 under criterion: messages through each router and through the
//! bare channel of the same crate, side by side.
//!
//! `cargo bench -p router-bench --bench throughput`

#![allow(clippy::expect_used)]

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use router_bench::{Backend, Workload, hop, throughput};
use router_crossbeam::Crossbeam;
use router_flume::Flume;

/// One criterion iteration: one message from each sender.
fn pair<B: Backend>(group: &mut BenchmarkGroup<'_, WallTime>, senders: usize, manual: bool) {
    group.bench_function(format!("{}/router", B::NAME), |bench| {
        bench.iter_custom(|iters| {
            let work = Workload::new(senders, iters);
            let run = if manual {
                throughput::manual::<B>(work)
            } else {
                throughput::event_loop::<B>(work, None)
            };
            run.expect("the router routes every message").elapsed
        });
    });
    group.bench_function(format!("{}/bare", B::NAME), |bench| {
        bench.iter_custom(|iters| {
            hop::best::<B>(Workload::new(senders, iters))
                .expect("the channel carries every message")
        });
    });
}

fn cases(c: &mut Criterion) {
    for (name, senders, manual) in [
        ("P1 manual, 1 sender", 1, true),
        ("P2 event loop, 1 sender", 1, false),
        ("P3 event loop, 64 senders", 64, false),
    ] {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(senders as u64));
        pair::<Crossbeam>(&mut group, senders, manual);
        pair::<Flume>(&mut group, senders, manual);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = cases
}
criterion_main!(benches);
