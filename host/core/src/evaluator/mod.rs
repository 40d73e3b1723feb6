//! The default evaluator: Burrow 1.9.5's consumer-status rules as pure functions. Storage hands
//! over a group's commit windows and HEAD histories (a [`GroupSnapshot`], or borrowed
//! [`PartitionInput`]s for offline evaluation); this module turns them into a [`GroupStatus`]
//! that the HTTP API, the metrics exporter and the notifier read. Time is passed in, never
//! read, so every verdict is reproducible; caching is the caller's business.
//!
//! Partition rules live in [`rules`]; this file holds the shapes (Burrow's `PartitionStatus` and
//! `ConsumerGroupStatus`, in its [`protocol/evaluator.go`](https://github.com/linkedin/Burrow/blob/master/core/protocol/evaluator.go))
//! and the per-partition and per-group steps (its [`evaluator/caching.go`](https://github.com/linkedin/Burrow/blob/master/core/internal/evaluator/caching.go)).

mod cache;
pub mod rules;
pub mod timelag;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod vectors;

use serde::Serialize;

pub use crate::plugins::{ClusterPlugins, EvaluatorPlugin, FilterPlugin, PluginBindings};
pub use cache::EvaluatorHandle;
pub use timelag::{LagEstimate, TimeLag};

use crate::config::EvaluatorConfig;
use crate::model::Status;
use crate::storage::{CommitEntry, GroupSnapshot, HeadSample};

/// Rules parameters (from [`EvaluatorConfig`]; intervals from storage).
#[derive(Debug, Clone, Copy)]
pub struct RuleSettings {
    /// Window length storage keeps per partition; a partition is complete once it holds this
    /// many commits.
    pub intervals: u16,
    /// Lag at or below this counts as zero lag.
    pub allowed_lag: u64,
    /// Fraction (0–1) of the window that must be filled before the rules run at all.
    pub minimum_complete: f64,
}

impl RuleSettings {
    /// Burrow's defaults: 10 intervals, allowed-lag 0, minimum-complete 0.0.
    pub fn burrow_defaults() -> Self {
        RuleSettings {
            intervals: 10,
            allowed_lag: 0,
            minimum_complete: 0.0,
        }
    }

    /// Settings from the `[evaluator]` section and storage's window length.
    pub fn from_config(config: &EvaluatorConfig, intervals: u16) -> Self {
        RuleSettings {
            intervals,
            allowed_lag: config.allowed_lag,
            minimum_complete: config.minimum_complete,
        }
    }
}

/// One partition's inputs, borrowed (so evaluating 100,000 groups does not copy windows).
#[derive(Debug, Clone, Copy)]
pub struct PartitionInput<'a> {
    /// Consumed topic.
    pub topic: &'a str,
    /// Partition id.
    pub partition: i32,
    /// Stored commits, oldest first. May hold more than `intervals` entries (offline
    /// evaluation): all are evaluated, and completeness is capped at 1.0.
    pub commits: &'a [CommitEntry],
    /// Recent HEAD offsets of the partition, in any order.
    pub heads: &'a [i64],
    /// The partition's production curve (storage's HEAD timeline), oldest first; empty when
    /// unknown, which leaves the time lag unknown.
    pub timeline: &'a [HeadSample],
    /// `max(0, newest HEAD - newest committed offset)`.
    pub current_lag: u64,
    /// Client host of the owning member, if known.
    pub owner: Option<&'a str>,
    /// `client.id` of the owning member, if known.
    pub client_id: Option<&'a str>,
}

/// Burrow's `PartitionStatus`: the verdict on one partition.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PartitionStatus {
    /// Consumed topic.
    pub topic: String,
    /// Partition id.
    pub partition: i32,
    /// Client host of the owning member; `""` when unknown (as Burrow sends it).
    pub owner: String,
    /// `client.id` of the owning member; `""` when unknown.
    pub client_id: String,
    /// OK, WARN, STOP, STALL or REWIND.
    pub status: Status,
    /// Oldest commit of the window; `None` without commits.
    pub start: Option<CommitEntry>,
    /// Newest commit of the window; `None` without commits.
    pub end: Option<CommitEntry>,
    /// Current lag, copied from the input.
    pub current_lag: u64,
    /// Fraction of the window filled, 0–1 (0 without commits).
    pub complete: f64,
    /// Age of the next unconsumed record; `None` without commits or HEAD timeline.
    pub time_lag: Option<TimeLag>,
    /// Time until the lag reaches zero; `None` unless behind and closing in.
    pub catchup_eta_ms: Option<u64>,
}

