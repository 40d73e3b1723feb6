//! `/metrics` over the API fixture: verdicts only once a cluster caught up, the per-family
//! granularity switch (and the older `metrics-partitions`), each group's state and member
//! count, a cluster's static labels on every series of that cluster, and a body promtool
//! accepts. A golden of the body with labels and topic granularity shows it whole.

use axum::http::Method;
use warren_http::AppState;

use super::{CONFIG, call, starting_state, starting_state_with, state};

/// Renders `/metrics` now (the daemon does it in the background) and scrapes it.
pub(super) async fn scrape(s: AppState) -> String {
    s.metrics.refresh(&s);
    call(s, Method::GET, "/metrics").await
}

/// The fixture, caught up, with `general` added to its `[general]` section and `cluster`
/// to its `[cluster.local]`.
fn state_with(general: &str, cluster: &str) -> AppState {
    let text = CONFIG
        .replace("[general]\n", &format!("[general]\n{general}\n"))
        .replace(
            "[cluster.local]\n",
            &format!("[cluster.local]\n{cluster}\n"),
        );
    let s = starting_state_with(&text);
    s.health.consumer("local").unwrap().mark_ready();
    s
}

/// How many series of `family` the body has.
fn series(body: &str, family: &str) -> usize {
    let prefix = format!("{family}{{");
    body.lines().filter(|l| l.starts_with(&prefix)).count()
}

const GROUP_FAMILIES: [&str; 3] = [
    "burrow_kafka_consumer_status",
    "burrow_kafka_consumer_lag_total",
    "kafka_consumergroup_group_max_lag",
];
const BURROW_PARTITION_FAMILIES: [&str; 3] = [
    "burrow_kafka_consumer_partition_lag",
    "burrow_kafka_consumer_current_offset",
    "burrow_kafka_topic_partition_status",
];
const LAG_EXPORTER_PARTITION_FAMILIES: [&str; 2] = [
    "kafka_consumergroup_group_lag",
    "kafka_consumergroup_group_offset",
];
/// Topic series stay whatever the granularity.
const TOPIC_FAMILIES: [&str; 1] = ["kafka_consumergroup_group_topic_sum_lag"];

fn assert_families(body: &str, families: &[&str], present: bool) {
    for family in families {
        assert_eq!(series(body, family) > 0, present, "{family}:\n{body}");
    }
}

#[tokio::test]
async fn metrics_export_no_verdict_while_the_cluster_catches_up() {
    let starting = scrape(starting_state()).await;
    let ready = scrape(state()).await;
    let families = GROUP_FAMILIES
        .iter()
        .chain(&BURROW_PARTITION_FAMILIES)
        .chain(&LAG_EXPORTER_PARTITION_FAMILIES);
    for family in families {
        assert!(
            series(&ready, family) > 0,
            "{family} once caught up:\n{ready}"
        );
        assert_eq!(
            series(&starting, family),
            0,
            "{family} while catching up:\n{starting}"
        );
    }
}

#[tokio::test]
async fn topic_granularity_keeps_group_and_topic_series_and_drops_partition_ones() {
    let topic = scrape(state_with("metrics-granularity = \"topic\"", "")).await;
    assert_families(&topic, &GROUP_FAMILIES, true);
    assert_families(&topic, &TOPIC_FAMILIES, true);
    assert_families(&topic, &BURROW_PARTITION_FAMILIES, false);
    assert_families(&topic, &LAG_EXPORTER_PARTITION_FAMILIES, false);
}

#[tokio::test]
async fn granularity_is_chosen_per_family_of_names() {
    let body = scrape(state_with(
        "metrics-granularity = { lag-exporter = \"topic\" }",
        "",
    ))
    .await;
    assert_families(&body, &BURROW_PARTITION_FAMILIES, true);
    assert_families(&body, &LAG_EXPORTER_PARTITION_FAMILIES, false);
    assert_families(&body, &TOPIC_FAMILIES, true);

    let body = scrape(state_with(
        "metrics-granularity = { burrow = \"topic\" }",
        "",
    ))
    .await;
    assert_families(&body, &BURROW_PARTITION_FAMILIES, false);
    assert_families(&body, &LAG_EXPORTER_PARTITION_FAMILIES, true);
}

