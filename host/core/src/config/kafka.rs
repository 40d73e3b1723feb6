//! The Kafka-facing sections: `[cluster.NAME]` (where HEAD offsets are polled) and
//! `[consumer.NAME]` (where committed offsets come from). Kafka consumers inherit servers and
//! client profile from their cluster; a `kafka_zk` consumer names its ZooKeeper servers. A
//! cluster may have at most one Kafka consumer (`kafka` or `kafka-admin`), because their commit
//! orders count in one sequence per cluster (`storage/origin.rs`), and at most one `kafka_zk`
//! consumer beside it: ZooKeeper commits are placed after a group's newest whatever their
//! source, so the two feed one cluster side by side. A cluster's `labels` are static Prometheus
//! labels for its `/metrics` series, so they are checked here against the label grammar and
//! the names Warren's own series use.

use std::collections::BTreeMap;
use std::time::Duration;

use toml::Value;

use super::pipeline::{group_filter, topic_filter};
use super::plugins;
use super::profiles::{default_of, use_profile};
use super::reader::{Ctx, Field, Reader, join, type_name};
use super::root::Named;
use super::{ClientProfile, ClusterConfig, ConsumerClass, ConsumerConfig};

const SERVERS_EXAMPLE: &str = r#"servers = ["kafka-1:9092", "kafka-2:9092"]"#;
const LABELS_EXAMPLE: &str = r#"labels = { env = "prod", region = "eu-west-1" }"#;
/// The label names of Warren's own series of a cluster; a static label may not take one.
const BUILT_IN_LABELS: &[&str] = &[
    "cluster",
    "cluster_name",
    "consumer_group",
    "group",
    "topic",
    "partition",
    "state",
    "outcome",
    "result",
    "consumer",
    "kind",
];
const OFFSETS_TOPIC: &str = "__consumer_offsets";
const ZOOKEEPER_EXAMPLE: &str = r#"servers = ["zk-1:2181", "zk-2:2181"]"#;
/// Burrow's `zookeeper-timeout` default.
const ZOOKEEPER_TIMEOUT: Duration = Duration::from_secs(30);

/// Every `[cluster.NAME]`, each with its client profile resolved.
pub(crate) fn clusters(
    cx: &mut Ctx<'_>,
    sections: Vec<Named<'_>>,
    profiles: &BTreeMap<String, ClientProfile>,
) -> (
    BTreeMap<String, ClusterConfig>,
    BTreeMap<String, plugins::ClusterBinding>,
) {
    let mut out = BTreeMap::new();
    let mut bindings = BTreeMap::new();
    for Named { name, mut reader } in sections {
        reader.class_name(cx, "kafka");
        let servers = reader
            .required(cx, "servers", SERVERS_EXAMPLE)
            .and_then(|f| f.servers(cx));
        let named = reader.optional_string(cx, "client-profile");
        let client_profile = use_profile(
            cx,
            &reader.key_path("client-profile"),
            named.as_deref(),
            profiles,
        );
        let topic_refresh = reader.positive_duration(cx, "topic-refresh", Duration::from_secs(60));
        let offset_refresh =
            reader.positive_duration(cx, "offset-refresh", Duration::from_secs(10));
        reader.ignore(cx, "groups-reaper-refresh", "Warren has no group reaper");
        bindings.insert(name.clone(), plugins::cluster_binding(cx, &mut reader));
        let labels = labels(cx, &mut reader);
        reader.finish(cx);
        out.insert(
            name.clone(),
            ClusterConfig {
                name,
                servers: servers.unwrap_or_default(),
                client_profile,
                topic_refresh,
                offset_refresh,
                evaluator: None,
                group_filters: Vec::new(),
                labels,
            },
        );
    }
    (out, bindings)
}

