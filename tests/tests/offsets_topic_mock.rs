//! The offsets-topic path end to end on librdkafka's mock cluster: commits and group metadata
//! written in Kafka's own record format into `__consumer_offsets`, read by the real collector,
//! served by the real HTTP API; a malformed record counted and skipped, and a cluster with no
//! broker behind it polled again and again, as its failing-poll counter shows; and the reader
//! with its librdkafka threads running below the API's CPU priority.

use std::time::Duration;

use rdkafka::mocking::MockCluster;
use rdkafka::producer::Producer;
use serde_json::Value;
use warren_core::codec::{self, OffsetCommitValue};
use warren_integration_tests::{
    Daemon, now_ms, one_member_group, produce, produce_raw, producer, unique, wait_until,
};

fn commit_value(offset: i64, ts: i64) -> Vec<u8> {
    codec::encode_offset_commit_value(&OffsetCommitValue {
        version: 3,
        offset,
        leader_epoch: Some(-1),
        metadata: "",
        commit_timestamp: ts,
        expire_timestamp: None,
    })
}

fn group_value(topic: &str, partitions: Vec<i32>) -> Vec<u8> {
    one_member_group("billing-1", topic, partitions)
}

async fn metrics(d: &Daemon) -> String {
    let (_, body) = d.get("/metrics").await;
    body.as_str().unwrap_or_default().to_string()
}

/// The sum of the series that start with `prefix` (a name and the first labels).
fn sum(body: &str, prefix: &str) -> f64 {
    body.lines()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

fn partition<'a>(detail: &'a Value, topic: &str, p: usize) -> &'a Value {
    &detail["topics"][topic][p]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_appears_with_offsets_lag_at_commit_and_owners_while_a_dead_cluster_is_retried() {
    let mock = MockCluster::new(1).expect("mock cluster");
    let topic = unique("orders");
    mock.create_topic(&topic, 2, 1).expect("topic");
    mock.create_topic("__consumer_offsets", 4, 1)
        .expect("offsets topic");
    let bootstrap = mock.bootstrap_servers();
    let p = producer(&bootstrap);
    produce(&p, &topic, 2, 100);

    let group = unique("billing");
    let ts = now_ms() - 10_000;
    produce_raw(
        &p,
        "__consumer_offsets",
        1,
        &codec::encode_group_metadata_key(&group),
        Some(&group_value(&topic, vec![0, 1])),
    );
    produce_raw(
        &p,
        "__consumer_offsets",
        1,
        &codec::encode_offset_commit_key(&group, &topic, 0),
        Some(&commit_value(40, ts)),
    );
    produce_raw(
        &p,
        "__consumer_offsets",
        1,
        &codec::encode_offset_commit_key(&group, &topic, 1),
        Some(&commit_value(100, ts)),
    );
    // A malformed record must be counted and skipped, not stop the reader.
    produce_raw(
        &p,
        "__consumer_offsets",
        1,
        &[0, 1, 0, 9, b'x'],
        Some(&[0, 3, 1]),
    );
    p.flush(Duration::from_secs(5)).unwrap();

    let daemon = Daemon::start(&format!(
        r#"
[general]
metrics-refresh = "200ms"
[cluster.mock]
servers = ["{bootstrap}"]
offset-refresh = "1s"
[consumer.mock]
class-name = "kafka"
cluster = "mock"
[cluster.dead]
servers = ["127.0.0.1:1"]
offset-refresh = "1s"
"#
    ))
    .await;

    let path = format!("/v3/kafka/mock/consumer/{group}");
    wait_until(
        Duration::from_secs(30),
        "group committed offsets visible",
        || async { daemon.get(&path).await.0 == 200 },
    )
    .await;
    let (_, detail) = daemon.get(&path).await;
    let p0 = partition(&detail, &topic, 0);
    let last = p0["offsets"].as_array().unwrap().last().unwrap();
    assert_eq!(last["offset"], 40, "{detail}");
    assert_eq!(
        last["lag"], 60,
        "lag at commit = HEAD 100 - offset 40: {detail}"
    );
    assert_eq!(last["timestamp"], ts);
    assert_eq!(p0["current-lag"], 60);
    assert_eq!(p0["owner"], "/10.1.1.1");
    assert_eq!(p0["client_id"], "billing-1");
    assert_eq!(partition(&detail, &topic, 1)["current-lag"], 0);

    wait_until(
        Duration::from_secs(30),
        "readiness after catch-up",
        || async {
            daemon.get("/burrow/admin/ready").await == (200, Value::String("READY".into()))
        },
    )
    .await;
    let (status, clusters) = daemon.get("/v3/kafka").await;
    assert_eq!(
        (status, &clusters["clusters"]),
        (200, &serde_json::json!(["dead", "mock"]))
    );
    let (status, dead_topics) = daemon.get("/v3/kafka/dead/topic").await;
    assert_eq!(
        (status, &dead_topics["topics"]),
        (200, &serde_json::json!([]))
    );
    // The malformed record was counted (and skipped: the commit written after it is read
    // below). The dead cluster is polled again and again, failing each time.
    wait_until(
        Duration::from_secs(10),
        "the malformed record counted",
        || async {
            let body = metrics(&daemon).await;
            sum(
                &body,
                "warren_consumer_decode_errors_total{consumer=\"mock\"",
            ) == 1.0
        },
    )
    .await;
    // Each poll of a broker that is not there runs to its 15 s request timeout: the second
    // failure comes about 31 s after the start.
    wait_until(
        Duration::from_secs(45),
        "the dead cluster retried",
        || async {
            let body = metrics(&daemon).await;
            sum(
                &body,
                "warren_cluster_polls_total{cluster=\"dead\",result=\"error\"",
            ) >= 2.0
                && sum(
                    &body,
                    "warren_cluster_polls_total{cluster=\"dead\",result=\"ok\"",
                ) == 0.0
        },
    )
    .await;

    // New commits keep flowing in after catch-up, and the window grows.
    produce(&p, &topic, 1, 10);
    produce_raw(
        &p,
        "__consumer_offsets",
        1,
        &codec::encode_offset_commit_key(&group, &topic, 0),
        Some(&commit_value(90, now_ms())),
    );
    p.flush(Duration::from_secs(5)).unwrap();
    wait_until(Duration::from_secs(20), "second commit stored", || async {
        let (_, d) = daemon.get(&path).await;
        partition(&d, &topic, 0)["offsets"]
            .as_array()
            .is_some_and(|o| o.iter().filter(|x| !x.is_null()).count() == 2)
    })
    .await;
    daemon.stop().await;
}

