//! The Admin API path end to end on a real broker process (noida-db): a real librdkafka
//! consumer group consumes and commits; Warren's `kafka-admin` consumer finds the group,
//! its offsets and owners; a deleted topic disappears.

use std::time::Duration;

use rdkafka::admin::AdminOptions;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use serde_json::Value;
use warren_integration_tests::{
    Daemon, Noida, admin, create_topic, group_consumer, produce, producer, unique, wait_until,
};

/// Consumes everything currently in `topic` as `group` and commits synchronously.
fn consume_and_commit(bootstrap: &str, group: &str, topic: &str, expected: usize) -> BaseConsumer {
    let c = group_consumer(bootstrap, group, "lag-test-consumer", topic);
    let mut seen = 0;
    let start = std::time::Instant::now();
    while seen < expected {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "consumed only {seen} of {expected}"
        );
        if let Some(m) = c.poll(Duration::from_millis(100)) {
            m.expect("message");
            seen += 1;
        }
    }
    c.commit_consumer_state(CommitMode::Sync).expect("commit");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_consumer_finds_real_group_offsets_owners_and_drops_deleted_topics() {
    let broker = Noida::start();
    let bs = broker.bootstrap.clone();
    let topic = unique("events");
    create_topic(&bs, &topic, 3).await;
    produce(&producer(&bs), &topic, 3, 50);
    let group = unique("reporting");
    let (bs2, g2, t2) = (bs.clone(), group.clone(), topic.clone());
    let consumer = tokio::task::spawn_blocking(move || consume_and_commit(&bs2, &g2, &t2, 150))
        .await
        .unwrap();

    let daemon = Daemon::start(&format!(
        r#"
[cluster.real]
servers = ["{bs}"]
offset-refresh = "1s"
topic-refresh = "1s"
[consumer.real]
class-name = "kafka-admin"
cluster = "real"
"#
    ))
    .await;
    let path = format!("/v3/kafka/real/consumer/{group}");
    wait_until(
        Duration::from_secs(30),
        "group visible through the Admin API",
        || async {
            let (status, d) = daemon.get(&path).await;
            status == 200
                && d["topics"][&topic].as_array().is_some_and(|ps| {
                    ps.iter()
                        .all(|p| p["offsets"].as_array().is_some_and(|o| !o.is_empty()))
                })
        },
    )
    .await;
    let (_, detail) = daemon.get(&path).await;
    for p in detail["topics"][&topic].as_array().unwrap() {
        let last: &Value = p["offsets"].as_array().unwrap().last().unwrap();
        assert_eq!(last["offset"], 50, "{detail}");
        assert_eq!(last["lag"], 0, "{detail}");
        assert_eq!(
            p["client_id"], "lag-test-consumer",
            "owner from DescribeGroups: {detail}"
        );
        assert!(
            p["owner"].as_str().is_some_and(|o| o.contains("127.0.0.1")),
            "{detail}"
        );
    }
    let (_, consumers) = daemon
        .get(&format!("/v3/kafka/real/topic/{topic}/consumers"))
        .await;
    assert_eq!(consumers["consumers"], serde_json::json!([group]));

    // More data, no new commits: current lag grows with the HEAD offsets.
    produce(&producer(&bs), &topic, 3, 20);
    wait_until(
        Duration::from_secs(20),
        "current lag follows HEAD",
        || async {
            let (_, d) = daemon.get(&path).await;
            d["topics"][&topic]
                .as_array()
                .is_some_and(|ps| ps.iter().all(|p| p["current-lag"] == 20))
        },
    )
    .await;

    drop(consumer);
    admin(&bs)
        .delete_topics(&[&topic], &AdminOptions::new())
        .await
        .expect("delete topics");
    wait_until(
        Duration::from_secs(20),
        "deleted topic disappears everywhere",
        || async {
            let (_, topics) = daemon.get("/v3/kafka/real/topic").await;
            let gone = topics["topics"]
                .as_array()
                .is_some_and(|t| !t.iter().any(|x| x == &Value::String(topic.clone())));
            gone && daemon.get(&format!("/v3/kafka/real/topic/{topic}")).await.0 == 404
        },
    )
    .await;
    let (_, d) = daemon.get(&path).await;
    assert!(
        d["topics"].get(&topic).is_none(),
        "topic left the group: {d}"
    );
    daemon.stop().await;
}