/// Every `[consumer.NAME]`, checked against the clusters and against each other.
pub(crate) fn consumers(
    cx: &mut Ctx<'_>,
    sections: Vec<Named<'_>>,
    clusters: &BTreeMap<String, ClusterConfig>,
    profiles: &BTreeMap<String, ClientProfile>,
) -> BTreeMap<String, ConsumerConfig> {
    let mut out = BTreeMap::new();
    // (cluster name, source) → the consumer that claimed it first (in name order, so stable).
    let mut owners: BTreeMap<(String, bool), String> = BTreeMap::new();
    for Named { name, mut reader } in sections {
        let class = class(cx, &mut reader);
        let zk = class == Some(Kind::KafkaZk);
        let cluster = cluster_ref(cx, &mut reader, clusters);
        if let Some(cluster) = &cluster
            && class.is_some()
        {
            if let Some(first) = owners.get(&(cluster.clone(), zk)) {
                let source = if zk { "kafka_zk" } else { "Kafka" };
                cx.error(
                    &reader.key_path("cluster"),
                    format!(
                        "cluster {cluster:?} already has {source} consumer {first:?}; Warren \
                         reads each cluster's commits from at most one Kafka consumer and one \
                         kafka_zk consumer"
                    ),
                );
            } else {
                owners.insert((cluster.clone(), zk), name.clone());
            }
        }
        let parent = cluster.as_ref().and_then(|c| clusters.get(c));
        let servers = if zk {
            // ZooKeeper's servers: the cluster's (Kafka brokers) would be wrong.
            reader
                .required(cx, "servers", ZOOKEEPER_EXAMPLE)
                .and_then(|f| f.servers(cx))
        } else {
            reader.field(cx, "servers").and_then(|f| f.servers(cx))
        };
        let named = if zk {
            reader.ignore(
                cx,
                "client-profile",
                "a kafka_zk consumer talks to ZooKeeper only",
            );
            None
        } else {
            reader.optional_string(cx, "client-profile")
        };
        let client_profile = match (&named, parent) {
            // Inherited: the cluster already reported any problem with its profile.
            (None, Some(parent)) => parent.client_profile.clone(),
            // The cluster is undefined, which is already an error.
            (None, None) => default_of(profiles),
            (Some(_), _) => use_profile(
                cx,
                &reader.key_path("client-profile"),
                named.as_deref(),
                profiles,
            ),
        };
        let offsets_topic = kafka_only(cx, &mut reader, &class, "offsets-topic").and_then(|f| {
            let path = f.path.clone();
            let topic = f.string(cx)?;
            if topic.is_empty() {
                cx.error_with(
                    &path,
                    "must not be empty",
                    &format!("offsets-topic = {OFFSETS_TOPIC:?}"),
                );
                return None;
            }
            Some(topic)
        });
        let start_latest =
            kafka_only(cx, &mut reader, &class, "start-latest").and_then(|f| f.boolean(cx));
        let groups = group_filter(cx, &mut reader);
        let topics = topic_filter(cx, &mut reader);
        reader.ignore(
            cx,
            "backfill-earliest",
            "Warren does not backfill from the earliest offset",
        );
        let zookeeper = zk.then(|| zookeeper_keys(cx, &mut reader));
        if !zk {
            let why = "only a class-name = \"kafka_zk\" consumer uses ZooKeeper";
            reader.ignore(cx, "zookeeper-path", why);
            reader.ignore(cx, "zookeeper-timeout", why);
        }
        reader.finish(cx);
        let class = match (class, zookeeper) {
            (_, Some((consumers_path, session_timeout))) => ConsumerClass::KafkaZk {
                consumers_path,
                session_timeout,
            },
            (Some(Kind::KafkaAdmin), _) => ConsumerClass::KafkaAdmin,
            (_, None) => ConsumerClass::Kafka {
                offsets_topic: offsets_topic.unwrap_or_else(|| OFFSETS_TOPIC.to_owned()),
                start_latest: start_latest.unwrap_or(false),
            },
        };
        let config = ConsumerConfig {
            name: name.clone(),
            cluster: cluster.unwrap_or_default(),
            // A kafka_zk consumer without servers is an error above, never the cluster's.
            servers: servers
                .or_else(|| parent.map(|c| c.servers.clone()))
                .unwrap_or_default(),
            client_profile,
            class,
            groups,
            topics,
        };
        out.insert(name, config);
    }
    out
}

