//! Full evaluation of every group (issue target: 100,000 groups x 10 partitions in under one
//! second on one core), uncached, through the same path the bulk status endpoint uses.

use std::time::Duration;

use criterion::{Criterion, criterion_group};
use warren_core::evaluator::{EvaluatorHandle, RuleSettings};

mod common;
use common::{NOW, ingest, records, storage};

fn evaluate_all(c: &mut Criterion) {
    let s = storage(10);
    ingest(&s, &records(100_000, 10, 10), 0);
    let store = s.cluster("c").unwrap();
    // A zero cache lifetime: every group is evaluated on every iteration.
    let evaluator = EvaluatorHandle::new(RuleSettings::burrow_defaults(), Duration::ZERO);
    let mut g = c.benchmark_group("evaluate");
    g.sample_size(10);
    g.bench_function("all_100k_groups_x_10_partitions", |b| {
        b.iter(|| evaluator.all(store, NOW).len())
    });
    g.finish();
}

criterion_group!(benches, evaluate_all);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
