//! One render of the `/metrics` body: Burrow's and kafka-lag-exporter's families over every
//! group's verdict, each group's state and member count, then Warren's own series
//! ([`super::own`]). Groups are judged one at a time and only the figures the families need
//! are kept; every group's label sets are escaped once per render and shared by all families;
//! lines are written straight into the body (see [`super::text`]), which is gzipped as it
//! grows when no scraper wants the text ([`super::sink`]).

use std::collections::BTreeMap;
use std::time::Instant;

use warren_core::config::Granularity;
use warren_core::evaluator::GroupStatus;
use warren_core::model::Status;

use super::MetricsOptions;
use super::sink::Sink;
use super::text::{Line, Sample, family, push_escaped};
use crate::AppState;

/// Every cluster with the number of groups it knows (monitored or not found), for
/// `warren_groups`.
pub(super) type GroupCounts = [(String, usize)];

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

/// What the families need of one group's verdict, taken from it while the groups are judged
/// one at a time: a render of a million partitions holds these (about 60 bytes a partition),
/// not a million verdicts.
struct Figures {
    cluster: usize,
    group: String,
    /// `cluster="c",consumer_group="g"`.
    burrow: String,
    /// `cluster_name="c",group="g"`.
    lag_exporter: String,
    status: u8,
    total_lag: u64,
    max_lag: u64,
    max_time_lag_ms: Option<u64>,
    catchup_eta_ms: Option<u64>,
    /// Topic name, lag summed over its partitions, greatest time lag; sorted by name.
    topics: Vec<(String, u64, Option<u64>)>,
    partitions: Vec<PartitionFigures>,
}

/// One partition's figures; `topic` indexes [`Figures::topics`].
struct PartitionFigures {
    topic: u32,
    partition: i32,
    current_lag: u64,
    /// Newest committed offset.
    end: Option<i64>,
    /// The window is full.
    complete: bool,
    status: u8,
    time_lag_ms: Option<u64>,
}

impl Figures {
    fn of(cluster: (usize, &str), g: &GroupStatus) -> Self {
        let labels = |v: Vocabulary| {
            let mut s = String::with_capacity(cluster.1.len() + g.group.len() + 32);
            s.push_str(v.cluster());
            s.push_str("=\"");
            push_escaped(&mut s, cluster.1);
            s.push_str("\",");
            s.push_str(v.group());
            s.push_str("=\"");
            push_escaped(&mut s, &g.group);
            s.push('"');
            s
        };
        let mut topics: BTreeMap<&str, (u64, Option<u64>)> = BTreeMap::new();
        for p in &g.partitions {
            let t = topics.entry(p.topic.as_str()).or_default();
            t.0 += p.current_lag;
            if let Some(lag) = p.time_lag {
                t.1 = Some(t.1.map_or(lag.ms, |m: u64| m.max(lag.ms)));
            }
        }
        let index: BTreeMap<&str, u32> = topics.keys().zip(0..).map(|(t, i)| (*t, i)).collect();
        let partitions = g
            .partitions
            .iter()
            .map(|p| PartitionFigures {
                topic: index.get(p.topic.as_str()).copied().unwrap_or_default(),
                partition: p.partition,
                current_lag: p.current_lag,
                end: p.end.map(|e| e.offset),
                complete: p.complete >= 1.0,
                status: p.status.code(),
                time_lag_ms: p.time_lag.map(|t| t.ms),
            })
            .collect();
        Figures {
            cluster: cluster.0,
            group: g.group.clone(),
            burrow: labels(Vocabulary::Burrow),
            lag_exporter: labels(Vocabulary::LagExporter),
            status: g.status.code(),
            total_lag: g.total_lag,
            max_lag: g.maxlag.as_ref().map_or(0, |m| m.current_lag),
            max_time_lag_ms: g.max_time_lag_ms,
            catchup_eta_ms: g.catchup_eta_ms,
            topics: topics
                .into_iter()
                .map(|(t, (lag, time))| (t.to_owned(), lag, time))
                .collect(),
            partitions,
        }
    }

    fn labels(&self, v: Vocabulary) -> &str {
        match v {
            Vocabulary::Burrow => &self.burrow,
            Vocabulary::LagExporter => &self.lag_exporter,
        }
    }
}

/// The groups' figures and, per cluster index, the static labels to append.
struct Rows<'a> {
    groups: Vec<Figures>,
    extra: Vec<&'a str>,
}

/// A family with one series per group for which `value` has something to say.
fn group_family(
    out: &mut Sink,
    (name, help): (&str, &str),
    v: Vocabulary,
    rows: &Rows<'_>,
    value: impl Fn(&Figures) -> Option<Sample>,
) {
    family(&mut out.text, name, "gauge", help);
    for g in &rows.groups {
        if let Some(sample) = value(g) {
            Line::start(&mut out.text, name)
                .raw(g.labels(v))
                .raw(rows.extra[g.cluster])
                .value(sample);
        }
        out.flush_if_large();
    }
}

