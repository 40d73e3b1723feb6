//! Per-call overhead of plugins, through the same paths the daemon uses. Targets: a group
//! filter call (skip-empty) < 5 µs; an evaluator call (model → WIT, warm instance, deadline,
//! answer checked and converted back; 10 partitions × 10 commits) < 20 µs; a notifier call
//! (fresh store + instantiate + `call_async`, the probe rendering its payload without sending)
//! < 100 µs, next to the same with a trivial call (`count-instances`: what instantiation alone
//! costs). Built plugins are needed (see `scripts/test`).

use std::path::PathBuf;

use criterion::{Criterion, criterion_group};
use warren_core::evaluator::GroupStatus;
use warren_core::model::Commit;
use warren_core::storage::{CommitSource, StorageHandle, StorageSettings};
use warren_runtime::{
    Capabilities, IncidentEvent, Limits, PluginEngine, PluginEvaluator, PluginFilter,
    PluginNotifier,
};

const NOW: i64 = 1_700_000_000_000;

fn calls(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/target/wasm32-wasip2/release");
    let read = |name: &str| std::fs::read(dir.join(name)).expect("build the plugins first");
    let wasm = read("lag_threshold.wasm");
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

    let filter_component = engine
        .compile("skip-empty", &read("skip_empty.wasm"), None)
        .unwrap();
    let f = PluginFilter::load(
        &engine,
        "skip-empty",
        &filter_component,
        r#"{"empty-for-secs":3600}"#,
        Limits::default(),
    )
    .unwrap();
    c.bench_function("filter_plugin_skip_empty", |b| {
        b.iter(|| f.accept("c", &snapshot, NOW).unwrap())
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let notifier_component = engine
        .compile("probe", &read("probe_notifier.wasm"), None)
        .unwrap();
    let notifier = |mode: &str| {
        let config = format!(r#"{{"mode":"{mode}","url":"https://hooks.example.com/x"}}"#);
        rt.block_on(PluginNotifier::load(
            &engine,
            "probe",
            &notifier_component,
            &config,
            Limits::notifier(),
            Capabilities::default(),
        ))
        .unwrap()
    };
    let mut status = GroupStatus::not_found("c", "g");
    status.partitions = e.evaluate("c", &snapshot, NOW).unwrap().partitions;
    let incident = IncidentEvent {
        id: "c/g/1".into(),
        kind: warren_core::incident::IncidentKind::Opened,
        started_ms: NOW,
        now_ms: NOW,
        status,
    };
    let noop = notifier("noop");
    c.bench_function("notifier_fresh_instance_render_10_partitions", |b| {
        b.iter(|| rt.block_on(noop.notify(&incident)).unwrap())
    });
    let trivial = notifier("count-instances");
    c.bench_function("notifier_fresh_instance_trivial_call", |b| {
        b.iter(|| rt.block_on(trivial.notify(&incident)).unwrap())
    });
}

criterion_group!(benches, calls);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
