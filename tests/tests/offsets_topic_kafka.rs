//! The offsets-topic collector on Apache Kafka itself (one KRaft node, 50 offsets-topic
//! partitions, shared by the tests of this binary): commits written by real group
//! coordinators for librdkafka and Java consumers, classic and KIP-848, and by transactional
//! producers, compared partition by partition with the broker's own answers.

use std::time::Duration;

use warren_integration_tests::kafka::{
    KafkaCluster, assert_matches_truth, consume_and_commit, group_in_partition, offsets_partition,
    rdkafka_consumer, warren_offsets,
};
use warren_integration_tests::{Daemon, create_topic_replicated, produce, producer, unique};

fn config(bootstrap: &str) -> String {
    format!(
        r#"
[cluster.real]
servers = ["{bootstrap}"]
offset-refresh = "1s"
topic-refresh = "2s"
[consumer.real]
class-name = "kafka"
cluster = "real"
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_and_lag_of_classic_and_kip848_groups_equal_the_brokers() {
    let kafka = KafkaCluster::shared();
    let topic = unique("orders");
    create_topic_replicated(&kafka.bootstrap, &topic, 3, 1).await;
    let p = producer(&kafka.bootstrap);
    produce(&p, &topic, 3, 200);

    // Each group reads part of the topic and commits, so every partition has a lag to check.
    // The librdkafka members stay in their groups, so their owners can be checked too.
    let mut groups = Vec::new();
    let mut members = Vec::new();
    for (i, protocol) in ["classic", "consumer", "classic", "consumer"]
        .iter()
        .enumerate()
    {
        let group = unique(&format!("rd-{protocol}"));
        let c = rdkafka_consumer(&kafka.bootstrap, &group, &topic, protocol);
        let read = consume_and_commit(&c, 150 + 100 * i, Duration::from_secs(60));
        assert!(read > 0, "{group} read nothing");
        members.push((group.clone(), c));
        groups.push(group);
    }
    for protocol in ["classic", "consumer"] {
        let group = unique(&format!("java-{protocol}"));
        let mut java = kafka.java_consumer(&group, &topic, protocol, 300, 0);
        // Give it a few commits, then stop it the hard way (no leave).
        tokio::time::sleep(Duration::from_secs(2)).await;
        java.kill();
        groups.push(group);
    }
    produce(&p, &topic, 3, 50);

    let daemon = Daemon::start(&config(&kafka.bootstrap)).await;
    daemon.wait_ready().await;
    let names: Vec<&str> = groups.iter().map(String::as_str).collect();
    assert_matches_truth(kafka, &daemon, "real", &names, Duration::from_secs(20)).await;

    // Owners, client ids and state come from the coordinator's records: GroupMetadata for
    // classic groups, KIP-848's member and assignment records for the others.
    let (_, statuses) = daemon.get("/v3/kafka/real/consumer-status").await;
    for (group, _member) in &members {
        let (_, detail) = daemon
            .get(&format!("/v3/kafka/real/consumer/{group}"))
            .await;
        for p in detail["topics"][&topic].as_array().expect("partitions") {
            assert_eq!(p["client_id"], format!("rdkafka-{group}"), "{detail}");
            assert!(
                p["owner"].as_str().is_some_and(|o| o.contains("127.0.0.1")),
                "{detail}"
            );
        }
        let state = statuses["statuses"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["group"] == group.as_str()))
            .map(|s| s["state"].clone());
        assert_eq!(state, Some("Stable".into()), "{group}: {statuses}");
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aborted_transactional_offsets_never_appear_and_a_pending_one_stalls_nothing_else() {
    let kafka = KafkaCluster::shared();
    let topic = unique("ledger");
    create_topic_replicated(&kafka.bootstrap, &topic, 1, 1).await;
    let p = producer(&kafka.bootstrap);
    produce(&p, &topic, 1, 100);

    let daemon = Daemon::start(&config(&kafka.bootstrap)).await;
    daemon.wait_ready().await;

    let group = unique("txn");
    let txn = |id: &str, offset: i64, end: &str| {
        kafka.tool(&[
            "txn-offsets",
            &kafka.bootstrap,
            &unique(id),
            &group,
            &topic,
            "0",
            &offset.to_string(),
            end,
        ])
    };
    txn("tx-committed", 10, "commit");
    txn("tx-aborted", 50, "abort");
    // A transaction left open: the reader must keep serving every other partition.
    let mut pending = kafka.spawn_tool(&[
        "txn-offsets",
        &kafka.bootstrap,
        &unique("tx-pending"),
        &group,
        &topic,
        "0",
        "70",
        "hang",
    ]);
    pending.expect_line("pending", Duration::from_secs(60));
    let elsewhere = group_in_partition("plain", (offsets_partition(&group, 50) + 1) % 50, 50);
    let c = rdkafka_consumer(&kafka.bootstrap, &elsewhere, &topic, "classic");
    consume_and_commit(&c, 30, Duration::from_secs(60));
    assert_matches_truth(
        kafka,
        &daemon,
        "real",
        &[&elsewhere],
        Duration::from_secs(20),
    )
    .await;

    // The open transaction ends when its producer dies and the broker's timeout aborts it.
    pending.kill();
    txn("tx-last", 20, "commit");
    assert_matches_truth(kafka, &daemon, "real", &[&group], Duration::from_secs(60)).await;
    let (_, detail) = daemon
        .get(&format!("/v3/kafka/real/consumer/{group}"))
        .await;
    let seen: Vec<i64> = detail["topics"][&topic][0]["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["offset"].as_i64())
        .collect();
    assert_eq!(
        seen,
        vec![10, 20],
        "only committed transactions count: {detail}"
    );
    let now = warren_offsets(&daemon, "real", &group).await;
    assert_eq!(now[&(topic.clone(), 0)], (Some(20), 80));
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_groups_offsets_and_topics_leave_warren_and_new_partitions_appear() {
    use rdkafka::admin::{AdminOptions, NewPartitions};
    let kafka = KafkaCluster::shared();
    let (kept, dropped) = (unique("kept"), unique("dropped"));
    create_topic_replicated(&kafka.bootstrap, &kept, 2, 1).await;
    create_topic_replicated(&kafka.bootstrap, &dropped, 1, 1).await;
    let p = producer(&kafka.bootstrap);
    produce(&p, &kept, 2, 40);
    produce(&p, &dropped, 1, 40);

    let (stays, goes) = (unique("stays"), unique("goes"));
    for group in [&stays, &goes] {
        let c = rdkafka_consumer(&kafka.bootstrap, group, &kept, "classic");
        consume_and_commit(&c, 60, Duration::from_secs(60));
        // Leaves the group, so the group is empty and can be deleted.
        drop(c);
    }
    let other = rdkafka_consumer(&kafka.bootstrap, &stays, &dropped, "classic");
    consume_and_commit(&other, 20, Duration::from_secs(60));
    drop(other);

    let daemon = Daemon::start(&config(&kafka.bootstrap)).await;
    daemon.wait_ready().await;
    assert_matches_truth(
        kafka,
        &daemon,
        "real",
        &[&stays, &goes],
        Duration::from_secs(20),
    )
    .await;

    kafka.tool(&["delete-group", &kafka.bootstrap, &goes]);
    kafka.tool(&["delete-offsets", &kafka.bootstrap, &stays, &kept, "1"]);
    let admin = warren_integration_tests::admin(&kafka.bootstrap);
    let opts = AdminOptions::new();
    for r in admin
        .delete_topics(&[&dropped], &opts)
        .await
        .expect("delete")
    {
        r.expect("topic deleted");
    }
    for r in admin
        .create_partitions(&[NewPartitions::new(&kept, 4)], &opts)
        .await
        .expect("partitions")
    {
        r.expect("partitions added");
    }

    warren_integration_tests::wait_until(
        Duration::from_secs(30),
        "the deleted group gone, one partition forgotten, the deleted topic gone, four partitions",
        || async {
            let gone = daemon
                .get(&format!("/v3/kafka/real/consumer/{goes}"))
                .await
                .0
                == 404;
            let seen = warren_offsets(&daemon, "real", &stays).await;
            let forgotten = seen
                .get(&(kept.clone(), 1))
                .is_none_or(|(o, _)| o.is_none())
                && seen.contains_key(&(kept.clone(), 0));
            let topic_gone = !seen.keys().any(|(t, _)| t == &dropped)
                && daemon
                    .get(&format!("/v3/kafka/real/topic/{dropped}"))
                    .await
                    .0
                    == 404;
            let (_, t) = daemon.get(&format!("/v3/kafka/real/topic/{kept}")).await;
            let grown = t["offsets"].as_array().is_some_and(|o| o.len() == 4);
            gone && forgotten && topic_gone && grown
        },
    )
    .await;
    daemon.stop().await;
}

/// `warren_consumer_records_total{result="read"}` from a live scrape.
async fn records_read(daemon: &Daemon) -> u64 {
    let (_, body) = daemon.get("/metrics").await;
    body.as_str()
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("warren_consumer_records_total{") && l.contains("result=\"read\""))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0)
}

/// Records in the whole offsets topic now (sum of its partitions' HEADs).
fn offsets_topic_size(kafka: &KafkaCluster) -> u64 {
    use rdkafka::consumer::Consumer;
    let c: rdkafka::consumer::BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &kafka.bootstrap)
        .create()
        .unwrap();
    (0..50)
        .map(|p| {
            let (low, high) = c
                .fetch_watermarks("__consumer_offsets", p, Duration::from_secs(10))
                .unwrap();
            (high - low) as u64
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_with_a_data_dir_resumes_from_stored_positions_and_matches_the_broker() {
    let kafka = KafkaCluster::shared();
    let topic = unique("restock");
    create_topic_replicated(&kafka.bootstrap, &topic, 10, 1).await;
    produce(&producer(&kafka.bootstrap), &topic, 10, 50);
    // Enough history that a full re-read could not pass for a resume.
    let many = unique("many");
    kafka.tool(&[
        "commit-many",
        &kafka.bootstrap,
        &many,
        "1",
        &topic,
        "10",
        "30",
    ]);

    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}[general]\nmetrics-refresh = \"300ms\"\n[storage.default]\ndata-dir = \"{}\"\n",
        config(&kafka.bootstrap),
        dir.path().display()
    );
    let group = unique("durable");
    let c = rdkafka_consumer(&kafka.bootstrap, &group, &topic, "classic");
    consume_and_commit(&c, 100, Duration::from_secs(60));

    let first = Daemon::start(&text).await;
    first.wait_ready().await;
    let many0 = format!("{many}-0");
    assert_matches_truth(
        kafka,
        &first,
        "real",
        &[&group, &many0],
        Duration::from_secs(20),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let first_read = records_read(&first).await;
    assert!(
        first_read >= 300,
        "the first run read only {first_read} records"
    );
    first.stop().await;

    // What happens while Warren is down is replayed; nothing before it is read again.
    consume_and_commit(&c, 200, Duration::from_secs(60));
    let second = Daemon::start(&text).await;
    second.wait_ready().await;
    assert_matches_truth(
        kafka,
        &second,
        "real",
        &[&group, &many0],
        Duration::from_secs(20),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let second_read = records_read(&second).await;
    let total = offsets_topic_size(kafka);
    assert!(
        second_read + first_read <= total + 50,
        "the restarted reader read {second_read} records of {total}, the first run {first_read}: it re-read what it had"
    );
    second.stop().await;
}

/// Records left in `partition` of the offsets topic, read from its start to its end: fewer
/// than the offsets it spans once the log cleaner has compacted it.
fn records_in_offsets_partition(kafka: &KafkaCluster, partition: i32) -> (usize, i64) {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::{Offset, TopicPartitionList};
    let c: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &kafka.bootstrap)
        .set("group.id", "warren-test-counter")
        .set("enable.partition.eof", "true")
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        .create()
        .unwrap();
    let (low, high) = c
        .fetch_watermarks("__consumer_offsets", partition, Duration::from_secs(10))
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset("__consumer_offsets", partition, Offset::Beginning)
        .unwrap();
    c.assign(&tpl).unwrap();
    let mut n = 0;
    loop {
        match c.poll(Duration::from_secs(10)) {
            Some(Ok(_)) => n += 1,
            Some(Err(rdkafka::error::KafkaError::PartitionEOF(_))) => break,
            Some(Err(e)) => panic!("reading the offsets topic: {e}"),
            None => panic!("no end of partition within 10 s"),
        }
    }
    (n, high - low)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compacted_offsets_topic_loses_no_committed_offset_and_keeps_deletions() {
    let kafka = KafkaCluster::shared();
    let topic = unique("compacted");
    create_topic_replicated(&kafka.bootstrap, &topic, 100, 1).await;
    produce(&producer(&kafka.bootstrap), &topic, 100, 170);
    // Two groups in one offsets-topic partition: enough commits to roll its 1 MiB segments
    // (the smallest Kafka 4 allows) so the log cleaner compacts them.
    // `commit-many PREFIX` commits as group `PREFIX-0`: pick prefixes whose group lands there.
    let partition = offsets_partition(&unique("probe"), 50);
    let prefix_in = |name: &str| loop {
        let prefix = unique(name);
        if offsets_partition(&format!("{prefix}-0"), 50) == partition {
            return prefix;
        }
    };
    let (busy, deleted) = (prefix_in("busy"), prefix_in("deleted"));
    kafka.tool(&[
        "commit-many",
        &kafka.bootstrap,
        &deleted,
        "1",
        &topic,
        "100",
        "2",
    ]);
    kafka.tool(&[
        "commit-many",
        &kafka.bootstrap,
        &busy,
        "1",
        &topic,
        "100",
        "150",
    ]);
    let deleted0 = format!("{deleted}-0");
    kafka.tool(&["delete-group", &kafka.bootstrap, &deleted0]);
    kafka.tool(&[
        "commit-many",
        &kafka.bootstrap,
        &busy,
        "1",
        &topic,
        "100",
        "160",
    ]);

    let start = std::time::Instant::now();
    loop {
        let (records, span) = records_in_offsets_partition(kafka, partition);
        if records * 2 < span as usize {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "the log cleaner did not compact __consumer_offsets-{partition}: {records} records over {span} offsets"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    // A Warren that reads the compacted partition from its start.
    let daemon = Daemon::start(&config(&kafka.bootstrap)).await;
    daemon.wait_ready().await;
    let busy0 = format!("{busy}-0");
    assert_matches_truth(kafka, &daemon, "real", &[&busy0], Duration::from_secs(20)).await;
    assert_eq!(
        daemon
            .get(&format!("/v3/kafka/real/consumer/{deleted0}"))
            .await
            .0,
        404,
        "a deleted group came back from the compacted topic"
    );
    daemon.stop().await;
}

/// The offsets of the commits in `group`'s window for partition 0 of `topic`, oldest first.
async fn window(daemon: &Daemon, cluster: &str, group: &str, topic: &str) -> Vec<i64> {
    let (_, detail) = daemon
        .get(&format!("/v3/kafka/{cluster}/consumer/{group}"))
        .await;
    detail["topics"][topic][0]["offsets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["offset"].as_i64())
        .collect()
}

/// Waits until `group`'s window for partition 0 of `topic` is `want`.
async fn wait_for_window(daemon: &Daemon, cluster: &str, group: &str, topic: &str, want: &[i64]) {
    let start = std::time::Instant::now();
    loop {
        let got = window(daemon, cluster, group, topic).await;
        if got == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{group}: window {got:?}, expected {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Commits `offset` for partition 0 of `topic` as `group`, which has no members (the way
/// `kafka-consumer-groups --reset-offsets` does).
fn commit_at(bootstrap: &str, group: &str, topic: &str, offset: i64) {
    use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
    let c: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()
        .expect("consumer");
    let mut tpl = rdkafka::TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, rdkafka::Offset::Offset(offset))
        .expect("partition");
    c.commit(&tpl, CommitMode::Sync).expect("commit");
}

fn with_data_dir(config: String, dir: &std::path::Path) -> String {
    format!(
        "{config}[storage.default]\ndata-dir = \"{}\"\n",
        dir.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_from_the_admin_api_to_the_offsets_topic_on_one_data_dir_stores_new_commits() {
    // The Admin API poller orders commits by the clock (µs since 1970), the offsets-topic
    // reader by offsets: without noticing the switch every new commit would be a "replay".
    let kafka = KafkaCluster::shared();
    let topic = unique("switch");
    create_topic_replicated(&kafka.bootstrap, &topic, 1, 1).await;
    produce(&producer(&kafka.bootstrap), &topic, 1, 100);
    let group = unique("switch-group");
    commit_at(&kafka.bootstrap, &group, &topic, 10);
    let dir = tempfile::tempdir().unwrap();
    let admin =
        config(&kafka.bootstrap).replace("class-name = \"kafka\"", "class-name = \"kafka-admin\"");

    let first = Daemon::start(&with_data_dir(admin, dir.path())).await;
    first.wait_ready().await;
    wait_for_window(&first, "real", &group, &topic, &[10]).await;
    first.stop().await;

    commit_at(&kafka.bootstrap, &group, &topic, 20);
    commit_at(&kafka.bootstrap, &group, &topic, 30);
    let second = Daemon::start(&with_data_dir(config(&kafka.bootstrap), dir.path())).await;
    second.wait_ready().await;
    // The poller's commit is kept; the offsets topic's copy of it, older than the poll that
    // saw it, is not added again; what came after is.
    wait_for_window(&second, "real", &group, &topic, &[10, 20, 30]).await;
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recreated_offsets_topic_is_read_from_its_start_and_the_windows_are_kept() {
    use warren_core::codec::{self, OffsetCommitValue};
    use warren_integration_tests::produce_raw;
    let kafka = KafkaCluster::shared();
    let topic = unique("recreated-data");
    create_topic_replicated(&kafka.bootstrap, &topic, 1, 1).await;
    produce(&producer(&kafka.bootstrap), &topic, 1, 100);
    // A topic of its own stands in for the offsets topic, which a test cannot delete.
    let offsets = unique("recreated-offsets");
    let group = unique("recreated-group");
    let dir = tempfile::tempdir().unwrap();
    let write = |commits: &[i64]| {
        let p = producer(&kafka.bootstrap);
        for &offset in commits {
            let value = codec::encode_offset_commit_value(&OffsetCommitValue {
                version: 3,
                offset,
                leader_epoch: Some(-1),
                metadata: "",
                commit_timestamp: warren_core::clock::now_ms(),
                expire_timestamp: None,
            });
            let key = codec::encode_offset_commit_key(&group, &topic, 0);
            produce_raw(&p, &offsets, 0, &key, Some(&value));
            std::thread::sleep(Duration::from_millis(5));
        }
        rdkafka::producer::Producer::flush(&p, Duration::from_secs(10)).expect("flush");
    };
    let text = with_data_dir(
        config(&kafka.bootstrap).replace(
            "class-name = \"kafka\"",
            &format!("class-name = \"kafka\"\noffsets-topic = \"{offsets}\""),
        ),
        dir.path(),
    );

    create_topic_replicated(&kafka.bootstrap, &offsets, 1, 1).await;
    write(&[1, 2, 3, 4, 5]);
    let first = Daemon::start(&text).await;
    first.wait_ready().await;
    wait_for_window(&first, "real", &group, &topic, &[1, 2, 3, 4, 5]).await;
    first.stop().await;

    let admin = warren_integration_tests::admin(&kafka.bootstrap);
    let opts = rdkafka::admin::AdminOptions::new();
    admin
        .delete_topics(&[&offsets], &opts)
        .await
        .expect("delete");
    // Deletion is asynchronous on the broker: creating again succeeds once it is done.
    let start = std::time::Instant::now();
    loop {
        let made = admin
            .create_topics(
                &[rdkafka::admin::NewTopic::new(
                    &offsets,
                    1,
                    rdkafka::admin::TopicReplication::Fixed(1),
                )],
                &opts,
            )
            .await
            .expect("create");
        if made.iter().all(|r| r.is_ok()) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "cannot recreate {offsets}: {made:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Two commits at offsets 0 and 1 of the new topic, below the stored position (5) and
    // the group's newest order (4).
    write(&[6, 7]);
    let second = Daemon::start(&text).await;
    second.wait_ready().await;
    wait_for_window(&second, "real", &group, &topic, &[1, 2, 3, 4, 5, 6, 7]).await;
    second.stop().await;
}
