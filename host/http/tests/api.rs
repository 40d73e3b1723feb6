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
use warren_http::{
    AppState, ComponentInfo, InstanceAdmin, Instances, LogLevelAdmin, NotifierAdmin, NotifierInfo,
    OpenIncident, PendingDelivery, PluginAdmin, PluginHealth, PluginInfo, ReloadReport, router,
};

#[path = "api/config_routes.rs"]
mod config_routes;
#[path = "api/metrics.rs"]
mod metrics;

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

/// The fixture while its consumer is still reading the offsets topic (just started).
fn starting_state() -> AppState {
    starting_state_with(CONFIG)
}

/// [`starting_state`] with another config (it must define cluster and consumer `local`).
fn starting_state_with(text: &str) -> AppState {
    let loaded = config::load(text, &|_| None).expect("test config loads");
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
    // As the daemon wires it: the consumer reads the cluster's commits.
    let health = Health::new(["local".to_string()], ["local".to_string()])
        .with_consumer_clusters([("local".to_string(), "local".to_string())]);
    let mut state = AppState::new(&loaded.config, storage, health, "warren-test");
    state.now_ms = || NOW;
    state
}

/// The fixture once its consumer has caught up, as every verdict route needs.
fn state() -> AppState {
    let s = starting_state();
    s.health.consumer("local").unwrap().mark_ready();
    s
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
    let s = starting_state();
    s.health.consumer("local").unwrap().mark_ready();
    golden(
        "ready_after_catch_up",
        &call(s, Method::GET, "/burrow/admin/ready").await,
    );
}

#[tokio::test]
async fn ready_stays_ready_and_names_a_cluster_whose_polls_fail() {
    let s = state();
    let cluster = s.health.cluster("local").unwrap();
    cluster.poll_failed("Local: Broker transport failure".into(), NOW - 65_000);
    cluster.poll_failed("Local: All broker connections are down".into(), NOW - 5_000);
    golden(
        "ready_names_a_failing_cluster",
        &call(s, Method::GET, "/burrow/admin/ready").await,
    );
}

#[tokio::test]
async fn ready_is_failing_while_the_store_cannot_write_and_the_notifiers_route_says_why() {
    let store = std::sync::Arc::new(warren_core::health::StoreHealth::default());
    store.failed("No space left on device (os error 28)", NOW - 12_000);
    let mut s = state();
    s.health = s.health.clone().with_store(store);
    golden(
        "ready_is_failing_while_the_store_cannot_write",
        &call(s.clone(), Method::GET, "/burrow/admin/ready").await,
    );
    golden(
        "admin_notifiers_with_a_failing_store",
        &call(s, Method::GET, "/v3/admin/notifiers").await,
    );
}

#[tokio::test]
async fn consumer_status_lists_every_group_without_partitions_once_caught_up() {
    let s = state();
    golden(
        "consumer_status_has_every_group_without_partitions",
        &call(s, Method::GET, "/v3/kafka/local/consumer-status").await,
    );
}

#[tokio::test]
async fn ready_is_starting_until_consumers_catch_up() {
    golden(
        "ready_is_starting_until_consumers_catch_up",
        &call(starting_state(), Method::GET, "/burrow/admin/ready").await,
    );
}

#[tokio::test]
async fn consumer_status_is_503_while_the_cluster_catches_up() {
    golden(
        "consumer_status_is_503_while_the_cluster_catches_up",
        &call(
            starting_state(),
            Method::GET,
            "/v3/kafka/local/consumer-status",
        )
        .await,
    );
}

/// Every route that judges groups: until the cluster's consumer has caught up, windows may
/// miss commits, and a verdict could be a STOP that is not true.
const VERDICT_ROUTES: [&str; 4] = [
    "/v3/kafka/local/consumer/audit/status",
    "/v3/kafka/local/consumer/audit/lag",
    "/v3/kafka/local/status",
    "/v3/kafka/local/consumer-status",
];