/// Each thread of this process whose name starts with `prefix`, with its nice value.
fn threads_named(prefix: &str) -> Vec<(String, i32)> {
    let mut found = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").expect("/proc/self/task") {
        let dir = task.expect("task entry").path();
        let (Ok(comm), Ok(stat)) = (
            std::fs::read_to_string(dir.join("comm")),
            std::fs::read_to_string(dir.join("stat")),
        ) else {
            continue; // the thread ended while we looked
        };
        let comm = comm.trim_end().to_string();
        if !comm.starts_with(prefix) {
            continue;
        }
        // Fields after the parenthesised name start at field 3; nice is field 19.
        let after = stat.rsplit_once(')').expect("stat has a name").1;
        let nice = after.split_whitespace().nth(16).expect("nice field");
        found.push((comm, nice.parse().expect("nice is a number")));
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offsets_reader_and_its_librdkafka_threads_run_below_the_api_priority() {
    let mock = MockCluster::new(1).expect("mock cluster");
    mock.create_topic("__consumer_offsets", 2, 1)
        .expect("offsets topic");
    let bootstrap = mock.bootstrap_servers();
    let api = warren_core::priority::this_thread();
    let daemon = Daemon::start(&format!(
        r#"
[cluster.mock]
servers = ["{bootstrap}"]
[consumer.mock]
class-name = "kafka"
cluster = "mock"
"#
    ))
    .await;
    let lowered = (api + warren_core::priority::BACKGROUND_NICE).min(19);
    wait_until(
        Duration::from_secs(20),
        "the offsets reader started its librdkafka client",
        || async {
            !threads_named("warren-offsets").is_empty()
                && threads_named("rdk:").iter().any(|(_, n)| *n == lowered)
        },
    )
    .await;
    for (name, nice) in threads_named("warren-offsets") {
        assert_eq!(
            nice, lowered,
            "{name} runs at nice {nice}, the API at {api}"
        );
    }
    daemon.stop().await;
}
