//! The `kafka_zk` consumer (Burrow's ZooKeeper-committed offsets) on Apache Kafka and Apache
//! ZooKeeper themselves: HEAD offsets come from the real broker, commits from znodes the test
//! writes as Kafka's old ZooKeeper consumers did. A group's offsets, lag and status appear; a
//! group created after start and a changed commit are seen through the watch (the periodic
//! re-read is set far beyond the tests' waits); and a `kafka` consumer beside it on the same
//! cluster keeps working, the newest commit of a group winning whichever source wrote it. An
//! ensemble that is down at start is connected to once it is up, and one killed and restarted
//! is followed again.

use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::Value;
use warren_integration_tests::kafka::{KafkaCluster, warren_offsets};
use warren_integration_tests::zookeeper::{ZooKeeper, commit, write};
use warren_integration_tests::{Daemon, create_topic, produce, producer, unique, wait_until};

/// How long a change may take to show: the HEAD poll (1 s) plus the watch's delivery; far
/// below `topic-refresh`, which paces the re-read that would otherwise find it.
const SEEN_WITHIN: Duration = Duration::from_secs(10);

/// A cluster on the shared broker with a `kafka_zk` consumer reading below `prefix` from `zk`,
/// and a `kafka` consumer too when `with_kafka`.
fn config(kafka: &KafkaCluster, zk: &ZooKeeper, prefix: &str, with_kafka: bool) -> String {
    let mut toml = format!(
        r#"
[cluster.zk]
servers = [{}]
offset-refresh = "1s"
topic-refresh = "120s"
[consumer.zk-offsets]
class-name = "kafka_zk"
cluster = "zk"
servers = ["{}"]
zookeeper-path = "{prefix}"
zookeeper-timeout = 6
"#,
        kafka.servers_toml(),
        zk.address
    );
    if with_kafka {
        toml.push_str("[consumer.kafka-offsets]\nclass-name = \"kafka\"\ncluster = \"zk\"\n");
    }
    toml
}

/// A topic of `partitions` with 100 records in each (HEAD offset 100).
async fn topic(kafka: &KafkaCluster, partitions: i32) -> String {
    let topic = unique("zk-orders");
    create_topic(&kafka.bootstrap, &topic, partitions).await;
    produce(&producer(&kafka.bootstrap), &topic, partitions, 100);
    topic
}

/// A partition as `warren_offsets` names it, and what Warren shows for it (newest offset, lag).
type Partition = (String, i32);
type Seen = (Option<i64>, i64);

