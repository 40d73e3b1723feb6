//! `GET /metrics` in Prometheus' text format. The body is rendered in the background (the
//! daemon calls [`MetricsCache::refresh`] every `metrics-refresh`) and a scrape only copies the
//! cached bytes, so scrape time does not grow with the number of groups (Burrow evaluates every
//! group inside the scrape until Prometheus times out). Series of deleted groups and topics
//! disappear with the next render, since each render starts from an empty body.
//!
//! Families: Burrow's six gauges with Burrow's names and labels (existing dashboards keep
//! working), kafka-lag-exporter's names (`cluster_name`, `group`, `topic`, `partition`; without
//! its member labels, which churn on every rebalance), each group's state and member count as
//! KMinion exports them (an info series with a `state` label, and a count), and Warren's own
//! health. `metrics-granularity` drops the per-partition group series of Burrow's or
//! kafka-lag-exporter's names separately; a cluster's `labels` are appended to every series
//! of that cluster: those with its cluster label, and those of its consumers.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use warren_core::config::{Config, Granularity};
use warren_core::evaluator::{GroupStatus, PartitionStatus};
use warren_core::model::Status;

use crate::AppState;

/// The last rendered body, and what to render.
#[derive(Clone, Default)]
pub struct MetricsCache {
    body: Arc<RwLock<Option<Bytes>>>,
    options: Arc<MetricsOptions>,
}

/// What to render.
#[derive(Debug, Clone)]
pub struct MetricsOptions {
    /// Per-partition group series of Burrow's names, or none (topic and group series remain).
    pub burrow: Granularity,
    /// Per-partition group series of kafka-lag-exporter's names, or none.
    pub lag_exporter: Granularity,
    /// Each cluster's static labels, formatted once as `,name="value"...` to append.
    cluster_labels: BTreeMap<String, String>,
    /// Each consumer's cluster, whose static labels its series carry too.
    consumer_clusters: BTreeMap<String, String>,
}

impl Default for MetricsOptions {
    /// Every family per partition, no static labels.
    fn default() -> Self {
        MetricsOptions {
            burrow: Granularity::Partition,
            lag_exporter: Granularity::Partition,
            cluster_labels: BTreeMap::new(),
            consumer_clusters: BTreeMap::new(),
        }
    }
}

impl MetricsOptions {
    /// `[general] metrics-granularity` and every `[cluster.NAME] labels`.
    pub fn from_config(config: &Config) -> Self {
        let g = config.general.metrics_granularity;
        let cluster_labels = config
            .clusters
            .iter()
            .filter(|(_, c)| !c.labels.is_empty())
            .map(|(name, c)| {
                let mut suffix = String::new();
                for (label, value) in &c.labels {
                    let _ = write!(suffix, ",{label}=\"{}\"", esc(value));
                }
                (name.clone(), suffix)
            })
            .collect();
        let consumer_clusters = config
            .consumers
            .iter()
            .map(|(name, c)| (name.clone(), c.cluster.clone()))
            .collect();
        MetricsOptions {
            burrow: g.burrow,
            lag_exporter: g.lag_exporter,
            cluster_labels,
            consumer_clusters,
        }
    }

    /// The static labels of `cluster`, ready to append after its own labels.
    fn extra(&self, cluster: &str) -> &str {
        self.cluster_labels.get(cluster).map_or("", String::as_str)
    }
}

impl MetricsCache {
    /// A cache that renders with `options`.
    pub fn new(options: MetricsOptions) -> Self {
        MetricsCache {
            body: Arc::default(),
            options: Arc::new(options),
        }
    }

    /// Renders the body now and keeps it for scrapes.
    pub fn refresh(&self, state: &AppState) {
        let started = Instant::now();
        let mut out = render(state, &self.options);
        let secs = started.elapsed().as_secs_f64();
        family(
            &mut out,
            "warren_metrics_render_seconds",
            "gauge",
            "Time the last render of this body took.",
        );
        let _ = writeln!(out, "warren_metrics_render_seconds {secs}");
        *self.body.write().unwrap_or_else(|e| e.into_inner()) = Some(Bytes::from(out));
    }

