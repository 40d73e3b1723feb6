//! One render of the `/metrics` body: Burrow's and kafka-lag-exporter's families over every
//! group's verdict, each group's state and member count, then Warren's own series
//! ([`super::own`]). Every group's label sets are escaped once per render and shared by all
//! families; lines are written straight into the body (see [`super::text`]).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use warren_core::config::Granularity;
use warren_core::evaluator::{GroupStatus, PartitionStatus};
use warren_core::model::Status;

use super::MetricsOptions;
use super::text::{Line, Sample, family, push_escaped};
use crate::AppState;

/// Every cluster with the verdicts of its groups (none while it catches up).
pub(super) type Groups = [(String, Vec<Arc<GroupStatus>>)];

/// The label names for (cluster, group) of one exporter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vocabulary {
    /// Burrow's: `cluster`, `consumer_group`.
    Burrow,
    /// kafka-lag-exporter's: `cluster_name`, `group`.
    LagExporter,
}

impl Vocabulary {
    fn cluster(self) -> &'static str {
        match self {
            Vocabulary::Burrow => "cluster",
            Vocabulary::LagExporter => "cluster_name",
        }
    }

    fn group(self) -> &'static str {
        match self {
            Vocabulary::Burrow => "consumer_group",
            Vocabulary::LagExporter => "group",
        }
    }
}

/// One group of one cluster, with its labels escaped once for every family.
struct Row<'a> {
    cluster: &'a str,
    g: &'a GroupStatus,
    /// `cluster="c",consumer_group="g"`.
    burrow: String,
    /// `cluster_name="c",group="g"`.
    lag_exporter: String,
    /// The cluster's static labels, `,name="value"...`, written after the series' own.
    extra: &'a str,
}

impl Row<'_> {
    fn labels(&self, v: Vocabulary) -> &str {
        match v {
            Vocabulary::Burrow => &self.burrow,
            Vocabulary::LagExporter => &self.lag_exporter,
        }
    }
}

/// Every known group (not NOTFOUND) with its labels.
fn rows<'a>(o: &'a MetricsOptions, groups: &'a Groups) -> Vec<Row<'a>> {
    let labels = |v: Vocabulary, c: &str, g: &str| {
        let mut s = String::with_capacity(c.len() + g.len() + 32);
        s.push_str(v.cluster());
        s.push_str("=\"");
        push_escaped(&mut s, c);
        s.push_str("\",");
        s.push_str(v.group());
        s.push_str("=\"");
        push_escaped(&mut s, g);
        s.push('"');
        s
    };
    groups
        .iter()
        .flat_map(|(c, gs)| {
            gs.iter()
                .filter(|g| g.status != Status::NotFound)
                .map(move |g| Row {
                    cluster: c,
                    g,
                    burrow: labels(Vocabulary::Burrow, c, &g.group),
                    lag_exporter: labels(Vocabulary::LagExporter, c, &g.group),
                    extra: o.extra(c),
                })
        })
        .collect()
}

