//! Warren on a three-node Apache Kafka cluster while brokers fail: the broker leading the
//! offsets-topic partition Warren reads is SIGKILLed and restarted, a broker is paused
//! (SIGSTOP) for 60 s, and the whole cluster goes down for 60 s. Two healthy groups (Java
//! consumers, classic and KIP-848) commit all along. After each fault Warren's answers equal
//! the broker's again, no commit is lost, the webhook notifier (threshold WARN) never opens an
//! incident, and the daemon keeps running.
//!
//! Production happens in bursts between faults: with nothing being written the healthy groups
//! have no lag, so any notification would be Warren's mistake, not the consumers'.

use std::time::{Duration, Instant};

use warren_integration_tests::kafka::{
    KafkaCluster, assert_matches_truth, consume_and_commit, offsets_partition, rdkafka_consumer,
};
use warren_integration_tests::receiver::Receiver;
use warren_integration_tests::{
    Daemon, create_topic_replicated, free_port, now_ms, produce, producer, unique, wait_until,
};

/// Warren's `offset-refresh`: answers must match the broker within two of these after a fault
/// heals (plus the consumers' next commit).
const REFRESH: Duration = Duration::from_secs(2);

/// Writes a burst to every partition, lets the consumers catch up, and checks Warren against
/// the broker's ground truth.
async fn burst_then_compare(
    kafka: &KafkaCluster,
    daemon: &Daemon,
    topic: &str,
    groups: &[&str],
    what: &str,
) {
    let p = producer(&kafka.bootstrap);
    produce(&p, topic, 3, 20);
    // The consumers commit every 300 ms; give them a few rounds to read the burst.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let start = Instant::now();
    assert_matches_truth(
        kafka,
        daemon,
        "real",
        groups,
        2 * REFRESH + Duration::from_secs(2),
    )
    .await;
    eprintln!(
        "after {what}: Warren equals the broker {:?} after the check began",
        start.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_killed_paused_and_all_down_lose_nothing_and_fire_no_false_alarm() {
    let kafka = KafkaCluster::start(3, 50);
    let topic = unique("payments");
    create_topic_replicated(&kafka.bootstrap, &topic, 3, 3).await;
    let p = producer(&kafka.bootstrap);
    produce(&p, &topic, 3, 100);

    // Ground truth on three nodes: librdkafka groups of both protocols, committed once.
    let mut oneshot = Vec::new();
    for protocol in ["classic", "consumer"] {
        let group = unique(&format!("rd-{protocol}"));
        let c = rdkafka_consumer(&kafka.bootstrap, &group, &topic, protocol);
        consume_and_commit(&c, 120, Duration::from_secs(60));
        oneshot.push(group);
    }
    let (classic, kip848) = (unique("live-classic"), unique("live-kip848"));
    let _c1 = kafka.java_consumer(&classic, &topic, "classic", 300, 0);
    let _c2 = kafka.java_consumer(&kip848, &topic, "consumer", 300, 0);

    let hook = Receiver::start().await;
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("warren.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[cluster.real]
servers = [{servers}]
offset-refresh = "2s"
topic-refresh = "5s"
[consumer.real]
class-name = "kafka"
cluster = "real"
[storage.default]
intervals = 5
[httpserver.test]
address = "127.0.0.1:{port}"
[plugin.hook]
kind = "notifier"
path = "builtin:webhook"
allowed-outbound-hosts = ["{authority}"]
allow-private-addresses = true
config = {{ url = "{base}/hook" }}
[notifier.hook]
plugin = "hook"
interval = "500ms"
threshold = "WARN"
# Only the groups that keep consuming; the one-shot groups fall behind on purpose.
group-allowlist = "^live-"
"#,
            servers = kafka.servers_toml(),
            authority = hook.authority,
            base = hook.base,
        ),
    )
    .unwrap();
    let daemon = Daemon::start_file(&config, port).await;
    daemon.wait_ready().await;

    let mut groups: Vec<&str> = oneshot.iter().map(String::as_str).collect();
    groups.extend([classic.as_str(), kip848.as_str()]);
    burst_then_compare(&kafka, &daemon, &topic, &groups, "start").await;

    // 1. SIGKILL the node leading the offsets-topic partition of the live classic group.
    let victim = kafka.leader_of("__consumer_offsets", offsets_partition(&classic, 50));
    eprintln!("killing node {victim}");
    kafka.node("kill", victim);
    tokio::time::sleep(Duration::from_secs(10)).await;
    kafka.node("start", victim);
    kafka.wait_brokers(3, Duration::from_secs(90));
    burst_then_compare(&kafka, &daemon, &topic, &groups, "SIGKILL + restart").await;

    // 2. SIGSTOP a node (again the offsets partition's leader) for 60 s.
    let victim = kafka.leader_of("__consumer_offsets", offsets_partition(&kip848, 50));
    eprintln!("pausing node {victim}");
    kafka.node("stop", victim);
    tokio::time::sleep(Duration::from_secs(60)).await;
    kafka.node("cont", victim);
    kafka.wait_brokers(3, Duration::from_secs(90));
    burst_then_compare(&kafka, &daemon, &topic, &groups, "SIGSTOP 60 s").await;

    // 3. The whole cluster down for 60 s.
    for node in 1..=3 {
        kafka.node("kill", node);
    }
    tokio::time::sleep(Duration::from_secs(20)).await;
    let (code, ready) = daemon.get("/burrow/admin/ready").await;
    eprintln!("readiness with every broker down: {code} {ready}");
    assert!(
        ready
            .as_str()
            .is_some_and(|r| r.lines().any(|l| l.starts_with("real: unreachable for "))),
        "readiness does not say the cluster is unreachable: {ready}"
    );
    tokio::time::sleep(Duration::from_secs(40)).await;
    let restarted_at = now_ms();
    for node in 1..=3 {
        kafka.node("start", node);
    }
    kafka.wait_brokers(3, Duration::from_secs(120));
    wait_until(Duration::from_secs(60), "READY again", || async {
        daemon.get("/burrow/admin/ready").await.0 == 200
    })
    .await;
    // The consumers need a while to find their coordinators again; a burst before they do
    // would make a true STOP, the consumers' own, not Warren's mistake.
    wait_until(
        Duration::from_secs(120),
        "both live groups committing again",
        || async {
            let mut all = true;
            for group in [&classic, &kip848] {
                let (_, d) = daemon
                    .get(&format!("/v3/kafka/real/consumer/{group}"))
                    .await;
                all &= d["topics"][&topic].as_array().is_some_and(|parts| {
                    parts.len() == 3
                        && parts.iter().all(|p| {
                            p["offsets"].as_array().is_some_and(|o| {
                                o.iter()
                                    .filter_map(|c| c["timestamp"].as_i64())
                                    .any(|ts| ts > restarted_at)
                            })
                        })
                });
            }
            all
        },
    )
    .await;
    burst_then_compare(&kafka, &daemon, &topic, &groups, "whole cluster down 60 s").await;

    let opens = hook.requests("/hook");
    assert!(
        opens.is_empty(),
        "the notifier fired for healthy groups: {:?}",
        opens.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert_eq!(
        daemon.get("/burrow/admin").await.0,
        200,
        "the daemon is still serving"
    );
    daemon.stop().await;
}
