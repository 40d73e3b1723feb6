//! `class-name = "kafka_zk"` consumers: their own ZooKeeper servers, Burrow's
//! `zookeeper-path` and `zookeeper-timeout`, and their place beside a cluster's Kafka consumer.

use std::time::Duration;

use super::super::ConsumerClass;
use super::{errors, ok, warnings};

const CLUSTER: &str = "[cluster.local]\nservers = [\"kafka-1:9092\"]\n";
const ZK: &str = "[consumer.zk]\nclass-name = \"kafka_zk\"\ncluster = \"local\"\n";

fn zk(rest: &str) -> String {
    format!("{CLUSTER}{ZK}{rest}")
}

#[test]
fn a_kafka_zk_consumer_reads_below_its_zookeeper_path_with_burrows_defaults() {
    let config = ok(&zk("servers = [\"zk-1:2181\", \"zk-2:2181\"]\n")).config;
    let consumer = &config.consumers["zk"];
    assert_eq!(consumer.servers, ["zk-1:2181", "zk-2:2181"]);
    assert_eq!(
        consumer.class,
        ConsumerClass::KafkaZk {
            consumers_path: "/consumers".into(),
            session_timeout: Duration::from_secs(30),
        }
    );
    let loaded = ok(&zk(
        "servers = [\"zk-1:2181\"]\nzookeeper-path = \"/kafka-cluster/\"\nzookeeper-timeout = 6\n",
    ));
    assert_eq!(warnings(&loaded), Vec::<String>::new());
    let config = loaded.config;
    assert_eq!(
        config.consumers["zk"].class,
        ConsumerClass::KafkaZk {
            consumers_path: "/kafka-cluster/consumers".into(),
            session_timeout: Duration::from_secs(6),
        }
    );
}

#[test]
fn a_kafka_zk_consumer_names_its_own_servers_and_checks_its_keys() {
    // The cluster's servers are Kafka brokers: inheriting them would be wrong.
    assert_eq!(
        errors(&zk("")),
        [
            "consumer.zk.servers: missing required key (example: servers = [\"zk-1:2181\", \"zk-2:2181\"])"
        ]
    );
    let errors = errors(&zk(
        "servers = [\"zk-1\"]\nzookeeper-path = \"kafka\"\nzookeeper-timeout = 0\n\
         offsets-topic = \"x\"\nstart-latest = true\n",
    ));
    assert_eq!(
        errors,
        [
            "consumer.zk.offsets-topic: offsets-topic is only valid with class-name = \"kafka\"",
            "consumer.zk.servers[0]: invalid server \"zk-1\": missing :port (example: servers = [\"kafka-1:9092\", \"kafka-2:9092\"])",
            "consumer.zk.start-latest: start-latest is only valid with class-name = \"kafka\"",
            "consumer.zk.zookeeper-path: \"kafka\" is not an absolute ZooKeeper path (example: zookeeper-path = \"/kafka-cluster\")",
            "consumer.zk.zookeeper-timeout: must be greater than 0 (example: zookeeper-timeout = \"30s\")",
        ]
    );
}

#[test]
fn keys_a_kafka_zk_consumer_does_not_use_are_ignored_with_a_warning() {
    let loaded = ok(&zk(
        "servers = [\"zk-1:2181\"]\nclient-profile = \"default\"\nbackfill-earliest = true\n",
    ));
    assert_eq!(
        warnings(&loaded),
        [
            "consumer.zk.backfill-earliest: ignored: Warren does not backfill from the earliest offset",
            "consumer.zk.client-profile: ignored: a kafka_zk consumer talks to ZooKeeper only",
        ]
    );
    let loaded = ok(&format!(
        "{CLUSTER}[consumer.k]\nclass-name = \"kafka\"\ncluster = \"local\"\nzookeeper-timeout = 5\n"
    ));
    assert_eq!(
        warnings(&loaded),
        [
            "consumer.k.zookeeper-timeout: ignored: only a class-name = \"kafka_zk\" consumer uses ZooKeeper"
        ]
    );
}

#[test]
fn a_cluster_takes_one_kafka_consumer_and_one_kafka_zk_consumer() {
    let config = ok(&zk(
        "servers = [\"zk-1:2181\"]\n[consumer.k]\nclass-name = \"kafka\"\ncluster = \"local\"\n",
    ))
    .config;
    assert_eq!(config.consumers["k"].servers, ["kafka-1:9092"]);
    assert_eq!(config.consumers["zk"].cluster, "local");
    assert_eq!(
        errors(&zk(
            "servers = [\"zk-1:2181\"]\n[consumer.zz]\nclass-name = \"kafka_zk\"\n\
             cluster = \"local\"\nservers = [\"zk-2:2181\"]\n"
        )),
        [
            "consumer.zz.cluster: cluster \"local\" already has kafka_zk consumer \"zk\"; Warren reads each cluster's commits from at most one Kafka consumer and one kafka_zk consumer"
        ]
    );
}
