//! Unit tests for the topic allow/deny lists of `[storage.NAME]` and `[consumer.NAME]`, a
//! cluster's static metric `labels`, and `[general] metrics-granularity` with the
//! `metrics-partitions` it replaced.

use super::super::{Granularity, MetricsGranularity};
use super::{errors, ok, warnings};

const CLUSTER: &str = "[cluster.local]\nservers = [\"127.0.0.1:9092\"]\n";
const CONSUMER: &str = "[consumer.local]\nclass-name = \"kafka\"\ncluster = \"local\"\n";

fn with_cluster(rest: &str) -> String {
    format!("{CLUSTER}{rest}")
}

#[test]
fn storage_topic_lists_compile_into_the_topic_filter() {
    let text = with_cluster(
        "[storage.s]\ntopic-allowlist = \"^orders\\\\.\"\ntopic-denylist = \"dlq$\"\n",
    );
    let topics = ok(&text).config.storage.topics;
    assert!(topics.accepts("orders.eu"));
    assert!(!topics.accepts("orders.eu.dlq"));
    assert!(!topics.accepts("payments"));
}

#[test]
fn consumer_topic_lists_compile_into_the_consumer_filter() {
    let text = with_cluster(&format!("{CONSUMER}topic-denylist = \"^_\"\n"));
    let loaded = ok(&text);
    let topics = &loaded.config.consumers["local"].topics;
    assert!(topics.accepts("orders"));
    assert!(!topics.accepts("_schemas"));
    assert!(warnings(&loaded).is_empty());
}

#[test]
fn without_topic_lists_every_topic_passes() {
    let config = ok(&with_cluster(CONSUMER)).config;
    assert!(config.storage.topics.is_unset());
    assert!(config.consumers["local"].topics.is_unset());
}

#[test]
fn a_bad_topic_regex_is_reported_at_its_key_path_with_a_topic_example() {
    let text = with_cluster(&format!(
        "{CONSUMER}topic-allowlist = \"^(orders\"\n[storage.s]\ntopic-denylist = \"[\"\n"
    ));
    assert_eq!(
        errors(&text),
        [
            r#"consumer.local.topic-allowlist: invalid regex "^(orders": unclosed group (example: topic-allowlist = "^orders\\.")"#,
            r#"storage.s.topic-denylist: invalid regex "[": unclosed character class (example: topic-denylist = "^_")"#,
        ]
    );
}

#[test]
fn cluster_labels_are_kept_by_name() {
    let text = format!("{CLUSTER}labels = {{ env = \"prod\", region = \"eu-west-1\" }}\n");
    let labels = &ok(&text).config.clusters["local"].labels;
    assert_eq!(labels.len(), 2);
    assert_eq!(labels["env"], "prod");
    assert_eq!(labels["region"], "eu-west-1");
}

#[test]
fn cluster_labels_that_prometheus_or_warren_would_refuse_are_errors() {
    let text = format!(
        "{CLUSTER}labels = {{ \"1st\" = \"a\", __name = \"b\", topic = \"c\", \"with-dash\" = \"d\", \
         env = 3 }}\n"
    );
    let errors = errors(&text);
    assert_eq!(errors.len(), 5, "{errors:#?}");
    // Sorted by key path.
    assert!(errors[0].starts_with(
        r#"cluster.local.labels.1st: invalid label name "1st": use letters, digits and '_', not starting with a digit"#
    ));
    assert!(errors[1].starts_with(
        r#"cluster.local.labels.__name: invalid label name "__name": names starting with "__" are reserved"#
    ));
    assert!(errors[2].starts_with("cluster.local.labels.env: expected a string, got an integer"));
    assert!(
        errors[3].starts_with(
            r#"cluster.local.labels.topic: label "topic" is one of Warren's own labels"#
        )
    );
    assert!(errors[4].starts_with(r#"cluster.local.labels.with-dash: invalid label name"#));
}

#[test]
fn cluster_labels_must_be_a_table() {
    let errors = errors(&format!("{CLUSTER}labels = \"env=prod\"\n"));
    assert_eq!(
        errors,
        [
            r#"cluster.local.labels: expected a table of strings, got a string (example: labels = { env = "prod", region = "eu-west-1" })"#
        ]
    );
}

fn granularity(general: &str) -> (MetricsGranularity, Vec<String>) {
    let loaded = ok(&with_cluster(&format!("[general]\n{general}")));
    (loaded.config.general.metrics_granularity, warnings(&loaded))
}

const PARTITION: MetricsGranularity = MetricsGranularity {
    burrow: Granularity::Partition,
    lag_exporter: Granularity::Partition,
};

#[test]
fn every_family_is_per_partition_by_default() {
    assert_eq!(granularity(""), (PARTITION, vec![]));
    assert_eq!(ok("").config.general.metrics_granularity, PARTITION);
}

#[test]
fn metrics_granularity_is_chosen_per_family() {
    let (g, warnings) = granularity("metrics-granularity = { lag-exporter = \"topic\" }\n");
    assert_eq!(g.burrow, Granularity::Partition);
    assert_eq!(g.lag_exporter, Granularity::Topic);
    assert!(warnings.is_empty());
}

#[test]
fn one_metrics_granularity_string_applies_to_every_family() {
    let (g, _) = granularity("metrics-granularity = \"topic\"\n");
    assert_eq!(g.burrow, Granularity::Topic);
    assert_eq!(g.lag_exporter, Granularity::Topic);
}

#[test]
fn metrics_partitions_false_still_works_as_the_default_of_each_family_with_a_warning() {
    let (g, warnings) = granularity("metrics-partitions = false\n");
    assert_eq!(g.burrow, Granularity::Topic);
    assert_eq!(g.lag_exporter, Granularity::Topic);
    assert_eq!(
        warnings,
        [
            "general.metrics-partitions: replaced by metrics-granularity; accepted as \
             metrics-granularity = \"topic\" for the families metrics-granularity does not name"
        ]
    );
    let (g, _) = granularity(
        "metrics-partitions = false\nmetrics-granularity = { burrow = \"partition\" }\n",
    );
    assert_eq!(g.burrow, Granularity::Partition);
    assert_eq!(g.lag_exporter, Granularity::Topic);
}

#[test]
fn an_unknown_family_or_granularity_is_an_error_at_its_key_path() {
    let text = with_cluster(
        "[general]\nmetrics-granularity = { kminion = \"topic\", burrow = \"group\" }\n",
    );
    let example =
        r#"(example: metrics-granularity = { burrow = "partition", lag-exporter = "topic" })"#;
    assert_eq!(
        errors(&text),
        [
            format!(
                r#"general.metrics-granularity.burrow: expected "partition" or "topic", got "group" {example}"#
            ),
            format!(
                r#"general.metrics-granularity.kminion: unknown family "kminion"; expected "burrow" or "lag-exporter" {example}"#
            ),
        ]
    );
    assert_eq!(
        errors(&with_cluster("[general]\nmetrics-granularity = 1\n")),
        [format!(
            r#"general.metrics-granularity: expected "partition", "topic" or a table per family, got an integer {example}"#
        )]
    );
}
