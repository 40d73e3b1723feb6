//! Property tests (proptest) of storage's window invariants and the evaluator's verdicts, on
//! random commit sequences through the public API, with time passed in as the code expects.
//!
//! Storage: a window holds a partition's newest `intervals` commits in arrival order; with a
//! `min-distance`, a commit closer than that to the newest one overwrites it, so stored commits
//! stay that far apart; a replayed commit (an order already seen) is dropped and changes
//! nothing. Evaluator: a group is never better than its worst partition (STOP, STALL and REWIND
//! count as ERR), and worsening lag never improves a partition's or a group's status.

use proptest::prelude::*;
use warren_core::evaluator::{PartitionInput, RuleSettings, evaluate_group, evaluate_partition};
use warren_core::model::{Commit, Status};
use warren_core::storage::{
    CommitEntry, CommitOutcome, CommitSource, DropReason, GroupSnapshot, StorageHandle,
    StorageSettings,
};

const PARTITIONS: usize = 3;
/// Every commit is stored this long after its timestamp.
const OBSERVED_AFTER_MS: i64 = 250;
const BASE_MS: i64 = 1_700_000_000_000;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One commit of group `g` on topic `t`: partition, offset, and timestamp as a step from the
/// previous commit's (negative steps: clients' clocks and replays are not ordered).
#[derive(Debug, Clone, Copy)]
struct Step {
    partition: i32,
    offset: i64,
    ts_step_ms: i64,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (0..PARTITIONS as i32, 0i64..10_000, -2_000i64..20_000).prop_map(
            |(partition, offset, ts_step_ms)| Step {
                partition,
                offset,
                ts_step_ms,
            },
        ),
        0..60,
    )
}

/// A store of one cluster `c` whose topic `t` has HEAD 1,000,000 on every partition.
fn store(intervals: u16, min_distance_ms: i64) -> StorageHandle {
    let settings = StorageSettings {
        intervals,
        min_distance_ms,
        ..StorageSettings::burrow_defaults()
    };
    let h = StorageHandle::new(["c".to_string()], settings);
    let mut w = h.cluster("c").expect("cluster c").writer();
    w.set_topics(&[("t".into(), PARTITIONS)]);
    let heads: Vec<(i32, i64)> = (0..PARTITIONS as i32).map(|p| (p, 1_000_000)).collect();
    w.record_heads("t", &heads, BASE_MS);
    drop(w);
    h
}

/// The commits as the offsets topic would deliver them: timestamps from the steps, orders
/// 1, 2, 3, ...
fn commits(steps: &[Step]) -> Vec<(i32, i64, i64, i64)> {
    let mut ts = BASE_MS;
    steps
        .iter()
        .zip(1..)
        .map(|(s, order)| {
            ts += s.ts_step_ms;
            (s.partition, s.offset, ts, order)
        })
        .collect()
}

fn apply(h: &StorageHandle, commits: &[(i32, i64, i64, i64)]) -> Vec<CommitOutcome> {
    let mut w = h.cluster("c").expect("cluster c").writer();
    commits
        .iter()
        .map(|&(partition, offset, timestamp_ms, order)| {
            let c = Commit {
                group: "g",
                topic: "t",
                partition,
                offset,
                timestamp_ms,
                order,
            };
            w.commit(
                &c,
                CommitSource::OffsetsTopic,
                timestamp_ms + OBSERVED_AFTER_MS,
            )
        })
        .collect()
}

fn snapshot(h: &StorageHandle) -> Option<GroupSnapshot> {
    h.cluster("c").expect("cluster c").group("g")
}

/// `(offset, timestamp)` of each partition's window, oldest first.
fn windows(h: &StorageHandle) -> Vec<Vec<(i64, i64)>> {
    let mut out = vec![Vec::new(); PARTITIONS];
    for t in snapshot(h).iter().flat_map(|s| &s.topics) {
        for (p, part) in t.partitions.iter().enumerate() {
            out[p] = part
                .commits
                .iter()
                .map(|c| (c.offset, c.timestamp_ms))
                .collect();
        }
    }
    out
}

