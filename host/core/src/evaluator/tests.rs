//! Evaluator behaviour as named scenarios: a table of partition verdicts (the rules of Burrow's
//! [`evaluator/caching.go`](https://github.com/linkedin/Burrow/blob/master/core/internal/evaluator/caching.go)), then
//! group aggregation, the snapshot adapter and the JSON shape. Rule functions are tested in
//! `rules.rs`, Burrow's own vectors in `vectors.rs`.

use super::*;
use crate::storage::{HeadSample, PartitionSnapshot, TopicSnapshot};

/// Base time of the test windows.
pub(crate) const T: i64 = 1_700_000_000_000;
/// One minute.
pub(crate) const MIN: i64 = 60_000;

/// A commit `minutes` after `T`.
pub(crate) fn c(offset: i64, minutes: i64, lag: Option<u64>) -> CommitEntry {
    CommitEntry {
        offset,
        timestamp_ms: T + minutes * MIN,
        observed_ms: T + minutes * MIN,
        lag,
    }
}

/// Commits one minute apart with the given (offset, lag) pairs.
pub(crate) fn window(points: &[(i64, u64)]) -> Vec<CommitEntry> {
    (0..)
        .zip(points)
        .map(|(m, &(o, l))| c(o, m, Some(l)))
        .collect()
}

fn input<'a>(commits: &'a [CommitEntry], heads: &'a [i64], lag: u64) -> PartitionInput<'a> {
    PartitionInput {
        topic: "t",
        partition: 0,
        commits,
        heads,
        timeline: &[],
        current_lag: lag,
        owner: None,
        client_id: None,
    }
}

/// One partition scenario: a window judged at `now` minutes after `T`.
struct Scenario {
    name: &'static str,
    commits: Vec<CommitEntry>,
    heads: Vec<i64>,
    current_lag: u64,
    now: i64,
    allowed_lag: u64,
    minimum_complete: f64,
    status: Status,
    /// Checked when set.
    complete: Option<f64>,
}

fn scenario(
    name: &'static str,
    commits: Vec<CommitEntry>,
    heads: &[i64],
    current_lag: u64,
    now: i64,
    status: Status,
) -> Scenario {
    Scenario {
        name,
        commits,
        heads: heads.to_vec(),
        current_lag,
        now,
        allowed_lag: 0,
        minimum_complete: 0.0,
        status,
        complete: None,
    }
}

/// 15 commits for a 10-slot window; the first offset differs, so only a whole-window
/// evaluation sees progress (the last 10 alone would be STALL).
fn longer_than_intervals() -> Vec<CommitEntry> {
    let mut w = vec![c(50, 0, Some(1))];
    w.extend((1..15).map(|m| c(100, m, Some(m as u64 + 1))));
    w
}