/// A family with one series per (group, topic) for which `value` has something to say.
fn topic_family(
    out: &mut Sink,
    (name, help): (&str, &str),
    rows: &Rows<'_>,
    value: impl Fn(u64, Option<u64>) -> Option<Sample>,
) {
    family(&mut out.text, name, "gauge", help);
    for g in &rows.groups {
        for (topic, lag, time_lag) in &g.topics {
            if let Some(sample) = value(*lag, *time_lag) {
                Line::start(&mut out.text, name)
                    .raw(g.labels(Vocabulary::LagExporter))
                    .raw(rows.extra[g.cluster])
                    .label("topic", topic)
                    .value(sample);
            }
        }
        out.flush_if_large();
    }
}

/// A family with one series per partition for which `value` has something to say.
fn partition_family(
    out: &mut Sink,
    (name, help): (&str, &str),
    v: Vocabulary,
    rows: &Rows<'_>,
    value: impl Fn(&PartitionFigures) -> Option<Sample>,
) {
    family(&mut out.text, name, "gauge", help);
    for g in &rows.groups {
        for p in &g.partitions {
            if let Some(sample) = value(p) {
                let topic = g.topics.get(p.topic as usize).map_or("", |t| t.0.as_str());
                Line::start(&mut out.text, name)
                    .raw(g.labels(v))
                    .label("topic", topic)
                    .partition(p.partition)
                    .raw(rows.extra[g.cluster])
                    .value(sample);
            }
        }
        out.flush_if_large();
    }
}

/// Broker offsets (HEADs or earliest) of every partition, per cluster and topic.
type Offsets = Vec<(String, Vec<(String, Vec<(i32, i64)>)>)>;

const HEAD_HELP: &str = "HEAD (high watermark) of the partition.";

/// A family of per-partition broker offsets.
fn offsets_family(
    out: &mut Sink,
    (name, help): (&str, &str),
    v: Vocabulary,
    o: &MetricsOptions,
    offsets: &Offsets,
) {
    family(&mut out.text, name, "gauge", help);
    let mut cluster_labels = String::new();
    for (cluster, topics) in offsets {
        cluster_labels.clear();
        cluster_labels.push_str(v.cluster());
        cluster_labels.push_str("=\"");
        push_escaped(&mut cluster_labels, cluster);
        cluster_labels.push('"');
        for (topic, partitions) in topics {
            for &(p, offset) in partitions {
                Line::start(&mut out.text, name)
                    .raw(&cluster_labels)
                    .label("topic", topic)
                    .partition(p)
                    .raw(o.extra(cluster))
                    .value(Sample::Int(offset));
            }
            out.flush_if_large();
        }
    }
}

