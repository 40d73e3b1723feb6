//! The Admin API collector (`class-name = "kafka-admin"`) on Apache Kafka itself: classic and
//! KIP-848 groups of librdkafka and Java consumers appear with their owners, client ids and
//! state and the broker's offsets; its answers equal the offsets-topic collector's for the
//! same groups; and on three nodes a paused broker fails only the groups it coordinates.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use warren_integration_tests::kafka::{
    KafkaCluster, assert_matches_truth, consume_and_commit, group_in_partition, rdkafka_consumer,
    warren_offsets,
};
use warren_integration_tests::{
    Daemon, create_topic_replicated, produce, producer, unique, wait_until,
};

/// One `[cluster.NAME]` on `bootstrap` with a consumer of `class`.
fn cluster(name: &str, bootstrap: &str, class: &str) -> String {
    let servers: Vec<String> = bootstrap.split(',').map(|s| format!("\"{s}\"")).collect();
    let servers = servers.join(", ");
    format!(
        r#"
[cluster.{name}]
servers = [{servers}]
offset-refresh = "1s"
topic-refresh = "2s"
[consumer.{name}]
class-name = "{class}"
cluster = "{name}"
"#
    )
}

/// Per partition of `group` on `cluster`: (newest offset, lag, owner, client id).
type View = BTreeMap<(String, i32), (Option<i64>, i64, String, String)>;

async fn view(daemon: &Daemon, cluster: &str, group: &str) -> View {
    let offsets = warren_offsets(daemon, cluster, group).await;
    let (_, detail) = daemon
        .get(&format!("/v3/kafka/{cluster}/consumer/{group}"))
        .await;
    offsets
        .into_iter()
        .map(|((topic, p), (offset, lag))| {
            let part = &detail["topics"][&topic][p as usize];
            let owner = part["owner"].as_str().unwrap_or_default().to_string();
            let client_id = part["client_id"].as_str().unwrap_or_default().to_string();
            ((topic, p), (offset, lag, owner, client_id))
        })
        .collect()
}