/// Arguments of `scenario`: name, window, HEAD offsets, current lag, now (minutes), status.
#[rustfmt::skip] // a table reads better with one scenario per row than one field per line
fn scenarios() -> Vec<Scenario> {
    use Status::*;
    let five = || window(&[(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]);
    let stale = || window(&[(100, 5), (200, 6), (300, 7)]);
    vec![
        Scenario { complete: Some(0.0), ..scenario("no_commits_is_ok_with_zero_complete", vec![], &[5], 5, 1, Ok) },
        scenario("single_commit_with_lag_is_stop", vec![c(100, 0, Some(5))], &[105], 5, 1, Stop),
        // HEAD 100 <= offset 100: caught up recently, so STOP is off; one commit is "stalled".
        scenario("single_commit_with_lag_and_recent_head_is_stall", vec![c(100, 0, Some(5))], &[100, 105], 5, 1, Stall),
        scenario("stale_window_without_recent_head_is_stop", stale(), &[310], 10, 60, Stop),
        scenario("stop_suppressed_by_recent_head_falls_through_to_warn", stale(), &[290, 310], 10, 60, Warn),
        scenario("nil_lags_skipped_growing_known_lags_warn",
            vec![c(1, 0, Some(1)), c(2, 1, None), c(3, 2, Some(2)), c(4, 3, None)], &[9], 5, 3, Warn),
        scenario("nil_lags_skipped_zero_lag_once_is_ok",
            vec![c(1, 0, Some(0)), c(2, 1, None), c(3, 2, Some(2))], &[9], 5, 2, Ok),
        scenario("rewind_recovered_then_lag_rising_warns",
            window(&[(100, 5), (200, 10), (150, 60), (250, 70)]), &[330], 80, 3, Warn),
        scenario("rewind_recovered_then_lag_falling_is_ok",
            window(&[(100, 5), (200, 10), (150, 60), (250, 20)]), &[330], 80, 3, Ok),
        // Burrow row 7's window with the last commit short of the pre-rewind 3000.
        scenario("rewind_not_recovered_is_rewind",
            window(&[(1000, 100), (2000, 150), (3000, 200), (2000, 1250), (2500, 300)]), &[2800], 300, 4, Rewind),
        // STOP outranks an unrecovered rewind: it is checked first.
        scenario("stop_checked_before_rewind", window(&[(30, 5), (20, 15)]), &[40], 20, 60, Stop),
        // Burrow #714: caught up, then rewound by a rebalance; zero lag earlier does not hide it...
        scenario("rewind_after_zero_lag_is_rewind",
            window(&[(10, 0), (20, 0), (30, 0), (20, 20)]), &[40], 20, 3, Rewind),
        // ...and once back at 30 the window is judged normally (lag was 0 in it: OK).
        scenario("rewind_after_zero_lag_recovered_is_ok",
            window(&[(20, 0), (30, 0), (20, 20), (30, 15)]), &[45], 15, 3, Ok),
        scenario("zero_current_lag_with_old_commits_is_ok", window(&[(100, 50), (100, 60)]), &[100], 0, 10_000, Ok),
        Scenario { minimum_complete: 0.6, complete: Some(0.5),
            ..scenario("minimum_complete_gate_keeps_half_window_ok", five(), &[9], 4, 60, Ok) },
        Scenario { minimum_complete: 0.5, complete: Some(0.5),
            ..scenario("minimum_complete_exactly_met_runs_rules", five(), &[9], 4, 60, Stop) },
        Scenario { allowed_lag: 5,
            ..scenario("allowed_lag_covers_current_lag", window(&[(1, 1), (1, 2)]), &[9], 5, 60, Ok) },
        Scenario { allowed_lag: 5,
            ..scenario("allowed_lag_covers_a_lag_in_the_window", window(&[(1, 4), (2, 6), (3, 8)]), &[20], 17, 2, Ok) },
        scenario("strictly_increasing_lag_warns", window(&[(10, 1), (20, 2), (30, 3)]), &[40], 10, 2, Warn),
        scenario("equal_lags_warn_too", window(&[(10, 3), (20, 3), (30, 3)]), &[40], 10, 2, Warn),
        scenario("decreasing_lag_is_ok", window(&[(10, 3), (20, 2), (30, 1)]), &[40], 10, 2, Ok),
        Scenario { complete: Some(1.0),
            ..scenario("more_commits_than_intervals_all_evaluated_complete_capped",
                longer_than_intervals(), &[200], 100, 14, Warn) },
    ]
}

#[test]
fn partition_scenarios() {
    for s in scenarios() {
        let settings = RuleSettings {
            allowed_lag: s.allowed_lag,
            minimum_complete: s.minimum_complete,
            ..RuleSettings::burrow_defaults()
        };
        let p = evaluate_partition(
            &input(&s.commits, &s.heads, s.current_lag),
            &settings,
            T + s.now * MIN,
        );
        let n = s.name;
        assert_eq!(p.status, s.status, "{n}");
        if let Some(complete) = s.complete {
            assert_eq!(p.complete, complete, "{n}: complete");
        }
        assert_eq!(p.start, s.commits.first().copied(), "{n}: start");
        assert_eq!(p.end, s.commits.last().copied(), "{n}: end");
        assert_eq!(p.current_lag, s.current_lag, "{n}: current_lag");
    }
}

#[test]
fn unknown_owner_and_client_are_empty_strings() {
    let p = evaluate_partition(&input(&[], &[], 0), &RuleSettings::burrow_defaults(), T);
    assert_eq!((p.owner.as_str(), p.client_id.as_str()), ("", ""));
}

// ---- groups ----

fn part<'a>(
    topic: &'a str,
    partition: i32,
    commits: &'a [CommitEntry],
    lag: u64,
) -> PartitionInput<'a> {
    PartitionInput {
        topic,
        partition,
        ..input(commits, &[], lag)
    }
}