    fn get(&self) -> Option<Bytes> {
        self.body.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(s): State<AppState>) -> Response {
    let body = match s.metrics.get() {
        Some(b) => b,
        // Before the first background render (the first seconds after start).
        None => {
            s.metrics.refresh(&s);
            s.metrics.get().unwrap_or_default()
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// Milliseconds as Prometheus seconds.
fn seconds(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

/// A `# HELP` / `# TYPE` header.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value, escaped as the text format wants (`\`, `"` and newlines).
fn esc(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

/// Label names for (cluster, group) in one exporter's vocabulary.
type Vocabulary = (&'static str, &'static str);
/// Burrow's.
const BURROW: Vocabulary = ("cluster", "consumer_group");
/// kafka-lag-exporter's.
const LAG_EXPORTER: Vocabulary = ("cluster_name", "group");

/// The labels of one partition of a group, in one exporter's vocabulary.
fn partition_labels(
    (cluster_label, group_label): Vocabulary,
    cluster: &str,
    extra: &str,
    g: &GroupStatus,
    p: &PartitionStatus,
) -> String {
    format!(
        "{cluster_label}=\"{}\",{group_label}=\"{}\",topic=\"{}\",partition=\"{}\"{extra}",
        esc(cluster),
        esc(&g.group),
        esc(&p.topic),
        p.partition
    )
}

/// One family: header, then a line per `(labels, value)`.
fn gauge<I>(out: &mut String, name: &str, help: &str, series: I)
where
    I: IntoIterator<Item = (String, String)>,
{
    family(out, name, "gauge", help);
    for (labels, value) in series {
        let _ = writeln!(out, "{name}{{{labels}}} {value}");
    }
}

type Groups = [(String, Vec<Arc<GroupStatus>>)];

/// Every known group with its cluster.
fn each_group(groups: &Groups) -> impl Iterator<Item = (&str, &GroupStatus)> {
    groups.iter().flat_map(|(c, gs)| {
        gs.iter()
            .filter(|g| g.status != Status::NotFound)
            .map(move |g| (c.as_str(), &**g))
    })
}

/// `cluster`/`group` labels of a group in one exporter's vocabulary, then the cluster's
/// static labels.
fn group_labels(
    (cluster_label, group_label): Vocabulary,
    o: &MetricsOptions,
    c: &str,
    g: &GroupStatus,
) -> String {
    format!(
        "{cluster_label}=\"{}\",{group_label}=\"{}\"{}",
        esc(c),
        esc(&g.group),
        o.extra(c)
    )
}

/// The `cluster` label of Warren's own per-cluster series, then the cluster's static labels.
fn cluster_label(o: &MetricsOptions, c: &str) -> String {
    format!("cluster=\"{}\"{}", esc(c), o.extra(c))
}

/// The `consumer` label of a consumer's series, then the static labels of its cluster.
fn consumer_label(o: &MetricsOptions, consumer: &str) -> String {
    let extra = o.consumer_clusters.get(consumer).map_or("", |c| o.extra(c));
    format!("consumer=\"{}\"{extra}", esc(consumer))
}

/// Every group's partitions with their labels in one vocabulary, formatted once per render
/// and shared by that vocabulary's per-partition families (escaping and formatting a million
/// label sets per family was most of a large render).
type PartitionRows<'a> = Vec<(&'a GroupStatus, Vec<String>)>;

/// The rows of one vocabulary, or none when its granularity is `topic`.
fn partition_rows<'a>(
    vocabulary: Vocabulary,
    granularity: Granularity,
    o: &MetricsOptions,
    groups: &'a Groups,
) -> PartitionRows<'a> {
    if granularity == Granularity::Topic {
        return Vec::new();
    }
    each_group(groups)
        .map(|(c, g)| {
            let labels = g
                .partitions
                .iter()
                .map(|p| partition_labels(vocabulary, c, o.extra(c), g, p))
                .collect();
            (g, labels)
        })
        .collect()
}

/// A per-partition family: one series per partition for which `value` has something to say.
fn partition_gauge(
    out: &mut String,
    name: &str,
    help: &str,
    rows: &PartitionRows<'_>,
    value: impl Fn(&PartitionStatus) -> Option<String>,
) {
    family(out, name, "gauge", help);
    for (g, labels) in rows {
        for (p, l) in g.partitions.iter().zip(labels) {
            if let Some(v) = value(p) {
                let _ = writeln!(out, "{name}{{{l}}} {v}");
            }
        }
    }
}

const HEAD_HELP: &str = "HEAD (high watermark) of the partition.";

/// A family of per-partition broker offsets (HEADs, earliest offsets).
fn head_gauge(
    out: &mut String,
    name: &str,
    help: &str,
    (cluster_label, _): Vocabulary,
    o: &MetricsOptions,
    heads: &[(String, String, i32, i64)],
) {
    gauge(
        out,
        name,
        help,
        heads.iter().map(|(c, t, p, h)| {
            (
                format!(
                    "{cluster_label}=\"{}\",topic=\"{}\",partition=\"{p}\"{}",
                    esc(c),
                    esc(t),
                    o.extra(c)
                ),
                h.to_string(),
            )
        }),
    );
}

fn render(state: &AppState, o: &MetricsOptions) -> String {
    let now = (state.now_ms)();
    let mut groups: Vec<(String, Vec<Arc<GroupStatus>>)> = Vec::new();
    let mut heads: Vec<(String, String, i32, i64)> = Vec::new();
    let mut earliest: Vec<(String, String, i32, i64)> = Vec::new();
    let mut evaluation: Vec<(String, f64)> = Vec::new();
    let mut memberships = BTreeMap::new();
    for store in state.storage.clusters() {
        let cluster = store.name().to_string();
        // A cluster still catching up exports no verdicts: a scrape then would hand
        // Prometheus the false STOPs a restart must never produce.
        let started = Instant::now();
        let verdicts = if state.health.cluster_ready(&cluster) {
            state.evaluator.all(store, now)
        } else {
            Vec::new()
        };
        evaluation.push((cluster.clone(), started.elapsed().as_secs_f64()));
        memberships.insert(cluster.clone(), store.memberships());
        groups.push((cluster.clone(), verdicts));
        for topic in store.topic_names() {
            for (p, h) in store.head_offsets(&topic).unwrap_or_default() {
                heads.push((cluster.clone(), topic.clone(), p, h));
            }
            for (p, e) in store.earliest_offsets(&topic).unwrap_or_default() {
                earliest.push((cluster.clone(), topic.clone(), p, e));
            }
        }
    }
    let mut out = String::with_capacity(1 << 16);
    let burrow_partitions = o.burrow == Granularity::Partition;
    let lag_exporter_partitions = o.lag_exporter == Granularity::Partition;
    let burrow_rows = partition_rows(BURROW, o.burrow, o, &groups);
    let lag_exporter_rows = partition_rows(LAG_EXPORTER, o.lag_exporter, o, &groups);

    // Burrow's names.
    gauge(
        &mut out,
        "burrow_kafka_consumer_lag_total",
        "Sum of the current lag of every partition of the group (Burrow's totallag).",
        each_group(&groups).map(|(c, g)| (group_labels(BURROW, o, c, g), g.total_lag.to_string())),
    );
    gauge(
        &mut out,
        "burrow_kafka_consumer_status",
        "Group status: 0 NOTFOUND, 1 OK, 2 WARN, 3 ERR.",
        each_group(&groups)
            .map(|(c, g)| (group_labels(BURROW, o, c, g), g.status.code().to_string())),
    );
    if burrow_partitions {
        partition_gauge(
            &mut out,
            "burrow_kafka_consumer_partition_lag",
            "Current lag of the partition.",
            &burrow_rows,
            |p| Some(p.current_lag.to_string()),
        );
        partition_gauge(
            &mut out,
            "burrow_kafka_consumer_current_offset",
            "Newest committed offset of the partition (only once its window is complete, as Burrow).",
            &burrow_rows,
            |p| {
                p.end
                    .filter(|_| p.complete >= 1.0)
                    .map(|e| e.offset.to_string())
            },
        );
        partition_gauge(
            &mut out,
            "burrow_kafka_topic_partition_status",
            "Partition status: 1 OK, 2 WARN, 4 STOP, 5 STALL, 6 REWIND (once its window is complete).",
            &burrow_rows,
            |p| (p.complete >= 1.0).then(|| p.status.code().to_string()),
        );
    }
    head_gauge(
        &mut out,
        "burrow_kafka_topic_partition_offset",
        HEAD_HELP,
        BURROW,
        o,
        &heads,
    );

    // kafka-lag-exporter's names.
    if lag_exporter_partitions {
        partition_gauge(
            &mut out,
            "kafka_consumergroup_group_lag",
            "Current lag of the group on the partition, in records.",
            &lag_exporter_rows,
            |p| Some(p.current_lag.to_string()),
        );
        partition_gauge(
            &mut out,
            "kafka_consumergroup_group_offset",
            "Newest committed offset of the group on the partition.",
            &lag_exporter_rows,
            |p| p.end.map(|e| e.offset.to_string()),
        );
    }
    gauge(
        &mut out,
        "kafka_consumergroup_group_max_lag",
        "Greatest current lag of any partition of the group.",
        each_group(&groups).map(|(c, g)| {
            let max = g.maxlag.as_ref().map_or(0, |m| m.current_lag);
            (group_labels(LAG_EXPORTER, o, c, g), max.to_string())
        }),
    );
    gauge(
        &mut out,
        "kafka_consumergroup_group_sum_lag",
        "Sum of the current lag of every partition of the group.",
        each_group(&groups)
            .map(|(c, g)| (group_labels(LAG_EXPORTER, o, c, g), g.total_lag.to_string())),
    );
    gauge(
        &mut out,
        "kafka_consumergroup_group_topic_sum_lag",
        "Sum of the current lag of the group's partitions of one topic.",
        each_group(&groups).flat_map(|(c, g)| {
            let mut by_topic: std::collections::BTreeMap<&str, u64> = Default::default();
            for p in &g.partitions {
                *by_topic.entry(p.topic.as_str()).or_default() += p.current_lag;
            }
            by_topic.into_iter().map(move |(t, lag)| {
                (
                    format!(
                        "{},topic=\"{}\"",
                        group_labels(LAG_EXPORTER, o, c, g),
                        esc(t)
                    ),
                    lag.to_string(),
                )
            })
        }),
    );
    head_gauge(
        &mut out,
        "kafka_partition_latest_offset",
        HEAD_HELP,
        LAG_EXPORTER,
        o,
        &heads,
    );
    head_gauge(
        &mut out,
        "kafka_partition_earliest_offset",
        "Earliest offset still in the partition (retention's edge), polled every topic-refresh.",
        LAG_EXPORTER,
        o,
        &earliest,
    );

    // Lag in seconds: kafka-lag-exporter's names, and Warren's catch-up ETA. Series whose
    // figure is unknown are left out, never exported as NaN.
    if lag_exporter_partitions {
        partition_gauge(
            &mut out,
            "kafka_consumergroup_group_lag_seconds",
            "Age of the next record the group has not consumed on the partition, in seconds.",
            &lag_exporter_rows,
            |p| p.time_lag.map(|t| seconds(t.ms)),
        );
    }
    gauge(
        &mut out,
        "kafka_consumergroup_group_max_lag_seconds",
        "Greatest time lag of any partition of the group, in seconds.",
        each_group(&groups).filter_map(|(c, g)| {
            g.max_time_lag_ms
                .map(|ms| (group_labels(LAG_EXPORTER, o, c, g), seconds(ms)))
        }),
    );
    gauge(
        &mut out,
        "warren_consumergroup_topic_max_lag_seconds",
        "Greatest time lag of the group's partitions of one topic, in seconds.",
        each_group(&groups).flat_map(|(c, g)| {
            g.topic_max_time_lag_ms().into_iter().map(move |(t, ms)| {
                (
                    format!(
                        "{},topic=\"{}\"",
                        group_labels(LAG_EXPORTER, o, c, g),
                        esc(t)
                    ),
                    seconds(ms),
                )
            })
        }),
    );
    gauge(
        &mut out,
        "warren_consumergroup_catchup_eta_seconds",
        "Time until the group's lag reaches zero at its current consume and produce rates; absent unless it is behind and closing in.",
        each_group(&groups).filter_map(|(c, g)| {
            g.catchup_eta_ms
                .map(|ms| (group_labels(LAG_EXPORTER, o, c, g), seconds(ms)))
        }),
    );

    membership(&mut out, o, &groups, &memberships);
    health(&mut out, state, o, &groups);
    traffic(&mut out, state, o, &evaluation);
    refusals(&mut out, state);
    out
}

/// Each group's state and member count, as KMinion's `kminion_kafka_consumer_group_info`
/// (an info series: the state is a label, the value 1, so a dashboard counts groups per state
/// with `count by (state)`) and `..._members`, in kafka-lag-exporter's label vocabulary.
/// Only for groups a source described: a group known from commits alone has neither.
fn membership(
    out: &mut String,
    o: &MetricsOptions,
    groups: &Groups,
    memberships: &BTreeMap<String, BTreeMap<String, (Option<String>, usize)>>,
) {
    let described = || {
        each_group(groups).filter_map(|(c, g)| {
            let m = memberships.get(c)?.get(&g.group)?;
            Some((group_labels(LAG_EXPORTER, o, c, g), m))
        })
    };
    gauge(
        out,
        "warren_consumergroup_info",
        "The group's state as Kafka reports it (Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, Assigning, Reconciling), always 1.",
        described().filter_map(|(labels, (state, _))| {
            let state = state.as_deref()?;
            Some((format!("{labels},state=\"{}\"", esc(state)), "1".to_owned()))
        }),
    );
    gauge(
        out,
        "warren_consumergroup_members",
        "Members of the group (consumers currently in it).",
        described().map(|(labels, (_, members))| (labels, members.to_string())),
    );
}

/// What flows through Warren: commits by what storage did with them, the time the last
/// render took to judge each cluster, the offsets-topic readers' lag, the API's requests.
fn traffic(out: &mut String, state: &AppState, o: &MetricsOptions, evaluation: &[(String, f64)]) {
    family(
        out,
        "warren_storage_commits_total",
        "counter",
        "Commits handed to storage, by what it did with them (stored, merged, unchanged, or why dropped).",
    );
    for store in state.storage.clusters() {
        for (outcome, n) in store.commit_outcomes() {
            let _ = writeln!(
                out,
                "warren_storage_commits_total{{{},outcome=\"{}\"}} {n}",
                cluster_label(o, store.name()),
                outcome.as_str()
            );
        }
    }
    gauge(
        out,
        "warren_evaluation_seconds",
        "Time the last metrics render spent judging every group of the cluster (cached verdicts included).",
        evaluation
            .iter()
            .map(|(c, secs)| (cluster_label(o, c), format!("{secs:.6}"))),
    );
    gauge(
        out,
        "warren_consumer_lag_records",
        "Records of the offsets topic not yet read by the consumer (sampled every 10 s; 0 for the Admin API).",
        state
            .health
            .consumers()
            .map(|(n, c)| (consumer_label(o, n), c.backlog().to_string())),
    );
    let requests = state.requests.snapshot();
    family(
        out,
        "warren_http_requests_total",
        "counter",
        "HTTP API requests by route template and status code.",
    );
    for (route, code, n, _) in &requests {
        let _ = writeln!(
            out,
            "warren_http_requests_total{{route=\"{}\",code=\"{code}\"}} {n}",
            esc(route)
        );
    }
    family(
        out,
        "warren_http_request_seconds_total",
        "counter",
        "Time spent answering HTTP API requests, by route template.",
    );
    let mut by_route: std::collections::BTreeMap<&str, f64> = Default::default();
    for (route, _, _, secs) in &requests {
        *by_route.entry(route).or_default() += secs;
    }
    for (route, secs) in by_route {
        let _ = writeln!(
            out,
            "warren_http_request_seconds_total{{route=\"{}\"}} {secs:.6}",
            esc(route)
        );
    }
}

/// Requests the guard refused, by reason: credentials missing or invalid, a role too small,
/// cross-site, a foreign `Host`.
fn refusals(out: &mut String, state: &AppState) {
    family(
        out,
        "warren_http_refused_total",
        "counter",
        "HTTP API requests refused before a handler ran, by reason.",
    );
    for (reason, n) in state.access.refusals() {
        let _ = writeln!(out, "warren_http_refused_total{{reason=\"{reason}\"}} {n}");
    }
    family(
        out,
        "warren_http_password_hashes_total",
        "counter",
        "Basic-auth passwords checked with argon2 (a remembered success costs none).",
    );
    let hashes = state.access.password_hashes();
    let _ = writeln!(out, "warren_http_password_hashes_total {hashes}");
}

/// Warren's own health: collectors, ingest, readiness, plugins and notifications.
fn health(out: &mut String, state: &AppState, o: &MetricsOptions, groups: &Groups) {
    gauge(
        out,
        "warren_groups",
        "Monitored groups per cluster.",
        groups
            .iter()
            .map(|(c, gs)| (cluster_label(o, c), gs.len().to_string())),
    );
    let clusters: Vec<_> = state.health.clusters().collect();
    family(
        out,
        "warren_cluster_polls_total",
        "counter",
        "HEAD polls of the cluster by result.",
    );
    for (name, h) in &clusters {
        let (ok, failed) = h.poll_counts();
        let cluster = cluster_label(o, name);
        let _ = writeln!(
            out,
            "warren_cluster_polls_total{{{cluster},result=\"ok\"}} {ok}"
        );
        let _ = writeln!(
            out,
            "warren_cluster_polls_total{{{cluster},result=\"error\"}} {failed}"
        );
    }
    let consumers: Vec<_> = state.health.consumers().collect();
    gauge(
        out,
        "warren_consumer_ready",
        "1 once the consumer has caught up with its source (readiness).",
        consumers
            .iter()
            .map(|(n, c)| (consumer_label(o, n), u8::from(c.is_ready()).to_string())),
    );
    family(
        out,
        "warren_consumer_records_total",
        "counter",
        "Offsets-topic records read, and skipped (newer record types).",
    );
    for (n, c) in &consumers {
        let (read, skipped, _) = c.counters();
        let consumer = consumer_label(o, n);
        let _ = writeln!(
            out,
            "warren_consumer_records_total{{{consumer},result=\"read\"}} {read}"
        );
        let _ = writeln!(
            out,
            "warren_consumer_records_total{{{consumer},result=\"skipped\"}} {skipped}"
        );
    }
    family(
        out,
        "warren_consumer_decode_errors_total",
        "counter",
        "Malformed offsets-topic records, by kind.",
    );
    for (n, c) in &consumers {
        for (kind, count) in c.counters().2 {
            let _ = writeln!(
                out,
                "warren_consumer_decode_errors_total{{{},kind=\"{kind}\"}} {count}",
                consumer_label(o, n)
            );
        }
    }
    gauge(
        out,
        "warren_consumer_bootstrap_remaining",
        "Records of the offsets topic still to read before the consumer is caught up.",
        consumers.iter().map(|(n, c)| {
            let (position, target) = c.progress();
            (
                consumer_label(o, n),
                target.saturating_sub(position).to_string(),
            )
        }),
    );
    if let Some(plugins) = state.plugins.as_ref().map(|p| p.list()) {
        family(
            out,
            "warren_plugin_calls_total",
            "counter",
            "Plugin calls by outcome.",
        );
        for p in &plugins {
            let name = esc(&p.name);
            for (outcome, n) in &p.health.calls {
                let _ = writeln!(
                    out,
                    "warren_plugin_calls_total{{plugin=\"{name}\",outcome=\"{}\"}} {n}",
                    esc(outcome),
                );
            }
        }
        family(
            out,
            "warren_plugin_call_seconds_total",
            "counter",
            "Time spent in plugin calls (calls skipped by the breaker excluded).",
        );
        for p in &plugins {
            let _ = writeln!(
                out,
                "warren_plugin_call_seconds_total{{plugin=\"{}\"}} {:.6}",
                esc(&p.name),
                p.health.call_micros as f64 / 1e6
            );
        }
        gauge(
            out,
            "warren_plugin_disabled",
            "1 while the plugin's circuit breaker is open.",
            plugins.iter().map(|p| {
                (
                    format!("plugin=\"{}\"", esc(&p.name)),
                    u8::from(p.health.disabled).to_string(),
                )
            }),
        );
    }
    let store = state.health.store();
    family(
        out,
        "warren_store_failing",
        "gauge",
        "1 while the embedded store is failing after an I/O error (it is reopened every 2 s).",
    );
    let _ = writeln!(
        out,
        "warren_store_failing {}",
        u8::from(store.failing().is_some())
    );
    family(
        out,
        "warren_store_io_errors_total",
        "counter",
        "Store operations that failed with an I/O error (disk full, read-only, device errors).",
    );
    let _ = writeln!(out, "warren_store_io_errors_total {}", store.io_errors());
    family(
        out,
        "warren_store_reopens_total",
        "counter",
        "Times the store was reopened after failing, and worked again.",
    );
    let _ = writeln!(out, "warren_store_reopens_total {}", store.reopens());
    if let Some(i) = state.instances.as_ref().map(|i| i.instances()) {
        let this = esc(&i.this);
        gauge(
            out,
            "warren_leader",
            "1 while this instance leads the notifications.",
            [(
                format!("instance=\"{this}\""),
                u8::from(i.leader.as_deref() == Some(i.this.as_str())).to_string(),
            )],
        );
        family(
            out,
            "warren_leadership_changes_total",
            "counter",
            "Times this instance gained or lost the notifier lead.",
        );
        let _ = writeln!(
            out,
            "warren_leadership_changes_total{{instance=\"{this}\"}} {}",
            i.changes
        );
        family(
            out,
            "warren_ha_state_records_skipped_total",
            "counter",
            "Records of the [ha] state topic this instance could not read.",
        );
        let _ = writeln!(
            out,
            "warren_ha_state_records_skipped_total{{instance=\"{this}\"}} {}",
            i.skipped_records
        );
    }
    if let Some(report) = state.notifiers.as_ref().map(|n| n.notifiers()) {
        family(
            out,
            "warren_notifications_total",
            "counter",
            "Notification events by result: decided, delivered, retried (failed attempts), failed (dropped for good).",
        );
        for n in &report {
            let name = esc(&n.name);
            for (result, v) in [
                ("decided", n.decided),
                ("delivered", n.delivered),
                ("retried", n.retried),
                ("failed", n.failed),
            ] {
                let _ = writeln!(
                    out,
                    "warren_notifications_total{{notifier=\"{name}\",result=\"{result}\"}} {v}"
                );
            }
        }
        gauge(
            out,
            "warren_notifications_pending",
            "Deliveries waiting (first attempt or retry).",
            report.iter().map(|n| {
                (
                    format!("notifier=\"{}\"", esc(&n.name)),
                    n.pending.len().to_string(),
                )
            }),
        );
    }
}
