//! Burrow's shape for an evaluator's answer: build each partition's verdict with
//! [`partition`], roll them up with [`group`]. A policy then only decides statuses; the
//! bookkeeping (window ends, completeness, total lag, `maxlag`) is the same as Burrow's, so
//! the HTTP API and notifiers see the numbers they expect whatever the policy.
//!
//! Roll-up rules: the group's status is its worst partition's at group level ([`group_level`]:
//! `stop`, `stall` and `rewind` count as `err`), `ok` for a group without partitions;
//! `total-lag` is the sum of current lags; `maxlag` is the partition with the greatest current
//! lag, ties going to the lowest (topic, partition); `complete` is the fraction of partitions
//! whose window is full (at least `intervals` commits).
//!
//! A partition verdict carries the window's time lag (the host's estimate; the host puts its
//! own there again whatever a plugin answers).
//!
//! [`by_thresholds`] is the whole policy of a threshold evaluator: a figure per partition
//! against a `warn`/`err` pair.

use crate::types::{GroupStatus, GroupWindow, PartitionStatus, PartitionWindow, Status};

/// A partition status as it counts for its group: `stop`, `stall` and `rewind` are `err`.
pub fn group_level(status: Status) -> Status {
    match status {
        Status::Stop | Status::Stall | Status::Rewind => Status::Err,
        other => other,
    }
}

/// Burrow's name for a status, as its HTTP API and notifications spell it (`OK`, `WARN`,
/// `ERR`, `STOP`, `STALL`, `REWIND`, `NOTFOUND`).
pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::NotFound => "NOTFOUND",
        Status::Ok => "OK",
        Status::Warn => "WARN",
        Status::Err => "ERR",
        Status::Stop => "STOP",
        Status::Stall => "STALL",
        Status::Rewind => "REWIND",
    }
}

/// Whether a partition's window holds a full `intervals` of commits (an `intervals` of 0
/// counts as 1, so a partition without commits is never complete).
pub fn window_full(window: &PartitionWindow, intervals: u16) -> bool {
    window.commits.len() >= usize::from(intervals.max(1))
}

/// The verdict `status` on one partition, with everything else taken from its window.
pub fn partition(window: &PartitionWindow, intervals: u16, status: Status) -> PartitionStatus {
    let intervals = f64::from(intervals.max(1));
    PartitionStatus {
        topic: window.topic.clone(),
        partition: window.partition,
        owner: window.owner.clone().unwrap_or_default(),
        client_id: window.client_id.clone().unwrap_or_default(),
        status,
        start: window.commits.first().copied(),
        end: window.commits.last().copied(),
        current_lag: window.current_lag,
        complete: (window.commits.len() as f64 / intervals).min(1.0),
        time_lag_ms: window.time_lag.map(|t| t.ms),
    }
}

/// Rolls partition verdicts up into the group's, Burrow's way (see the module docs).
/// `partitions` should hold one verdict per partition of `window`.
pub fn group(window: &GroupWindow, partitions: Vec<PartitionStatus>) -> GroupStatus {
    let status = partitions
        .iter()
        .map(|p| group_level(p.status))
        .max_by_key(|s| severity(*s))
        .unwrap_or(Status::Ok);
    let full = window
        .partitions
        .iter()
        .filter(|p| window_full(p, window.intervals))
        .count();
    let complete = if window.partitions.is_empty() {
        0.0
    } else {
        full as f64 / window.partitions.len() as f64
    };
    let maxlag = partitions
        .iter()
        .min_by(|a, b| {
            b.current_lag
                .cmp(&a.current_lag)
                .then_with(|| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)))
        })
        .cloned();
    GroupStatus {
        cluster: window.cluster.clone(),
        group: window.group.clone(),
        status,
        complete,
        partition_count: u32::try_from(partitions.len()).unwrap_or(u32::MAX),
        maxlag,
        total_lag: partitions
            .iter()
            .fold(0u64, |sum, p| sum.saturating_add(p.current_lag)),
        max_time_lag_ms: partitions.iter().filter_map(|p| p.time_lag_ms).max(),
        partitions,
    }
}

/// Judges each partition by `measure`, which gives its figure and its `(warn, err)` pair, or
/// `None` when the partition is not judged (it stays OK). A partition whose figure reaches
/// `warn` is WARN, also when it reaches `err`: partition statuses have no ERR, and STOP would
/// send operators hunting for a consumer that stopped committing when it is only behind. The
/// group is ERR when any partition reaches its `err`, else the roll-up of [`group`].
pub fn by_thresholds<T: PartialOrd>(
    window: &GroupWindow,
    measure: impl Fn(&PartitionWindow) -> Option<(T, T, T)>,
) -> GroupStatus {
    let mut reached_err = false;
    let partitions = window
        .partitions
        .iter()
        .map(|p| {
            let status = match measure(p) {
                Some((figure, warn, err)) if figure >= warn => {
                    reached_err |= figure >= err;
                    Status::Warn
                }
                _ => Status::Ok,
            };
            partition(p, window.intervals, status)
        })
        .collect();
    let mut group = group(window, partitions);
    if reached_err {
        group.status = Status::Err;
    }
    group
}