fn group(parts: Vec<PartitionInput<'_>>) -> GroupStatus {
    evaluate_group(
        "c",
        "g",
        parts,
        &RuleSettings::burrow_defaults(),
        T + 3 * MIN,
    )
}

#[test]
fn group_status_is_worst_partition_clamped_to_err() {
    let ok = window(&[(1, 0)]);
    let warn = window(&[(10, 1), (20, 2), (30, 3), (40, 4)]);
    let stalled = window(&[(10, 1), (10, 2), (10, 3), (10, 4)]);
    let g = group(vec![part("t", 0, &ok, 0), part("t", 1, &warn, 5)]);
    assert_eq!(g.status, Status::Warn);
    let g = group(vec![
        part("t", 0, &ok, 0),
        part("t", 1, &warn, 5),
        part("t", 2, &stalled, 5),
    ]);
    assert_eq!(g.status, Status::Err);
    assert_eq!(
        g.partitions[2].status,
        Status::Stall,
        "the detail keeps the real status"
    );
}

#[test]
fn group_complete_and_total_lag() {
    let full = window(&[(1, 0); 10]);
    let half = window(&[(1, 0); 5]);
    let g = group(vec![
        part("t", 0, &full, 3),
        part("t", 1, &half, 4),
        part("t", 2, &[], 0),
    ]);
    assert_eq!(
        (g.complete, g.total_lag, g.partition_count),
        (1.0 / 3.0, 7, 3)
    );
}

#[test]
fn maxlag_ties_go_to_lowest_topic_then_partition_and_output_is_sorted() {
    let w = window(&[(1, 0)]);
    let g = group(vec![
        part("b", 0, &w, 10),
        part("a", 2, &w, 10),
        part("a", 1, &w, 10),
        part("a", 0, &w, 5),
    ]);
    let m = g.maxlag.as_ref().map(|m| (m.topic.as_str(), m.partition));
    assert_eq!(m, Some(("a", 1)));
    let order: Vec<_> = g
        .partitions
        .iter()
        .map(|p| (p.topic.as_str(), p.partition))
        .collect();
    assert_eq!(order, [("a", 0), ("a", 1), ("a", 2), ("b", 0)]);
    let g = group(vec![part("b", 0, &w, 0), part("a", 3, &w, 0)]);
    assert_eq!(
        g.maxlag.map(|m| m.partition),
        Some(3),
        "all zero: still Some, lowest wins"
    );
}

#[test]
fn group_without_partitions_is_ok_with_zero_complete() {
    let g = group(vec![]);
    assert_eq!(
        (g.status, g.complete, g.partition_count, g.total_lag),
        (Status::Ok, 0.0, 0, 0)
    );
    assert_eq!(g.maxlag, None);
}

#[test]
fn not_found_shape() {
    let g = GroupStatus::not_found("c", "g");
    assert_eq!(
        (
            g.status,
            g.complete,
            g.partitions.len(),
            g.maxlag,
            g.total_lag
        ),
        (Status::NotFound, 1.0, 0, None, 0)
    );
}

