//! Per-call overhead of an evaluator plugin (issue target: < 20 µs for 10 partitions × 10
//! commits), through the same path the daemon uses: model → WIT, warm instance, deadline,
//! answer checked and converted back. Built plugins are needed (see `scripts/test`).

use std::path::PathBuf;

use criterion::{Criterion, criterion_group};
use warren_core::model::Commit;
use warren_core::storage::{CommitSource, StorageHandle, StorageSettings};
use warren_runtime::{Limits, PluginEngine, PluginEvaluator};

const NOW: i64 = 1_700_000_000_000;

fn calls(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/target/wasm32-wasip2/release");
    let wasm = std::fs::read(dir.join("lag_threshold.wasm")).expect("build the plugins first");
    let engine = PluginEngine::new(None).unwrap();
    let component = engine.compile("lag-threshold", &wasm, None).unwrap();
    let e = PluginEvaluator::load(
        &engine,
        "lag-threshold",
        &component,
        r#"{"warn":100,"err":1000}"#,
        Limits::default(),
    )
    .unwrap();

    let s = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
    let store = s.cluster("c").unwrap();
    let mut w = store.writer();
    w.set_topics(&[("t".into(), 10)]);
    w.record_heads("t", &(0..10).map(|p| (p, 10_000)).collect::<Vec<_>>(), NOW);
    for round in 0..10 {
        for p in 0..10 {
            let c = Commit {
                group: "g",
                topic: "t",
                partition: p,
                offset: 100 * round,
                timestamp_ms: NOW + round * 1000,
                order: round * 10 + i64::from(p),
            };
            w.commit(&c, CommitSource::OffsetsTopic, NOW);
        }
    }
    drop(w);
    let snapshot = store.group("g").unwrap();

    c.bench_function("evaluator_plugin_10_partitions_x_10_commits", |b| {
        b.iter(|| e.evaluate("c", &snapshot, NOW).unwrap())
    });
    c.bench_function("evaluator_instantiate_and_validate", |b| {
        b.iter(|| {
            PluginEvaluator::load(
                &engine,
                "lag-threshold",
                &component,
                r#"{"warn":100,"err":1000}"#,
                Limits::default(),
            )
            .unwrap()
        })
    });
}

criterion_group!(benches, calls);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
