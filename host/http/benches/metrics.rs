//! `/metrics` at scale (target: a render of 10,000 groups × 10 partitions under 100 ms): every
//! group evaluated alone, the background render (evaluation included), the render with its
//! gzip, and what a scrape costs once the body is rendered (the real router, `oneshot`, body
//! collected). Medians of five; prints a table; no Criterion, since one render takes long
//! enough to time directly.

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
        "| groups × partitions | series lines | body | gzipped | evaluation alone | render (evaluation included) | render + gzip | scrape (cached gzip body) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (groups, partitions) in [(1_000, 10), (10_000, 10)] {
        let storage = storage(groups, partitions);
        let fresh_state = || {
            let health = Health::new(["c".to_string()], Vec::<String>::new());
            let mut state = AppState::new(&cfg, storage.clone(), health, "bench");
            state.now_ms = || NOW;
            state
        };
        let state = fresh_state();
        let evaluation = median(|| {
            let store = state.storage.cluster("c").unwrap();
            assert_eq!(state.evaluator.all(store, NOW).len(), groups);
        });
        // No scraper yet: a render keeps the text.
        let render = median(|| state.metrics.refresh(&state));
        let scrape = |state: &AppState, accept: &'static str| {
            let r = warren_http::router(state.clone());
            rt.block_on(async move {
                let res = r
                    .oneshot(
                        Request::get("/metrics")
                            .header("accept-encoding", accept)
                            .body(Body::empty())
                            .unwrap(),
                    )
                    .await
                    .unwrap();
                axum::body::to_bytes(res.into_body(), usize::MAX)
                    .await
                    .unwrap()
            })
        };
        let text = scrape(&state, "identity");
        let lines = text.iter().filter(|b| **b == b'\n').count();
        // Only gzip asked for, as by Prometheus: renders compress as they write.
        let prometheus = fresh_state();
        let packed = scrape(&prometheus, "gzip");
        let render_gzip = median(|| prometheus.metrics.refresh(&prometheus));
        let cached = median(|| {
            scrape(&prometheus, "gzip");
        });
        println!(
            "| {groups} × {partitions} | {lines} | {:.1} MiB | {:.1} MiB | {} | {} | {} | {} |",
            mib(text.len()),
            mib(packed.len()),
            ms(evaluation),
            ms(render),
            ms(render_gzip),
            ms(cached),
        );
    }
}

/// The median of five runs of `f`.
fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