/// The group's state as `cluster`'s consumer last saw it.
async fn state(daemon: &Daemon, cluster: &str, group: &str) -> Option<String> {
    let (_, body) = daemon
        .get(&format!("/v3/kafka/{cluster}/consumer-status"))
        .await;
    body["statuses"]
        .as_array()?
        .iter()
        .find(|s| s["group"] == group)
        .and_then(|s| s["state"].as_str())
        .map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classic_and_kip848_groups_appear_with_owners_client_ids_state_and_the_brokers_offsets() {
    let kafka = KafkaCluster::shared();
    let topic = unique("orders");
    create_topic_replicated(&kafka.bootstrap, &topic, 3, 1).await;
    let p = producer(&kafka.bootstrap);
    produce(&p, &topic, 3, 100);

    // (group, client id); the librdkafka groups read part of the topic so lag is not zero.
    let mut groups = Vec::new();
    let mut members = Vec::new();
    for (i, protocol) in ["classic", "consumer"].into_iter().enumerate() {
        let group = unique(&format!("rd-{protocol}"));
        let c = rdkafka_consumer(&kafka.bootstrap, &group, &topic, protocol);
        assert!(consume_and_commit(&c, 120 + 60 * i, Duration::from_secs(60)) > 0);
        groups.push((group.clone(), format!("rdkafka-{group}")));
        members.push(c);
    }
    let mut java = Vec::new();
    for protocol in ["classic", "consumer"] {
        let group = unique(&format!("java-{protocol}"));
        java.push(kafka.java_consumer(&group, &topic, protocol, 300, 0));
        groups.push((group.clone(), format!("java-{group}")));
    }
    // Let the Java consumers commit the whole topic before the broker's answer is taken.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let daemon = Daemon::start(&cluster("real", &kafka.bootstrap, "kafka-admin")).await;
    daemon.wait_ready().await;
    let names: Vec<&str> = groups.iter().map(|(g, _)| g.as_str()).collect();
    assert_matches_truth(kafka, &daemon, "real", &names, Duration::from_secs(20)).await;

    for (group, client_id) in &groups {
        let start = Instant::now();
        loop {
            let (seen, state) = (
                view(&daemon, "real", group).await,
                state(&daemon, "real", group).await,
            );
            let owned = seen.len() == 3
                && seen
                    .values()
                    .all(|(_, _, owner, id)| owner.contains("127.0.0.1") && id == client_id);
            if owned && state.as_deref() == Some("Stable") {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{group}: want every partition owned by {client_id} and state Stable; \
                 state {state:?}, partitions {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_answers_equal_the_offsets_topic_readers_for_the_same_groups() {
    let kafka = KafkaCluster::shared();
    let topic = unique("invoices");
    create_topic_replicated(&kafka.bootstrap, &topic, 3, 1).await;
    let p = producer(&kafka.bootstrap);
    produce(&p, &topic, 3, 80);

    let mut groups = Vec::new();
    let mut members = Vec::new();
    for (i, protocol) in ["classic", "consumer"].into_iter().enumerate() {
        let group = unique(&format!("same-rd-{protocol}"));
        let c = rdkafka_consumer(&kafka.bootstrap, &group, &topic, protocol);
        consume_and_commit(&c, 100 + 50 * i, Duration::from_secs(60));
        members.push(c);
        groups.push(group);
    }
    // A group whose consumer left: offsets, no members.
    let left = unique("same-left");
    let c = rdkafka_consumer(&kafka.bootstrap, &left, &topic, "consumer");
    consume_and_commit(&c, 60, Duration::from_secs(60));
    drop(c);
    groups.push(left);
    let java = unique("same-java-consumer");
    let _java = kafka.java_consumer(&java, &topic, "consumer", 300, 0);
    groups.push(java);
    tokio::time::sleep(Duration::from_secs(2)).await;

    let config = cluster("admin", &kafka.bootstrap, "kafka-admin")
        + &cluster("topic", &kafka.bootstrap, "kafka");
    let daemon = Daemon::start(&config).await;
    daemon.wait_ready().await;
    let names: Vec<&str> = groups.iter().map(String::as_str).collect();
    for c in ["admin", "topic"] {
        assert_matches_truth(kafka, &daemon, c, &names, Duration::from_secs(20)).await;
    }
    for group in &groups {
        let start = Instant::now();
        loop {
            let (a, t) = (
                view(&daemon, "admin", group).await,
                view(&daemon, "topic", group).await,
            );
            if a == t && !a.is_empty() {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{group}: kafka-admin and kafka differ\nkafka-admin: {a:?}\nkafka:       {t:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    daemon.stop().await;
}

/// Reads up to `n` records as `c` (riding out the errors a paused broker causes), commits, and
/// returns the committed offset of partition 0 of `topic`.
fn read_and_commit(c: &BaseConsumer, topic: &str, n: usize) -> i64 {
    let start = Instant::now();
    let mut read = 0;
    while read < n && start.elapsed() < Duration::from_secs(15) {
        if let Some(Ok(_)) = c.poll(Duration::from_millis(100)) {
            read += 1;
        }
    }
    loop {
        if c.commit_consumer_state(CommitMode::Sync).is_ok() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "cannot commit");
        std::thread::sleep(Duration::from_millis(200));
    }
    let position = c.position().expect("position");
    position
        .find_partition(topic, 0)
        .and_then(|p| p.offset().to_raw())
        .expect("a position")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_broker_fails_only_the_groups_it_coordinates() {
    let kafka = KafkaCluster::start(3, 10);
    let topic = unique("ticks");
    create_topic_replicated(&kafka.bootstrap, &topic, 1, 1).await;
    let p = producer(&kafka.bootstrap);
    produce(&p, &topic, 1, 100);
    // The offsets topic exists once a first group commits.
    let warmup = rdkafka_consumer(&kafka.bootstrap, &unique("warmup"), &topic, "classic");
    consume_and_commit(&warmup, 10, Duration::from_secs(60));
    drop(warmup);

    // Pause a node that coordinates some groups but does not lead the topic, so the groups
    // it does not coordinate can keep consuming and committing.
    let leader = kafka.leader_of(&topic, 0);
    let coordinators: Vec<usize> = (0..10)
        .map(|p| kafka.leader_of("__consumer_offsets", p))
        .collect();
    let victim = (1..=3)
        .find(|n| *n != leader && coordinators.contains(n))
        .expect("a node coordinating groups but not leading the topic");
    let on = |pred: &dyn Fn(usize) -> bool| {
        (0..10)
            .find(|p| pred(coordinators[*p as usize]))
            .expect("an offsets partition")
    };
    let dead = group_in_partition("dead", on(&|n| n == victim), 10);
    let alive = [
        (
            group_in_partition("alive-classic", on(&|n| n != victim), 10),
            "classic",
        ),
        (
            group_in_partition("alive-kip848", on(&|n| n != victim), 10),
            "consumer",
        ),
    ];
    let dead_consumer = rdkafka_consumer(&kafka.bootstrap, &dead, &topic, "classic");
    read_and_commit(&dead_consumer, &topic, 20);
    let mut consumers = Vec::new();
    for (group, protocol) in &alive {
        let c = Arc::new(rdkafka_consumer(&kafka.bootstrap, group, &topic, protocol));
        read_and_commit(&c, &topic, 20);
        consumers.push(c);
    }

    let daemon = Daemon::start(&cluster("real", &kafka.bootstrap, "kafka-admin")).await;
    daemon.wait_ready().await;
    let all = [dead.as_str(), alive[0].0.as_str(), alive[1].0.as_str()];
    assert_matches_truth(&kafka, &daemon, "real", &all, Duration::from_secs(20)).await;

    eprintln!("pausing node {victim} (coordinator of {dead})");
    let paused = Instant::now();
    kafka.node("stop", victim);
    for round in 0..2 {
        produce(&p, &topic, 1, 10);
        for ((group, _), c) in alive.iter().zip(&consumers) {
            let (c, t) = (c.clone(), topic.clone());
            let committed = tokio::task::spawn_blocking(move || read_and_commit(&c, &t, 10))
                .await
                .unwrap();
            // Well within librdkafka's 10 s request timeout: the paused node's groups do
            // not hold these back.
            wait_until(
                Duration::from_secs(6),
                &format!("{group} at offset {committed} while node {victim} is paused"),
                || async {
                    let seen = warren_offsets(&daemon, "real", group).await;
                    seen.get(&(topic.clone(), 0)).and_then(|(o, _)| *o) == Some(committed)
                },
            )
            .await;
        }
        eprintln!(
            "round {round}: alive groups applied {:?} after the pause",
            paused.elapsed()
        );
    }

    kafka.node("cont", victim);
    kafka.wait_brokers(3, Duration::from_secs(60));
    produce(&p, &topic, 1, 10);
    let c = Arc::new(dead_consumer);
    let t = topic.clone();
    tokio::task::spawn_blocking(move || read_and_commit(&c, &t, 10))
        .await
        .unwrap();
    assert_matches_truth(&kafka, &daemon, "real", &all, Duration::from_secs(30)).await;
    daemon.stop().await;
}
