//! `/metrics` at scale (issue target: a scrape of 10,000 groups × 10 partitions < 200 ms):
//! the background render, and what a scrape costs once the body is rendered (the real router,
//! `oneshot`, body collected). Prints a table; no Criterion, since one render takes long enough
//! to time directly.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;
use warren_core::config;
use warren_core::health::Health;
use warren_core::model::Commit;
use warren_core::storage::{CommitSource, StorageHandle, StorageSettings};
use warren_http::AppState;

const NOW: i64 = 1_700_000_000_000;

fn storage(groups: usize, partitions: i32) -> StorageHandle {
    let s = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
    let mut w = s.cluster("c").unwrap().writer();
    w.set_topics(&[("orders".into(), partitions as usize)]);
    let heads: Vec<(i32, i64)> = (0..partitions).map(|p| (p, 1_000_000)).collect();
    w.record_heads("orders", &heads, NOW);
    let mut order = 0;
    for round in 0..10 {
        for g in 0..groups {
            let group = format!("group-{g:06}");
            for p in 0..partitions {
                order += 1;
                let c = Commit {
                    group: &group,
                    topic: "orders",
                    partition: p,
                    offset: 990_000 + round * 1000,
                    timestamp_ms: NOW - 100_000 + round * 1000,
                    order,
                };
                w.commit(&c, CommitSource::OffsetsTopic, NOW);
            }
        }
    }
    drop(w);
    s
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let text =
        "[cluster.c]\nservers = [\"127.0.0.1:9092\"]\n[evaluator.default]\nexpire-cache = \"0s\"\n";
    let cfg = config::load(text, &|_| None).expect("config").config;
    println!(
        "| groups × partitions | series lines | body | render (background) | scrape (cached body) |"
    );
    println!("|---|---|---|---|---|");
    for (groups, partitions) in [(1_000, 10), (10_000, 10)] {
        let storage = storage(groups, partitions);
        let health = Health::new(["c".to_string()], Vec::<String>::new());
        let mut state = AppState::new(&cfg, storage, health, "bench");
        state.now_ms = || NOW;
        let started = Instant::now();
        state.metrics.refresh(&state);
        let render = started.elapsed();
        let router = warren_http::router(state.clone());
        let mut best = Duration::MAX;
        let mut bytes = 0;
        let mut lines = 0;
        for _ in 0..10 {
            let r = router.clone();
            let t = Instant::now();
            let body = rt.block_on(async move {
                let res = r
                    .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                axum::body::to_bytes(res.into_body(), usize::MAX)
                    .await
                    .unwrap()
            });
            best = best.min(t.elapsed());
            bytes = body.len();
            lines = body.iter().filter(|b| **b == b'\n').count();
        }
        println!(
            "| {groups} × {partitions} | {lines} | {:.1} MiB | {:.0} ms | {:.1} ms |",
            bytes as f64 / (1 << 20) as f64,
            render.as_secs_f64() * 1e3,
            best.as_secs_f64() * 1e3
        );
    }
}
