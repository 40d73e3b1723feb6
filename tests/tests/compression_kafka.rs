//! The offsets-topic reader on a broker that compresses the offsets topic with zstd
//! (`offsets.topic.compression.codec=4`, which Kafka allows): Warren must decompress the
//! coordinator's batches and report what the broker says. A librdkafka built without zstd
//! cannot read a single commit there.

use std::time::Duration;

use warren_integration_tests::kafka::{
    KafkaCluster, assert_matches_truth, offsets_partition, script,
};
use warren_integration_tests::{Daemon, create_topic, produce, producer, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_in_a_zstd_compressed_offsets_topic_are_read_and_match_the_broker() {
    let kafka = KafkaCluster::start_with(4, &["offsets.topic.compression.codec=4"]);
    let topic = unique("zstd");
    create_topic(&kafka.bootstrap, &topic, 2).await;
    produce(&producer(&kafka.bootstrap), &topic, 2, 100);
    let group = unique("java");
    let mut java = kafka.java_consumer(&group, &topic, "classic", 300, 0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    java.kill();

    // The group's commits really are zstd batches (Kafka's own segment dump says so), so the
    // test cannot pass on an uncompressed topic.
    let segment = kafka.dir.join(format!(
        "node1/data/__consumer_offsets-{}/00000000000000000000.log",
        offsets_partition(&group, 4)
    ));
    let dump = std::process::Command::new("bash")
        .arg(script())
        .args([
            "run-class",
            "org.apache.kafka.tools.DumpLogSegments",
            "--files",
        ])
        .arg(&segment)
        .output()
        .expect("run DumpLogSegments");
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("compresscodec: zstd"), "{dump}");

    let daemon = Daemon::start(&format!(
        r#"
[cluster.zstd]
servers = ["{}"]
offset-refresh = "1s"
topic-refresh = "2s"
[consumer.zstd]
class-name = "kafka"
cluster = "zstd"
"#,
        kafka.bootstrap
    ))
    .await;
    daemon.wait_ready().await;
    assert_matches_truth(&kafka, &daemon, "zstd", &[&group], Duration::from_secs(30)).await;
    daemon.stop().await;
}