/// Waits until Warren's (newest offset, lag) per partition of `group` equal `want`.
async fn expect_offsets(daemon: &Daemon, group: &str, topic: &str, want: &[(i64, i64)]) {
    let want: Vec<(Partition, Seen)> = want
        .iter()
        .enumerate()
        .map(|(p, (offset, lag))| ((topic.to_string(), p as i32), (Some(*offset), *lag)))
        .collect();
    let mut seen = Vec::new();
    let result = tokio::time::timeout(SEEN_WITHIN, async {
        loop {
            seen = warren_offsets(daemon, "zk", group)
                .await
                .into_iter()
                .collect();
            if seen == want {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    assert!(
        result.is_ok(),
        "{group}: want {want:?} within {SEEN_WITHIN:?}, Warren has {seen:?}"
    );
}

/// How many commits the window of `group`'s `topic`/`partition` holds.
async fn commits_in_window(daemon: &Daemon, group: &str, topic: &str, partition: usize) -> usize {
    let (_, detail) = daemon.get(&format!("/v3/kafka/zk/consumer/{group}")).await;
    detail["topics"][topic][partition]["offsets"]
        .as_array()
        .map_or(0, |o| o.iter().filter(|c| !c.is_null()).count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zookeeper_commits_show_with_lag_and_status_and_new_groups_and_changes_are_followed() {
    let (kafka, zk) = (KafkaCluster::shared(), ZooKeeper::shared());
    let topic = topic(kafka, 2).await;
    let prefix = format!("/{}", unique("warren"));
    let client = zk.client().await;
    let early = unique("zk-early");
    commit(&client, &prefix, &early, &topic, 0, 60).await;
    commit(&client, &prefix, &early, &topic, 1, 100).await;

    let daemon = Daemon::start(&config(kafka, zk, &prefix, false)).await;
    daemon.wait_ready().await;
    expect_offsets(&daemon, &early, &topic, &[(60, 40), (100, 0)]).await;
    let (status, lag) = daemon
        .get(&format!("/v3/kafka/zk/consumer/{early}/lag"))
        .await;
    assert_eq!(status, 200, "{lag}");
    // Judged by Burrow's rules: one commit each, the caught-up partition OK, the lagging one
    // (no later commit yet) not.
    let status = &lag["status"];
    assert_eq!(status["totallag"], 40, "{lag}");
    assert_eq!(status["partitions"][1]["status"], "OK", "{lag}");
    assert_eq!(status["partitions"][0]["current_lag"], 40, "{lag}");
    assert_ne!(status["partitions"][0]["status"], "OK", "{lag}");
    let (_, list) = daemon.get("/v3/kafka/zk/consumer").await;
    assert!(
        list["consumers"]
            .as_array()
            .is_some_and(|c| c.contains(&Value::from(early.as_str()))),
        "{list}"
    );

    // A group that appears after start, and a change of a known group's commit.
    let late = unique("zk-late");
    commit(&client, &prefix, &late, &topic, 0, 10).await;
    commit(&client, &prefix, &late, &topic, 1, 20).await;
    expect_offsets(&daemon, &late, &topic, &[(10, 90), (20, 80)]).await;
    commit(&client, &prefix, &early, &topic, 0, 80).await;
    expect_offsets(&daemon, &early, &topic, &[(80, 20), (100, 0)]).await;

    // A znode that holds no offset is skipped (and counted), the rest of its group is read.
    let odd = unique("zk-odd");
    write(&client, &prefix, &odd, &topic, 0, b"not an offset").await;
    commit(&client, &prefix, &odd, &topic, 1, 30).await;
    wait_until(
        SEEN_WITHIN,
        "the good partition of a group with a bad znode",
        || async {
            let seen = warren_offsets(&daemon, "zk", &odd).await;
            seen.get(&(topic.clone(), 1)) == Some(&(Some(30), 70))
        },
    )
    .await;

    // A consumer at the end of its topic commits the same offset again: a commit still (the
    // znode's transaction id changes), which Burrow's rules need to tell idle from stalled.
    let before = commits_in_window(&daemon, &early, &topic, 1).await;
    commit(&client, &prefix, &early, &topic, 1, 100).await;
    wait_until(
        SEEN_WITHIN,
        "a recommitted offset to be a new commit",
        || async { commits_in_window(&daemon, &early, &topic, 1).await == before + 1 },
    )
    .await;
    daemon.stop().await;
}

/// Commits `offset` for `group` on partition 0 of `topic` to Kafka, as a consumer does.
fn kafka_commit(kafka: &KafkaCluster, group: &str, topic: &str, offset: i64) {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &kafka.bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Offset(offset))
        .expect("partition");
    // A coordinator still loading its partition (a cluster just started) answers
    // NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for a while.
    let start = std::time::Instant::now();
    while let Err(e) = c.commit(&tpl, CommitMode::Sync) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "commit to Kafka: {e}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kafka_and_a_kafka_zk_consumer_feed_one_cluster_and_the_newest_commit_wins() {
    let (kafka, zk) = (KafkaCluster::shared(), ZooKeeper::shared());
    let topic = topic(kafka, 1).await;
    let prefix = format!("/{}", unique("warren"));
    let client = zk.client().await;
    let (in_kafka, in_zk, in_both) = (unique("kafka"), unique("zk"), unique("both"));
    kafka_commit(kafka, &in_kafka, &topic, 30);
    kafka_commit(kafka, &in_both, &topic, 40);
    commit(&client, &prefix, &in_zk, &topic, 0, 50).await;

    let daemon = Daemon::start(&config(kafka, zk, &prefix, true)).await;
    daemon.wait_ready().await;
    expect_offsets(&daemon, &in_kafka, &topic, &[(30, 70)]).await;
    expect_offsets(&daemon, &in_zk, &topic, &[(50, 50)]).await;
    expect_offsets(&daemon, &in_both, &topic, &[(40, 60)]).await;

    // A group committing to both (a migration's dual commit): each source's newer commit is
    // the group's newest, one after the other.
    commit(&client, &prefix, &in_both, &topic, 0, 55).await;
    expect_offsets(&daemon, &in_both, &topic, &[(55, 45)]).await;
    kafka_commit(kafka, &in_both, &topic, 70);
    expect_offsets(&daemon, &in_both, &topic, &[(70, 30)]).await;
    commit(&client, &prefix, &in_both, &topic, 0, 90).await;
    expect_offsets(&daemon, &in_both, &topic, &[(90, 10)]).await;

    // Both keep following their own groups.
    kafka_commit(kafka, &in_kafka, &topic, 35);
    commit(&client, &prefix, &in_zk, &topic, 0, 65).await;
    expect_offsets(&daemon, &in_kafka, &topic, &[(35, 65)]).await;
    expect_offsets(&daemon, &in_zk, &topic, &[(65, 35)]).await;
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ensemble_down_at_start_is_read_once_it_is_up_and_followed_after_a_restart() {
    let kafka = KafkaCluster::shared();
    let zk = ZooKeeper::own();
    let topic = topic(kafka, 1).await;
    let prefix = format!("/{}", unique("warren"));
    let group = unique("zk-down");
    {
        let client = zk.client().await;
        commit(&client, &prefix, &group, &topic, 0, 25).await;
    }
    zk.stop();

    let daemon = Daemon::start(&config(kafka, &zk, &prefix, false)).await;
    // Not ready while ZooKeeper cannot be read: judging now would miss every group.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(daemon.get("/burrow/admin/ready").await.0, 503);
    // Down for longer than the session timeout, so the first attempt fails and is retried.
    tokio::time::sleep(Duration::from_secs(7)).await;
    zk.start_again();
    // Connect attempts time out after the session timeout (6 s) and back off from 1 s.
    wait_until(
        Duration::from_secs(40),
        "READY once ZooKeeper is up",
        || async { daemon.get("/burrow/admin/ready").await.0 == 200 },
    )
    .await;
    expect_offsets(&daemon, &group, &topic, &[(25, 75)]).await;

    // Killed and restarted: the session (or a new one) resumes and changes are seen again.
    zk.stop();
    tokio::time::sleep(Duration::from_secs(2)).await;
    zk.start_again();
    let client = zk.client().await;
    commit(&client, &prefix, &group, &topic, 0, 45).await;
    let want = [((topic.clone(), 0), (Some(45), 55))];
    let mut seen = Vec::new();
    let result = tokio::time::timeout(Duration::from_secs(40), async {
        loop {
            seen = warren_offsets(&daemon, "zk", &group)
                .await
                .into_iter()
                .collect::<Vec<_>>();
            if seen == want {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    })
    .await;
    if result.is_err() {
        let (_, ready) = daemon.get("/burrow/admin/ready").await;
        let (_, group_detail) = daemon.get(&format!("/v3/kafka/zk/consumer/{group}")).await;
        panic!(
            "the commit after the restart was not seen in 40 s: Warren shows {seen:?}, \
             readiness {ready}, the group {group_detail}"
        );
    }
    daemon.stop().await;
}