#[tokio::test]
async fn every_verdict_route_is_503_until_the_consumer_caught_up_then_200() {
    for route in VERDICT_ROUTES {
        let starting = call(starting_state(), Method::GET, route).await;
        assert!(
            starting.starts_with("503 ") && starting.contains("is starting"),
            "{route} while catching up:\n{starting}"
        );
        let ready = call(state(), Method::GET, route).await;
        assert!(
            ready.starts_with("200 "),
            "{route} once caught up:\n{ready}"
        );
    }
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

#[tokio::test]
async fn deleting_a_groups_topic_keeps_its_other_topics_and_its_last_topic_takes_the_group() {
    let s = state();
    golden(
        "delete_group_topic",
        &call(
            s.clone(),
            Method::DELETE,
            "/v3/kafka/local/consumer/billing/topic/payments",
        )
        .await,
    );
    golden(
        "delete_group_topic_again_is_404",
        &call(
            s.clone(),
            Method::DELETE,
            "/v3/kafka/local/consumer/billing/topic/payments",
        )
        .await,
    );
    let billing = call(s.clone(), Method::GET, "/v3/kafka/local/consumer/billing").await;
    assert!(
        billing.contains("\"orders\"") && !billing.contains("\"payments\""),
        "{billing}"
    );
    // audit consumes one topic and has no members: without it, the group is gone.
    let gone = call(
        s.clone(),
        Method::DELETE,
        "/v3/kafka/local/consumer/audit/topic/orders",
    )
    .await;
    assert!(gone.starts_with("200 "), "{gone}");
    let list = call(s, Method::GET, "/v3/kafka/local/consumer").await;
    assert!(
        !list.contains("\"audit\"") && list.contains("\"billing\""),
        "{list}"
    );
}

/// Found by `scripts/schemathesis` (ST301 "deleted resource still available"): `/status` and
/// `/lag` answered from the evaluator's cache, so a group deleted within `expire-cache` (the
/// fixture keeps Burrow's default) of its last evaluation was still reported with its windows.
#[tokio::test]
async fn a_deleted_group_is_notfound_at_once_even_with_its_status_cached() {
    let s = state();
    for route in ["lag", "status"] {
        let answer = call(
            s.clone(),
            Method::GET,
            &format!("/v3/kafka/local/consumer/audit/{route}"),
        )
        .await;
        assert!(answer.starts_with("200 "), "{answer}");
    }
    let deleted = call(s.clone(), Method::DELETE, "/v3/kafka/local/consumer/audit").await;
    assert!(deleted.starts_with("200 "), "{deleted}");
    for route in ["lag", "status"] {
        let answer = call(
            s.clone(),
            Method::GET,
            &format!("/v3/kafka/local/consumer/audit/{route}"),
        )
        .await;
        assert!(answer.starts_with("404 "), "{route} after DELETE: {answer}");
        assert!(
            answer.contains("\"status\": \"NOTFOUND\""),
            "{route} after DELETE: {answer}"
        );
    }
}

/// The log level as the admin route sees it: a level in a cell.
struct FakeLogLevel(std::sync::Mutex<String>);

impl LogLevelAdmin for FakeLogLevel {
    fn level(&self) -> String {
        self.0.lock().unwrap().clone()
    }

    fn set_level(&self, level: &str) -> Result<(), String> {
        *self.0.lock().unwrap() = level.to_owned();
        Ok(())
    }
}

#[tokio::test]
async fn the_log_level_is_read_and_set_with_burrows_names_and_answers() {
    let control = std::sync::Arc::new(FakeLogLevel(std::sync::Mutex::new("info".into())));
    let s = state().with_log_level(control.clone());
    golden(
        "loglevel",
        &call(s.clone(), Method::GET, "/v3/admin/loglevel").await,
    );
    let post = |body: String| {
        let s = s.clone();
        async move {
            let res = router(s)
                .oneshot(
                    Request::builder()
                        .method(Method::POST)
                        .uri("/v3/admin/loglevel")
                        .header("content-type", "application/json")
                        .body(Body::from(body))
                        .unwrap(),
                )
                .await
                .unwrap();
            let code = res.status().as_u16();
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
                .await
                .unwrap();
            (code, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    // Burrow's names, its synonyms included.
    for (name, level) in [("debug", "debug"), ("warning", "warn"), ("FATAL", "error")] {
        let (code, body) = post(format!(r#"{{"level":"{name}"}}"#)).await;
        assert_eq!(code, 200, "{body}");
        assert!(body.contains("\"set log level\""), "{body}");
        assert_eq!(control.level(), level);
    }
    // Burrow answers an unknown level with 404, an unreadable body with 400.
    let (code, body) = post(r#"{"level":"verbose"}"#.into()).await;
    assert_eq!(
        (code, body.contains("unknown log level")),
        (404, true),
        "{body}"
    );
    let (code, _) = post("level=debug".into()).await;
    assert_eq!(code, 400);
    assert_eq!(control.level(), "error");
}

/// The daemon's plugin manager as the admin routes see it: one evaluator in use, one reload.
struct FakePlugins;

impl PluginAdmin for FakePlugins {
    fn list(&self) -> Vec<PluginInfo> {
        vec![PluginInfo {
            name: "thresholds".into(),
            kind: "evaluator".into(),
            source: "builtin:topic-thresholds".into(),
            sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            clusters: vec!["*".into()],
            used_by: vec!["local".into()],
            component: ComponentInfo {
                name: "topic-thresholds".into(),
                version: "0.1.0".into(),
                description: "Lag thresholds per topic pattern.".into(),
            },
            config_schema: serde_json::json!({ "type": "object" }),
            loaded_at: NOW - 60_000,
            reload_error: None,
            health: PluginHealth {
                calls: [("ok".to_string(), 41), ("timeout".to_string(), 1)].into(),
                consecutive_failures: 0,
                disabled: false,
                last_error: Some("call timed out after 100ms".into()),
                call_micros: 12_345,
            },
        }]
    }

    fn reload(
        &self,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<ReloadReport, Vec<String>>> + Send + '_>,
    > {
        Box::pin(async {
            Ok(ReloadReport {
                plugins: [("thresholds".to_string(), "unchanged")].into(),
                problems: Vec::new(),
            })
        })
    }
}

/// One notifier with an open incident and a delivery waiting for its retry.
struct FakeNotifiers;

impl NotifierAdmin for FakeNotifiers {
    fn notifiers(&self) -> Vec<NotifierInfo> {
        vec![NotifierInfo {
            name: "ops".into(),
            decided: 3,
            delivered: 1,
            retried: 2,
            failed: 0,
            last_error: Some("delivery failed, will retry: HTTP 503".into()),
            open_incidents: vec![OpenIncident {
                cluster: "local".into(),
                group: "audit".into(),
                id: "local/audit/1700000000000".into(),
                started: NOW - 120_000,
                status: "WARN".into(),
            }],
            pending: vec![PendingDelivery {
                seq: 7,
                cluster: "local".into(),
                group: "audit".into(),
                id: "local/audit/1700000000000".into(),
                kind: "opened".into(),
                attempts: 2,
                next_attempt: NOW + 4_000,
                last_error: Some("delivery failed, will retry: HTTP 503".into()),
            }],
        }]
    }
}

/// Three instances; `b` leads.
struct FakeInstances;

impl InstanceAdmin for FakeInstances {
    fn instances(&self) -> Instances {
        Instances {
            this: "warren-a".into(),
            leader: Some("warren-b".into()),
            since: Some(NOW - 60_000),
            instances: vec!["warren-a".into(), "warren-b".into(), "warren-c".into()],
            changes: 2,
            failing: None,
            skipped_records: 0,
        }
    }
}

fn with_admin(mut s: AppState) -> AppState {
    s.plugins = Some(std::sync::Arc::new(FakePlugins));
    s.with_notifiers(std::sync::Arc::new(FakeNotifiers))
}

#[tokio::test]
async fn admin_plugins_lists_each_plugin_with_kebab_case_keys() {
    golden(
        "admin_plugins",
        &call(with_admin(state()), Method::GET, "/v3/admin/plugins").await,
    );
}

#[tokio::test]
async fn admin_plugins_reload_reports_each_plugin() {
    golden(
        "admin_plugins_reload",
        &call(
            with_admin(state()),
            Method::POST,
            "/v3/admin/plugins/reload",
        )
        .await,
    );
}

#[tokio::test]
async fn admin_notifiers_lists_counters_open_incidents_and_pending_deliveries() {
    golden(
        "admin_notifiers",
        &call(with_admin(state()), Method::GET, "/v3/admin/notifiers").await,
    );
}

#[tokio::test]
async fn admin_instances_names_this_instance_the_leader_and_every_member() {
    let s = state().with_instances(std::sync::Arc::new(FakeInstances));
    golden(
        "admin_instances",
        &call(s, Method::GET, "/v3/admin/instances").await,
    );
}

#[tokio::test]
async fn admin_routes_without_plugins_or_notifiers_list_nothing() {
    let s = state();
    let out = call(s.clone(), Method::GET, "/v3/admin/plugins").await
        + &call(s, Method::GET, "/v3/admin/notifiers").await;
    golden("admin_without_plugins_or_notifiers", &out);
}

#[tokio::test]
async fn a_hostile_group_name_is_escaped_in_every_label() {
    let s = state();
    let evil = "evil\"group\\name\nburrow_kafka_consumer_status{x=\"1\"} 9";
    s.storage.cluster("local").unwrap().writer().commit(
        &Commit {
            group: evil,
            topic: "orders",
            partition: 0,
            offset: 1000,
            timestamp_ms: NOW - 5_000,
            order: 99,
        },
        CommitSource::OffsetsTopic,
        NOW - 4_000,
    );
    let body = metrics::scrape(s).await;
    let escaped = r#"group="evil\"group\\name\nburrow_kafka_consumer_status{x=\"1\"} 9""#;
    assert!(body.contains(escaped), "{body}");
    // Every line is a comment or one well-formed sample: nothing the name says became a line.
    for line in body
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (name, _) = line.split_once(['{', ' ']).unwrap_or((line, ""));
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "a line that is not a sample: {line:?}"
        );
        assert!(
            !line.starts_with("burrow_kafka_consumer_status{x="),
            "injected: {line}"
        );
    }
}
