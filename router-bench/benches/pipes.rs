//! P4 under criterion: one `pipe` + `close_pipe` pair, with 10, 10 k and
//! 1 M other pipes open.
//!
//! `cargo bench -p router-bench --bench pipes`

#![allow(clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use router_bench::Backend;
use router_bench::churn::Churn;
use router_crossbeam::Crossbeam;
use router_flume::Flume;

fn churn<B: Backend>(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("P4 pipe+close/{}", B::NAME));
    group.throughput(Throughput::Elements(1));
    for open in [10, 10_000, 1_000_000] {
        let churn = Churn::<B>::new(open).expect("the router opens pipes");
        group.bench_with_input(BenchmarkId::new("open", open), &churn, |bench, churn| {
            bench.iter_custom(|iters| {
                churn
                    .pairs(iters)
                    .expect("the router makes and closes pipes")
            });
        });
        churn.finish().expect("the router stops");
    }
    group.finish();
}

fn cases(c: &mut Criterion) {
    churn::<Crossbeam>(c);
    churn::<Flume>(c);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = cases
}
criterion_main!(benches);
