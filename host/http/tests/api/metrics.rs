//! `/metrics` over the API fixture: verdicts only once a cluster caught up, the per-family
//! granularity switch (and the older `metrics-partitions`), each group's state and member
//! count, a cluster's static labels on every series of that cluster, and a body promtool
//! accepts. A golden of the body with labels and topic granularity shows it whole.

use std::io::Read as _;

use axum::body::Body;
use axum::http::{Method, Request};
use tower::ServiceExt;
use warren_core::model::Commit;
use warren_core::storage::CommitSource;
use warren_http::{AppState, router};

use super::{CONFIG, NOW, call, starting_state, starting_state_with, state};

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

/// `GET /metrics` with `Accept-Encoding: accept` (none when empty): the `Content-Encoding`
/// answered and the body, gunzipped when it says gzip.
async fn scrape_with(s: AppState, accept: &str) -> (Option<String>, String) {
    let mut request = Request::get("/metrics");
    if !accept.is_empty() {
        request = request.header("accept-encoding", accept);
    }
    let res = router(s)
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["vary"], "accept-encoding");
    let encoding = res
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut text = String::new();
    if encoding.as_deref() == Some("gzip") {
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .expect("a gzip body");
    } else {
        text = String::from_utf8(bytes.to_vec()).unwrap();
    }
    (encoding, text)
}

/// The body without the lines that time the render.
fn untimed(body: &str) -> String {
    body.lines()
        .filter(|l| {
            !l.starts_with("warren_metrics_render_seconds ")
                && !l.starts_with("warren_evaluation_seconds{")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_scrape_that_accepts_gzip_gets_the_same_body_gzipped() {
    let s = state();
    let (plain_encoding, plain) = scrape_with(s.clone(), "").await;
    let (gzip_encoding, unpacked) = scrape_with(s.clone(), "gzip, deflate").await;
    assert_eq!(plain_encoding, None);
    assert_eq!(gzip_encoding.as_deref(), Some("gzip"));
    assert!(
        plain.contains("burrow_kafka_consumer_partition_lag{"),
        "{plain}"
    );
    assert_eq!(untimed(&unpacked), untimed(&plain));
    // Refused gzip (q=0) gets the text.
    assert_eq!(scrape_with(s, "gzip;q=0").await.0, None);
}

#[tokio::test]
async fn the_body_is_rendered_again_only_after_someone_scraped_it() {
    let s = state();
    assert!(s.metrics.refresh_if_scraped(&s), "never rendered: renders");
    assert!(
        !s.metrics.refresh_if_scraped(&s),
        "nobody scraped since: nothing to do"
    );
    scrape_with(s.clone(), "gzip").await;
    assert!(s.metrics.refresh_if_scraped(&s), "scraped: renders");
    assert!(!s.metrics.refresh_if_scraped(&s));
}

#[tokio::test]
async fn a_scrape_after_a_quiet_spell_gets_a_fresh_body_not_the_stale_one() {
    let s = state_with("metrics-refresh = \"500ms\"", "");
    let (_, before) = scrape_with(s.clone(), "gzip").await;
    assert!(!before.contains("late-group"), "{before}");
    let commit = Commit {
        group: "late-group",
        topic: "orders",
        partition: 0,
        offset: 1000,
        timestamp_ms: NOW - 1_000,
        order: 99,
    };
    s.storage.cluster("local").unwrap().writer().commit(
        &commit,
        CommitSource::OffsetsTopic,
        NOW - 900,
    );
    // Within two metrics-refresh periods the cached body is served as it is...
    let (_, cached) = scrape_with(s.clone(), "gzip").await;
    assert!(!cached.contains("late-group"), "{cached}");
    // ...and past them, with no background render in between, the scrape renders.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (_, after) = scrape_with(s, "gzip").await;
    assert!(after.contains("consumer_group=\"late-group\""), "{after}");
}