/// What the windows must hold: per partition, append each commit unless it is closer than
/// `min_distance_ms` to the newest one, which it then overwrites (keeping the older
/// timestamp); keep the newest `intervals`.
fn model(
    commits: &[(i32, i64, i64, i64)],
    intervals: u16,
    min_distance_ms: i64,
) -> (Vec<Vec<(i64, i64)>>, Vec<CommitOutcome>) {
    let mut windows = vec![Vec::<(i64, i64)>::new(); PARTITIONS];
    let outcomes = commits
        .iter()
        .map(|&(p, offset, ts, _)| {
            let w = &mut windows[p as usize];
            match w.last_mut() {
                Some(newest) if ts - newest.1 < min_distance_ms => {
                    newest.0 = offset;
                    CommitOutcome::Merged
                }
                _ => {
                    w.push((offset, ts));
                    if w.len() > usize::from(intervals) {
                        w.remove(0);
                    }
                    CommitOutcome::Stored
                }
            }
        })
        .collect();
    (windows, outcomes)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_window_holds_the_newest_commits_in_arrival_order(
        intervals in 1u16..8,
        steps in steps(),
    ) {
        let h = store(intervals, 0);
        let commits = commits(&steps);
        let outcomes = apply(&h, &commits);
        let (expected, expected_outcomes) = model(&commits, intervals, 0);
        prop_assert_eq!(outcomes, expected_outcomes);
        prop_assert_eq!(windows(&h), expected);
    }

    #[test]
    fn commits_closer_than_min_distance_merge_and_stored_ones_stay_that_far_apart(
        intervals in 1u16..8,
        min_distance_ms in 1i64..15_000,
        steps in steps(),
    ) {
        let h = store(intervals, min_distance_ms);
        let commits = commits(&steps);
        let outcomes = apply(&h, &commits);
        let (expected, expected_outcomes) = model(&commits, intervals, min_distance_ms);
        prop_assert_eq!(outcomes, expected_outcomes);
        let windows = windows(&h);
        for w in &windows {
            for pair in w.windows(2) {
                prop_assert!(pair[1].1 - pair[0].1 >= min_distance_ms, "{:?}", w);
            }
        }
        prop_assert_eq!(windows, expected);
    }

    #[test]
    fn a_replayed_commit_is_dropped_and_changes_nothing(
        intervals in 1u16..8,
        min_distance_ms in 0i64..5_000,
        steps in steps(),
        replay in prop::collection::vec(any::<prop::sample::Index>(), 1..20),
    ) {
        let h = store(intervals, min_distance_ms);
        let commits = commits(&steps);
        apply(&h, &commits);
        let before = snapshot(&h);
        prop_assume!(!commits.is_empty());
        let replayed: Vec<_> = replay.iter().map(|i| *i.get(&commits)).collect();
        for outcome in apply(&h, &replayed) {
            prop_assert_eq!(outcome, CommitOutcome::Dropped(DropReason::Replayed));
        }
        prop_assert_eq!(snapshot(&h), before);
    }
}

/// One partition's window for the evaluator: offsets as steps from the previous (negative:
/// a rewind), commits one to five minutes apart, each with a lag that may be unknown.
#[derive(Debug, Clone)]
struct Window {
    commits: Vec<CommitEntry>,
    heads: Vec<i64>,
    current_lag: u64,
}

fn window() -> impl Strategy<Value = Window> {
    (
        prop::collection::vec(
            (
                -50i64..200,
                60_000i64..300_000,
                prop::option::weighted(0.8, 0u64..500),
            ),
            0..12,
        ),
        prop::collection::vec(0i64..3_000, 0..4),
        0u64..1_000,
    )
        .prop_map(|(steps, heads, current_lag)| {
            let (mut offset, mut ts) = (1_000i64, BASE_MS);
            let commits = steps
                .into_iter()
                .map(|(step, gap, lag)| {
                    offset += step;
                    ts += gap;
                    CommitEntry {
                        offset,
                        timestamp_ms: ts,
                        observed_ms: ts,
                        lag,
                    }
                })
                .collect();
            Window {
                commits,
                heads,
                current_lag,
            }
        })
}