/// A cluster's `labels`: a table of string values whose names Prometheus accepts
/// (`[a-zA-Z_][a-zA-Z0-9_]*`, no `__` prefix, which it reserves) and Warren does not use itself.
fn labels(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(field) = r.field(cx, "labels") else {
        return out;
    };
    let Value::Table(table) = &field.value else {
        let message = format!(
            "expected a table of strings, got {}",
            type_name(&field.value)
        );
        cx.error_with(&field.path, message, LABELS_EXAMPLE);
        return out;
    };
    for (name, value) in table {
        let path = join(&field.path, name);
        if let Err(why) = check_label_name(name) {
            cx.error_with(&path, why, LABELS_EXAMPLE);
            continue;
        }
        match value {
            Value::String(v) => {
                out.insert(name.clone(), v.clone());
            }
            other => {
                let message = format!("expected a string, got {}", type_name(other));
                cx.error_with(&path, message, LABELS_EXAMPLE);
            }
        }
    }
    out
}

/// Prometheus' label-name grammar, minus its reserved `__` names and Warren's own labels.
fn check_label_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "invalid label name {name:?}: use letters, digits and '_', not starting with a digit"
        ));
    }
    if name.starts_with("__") {
        return Err(format!(
            "invalid label name {name:?}: names starting with \"__\" are reserved by Prometheus"
        ));
    }
    if BUILT_IN_LABELS.contains(&name) {
        return Err(format!(
            "label {name:?} is one of Warren's own labels ({}); pick another name",
            BUILT_IN_LABELS.join(", ")
        ));
    }
    Ok(())
}

/// The consumer classes, before class-specific keys are attached.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Kafka,
    KafkaAdmin,
    KafkaZk,
}

/// `zookeeper-path` (Burrow's prefix of `/consumers`) and `zookeeper-timeout` of a `kafka_zk`
/// consumer: the path where groups are found and the session timeout.
fn zookeeper_keys(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> (String, Duration) {
    let prefix = r.string(cx, "zookeeper-path").unwrap_or_default();
    let prefix = prefix.trim_end_matches('/');
    if !prefix.is_empty() && !prefix.starts_with('/') {
        cx.error_with(
            &r.key_path("zookeeper-path"),
            format!("{prefix:?} is not an absolute ZooKeeper path"),
            r#"zookeeper-path = "/kafka-cluster""#,
        );
    }
    let timeout = r.positive_duration(cx, "zookeeper-timeout", ZOOKEEPER_TIMEOUT);
    (format!("{prefix}/consumers"), timeout)
}

/// The required `class-name`; `None` when missing or invalid (already reported).
fn class(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> Option<Kind> {
    let field = r.required(cx, "class-name", r#"class-name = "kafka""#)?;
    let path = field.path.clone();
    match field.string(cx)?.as_str() {
        "kafka" => Some(Kind::Kafka),
        "kafka-admin" => Some(Kind::KafkaAdmin),
        "kafka_zk" => Some(Kind::KafkaZk),
        other => {
            cx.error_with(
                &path,
                format!(
                    "unknown class-name {other:?}; expected \"kafka\", \"kafka-admin\" or \
                     \"kafka_zk\""
                ),
                r#"class-name = "kafka""#,
            );
            None
        }
    }
}

/// The required `cluster`, which must name a `[cluster.NAME]`.
fn cluster_ref(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    clusters: &BTreeMap<String, ClusterConfig>,
) -> Option<String> {
    let example = match clusters.keys().next() {
        Some(first) => format!("cluster = {first:?}"),
        None => r#"cluster = "local""#.to_owned(),
    };
    let field = r.required(cx, "cluster", &example)?;
    let path = field.path.clone();
    let name = field.string(cx)?;
    if clusters.contains_key(&name) {
        return Some(name);
    }
    let defined: Vec<String> = clusters.keys().map(|k| format!("{k:?}")).collect();
    let message = if defined.is_empty() {
        format!("cluster {name:?} is not defined (there are no [cluster.NAME] sections)")
    } else {
        format!(
            "cluster {name:?} is not defined (defined: {})",
            defined.join(", ")
        )
    };
    cx.error_with(&path, message, &example);
    None
}

/// Reads a key that only class `kafka` understands; for the other classes it is an error.
fn kafka_only(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    class: &Option<Kind>,
    key: &'static str,
) -> Option<Field> {
    let field = r.field(cx, key)?;
    if matches!(class, Some(Kind::KafkaAdmin | Kind::KafkaZk)) {
        cx.error(
            &field.path,
            format!("{key} is only valid with class-name = \"kafka\""),
        );
        return None;
    }
    Some(field)
}