#[test]
fn only_problems_filters_partitions_and_keeps_the_summary() {
    let ok = window(&[(1, 0), (2, 0), (3, 0), (4, 0)]);
    let stalled = window(&[(10, 1), (10, 2), (10, 3), (10, 4)]);
    let g = group(vec![part("t", 0, &ok, 9), part("t", 1, &stalled, 5)]);
    assert_eq!(g.partitions[0].status, Status::Ok);
    let p = g.only_problems();
    assert_eq!(
        p.partitions.iter().map(|p| p.partition).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(
        (
            p.maxlag,
            p.total_lag,
            p.complete,
            p.partition_count,
            p.status
        ),
        (g.maxlag, 14, g.complete, 2, Status::Err)
    );
}

#[test]
fn snapshot_maps_partition_ids_owners_heads_and_intervals() {
    let p =
        |commits: Vec<CommitEntry>, heads: &[i64], lag, owner: Option<&str>| PartitionSnapshot {
            commits,
            owner: owner.map(str::to_string),
            client_id: owner.map(|_| "client-1".to_string()),
            current_lag: lag,
            heads: heads
                .iter()
                .map(|&offset| HeadSample {
                    offset,
                    observed_ms: T,
                })
                .collect(),
            timeline: Default::default(),
        };
    let snapshot = GroupSnapshot {
        group: "g".into(),
        intervals: 2,
        state: None,
        last_commit_ms: T,
        topics: vec![TopicSnapshot {
            topic: "t".into(),
            partitions: vec![
                p(vec![c(100, 0, Some(5))], &[100, 105], 5, Some("/10.0.0.1")),
                p(vec![], &[7], 0, None),
                p(vec![c(100, 0, Some(5))], &[105], 5, None),
            ],
        }],
    };
    let settings = RuleSettings {
        intervals: 10,
        ..RuleSettings::burrow_defaults()
    };
    let g = evaluate_snapshot("c", &snapshot, &settings, T + MIN);
    let got: Vec<_> = g
        .partitions
        .iter()
        .map(|p| (p.partition, p.status, p.complete))
        .collect();
    // Partition 0's HEAD history reaches its commit (STALL, not STOP); 2's does not.
    assert_eq!(
        got,
        [
            (0, Status::Stall, 0.5),
            (1, Status::Ok, 0.0),
            (2, Status::Stop, 0.5)
        ]
    );
    assert_eq!(
        (
            g.partitions[0].owner.as_str(),
            g.partitions[0].client_id.as_str()
        ),
        ("/10.0.0.1", "client-1")
    );
    assert_eq!(
        (g.cluster.as_str(), g.group.as_str(), g.status),
        ("c", "g", Status::Err)
    );
}

#[test]
fn serializes_statuses_as_burrow_strings() {
    let w = window(&[(1, 0)]);
    let g = group(vec![part("t", 0, &w, 0), part("t", 1, &[], 0)]);
    let json = serde_json::to_value(&g).unwrap_or_default();
    assert_eq!(json["status"], "OK");
    assert_eq!(json["partitions"][0]["start"]["offset"], 1);
    assert!(json["partitions"][1]["start"].is_null());
    assert_eq!(
        serde_json::to_value(GroupStatus::not_found("c", "g")).unwrap_or_default()["status"],
        "NOTFOUND"
    );
}

#[test]
fn a_group_takes_the_longest_catch_up_of_its_partitions_behind_and_none_if_one_is_not_closing_in() {
    let part = |lag: u64, eta: Option<u64>, time: Option<u64>| PartitionStatus {
        topic: "t".into(),
        partition: 0,
        owner: String::new(),
        client_id: String::new(),
        status: Status::Ok,
        start: None,
        end: None,
        current_lag: lag,
        complete: 1.0,
        time_lag: time.map(|ms| TimeLag {
            ms,
            estimate: LagEstimate::Interpolated,
        }),
        catchup_eta_ms: eta,
    };
    let mut g = GroupStatus::not_found("c", "g");
    g.partitions = vec![
        part(10, Some(10_000), Some(4_000)),
        part(50, Some(30_000), Some(9_000)),
        part(0, None, Some(0)),
    ];
    g.roll_up_time_lag();
    assert_eq!(
        (g.catchup_eta_ms, g.max_time_lag_ms),
        (Some(30_000), Some(9_000))
    );
    g.partitions.push(part(5, None, None));
    g.roll_up_time_lag();
    assert_eq!((g.catchup_eta_ms, g.max_time_lag_ms), (None, Some(9_000)));
    g.partitions = vec![part(0, None, None)];
    g.roll_up_time_lag();
    assert_eq!((g.catchup_eta_ms, g.max_time_lag_ms), (None, None));
}