/// Burrow's `ConsumerGroupStatus`: the verdict on a whole group.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct GroupStatus {
    /// Cluster name.
    pub cluster: String,
    /// Group name.
    pub group: String,
    /// NOTFOUND, OK, WARN or ERR (partition STOP/STALL/REWIND count as ERR).
    pub status: Status,
    /// Fraction of partitions whose window is complete; 0 when there are no partitions.
    pub complete: f64,
    /// Every partition (or only the problems, see [`GroupStatus::only_problems`]), sorted by
    /// (topic, partition).
    pub partitions: Vec<PartitionStatus>,
    /// Number of partitions evaluated, whatever `partitions` holds.
    pub partition_count: usize,
    /// The partition with the greatest current lag (lowest (topic, partition) on a tie);
    /// `Some` whenever the group has a partition, even if every lag is 0.
    pub maxlag: Option<PartitionStatus>,
    /// Sum of all partitions' current lags.
    pub total_lag: u64,
    /// The greatest time lag of any partition, when any is known.
    pub max_time_lag_ms: Option<u64>,
    /// When every partition that is behind has a catch-up ETA, the longest of them; `None`
    /// when some partition is behind and not closing in, or none is behind.
    pub catchup_eta_ms: Option<u64>,
    /// Set when an evaluator plugin is configured for the cluster: which one, and why its
    /// answer was not used if Burrow's rules judged the group instead.
    pub evaluator: Option<EvaluatorNote>,
}

/// Who judged a group when the cluster has an evaluator plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EvaluatorNote {
    /// The `[plugin.NAME]` configured for the cluster.
    pub plugin: String,
    /// `Some(reason)` when the plugin failed (trap, timeout, error, nonsense, disabled) and
    /// Burrow's rules were used for this group instead.
    pub fallback: Option<String>,
}

impl GroupStatus {
    /// NOTFOUND answer: status NotFound, complete 1.0, no partitions, maxlag None, total_lag 0
    /// (Burrow answers an unknown group so, before evaluating anything).
    pub fn not_found(cluster: &str, group: &str) -> Self {
        GroupStatus {
            cluster: cluster.to_string(),
            group: group.to_string(),
            status: Status::NotFound,
            complete: 1.0,
            partitions: Vec::new(),
            partition_count: 0,
            maxlag: None,
            total_lag: 0,
            max_time_lag_ms: None,
            catchup_eta_ms: None,
            evaluator: None,
        }
    }

    /// The greatest time lag per consumed topic, sorted by topic (topics without any estimate
    /// are left out).
    pub fn topic_max_time_lag_ms(&self) -> Vec<(&str, u64)> {
        let mut out: Vec<(&str, u64)> = Vec::new();
        for p in &self.partitions {
            let Some(t) = p.time_lag else { continue };
            match out.iter_mut().find(|(topic, _)| *topic == p.topic) {
                Some((_, max)) => *max = (*max).max(t.ms),
                None => out.push((&p.topic, t.ms)),
            }
        }
        out.sort();
        out
    }

    /// Recomputes the group-level time figures from the partitions.
    pub fn roll_up_time_lag(&mut self) {
        self.max_time_lag_ms = self
            .partitions
            .iter()
            .filter_map(|p| p.time_lag.map(|t| t.ms))
            .max();
        // The longest ETA of the partitions behind; none as soon as one of them has none.
        self.catchup_eta_ms = self
            .partitions
            .iter()
            .filter(|p| p.current_lag > 0)
            .try_fold(None, |max: Option<u64>, p| {
                p.catchup_eta_ms
                    .map(|eta| Some(max.map_or(eta, |m| m.max(eta))))
            })
            .flatten();
    }

    /// Copy keeping only partitions whose status is not OK (Burrow's ShowAll=false, used by
    /// /status); maxlag/totallag/complete/partition_count unchanged.
    pub fn only_problems(&self) -> Self {
        GroupStatus {
            cluster: self.cluster.clone(),
            group: self.group.clone(),
            status: self.status,
            complete: self.complete,
            partitions: self
                .partitions
                .iter()
                .filter(|p| p.status > Status::Ok)
                .cloned()
                .collect(),
            partition_count: self.partition_count,
            maxlag: self.maxlag.clone(),
            total_lag: self.total_lag,
            max_time_lag_ms: self.max_time_lag_ms,
            catchup_eta_ms: self.catchup_eta_ms,
            evaluator: self.evaluator.clone(),
        }
    }
}