/// Renders the whole body into `out`.
pub(super) fn render(state: &AppState, o: &MetricsOptions, out: &mut Sink) {
    let now = (state.now_ms)();
    let mut clusters: Vec<String> = Vec::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut groups: Vec<Figures> = Vec::new();
    let mut heads: Offsets = Vec::new();
    let mut earliest: Offsets = Vec::new();
    let mut evaluation: Vec<(String, f64)> = Vec::new();
    let mut memberships = BTreeMap::new();
    for store in state.storage.clusters() {
        let cluster = store.name().to_string();
        let index = clusters.len();
        // A cluster still catching up exports no verdicts: a scrape then would hand
        // Prometheus the false STOPs a restart must never produce.
        let started = Instant::now();
        let mut count = 0;
        if state.health.cluster_ready(&cluster) {
            state.evaluator.each(store, now, |g| {
                count += 1;
                if g.status != Status::NotFound {
                    groups.push(Figures::of((index, &cluster), g));
                }
            });
        }
        evaluation.push((cluster.clone(), started.elapsed().as_secs_f64()));
        counts.push((cluster.clone(), count));
        memberships.insert(index, store.memberships());
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
        earliest.push((cluster.clone(), e));
        clusters.push(cluster);
    }
    let rows = Rows {
        groups,
        extra: clusters.iter().map(|c| o.extra(c)).collect(),
    };
    let burrow_partitions = o.burrow == Granularity::Partition;
    let lag_exporter_partitions = o.lag_exporter == Granularity::Partition;
    use Vocabulary::{Burrow, LagExporter};

    // Burrow's names.
    group_family(
        out,
        (
            "burrow_kafka_consumer_lag_total",
            "Sum of the current lag of every partition of the group (Burrow's totallag).",
        ),
        Burrow,
        &rows,
        |g| Some(Sample::Count(g.total_lag)),
    );
    group_family(
        out,
        (
            "burrow_kafka_consumer_status",
            "Group status: 0 NOTFOUND, 1 OK, 2 WARN, 3 ERR.",
        ),
        Burrow,
        &rows,
        |g| Some(Sample::Count(u64::from(g.status))),
    );
    if burrow_partitions {
        partition_family(
            out,
            (
                "burrow_kafka_consumer_partition_lag",
                "Current lag of the partition.",
            ),
            Burrow,
            &rows,
            |p| Some(Sample::Count(p.current_lag)),
        );
        partition_family(
            out,
            (
                "burrow_kafka_consumer_current_offset",
                "Newest committed offset of the partition (only once its window is complete, as Burrow).",
            ),
            Burrow,
            &rows,
            |p| p.end.filter(|_| p.complete).map(Sample::Int),
        );
        partition_family(
            out,
            (
                "burrow_kafka_topic_partition_status",
                "Partition status: 1 OK, 2 WARN, 4 STOP, 5 STALL, 6 REWIND (once its window is complete).",
            ),
            Burrow,
            &rows,
            |p| p.complete.then(|| Sample::Count(u64::from(p.status))),
        );
    }
    offsets_family(
        out,
        ("burrow_kafka_topic_partition_offset", HEAD_HELP),
        Burrow,
        o,
        &heads,
    );

    // kafka-lag-exporter's names.
    if lag_exporter_partitions {
        partition_family(
            out,
            (
                "kafka_consumergroup_group_lag",
                "Current lag of the group on the partition, in records.",
            ),
            LagExporter,
            &rows,
            |p| Some(Sample::Count(p.current_lag)),
        );
        partition_family(
            out,
            (
                "kafka_consumergroup_group_offset",
                "Newest committed offset of the group on the partition.",
            ),
            LagExporter,
            &rows,
            |p| p.end.map(Sample::Int),
        );
    }
    group_family(
        out,
        (
            "kafka_consumergroup_group_max_lag",
            "Greatest current lag of any partition of the group.",
        ),
        LagExporter,
        &rows,
        |g| Some(Sample::Count(g.max_lag)),
    );
    group_family(
        out,
        (
            "kafka_consumergroup_group_sum_lag",
            "Sum of the current lag of every partition of the group.",
        ),
        LagExporter,
        &rows,
        |g| Some(Sample::Count(g.total_lag)),
    );
    topic_family(
        out,
        (
            "kafka_consumergroup_group_topic_sum_lag",
            "Sum of the current lag of the group's partitions of one topic.",
        ),
        &rows,
        |lag, _| Some(Sample::Count(lag)),
    );
    offsets_family(
        out,
        ("kafka_partition_latest_offset", HEAD_HELP),
        LagExporter,
        o,
        &heads,
    );
    offsets_family(
        out,
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
            out,
            (
                "kafka_consumergroup_group_lag_seconds",
                "Age of the next record the group has not consumed on the partition, in seconds.",
            ),
            LagExporter,
            &rows,
            |p| p.time_lag_ms.map(Sample::Millis),
        );
    }
    group_family(
        out,
        (
            "kafka_consumergroup_group_max_lag_seconds",
            "Greatest time lag of any partition of the group, in seconds.",
        ),
        LagExporter,
        &rows,
        |g| g.max_time_lag_ms.map(Sample::Millis),
    );
    topic_family(
        out,
        (
            "warren_consumergroup_topic_max_lag_seconds",
            "Greatest time lag of the group's partitions of one topic, in seconds.",
        ),
        &rows,
        |_, time_lag| time_lag.map(Sample::Millis),
    );
    group_family(
        out,
        (
            "warren_consumergroup_catchup_eta_seconds",
            "Time until the group's lag reaches zero at its current consume and produce rates; absent unless it is behind and closing in.",
        ),
        LagExporter,
        &rows,
        |g| g.catchup_eta_ms.map(Sample::Millis),
    );

    membership(out, &rows, &memberships);
    super::own::health(&mut out.text, state, o, &counts);
    super::own::traffic(&mut out.text, state, o, &evaluation);
    super::own::refusals(&mut out.text, state);
}

/// Each group's state and member count, as KMinion's `kminion_kafka_consumer_group_info`
/// (an info series: the state is a label, the value 1, so a dashboard counts groups per state
/// with `count by (state)`) and `..._members`, in kafka-lag-exporter's label vocabulary.
/// Only for groups a source described: a group known from commits alone has neither.
fn membership(
    out: &mut Sink,
    rows: &Rows<'_>,
    memberships: &BTreeMap<usize, BTreeMap<String, (Option<String>, usize)>>,
) {
    let described = || {
        rows.groups.iter().filter_map(|g| {
            let m = memberships.get(&g.cluster)?.get(&g.group)?;
            Some((g, m))
        })
    };
    let name = "warren_consumergroup_info";
    family(
        &mut out.text,
        name,
        "gauge",
        "The group's state as Kafka reports it (Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, Assigning, Reconciling), always 1.",
    );
    for (g, (state, _)) in described() {
        if let Some(state) = state.as_deref() {
            Line::start(&mut out.text, name)
                .raw(&g.lag_exporter)
                .raw(rows.extra[g.cluster])
                .label("state", state)
                .value(Sample::Count(1));
        }
    }
    out.flush_if_large();
    let name = "warren_consumergroup_members";
    family(
        &mut out.text,
        name,
        "gauge",
        "Members of the group (consumers currently in it).",
    );
    for (g, (_, members)) in described() {
        Line::start(&mut out.text, name)
            .raw(&g.lag_exporter)
            .raw(rows.extra[g.cluster])
            .value(Sample::Count(*members as u64));
    }
    out.flush_if_large();
}