#[tokio::test]
async fn metrics_partitions_false_still_drops_the_partition_series_of_every_family() {
    let body = scrape(state_with("metrics-partitions = false", "")).await;
    assert_families(&body, &GROUP_FAMILIES, true);
    assert_families(&body, &BURROW_PARTITION_FAMILIES, false);
    assert_families(&body, &LAG_EXPORTER_PARTITION_FAMILIES, false);
}

#[tokio::test]
async fn group_state_and_member_count_are_exported_for_groups_a_source_described() {
    let body = scrape(state()).await;
    // billing's group metadata says Stable with one member; audit is known from commits only.
    assert!(
        body.contains(
            "\nwarren_consumergroup_info{cluster_name=\"local\",group=\"billing\",state=\"Stable\"} 1\n"
        ),
        "{body}"
    );
    assert!(
        body.contains(
            "\nwarren_consumergroup_members{cluster_name=\"local\",group=\"billing\"} 1\n"
        ),
        "{body}"
    );
    assert_eq!(series(&body, "warren_consumergroup_info"), 1, "{body}");
    assert_eq!(series(&body, "warren_consumergroup_members"), 1, "{body}");
}

#[tokio::test]
async fn a_group_whose_members_left_reports_its_new_state_and_zero_members() {
    let s = state();
    s.storage.cluster("local").unwrap().writer().set_membership(
        "billing",
        &warren_core::model::GroupMembership {
            state: Some("Empty".into()),
            members: vec![],
        },
        super::NOW,
    );
    let body = scrape(s).await;
    assert!(
        body.contains(
            "\nwarren_consumergroup_info{cluster_name=\"local\",group=\"billing\",state=\"Empty\"} 1\n"
        ),
        "{body}"
    );
    assert!(!body.contains("state=\"Stable\""), "{body}");
    assert!(
        body.contains(
            "\nwarren_consumergroup_members{cluster_name=\"local\",group=\"billing\"} 0\n"
        ),
        "{body}"
    );
}

#[tokio::test]
async fn a_clusters_static_labels_are_on_every_series_of_that_cluster() {
    let body = scrape(state_with(
        "",
        "labels = { env = \"prod\", team = \"pay\\\"ments\" }",
    ))
    .await;
    // After the series' own cluster (and group) labels.
    let labels = ",env=\"prod\",team=\"pay\\\"ments\"";
    let of_cluster: Vec<&str> = body
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            [
                "cluster=\"local\"",
                "cluster_name=\"local\"",
                "consumer=\"local\"",
            ]
            .iter()
            .any(|own| l.contains(own))
        })
        .collect();
    assert!(of_cluster.len() > 30, "{body}");
    for line in of_cluster {
        assert!(line.contains(labels), "without the static labels: {line}");
    }
    assert!(
        body.contains("\nwarren_consumer_ready{consumer=\"local\",env=\"prod\""),
        "a consumer's series carry its cluster's labels:\n{body}"
    );
    // Series of no cluster (the API's own) do not get them.
    for line in body.lines().filter(|l| l.starts_with("warren_http_")) {
        assert!(!line.contains("env="), "{line}");
    }
}

/// The body with static labels and kafka-lag-exporter's names per topic, whole, minus the
/// lines whose values are timings.
#[tokio::test]
async fn metrics_body_with_labels_and_topic_granularity_matches_its_golden() {
    let body = scrape(state_with(
        "metrics-granularity = { lag-exporter = \"topic\" }",
        "labels = { env = \"prod\" }",
    ))
    .await;
    let timings = [
        "warren_evaluation_seconds{",
        "warren_metrics_render_seconds ",
        "warren_http_request_seconds_total{",
    ];
    let stable: String = body
        .lines()
        .filter(|l| !timings.iter().any(|t| l.starts_with(t)))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/metrics_with_labels_and_topic_granularity.txt");
    warren_testkit::golden::assert(&path, &stable);
}

#[tokio::test]
async fn promtool_accepts_the_body_with_static_labels_and_group_state() {
    let body = scrape(state_with("", "labels = { env = \"prod\" }")).await;
    // `call` puts the status line first.
    let (_, metrics) = body.split_once('\n').expect("a status line");
    let complaints = warren_testkit::promtool::complaints(metrics);
    assert!(
        complaints.is_empty(),
        "promtool: {complaints:?}\nbody:\n{metrics}"
    );
}