/// Evaluates one partition (Burrow's evaluatePartitionStatus + calculatePartitionStatus).
pub fn evaluate_partition(
    p: &PartitionInput<'_>,
    settings: &RuleSettings,
    now_ms: i64,
) -> PartitionStatus {
    let mut status = PartitionStatus {
        topic: p.topic.to_string(),
        partition: p.partition,
        owner: p.owner.unwrap_or_default().to_string(),
        client_id: p.client_id.unwrap_or_default().to_string(),
        status: Status::Ok,
        start: p.commits.first().copied(),
        end: p.commits.last().copied(),
        current_lag: p.current_lag,
        complete: 0.0,
        time_lag: None,
        catchup_eta_ms: None,
    };
    // Never committed: nothing to judge, and Burrow leaves Complete at its zero value.
    let Some(newest) = p.commits.last() else {
        return status;
    };
    status.time_lag = timelag::time_lag(p.timeline, newest.offset, now_ms);
    status.catchup_eta_ms = timelag::catchup_eta(p.commits, p.timeline, p.current_lag, now_ms);
    // A zero-length window is full as soon as it holds anything; max(1) avoids dividing by 0.
    let window = f64::from(settings.intervals.max(1));
    status.complete = (p.commits.len() as f64 / window).min(1.0);
    if status.complete >= settings.minimum_complete {
        status.status = rules::calculate_partition_status(
            p.commits,
            p.heads,
            p.current_lag,
            settings.allowed_lag,
            now_ms,
        );
    }
    status
}

/// Evaluates a group from its partitions (any order). Group status = worst partition status with
/// STOP/STALL/REWIND clamped to ERR; complete = complete partitions / partition count (0 when
/// there are no partitions — Burrow's divide-by-zero fix); total_lag = sum of current lags;
/// maxlag = partition with the greatest current_lag, ties broken deterministically by lowest
/// (topic, partition) (Burrow's is random — ours must not be); maxlag is Some whenever there is
/// at least one partition, even if all lags are 0.
pub fn evaluate_group<'a>(
    cluster: &str,
    group: &str,
    partitions: impl IntoIterator<Item = PartitionInput<'a>>,
    settings: &RuleSettings,
    now_ms: i64,
) -> GroupStatus {
    let mut evaluated: Vec<PartitionStatus> = partitions
        .into_iter()
        .map(|p| evaluate_partition(&p, settings, now_ms))
        .collect();
    // Sorting first makes the maxlag tie-break "first seen wins" mean "lowest (topic, partition)".
    evaluated.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));

    let mut status = Status::Ok;
    let mut complete_count = 0usize;
    let mut total_lag = 0u64;
    let mut maxlag: Option<&PartitionStatus> = None;
    for p in &evaluated {
        // Groups only ever say OK, WARN or ERR; the partition detail tells which error.
        status = status.max(p.status.min(Status::Err));
        // The cap makes a full window exactly 1.0, so this is Burrow's `Complete == 1.0`.
        if p.complete >= 1.0 {
            complete_count += 1;
        }
        total_lag = total_lag.saturating_add(p.current_lag);
        if maxlag.is_none_or(|m| p.current_lag > m.current_lag) {
            maxlag = Some(p);
        }
    }
    let complete = if evaluated.is_empty() {
        0.0
    } else {
        complete_count as f64 / evaluated.len() as f64
    };
    let mut group = GroupStatus {
        cluster: cluster.to_string(),
        group: group.to_string(),
        status,
        complete,
        partition_count: evaluated.len(),
        maxlag: maxlag.cloned(),
        total_lag,
        partitions: evaluated,
        max_time_lag_ms: None,
        catchup_eta_ms: None,
        evaluator: None,
    };
    group.roll_up_time_lag();
    group
}

/// Convenience: evaluates a storage snapshot (borrows its windows; HEAD offsets from each
/// partition's `heads` samples).
///
/// The window length is the snapshot's `intervals` (the one storage had in force when it
/// filled the windows); `allowed_lag` and `minimum_complete` come from `settings`.
pub fn evaluate_snapshot(
    cluster: &str,
    snapshot: &GroupSnapshot,
    settings: &RuleSettings,
    now_ms: i64,
) -> GroupStatus {
    let settings = RuleSettings {
        intervals: snapshot.intervals,
        ..*settings
    };
    // The rules want plain offsets; gather every partition's into one buffer (one allocation
    // per group) and hand out sub-slices.
    let partitions = snapshot.topics.iter().flat_map(|t| {
        t.partitions
            .iter()
            .enumerate()
            .map(move |(id, p)| (t.topic.as_str(), id, p))
    });
    let mut heads = Vec::new();
    let mut ranges = Vec::new();
    for (_, _, p) in partitions.clone() {
        let start = heads.len();
        heads.extend(p.heads.iter().map(|h| h.offset));
        ranges.push(start..heads.len());
    }
    let inputs = partitions
        .zip(ranges)
        // Partition ids come from Kafka's i32, so a larger index cannot occur; skip, not panic.
        .filter_map(|((topic, id, p), range)| {
            Some(PartitionInput {
                topic,
                partition: i32::try_from(id).ok()?,
                commits: &p.commits,
                heads: heads.get(range).unwrap_or_default(),
                timeline: &p.timeline,
                current_lag: p.current_lag,
                owner: p.owner.as_deref(),
                client_id: p.client_id.as_deref(),
            })
        });
    evaluate_group(cluster, &snapshot.group, inputs, &settings, now_ms)
}
