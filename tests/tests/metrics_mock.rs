//! `/metrics` of a running daemon on librdkafka's mock cluster: Burrow's gauges and
//! kafka-lag-exporter's, with the values the API reports, accepted by Prometheus' own
//! `promtool check metrics`; a deleted group's series are gone from the next render.

use std::time::Duration;

use rdkafka::mocking::MockCluster;
use rdkafka::producer::Producer;
use warren_integration_tests::{
    Daemon, commit_offset, now_ms, produce, producer, unique, wait_until,
};

async fn scrape(d: &Daemon) -> String {
    reqwest::get(format!("{}/metrics", d.base))
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("body")
}

/// The value of the one series whose name and labels contain every fragment of `want`.
fn value(body: &str, want: &[&str]) -> Option<f64> {
    body.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| want.iter().all(|w| l.contains(w)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_carry_burrow_and_lag_exporter_names_and_pass_promtool() {
    let mock = MockCluster::new(1).expect("mock cluster");
    let topic = unique("orders");
    mock.create_topic(&topic, 2, 1).expect("topic");
    mock.create_topic("__consumer_offsets", 1, 1)
        .expect("offsets topic");
    let p = producer(&mock.bootstrap_servers());
    produce(&p, &topic, 2, 100);
    let (slow, gone) = (unique("slow"), unique("gone"));
    for partition in 0..2 {
        commit_offset(&p, &slow, &topic, partition, 70, now_ms() - 1_000);
        commit_offset(&p, &gone, &topic, partition, 100, now_ms() - 1_000);
    }
    p.flush(Duration::from_secs(5)).expect("flush");
    let started = now_ms();
    let d = Daemon::start(&format!(
        r#"
[general]
metrics-refresh = "200ms"
# Each render judges afresh: a cached verdict would freeze the lag in seconds.
[evaluator.default]
expire-cache = "0s"
[cluster.prod]
servers = ["{}"]
offset-refresh = "500ms"
[consumer.prod]
class-name = "kafka"
cluster = "prod"
"#,
        mock.bootstrap_servers()
    ))
    .await;
    let lag_total =
        format!("burrow_kafka_consumer_lag_total{{cluster=\"prod\",consumer_group=\"{slow}\"}}");
    wait_until(
        Duration::from_secs(30),
        "both groups in /metrics",
        || async {
            let body = scrape(&d).await;
            body.contains(&lag_total) && body.contains(&format!("consumer_group=\"{gone}\""))
        },
    )
    .await;
    // Warren's first HEAD observation (offset 100, all produced already) came between the start
    // and now: the lag of both groups needs it.
    let observed_by = now_ms();
    // Old enough that the bounds below say something.
    let lag_seconds = |body: &str| {
        value(
            body,
            &[
                "kafka_consumergroup_group_lag_seconds{",
                &format!("group=\"{slow}\""),
                "partition=\"0\"",
            ],
        )
    };
    wait_until(Duration::from_secs(10), "a lag of 2 s", || async {
        lag_seconds(&scrape(&d).await) >= Some(2.0)
    })
    .await;
    let body = scrape(&d).await;
    let scraped = now_ms();
    let group = format!("consumer_group=\"{slow}\"");
    let kgroup = format!("group=\"{slow}\"");
    assert_eq!(
        value(&body, &[&lag_total]),
        Some(60.0),
        "30 behind on each partition"
    );
    // One commit, behind, and no second one: STOP under Burrow's rules, so the group is ERR.
    assert_eq!(
        value(&body, &["burrow_kafka_consumer_status{", &group]),
        Some(3.0)
    );
    assert_eq!(
        value(
            &body,
            &[
                "burrow_kafka_consumer_partition_lag{",
                &group,
                "partition=\"1\""
            ]
        ),
        Some(30.0)
    );
    assert_eq!(
        value(
            &body,
            &[
                "burrow_kafka_topic_partition_offset{",
                &topic,
                "partition=\"0\""
            ]
        ),
        Some(100.0)
    );
    assert_eq!(
        value(&body, &["kafka_consumergroup_group_sum_lag{", &kgroup]),
        Some(60.0)
    );
    assert_eq!(
        value(&body, &["kafka_consumergroup_group_max_lag{", &kgroup]),
        Some(30.0)
    );
    assert_eq!(
        value(
            &body,
            &["kafka_consumergroup_group_topic_sum_lag{", &kgroup, &topic]
        ),
        Some(60.0)
    );
    assert_eq!(
        value(
            &body,
            &[
                "kafka_consumergroup_group_offset{",
                &kgroup,
                "partition=\"0\""
            ]
        ),
        Some(70.0)
    );
    assert_eq!(
        value(
            &body,
            &["kafka_partition_latest_offset{", &topic, "partition=\"1\""]
        ),
        Some(100.0)
    );
    assert_eq!(
        value(&body, &["warren_consumer_ready{consumer=\"prod\"}"]),
        Some(1.0)
    );
    assert!(
        value(
            &body,
            &["warren_consumer_records_total{", "result=\"read\""]
        ) >= Some(4.0)
    );
    assert!(body.contains("# TYPE warren_metrics_render_seconds gauge"));
    // Lag in seconds: record 71 was written before HEAD (100) was first seen, and nothing
    // since, so its age is known only as "at least the age of that first observation": made
    // between the start and `observed_by`, rendered at most one metrics-refresh (200 ms)
    // before the scrape.
    let seconds = lag_seconds(&body).expect("lag seconds");
    let (least, most) = (
        (scraped - observed_by - 300) as f64 / 1000.0,
        (scraped - started) as f64 / 1000.0,
    );
    assert!(
        (least..=most).contains(&seconds),
        "{seconds} s, expected between {least} and {most}"
    );
    let max = value(
        &body,
        &["kafka_consumergroup_group_max_lag_seconds{", &kgroup],
    )
    .expect("max lag seconds");
    assert!((seconds..=most).contains(&max), "max {max} s");
    assert!(!body.contains("NaN"));
    assert_eq!(
        value(
            &body,
            &[
                "kafka_partition_earliest_offset{",
                &topic,
                "partition=\"1\""
            ]
        ),
        Some(0.0)
    );
    assert!(
        value(
            &body,
            &["warren_storage_commits_total{", "outcome=\"stored\""]
        ) >= Some(4.0)
    );
    assert!(value(&body, &["warren_evaluation_seconds{cluster=\"prod\"}"]).is_some());
    assert_eq!(
        value(&body, &["warren_consumer_lag_records{consumer=\"prod\"}"]).map(|v| v >= 0.0),
        Some(true)
    );
    wait_until(
        Duration::from_secs(10),
        "the API's own requests counted",
        || async {
            value(
                &scrape(&d).await,
                &[
                    "warren_http_requests_total{",
                    "route=\"/metrics\"",
                    "code=\"200\"",
                ],
            ) >= Some(1.0)
        },
    )
    .await;
    let body = scrape(&d).await;

    promtool_accepts(&body);

    let res = reqwest::Client::new()
        .delete(format!("{}/v3/kafka/prod/consumer/{gone}", d.base))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(res.status().as_u16(), 200);
    wait_until(
        Duration::from_secs(10),
        "the deleted group's series gone",
        || async { !scrape(&d).await.contains(&format!("\"{gone}\"")) },
    )
    .await;
    d.stop().await;
}

/// Prometheus' own checker accepts the body (Burrow's kept `_total` gauge name aside).
fn promtool_accepts(body: &str) {
    let complaints = warren_testkit::promtool::complaints(body);
    assert!(complaints.is_empty(), "promtool: {complaints:?}\n{body}");
}