/// A family with one series per group for which `value` has something to say.
fn group_family(
    out: &mut String,
    (name, help): (&str, &str),
    v: Vocabulary,
    rows: &[Row<'_>],
    value: impl Fn(&GroupStatus) -> Option<Sample>,
) {
    family(out, name, "gauge", help);
    for row in rows {
        if let Some(sample) = value(row.g) {
            Line::start(out, name)
                .raw(row.labels(v))
                .raw(row.extra)
                .value(sample);
        }
    }
}

/// A family with one series per (group, topic), from the `(topic, value)` pairs of each group.
fn topic_family<'g>(
    out: &mut String,
    (name, help): (&str, &str),
    rows: &[Row<'g>],
    values: impl Fn(&'g GroupStatus) -> Vec<(&'g str, Sample)>,
) {
    family(out, name, "gauge", help);
    for row in rows {
        for (topic, sample) in values(row.g) {
            Line::start(out, name)
                .raw(row.labels(Vocabulary::LagExporter))
                .raw(row.extra)
                .label("topic", topic)
                .value(sample);
        }
    }
}

/// A family with one series per partition for which `value` has something to say.
fn partition_family(
    out: &mut String,
    (name, help): (&str, &str),
    v: Vocabulary,
    rows: &[Row<'_>],
    value: impl Fn(&PartitionStatus) -> Option<Sample>,
) {
    family(out, name, "gauge", help);
    for row in rows {
        for p in &row.g.partitions {
            if let Some(sample) = value(p) {
                Line::start(out, name)
                    .raw(row.labels(v))
                    .label("topic", &p.topic)
                    .partition(p.partition)
                    .raw(row.extra)
                    .value(sample);
            }
        }
    }
}

/// Broker offsets (HEADs or earliest) of every partition, per cluster and topic.
type Offsets = Vec<(String, Vec<(String, Vec<(i32, i64)>)>)>;

const HEAD_HELP: &str = "HEAD (high watermark) of the partition.";

/// A family of per-partition broker offsets.
fn offsets_family(
    out: &mut String,
    (name, help): (&str, &str),
    v: Vocabulary,
    o: &MetricsOptions,
    offsets: &Offsets,
) {
    family(out, name, "gauge", help);
    let mut cluster_labels = String::new();
    for (cluster, topics) in offsets {
        cluster_labels.clear();
        cluster_labels.push_str(v.cluster());
        cluster_labels.push_str("=\"");
        push_escaped(&mut cluster_labels, cluster);
        cluster_labels.push('"');
        for (topic, partitions) in topics {
            for &(p, offset) in partitions {
                Line::start(out, name)
                    .raw(&cluster_labels)
                    .label("topic", topic)
                    .partition(p)
                    .raw(o.extra(cluster))
                    .value(Sample::Int(offset));
            }
        }
    }
}

/// Renders the whole body; `capacity` is a guess of its size (the last one's).
pub(super) fn render(state: &AppState, o: &MetricsOptions, capacity: usize) -> String {
    let now = (state.now_ms)();
    let mut groups: Vec<(String, Vec<Arc<GroupStatus>>)> = Vec::new();
    let mut heads: Offsets = Vec::new();
    let mut earliest: Offsets = Vec::new();
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
        let (mut h, mut e) = (Vec::new(), Vec::new());
        for topic in store.topic_names() {
            h.push((
                topic.clone(),
                store.head_offsets(&topic).unwrap_or_default(),
            ));
            e.push((
                topic.clone(),
                store.earliest_offsets(&topic).unwrap_or_default(),
            ));
        }
        heads.push((cluster.clone(), h));
        earliest.push((cluster, e));
    }
    let mut out = String::with_capacity(capacity.max(1 << 16));
    let rows = rows(o, &groups);
    let burrow_partitions = o.burrow == Granularity::Partition;
    let lag_exporter_partitions = o.lag_exporter == Granularity::Partition;
    let complete = |p: &PartitionStatus| p.complete >= 1.0;
    use Vocabulary::{Burrow, LagExporter};

    // Burrow's names.
    group_family(
        &mut out,
        (
            "burrow_kafka_consumer_lag_total",
            "Sum of the current lag of every partition of the group (Burrow's totallag).",
        ),
        Burrow,
        &rows,
        |g| Some(Sample::Count(g.total_lag)),
    );
    group_family(
        &mut out,
        (
            "burrow_kafka_consumer_status",
            "Group status: 0 NOTFOUND, 1 OK, 2 WARN, 3 ERR.",
        ),
        Burrow,
        &rows,
        |g| Some(Sample::Count(u64::from(g.status.code()))),
    );
    if burrow_partitions {
        partition_family(
            &mut out,
            (
                "burrow_kafka_consumer_partition_lag",
                "Current lag of the partition.",
            ),
            Burrow,
            &rows,
            |p| Some(Sample::Count(p.current_lag)),
        );
        partition_family(
            &mut out,
            (
                "burrow_kafka_consumer_current_offset",
                "Newest committed offset of the partition (only once its window is complete, as Burrow).",
            ),
            Burrow,
            &rows,
            |p| p.end.filter(|_| complete(p)).map(|e| Sample::Int(e.offset)),
        );
        partition_family(
            &mut out,
            (
                "burrow_kafka_topic_partition_status",
                "Partition status: 1 OK, 2 WARN, 4 STOP, 5 STALL, 6 REWIND (once its window is complete).",
            ),
            Burrow,
            &rows,
            |p| complete(p).then(|| Sample::Count(u64::from(p.status.code()))),
        );
    }
    offsets_family(
        &mut out,
        ("burrow_kafka_topic_partition_offset", HEAD_HELP),
        Burrow,
        o,
        &heads,
    );

    // kafka-lag-exporter's names.
    if lag_exporter_partitions {
        partition_family(
            &mut out,
            (
                "kafka_consumergroup_group_lag",
                "Current lag of the group on the partition, in records.",
            ),
            LagExporter,
            &rows,
            |p| Some(Sample::Count(p.current_lag)),
        );
        partition_family(
            &mut out,
            (
                "kafka_consumergroup_group_offset",
                "Newest committed offset of the group on the partition.",
            ),
            LagExporter,
            &rows,
            |p| p.end.map(|e| Sample::Int(e.offset)),
        );
    }
    group_family(
        &mut out,
        (
            "kafka_consumergroup_group_max_lag",
            "Greatest current lag of any partition of the group.",
        ),
        LagExporter,
        &rows,
        |g| {
            Some(Sample::Count(
                g.maxlag.as_ref().map_or(0, |m| m.current_lag),
            ))
        },
    );
    group_family(
        &mut out,
        (
            "kafka_consumergroup_group_sum_lag",
            "Sum of the current lag of every partition of the group.",
        ),
        LagExporter,
        &rows,
        |g| Some(Sample::Count(g.total_lag)),
    );
    topic_family(
        &mut out,
        (
            "kafka_consumergroup_group_topic_sum_lag",
            "Sum of the current lag of the group's partitions of one topic.",
        ),
        &rows,
        |g| {
            let mut by_topic: BTreeMap<&str, u64> = BTreeMap::new();
            for p in &g.partitions {
                *by_topic.entry(p.topic.as_str()).or_default() += p.current_lag;
            }
            by_topic
                .into_iter()
                .map(|(t, lag)| (t, Sample::Count(lag)))
                .collect()
        },
    );
    offsets_family(
        &mut out,
        ("kafka_partition_latest_offset", HEAD_HELP),
        LagExporter,
        o,
        &heads,
    );
    offsets_family(
        &mut out,
        (
            "kafka_partition_earliest_offset",
            "Earliest offset still in the partition (retention's edge), polled every topic-refresh.",
        ),
        LagExporter,
        o,
        &earliest,
    );

    // Lag in seconds: kafka-lag-exporter's names, and Warren's catch-up ETA. Series whose
    // figure is unknown are left out, never exported as NaN.
    if lag_exporter_partitions {
        partition_family(
            &mut out,
            (
                "kafka_consumergroup_group_lag_seconds",
                "Age of the next record the group has not consumed on the partition, in seconds.",
            ),
            LagExporter,
            &rows,
            |p| p.time_lag.map(|t| Sample::Millis(t.ms)),
        );
    }
    group_family(
        &mut out,
        (
            "kafka_consumergroup_group_max_lag_seconds",
            "Greatest time lag of any partition of the group, in seconds.",
        ),
        LagExporter,
        &rows,
        |g| g.max_time_lag_ms.map(Sample::Millis),
    );
    topic_family(
        &mut out,
        (
            "warren_consumergroup_topic_max_lag_seconds",
            "Greatest time lag of the group's partitions of one topic, in seconds.",
        ),
        &rows,
        |g| {
            g.topic_max_time_lag_ms()
                .into_iter()
                .map(|(t, ms)| (t, Sample::Millis(ms)))
                .collect()
        },
    );
    group_family(
        &mut out,
        (
            "warren_consumergroup_catchup_eta_seconds",
            "Time until the group's lag reaches zero at its current consume and produce rates; absent unless it is behind and closing in.",
        ),
        LagExporter,
        &rows,
        |g| g.catchup_eta_ms.map(Sample::Millis),
    );

    membership(&mut out, &rows, &memberships);
    super::own::health(&mut out, state, o, &groups);
    super::own::traffic(&mut out, state, o, &evaluation);
    super::own::refusals(&mut out, state);
    out
}

/// Each group's state and member count, as KMinion's `kminion_kafka_consumer_group_info`
/// (an info series: the state is a label, the value 1, so a dashboard counts groups per state
/// with `count by (state)`) and `..._members`, in kafka-lag-exporter's label vocabulary.
/// Only for groups a source described: a group known from commits alone has neither.
fn membership(
    out: &mut String,
    rows: &[Row<'_>],
    memberships: &BTreeMap<String, BTreeMap<String, (Option<String>, usize)>>,
) {
    let described = || {
        rows.iter().filter_map(|row| {
            let m = memberships.get(row.cluster)?.get(&row.g.group)?;
            Some((row, m))
        })
    };
    let name = "warren_consumergroup_info";
    family(
        out,
        name,
        "gauge",
        "The group's state as Kafka reports it (Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, Assigning, Reconciling), always 1.",
    );
    for (row, (state, _)) in described() {
        if let Some(state) = state.as_deref() {
            Line::start(out, name)
                .raw(&row.lag_exporter)
                .raw(row.extra)
                .label("state", state)
                .value(Sample::Count(1));
        }
    }
    let name = "warren_consumergroup_members";
    family(
        out,
        name,
        "gauge",
        "Members of the group (consumers currently in it).",
    );
    for (row, (_, members)) in described() {
        Line::start(out, name)
            .raw(&row.lag_exporter)
            .raw(row.extra)
            .value(Sample::Count(*members as u64));
    }
}