/// Badness at group level, in Burrow's order.
fn severity(status: Status) -> u8 {
    match status {
        Status::NotFound => 0,
        Status::Ok => 1,
        Status::Warn => 2,
        Status::Err => 3,
        Status::Stop | Status::Stall | Status::Rewind => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Commit;

    fn commit(offset: i64) -> Commit {
        Commit {
            offset,
            timestamp_ms: offset,
            observed_ms: offset,
            lag: Some(1),
        }
    }

    fn window(topic: &str, partition: i32, lag: u64, commits: usize) -> PartitionWindow {
        PartitionWindow {
            topic: topic.into(),
            partition,
            commits: (0..commits as i64).map(commit).collect(),
            heads: vec![],
            current_lag: lag,
            owner: Some("/10.0.0.1".into()),
            client_id: None,
            time_lag: None,
            catchup_eta_ms: None,
        }
    }

    fn group_of(partitions: Vec<PartitionWindow>) -> GroupWindow {
        GroupWindow {
            cluster: "c".into(),
            group: "g".into(),
            now_ms: 0,
            intervals: 3,
            partitions,
        }
    }

    #[test]
    fn statuses_have_burrows_names() {
        assert_eq!(status_name(Status::Err), "ERR");
        assert_eq!(status_name(Status::NotFound), "NOTFOUND");
    }

    #[test]
    fn a_partition_verdict_carries_its_window() {
        let p = partition(&window("t", 1, 9, 2), 3, Status::Warn);
        assert_eq!((p.owner.as_str(), p.client_id.as_str()), ("/10.0.0.1", ""));
        assert_eq!((p.start, p.end), (Some(commit(0)), Some(commit(1))));
        assert_eq!(
            (p.current_lag, p.complete, p.time_lag_ms),
            (9, 2.0 / 3.0, None)
        );
        assert_eq!(
            partition(&window("t", 1, 9, 5), 3, Status::Ok).complete,
            1.0
        );
    }

    #[test]
    fn stop_stall_and_rewind_make_the_group_err() {
        for bad in [Status::Stop, Status::Stall, Status::Rewind] {
            let w = group_of(vec![window("t", 0, 1, 3), window("t", 1, 1, 3)]);
            let ps = vec![
                partition(&w.partitions[0], 3, Status::Warn),
                partition(&w.partitions[1], 3, bad),
            ];
            assert_eq!(group(&w, ps).status, Status::Err);
        }
    }

    #[test]
    fn the_group_is_its_worst_partition_and_ok_when_empty() {
        let w = group_of(vec![window("t", 0, 1, 3), window("t", 1, 1, 3)]);
        let ps = vec![
            partition(&w.partitions[0], 3, Status::Ok),
            partition(&w.partitions[1], 3, Status::Warn),
        ];
        assert_eq!(group(&w, ps).status, Status::Warn);
        let empty = group(&group_of(vec![]), vec![]);
        assert_eq!(
            (empty.status, empty.complete, empty.maxlag, empty.total_lag),
            (Status::Ok, 0.0, None, 0)
        );
    }

    #[test]
    fn maxlag_is_the_greatest_lag_ties_to_the_lowest_topic_and_partition() {
        let w = group_of(vec![
            window("b", 0, 50, 3),
            window("a", 2, 50, 3),
            window("a", 1, 10, 3),
            window("a", 3, 50, 3),
        ]);
        let ps = w
            .partitions
            .iter()
            .map(|p| partition(p, 3, Status::Ok))
            .collect();
        let g = group(&w, ps);
        let max = g.maxlag.unwrap();
        assert_eq!((max.topic.as_str(), max.partition), ("a", 2));
        assert_eq!((g.total_lag, g.partition_count), (160, 4));
    }

    #[test]
    fn complete_counts_partitions_with_a_full_window() {
        let w = group_of(vec![
            window("t", 0, 0, 3),
            window("t", 1, 0, 2),
            window("t", 2, 0, 4),
            window("t", 3, 0, 0),
        ]);
        let ps = w
            .partitions
            .iter()
            .map(|p| partition(p, 3, Status::Ok))
            .collect();
        assert_eq!(group(&w, ps).complete, 0.5);
    }

    #[test]
    fn max_time_lag_is_the_greatest_known_one() {
        let w = group_of(vec![window("t", 0, 0, 3), window("t", 1, 0, 3)]);
        let mut ps: Vec<_> = w
            .partitions
            .iter()
            .map(|p| partition(p, 3, Status::Ok))
            .collect();
        assert_eq!(group(&w, ps.clone()).max_time_lag_ms, None);
        ps[1].time_lag_ms = Some(700);
        assert_eq!(group(&w, ps).max_time_lag_ms, Some(700));
    }
}