fn settings() -> impl Strategy<Value = RuleSettings> {
    (
        1u16..12,
        0u64..100,
        prop::sample::select(vec![0.0, 0.5, 1.0]),
    )
        .prop_map(|(intervals, allowed_lag, minimum_complete)| RuleSettings {
            intervals,
            allowed_lag,
            minimum_complete,
        })
}

fn input<'a>(i: usize, w: &'a Window) -> PartitionInput<'a> {
    PartitionInput {
        topic: "t",
        partition: i32::try_from(i).expect("few partitions"),
        commits: &w.commits,
        heads: &w.heads,
        timeline: &[],
        current_lag: w.current_lag,
        owner: None,
        client_id: None,
    }
}

/// How bad a status is for a group: a partition's STOP, STALL and REWIND all make it ERR.
fn severity(s: Status) -> u8 {
    match s {
        Status::NotFound | Status::Ok => 0,
        Status::Warn => 1,
        Status::Err | Status::Stop | Status::Stall | Status::Rewind => 2,
    }
}

/// `w` with its lag worse: the current lag and every known lag at commit raised.
fn worse(w: &Window, current: u64, at_commit: u64) -> Window {
    let mut worse = w.clone();
    worse.current_lag += current;
    for c in &mut worse.commits {
        c.lag = c.lag.map(|l| l + at_commit);
    }
    worse
}

/// A moment after the newest commit of any window: from just after to well past the span.
fn now(windows: &[Window], after_ms: i64) -> i64 {
    windows
        .iter()
        .filter_map(|w| w.commits.last())
        .map(|c| c.timestamp_ms)
        .max()
        .unwrap_or(BASE_MS)
        + after_ms
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_group_is_never_better_than_its_worst_partition(
        windows in prop::collection::vec(window(), 0..6),
        settings in settings(),
        after_ms in 0i64..4_000_000,
    ) {
        let now = now(&windows, after_ms);
        let group = evaluate_group(
            "c",
            "g",
            windows.iter().enumerate().map(|(i, w)| input(i, w)),
            &settings,
            now,
        );
        let worst = group.partitions.iter().map(|p| severity(p.status)).max().unwrap_or(0);
        prop_assert!(
            severity(group.status) >= worst,
            "group {:?}, partitions {:?}",
            group.status,
            group.partitions.iter().map(|p| p.status).collect::<Vec<_>>()
        );
        prop_assert!(matches!(group.status, Status::Ok | Status::Warn | Status::Err));
    }

    #[test]
    fn worsening_lag_never_improves_a_partition_or_its_group(
        windows in prop::collection::vec(window(), 1..6),
        raise in prop::collection::vec((0u64..2_000, 0u64..2_000), 6),
        settings in settings(),
        after_ms in 0i64..4_000_000,
    ) {
        let now = now(&windows, after_ms);
        let worse: Vec<Window> = windows
            .iter()
            .zip(&raise)
            .map(|(w, &(current, at_commit))| worse(w, current, at_commit))
            .collect();
        for (i, (w, v)) in windows.iter().zip(&worse).enumerate() {
            let before = evaluate_partition(&input(i, w), &settings, now).status;
            let after = evaluate_partition(&input(i, v), &settings, now).status;
            prop_assert!(
                severity(after) >= severity(before),
                "partition {} went from {:?} to {:?} with worse lag",
                i,
                before,
                after
            );
        }
        let group = |ws: &[Window]| {
            evaluate_group("c", "g", ws.iter().enumerate().map(|(i, w)| input(i, w)), &settings, now)
                .status
        };
        prop_assert!(severity(group(&worse)) >= severity(group(&windows)));
    }
}
