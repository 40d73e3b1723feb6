//! Defects `scripts/schemathesis` found in a running `warren demo`, each pinned here on the
//! in-process router so it stays fixed without a demo or a fuzzer.

use axum::body::Body;
use axum::http::{Method, Request};
use tower::ServiceExt;
use warren_core::config;
use warren_core::health::Health;
use warren_core::model::Commit;
use warren_core::storage::{CommitSource, StorageHandle, StorageSettings};
use warren_http::{AppState, router};

const NOW: i64 = 1_700_000_000_000;

/// One caught-up cluster `local` with one group `billing`, evaluated with Burrow's default
/// `expire-cache` (so a status stays cached across the requests of a test).
fn state() -> AppState {
    let loaded = config::load(
        "[cluster.local]\nservers = [\"127.0.0.1:9092\"]\n[consumer.local]\nclass-name = \"kafka\"\ncluster = \"local\"\n",
        &|_| None,
    )
    .expect("config loads");
    let storage = StorageHandle::new(["local".to_string()], StorageSettings::burrow_defaults());
    let mut w = storage.cluster("local").unwrap().writer();
    w.set_topics(&[("orders".into(), 1)]);
    w.record_heads("orders", &[(0, 1000)], NOW - 1000);
    let commit = Commit {
        group: "billing",
        topic: "orders",
        partition: 0,
        offset: 900,
        timestamp_ms: NOW - 2000,
        order: 1,
    };
    w.commit(&commit, CommitSource::OffsetsTopic, NOW - 2000);
    drop(w);
    let health = Health::new(["local".to_string()], ["local".to_string()])
        .with_consumer_clusters([("local".to_string(), "local".to_string())]);
    health.consumer("local").unwrap().mark_ready();
    let mut state = AppState::new(&loaded.config, storage, health, "warren-test");
    state.now_ms = || NOW;
    state
}

async fn call(state: &AppState, method: Method, uri: &str) -> (u16, serde_json::Value) {
    let res = router(state.clone())
        .oneshot(
            Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// ST301 "deleted resource still available": `/status` and `/lag` answered from the
/// evaluator's cache, so a group deleted within `expire-cache` of its last evaluation was
/// still reported with its windows.
#[tokio::test]
async fn a_deleted_group_is_notfound_at_once_even_with_its_status_cached() {
    let s = state();
    for route in ["lag", "status"] {
        let (code, body) = call(
            &s,
            Method::GET,
            &format!("/v3/kafka/local/consumer/billing/{route}"),
        )
        .await;
        assert_eq!(code, 200, "{body}");
    }
    let (code, body) = call(&s, Method::DELETE, "/v3/kafka/local/consumer/billing").await;
    assert_eq!(code, 200, "{body}");
    for route in ["lag", "status"] {
        let (code, body) = call(
            &s,
            Method::GET,
            &format!("/v3/kafka/local/consumer/billing/{route}"),
        )
        .await;
        assert_eq!(code, 404, "{route} after DELETE: {body}");
        assert_eq!(
            body["status"]["status"], "NOTFOUND",
            "{route} after DELETE: {body}"
        );
    }
}
