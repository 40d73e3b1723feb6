//! Golden-file tests of every v3 read route: a fixed storage snapshot and a fixed host name,
//! each response (status line + pretty JSON body) compared byte for byte with
//! `tests/golden/<name>.json`. `BLESS=1 cargo test -p warren-http` rewrites the files.

use axum::body::Body;
use axum::http::{Method, Request};
use tower::ServiceExt;
use warren_core::config;
use warren_core::health::Health;
use warren_core::model::{Commit, GroupMembership, Member};
use warren_core::storage::{CommitSource, StorageHandle, StorageSettings};
use warren_http::{AppState, router};

const NOW: i64 = 1_700_000_000_000;

const CONFIG: &str = r#"
[general]
access-control-allow-origin = "*"
[cluster.local]
servers = ["127.0.0.1:9092"]
[consumer.local]
class-name = "kafka"
cluster = "local"
"#;

fn state() -> AppState {
    let loaded = config::load(CONFIG, &|_| None).expect("test config loads");
    let settings = StorageSettings {
        intervals: 3,
        ..StorageSettings::burrow_defaults()
    };
    let storage = StorageHandle::new(["local".to_string()], settings);
    let store = storage.cluster("local").unwrap();
    let mut w = store.writer();
    w.set_topics(&[
        ("orders".into(), 2),
        ("payments".into(), 1),
        ("__consumer_offsets".into(), 1),
    ]);
    w.record_heads("orders", &[(0, 1000), (1, 2000)], NOW - 20_000);
    w.record_heads("orders", &[(0, 1100), (1, 2000)], NOW - 10_000);
    w.record_heads("payments", &[(0, 10)], NOW - 10_000);
    w.record_heads("__consumer_offsets", &[(0, 77)], NOW - 10_000);
    let commits = [
        ("billing", "orders", 0, 900, NOW - 60_000),
        ("billing", "orders", 0, 1000, NOW - 30_000),
        ("billing", "orders", 0, 1050, NOW - 5_000),
        ("billing", "payments", 0, 10, NOW - 5_000),
        ("audit", "orders", 1, 1500, NOW - 5_000),
    ];
    for (i, (group, topic, partition, offset, ts)) in commits.into_iter().enumerate() {
        let c = Commit {
            group,
            topic,
            partition,
            offset,
            timestamp_ms: ts,
            order: i as i64,
        };
        w.commit(&c, CommitSource::OffsetsTopic, ts + 250);
    }
    w.set_membership(
        "billing",
        &GroupMembership {
            state: Some("Stable".into()),
            members: vec![Member {
                host: "/10.0.0.7".into(),
                client_id: "billing-1".into(),
                assignment: vec![("orders".into(), vec![0, 1]), ("payments".into(), vec![0])],
            }],
        },
        NOW,
    );
    drop(w);
    let health = Health::new(["local".to_string()], ["local".to_string()]);
    let mut state = AppState::new(&loaded.config, storage, health, "warren-test");
    state.now_ms = || NOW;
    state
}

async fn call(state: AppState, method: Method, uri: &str) -> String {
    let res = router(state)
        .oneshot(
            Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let cors = res
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string());
    let ctype = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap(),
        Err(_) => String::from_utf8_lossy(&bytes).into_owned(),
    };
    format!(
        "{status} {ctype} cors={}\n{body}\n",
        cors.unwrap_or_default()
    )
}

fn golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.json"));
    warren_testkit::golden::assert(&path, actual);
}

macro_rules! golden_get {
    ($($test:ident: $uri:expr;)*) => {$(
        #[tokio::test]
        async fn $test() {
            golden(stringify!($test), &call(state(), Method::GET, $uri).await);
        }
    )*};
}

golden_get! {
    healthcheck_says_good: "/burrow/admin";
    ready_is_starting_until_consumers_catch_up: "/burrow/admin/ready";
    cluster_list: "/v3/kafka";
    cluster_detail_reports_module_config: "/v3/kafka/local";
    cluster_detail_unknown_cluster_is_404: "/v3/kafka/nope";
    topic_list: "/v3/kafka/local/topic";
    topic_list_unknown_cluster_is_404: "/v3/kafka/nope/topic";
    topic_detail_lists_head_offsets: "/v3/kafka/local/topic/orders";
    topic_detail_unknown_topic_is_404: "/v3/kafka/local/topic/nope";
    topic_consumers: "/v3/kafka/local/topic/orders/consumers";
    topic_consumers_unknown_topic_is_404: "/v3/kafka/local/topic/nope/consumers";
    consumer_list: "/v3/kafka/local/consumer";
    consumer_list_unknown_cluster_is_404: "/v3/kafka/nope/consumer";
    consumer_detail_has_padded_windows_owners_and_current_lag: "/v3/kafka/local/consumer/billing";
    consumer_detail_unknown_group_is_404: "/v3/kafka/local/consumer/nope";
    unknown_route_is_burrows_invalid_request: "/v3/nothing/here";
    status_lists_only_problem_partitions: "/v3/kafka/local/consumer/audit/status";
    lag_lists_every_partition: "/v3/kafka/local/consumer/audit/lag";
    lag_of_a_healthy_group: "/v3/kafka/local/consumer/billing/lag";
    status_of_unknown_group_is_404_notfound_without_error: "/v3/kafka/local/consumer/nope/status";
    lag_of_unknown_cluster_is_404_notfound: "/v3/kafka/nope/consumer/audit/lag";
    cluster_status_summarises_every_group: "/v3/kafka/local/status";
    cluster_status_unknown_cluster_is_404: "/v3/kafka/nope/status";
    consumer_status_unknown_cluster_is_404: "/v3/kafka/nope/consumer-status";
}

#[tokio::test]
async fn ready_turns_ready_when_every_consumer_caught_up() {
    let s = state();
    s.health.consumer("local").unwrap().mark_ready();
    golden(
        "ready_after_catch_up",
        &call(s, Method::GET, "/burrow/admin/ready").await,
    );
}

#[tokio::test]
async fn consumer_status_lists_every_group_without_partitions_once_caught_up() {
    let s = state();
    s.health.consumer("local").unwrap().mark_ready();
    golden(
        "consumer_status_has_every_group_without_partitions",
        &call(s, Method::GET, "/v3/kafka/local/consumer-status").await,
    );
}

#[tokio::test]
async fn consumer_status_is_503_while_the_cluster_catches_up() {
    let mut s = state();
    s.health = Health::new(["local".to_string()], ["local".to_string()])
        .with_consumer_clusters([("local".to_string(), "local".to_string())]);
    golden(
        "consumer_status_is_503_while_the_cluster_catches_up",
        &call(s, Method::GET, "/v3/kafka/local/consumer-status").await,
    );
}

#[tokio::test]
async fn delete_removes_the_group_and_a_second_delete_is_404() {
    let s = state();
    golden(
        "delete_group",
        &call(s.clone(), Method::DELETE, "/v3/kafka/local/consumer/audit").await,
    );
    golden(
        "delete_group_again_is_404",
        &call(s.clone(), Method::DELETE, "/v3/kafka/local/consumer/audit").await,
    );
    let list = call(s, Method::GET, "/v3/kafka/local/consumer").await;
    assert!(!list.contains("\"audit\""), "{list}");
}
