//! Conformance rows: Burrow's own evaluator test vectors (`caching_test.go`, Apache-2.0; the
//! numbers are ported, not the code) run through [`super::rules`]. Each row checks every rule's
//! verdict and the final status, as the Go table does.
//!
//! Provenance: rows 0–11 are upstream linkedin/Burrow's. Rows 12–14 are the allowed-lag rows as
//! written in the allowed-lag branch (getdreams/Burrow); they predate the rewind-recovery rule.
//! Burrow timestamps are ms and `timeNow` is seconds; rows keep seconds and convert once.

use super::rules::*;
use crate::model::Status;
use crate::storage::CommitEntry;

/// Expected verdict of each rule on a row's window.
#[derive(Debug, Clone, Copy)]
struct Rules {
    always_not_zero: bool,
    /// Index of the first rewind, if any.
    rewind: Option<usize>,
    /// Only meaningful when `rewind` is `Some`.
    recovered: bool,
    stopped: bool,
    stalled: bool,
    not_decreasing: bool,
    recent_zero: bool,
}

struct Row {
    name: &'static str,
    commits: Vec<CommitEntry>,
    heads: &'static [i64],
    current_lag: u64,
    allowed_lag: u64,
    now_s: i64,
    rules: Rules,
    status: Status,
}

fn c(offset: i64, timestamp_ms: i64, lag: Option<u64>) -> CommitEntry {
    CommitEntry {
        offset,
        timestamp_ms,
        observed_ms: timestamp_ms,
        lag,
    }
}

/// Offsets 1000..5000 a step apart, commits 100 s apart, with the given lags.
fn steady(lags: [u64; 5]) -> Vec<CommitEntry> {
    (0..5)
        .map(|i| c(1000 * (i + 1), 100_000 * (i + 1), Some(lags[i as usize])))
        .collect()
}

/// Offset 1000 committed five times, 100 s apart, with the given lags.
fn same_offset(lags: [u64; 5]) -> Vec<CommitEntry> {
    (0..5)
        .map(|i| c(1000, 100_000 * (i + 1), Some(lags[i as usize])))
        .collect()
}

/// Rows 7 and 14: offsets go 3000 -> 2000 (index 3), then on to 4000.
fn rewound() -> Vec<CommitEntry> {
    let offsets = [1000, 2000, 3000, 2000, 4000];
    let lags = [100, 150, 200, 1250, 300];
    (0..5)
        .map(|i| c(offsets[i], 100_000 * (i as i64 + 1), Some(lags[i])))
        .collect()
}

/// Rows 9 and 10: a consumer from Burrow #290/#303, one commit a second, always caught up.
fn caught_up_fast() -> Vec<CommitEntry> {
    const TS: [i64; 15] = [
        1512224618356,
        1512224619362,
        1512224620366,
        1512224621367,
        1512224622370,
        1512224623373,
        1512224624378,
        1512224625379,
        1512224626383,
        1512224627383,
        1512224628383,
        1512224629388,
        1512224630391,
        1512224631394,
        1512224632397,
    ];
    (0..15)
        .map(|i| c(792748079 + i as i64, TS[i], Some(0)))
        .collect()
}

/// Row 11: row 0 with an out-of-order (lag unknown) commit between each pair.
fn with_nil_lags() -> Vec<CommitEntry> {
    (0..10)
        .map(|i| {
            let lag = (i % 2 == 0).then_some(25 * i as u64);
            c(1000 + 500 * i, 100_000 + 50_000 * i, lag)
        })
        .collect()
}

const fn rules(
    always_not_zero: bool,
    stopped: bool,
    stalled: bool,
    not_decreasing: bool,
    recent_zero: bool,
) -> Rules {
    Rules {
        always_not_zero,
        rewind: None,
        recovered: false,
        stopped,
        stalled,
        not_decreasing,
        recent_zero,
    }
}

/// One row per Burrow test; `rules(..)` takes the verdicts in the order
/// (lag_always_not_zero, offsets_stopped, offsets_stalled, lag_not_decreasing, recent_lag_zero).
#[rustfmt::skip] // a table reads better with one row per Burrow test than one field per line
fn rows() -> Vec<Row> {
    let row = |name, commits, heads, current_lag, now_s, rules, status| Row {
        name,
        commits,
        heads,
        current_lag,
        allowed_lag: 0,
        now_s,
        rules,
        status,
    };
    let rewind_recovered = Rules {
        rewind: Some(3),
        recovered: true,
        ..rules(true, false, false, false, false)
    };
    vec![
        row("burrow_00_ok_because_zero_lag_somewhere", steady([0, 50, 100, 150, 200]), &[5200], 200, 600,
            rules(false, false, false, true, false), Status::Ok),
        row("burrow_01_not_stopped_when_silence_equals_window", steady([0, 50, 100, 150, 200]), &[5200], 200, 900,
            rules(false, false, false, true, false), Status::Ok),
        row("burrow_02_stop_despite_zero_lag_in_window", steady([0, 50, 100, 150, 200]), &[5200], 200, 1000,
            rules(false, true, false, true, false), Status::Stop),
        row("burrow_03_stop_with_lag_always_non_zero", steady([50, 100, 150, 200, 250]), &[5250], 250, 1000,
            rules(true, true, false, true, false), Status::Stop),
        row("burrow_04_same_offset_but_zero_lag_once_is_ok", same_offset([0, 50, 100, 150, 200]), &[1200], 200, 600,
            rules(false, false, true, true, false), Status::Ok),
        row("burrow_05_stall_same_offset_growing_lag", same_offset([100, 150, 200, 250, 300]), &[1300], 300, 600,
            rules(true, false, true, true, false), Status::Stall),
        row("burrow_06_stall_same_offset_constant_lag", same_offset([100; 5]), &[1100], 100, 600,
            rules(true, false, true, true, false), Status::Stall),
        // Before Burrow 1.3.7 (#716) this row was REWIND. Under 1.9.5's rule the rewind
        // 3000 -> 2000 is forgiven because 4000 re-reaches 3000, and the lag then falls
        // (1250 -> 300), so the partition is OK. See `rewind_not_recovered_is_rewind` in
        // tests.rs for the same window without the recovery.
        row("burrow_07_rewind_recovered_then_lag_decreasing", rewound(), &[4300], 300, 600,
            rewind_recovered, Status::Ok),
        row("burrow_08_ok_when_current_lag_zero_even_if_stopped", steady([50, 100, 150, 200, 250]), &[5250], 0, 1000,
            rules(true, true, false, true, false), Status::Ok),
        row("burrow_09_stop_when_new_data_arrives_after_commits_end", caught_up_fast(),
            &[792749024, 792749000, 792748800, 792748600, 792748500], 931, 1512224650,
            rules(false, true, false, true, false), Status::Stop),
        row("burrow_10_stop_suppressed_by_recent_zero_lag", caught_up_fast(),
            &[792748094, 792748093, 792748093, 792748093], 1, 1512224650,
            rules(false, true, false, true, true), Status::Ok),
        row("burrow_11_nil_lags_do_not_affect_row_0", with_nil_lags(), &[5700], 200, 600,
            rules(false, false, false, true, false), Status::Ok),
        Row {
            allowed_lag: 1,
            ..row("burrow_12_ok_when_lag_within_allowed_lag",
                vec![c(1000, 100_000, Some(2)), c(2000, 200_000, Some(1)), c(2000, 300_000, Some(1))],
                &[2001], 1, 550, rules(false, true, false, false, false), Status::Ok)
        },
        Row {
            allowed_lag: 1,
            ..row("burrow_13_stall_when_lag_above_allowed_lag", same_offset([100, 150, 200, 250, 300]),
                &[1300], 300, 600, rules(true, false, true, true, false), Status::Stall)
        },
        // Like row 7 (REWIND in the allowed-lag branch, which predates #716): OK under 1.9.5.
        Row {
            allowed_lag: 1,
            ..row("burrow_14_rewind_recovered_with_allowed_lag", rewound(), &[4300], 300, 600,
                rewind_recovered, Status::Ok)
        },
    ]
}

#[test]
fn burrow_vectors_rule_by_rule() {
    for r in rows() {
        let w = &r.commits;
        let got = Rules {
            always_not_zero: lag_always_not_zero(w, r.allowed_lag),
            rewind: offsets_rewind(w),
            recovered: offsets_rewind(w).is_some_and(|i| rewind_recovered(w, i)),
            stopped: offsets_stopped(w, r.now_s * 1000),
            stalled: offsets_stalled(w),
            not_decreasing: lag_not_decreasing(w),
            recent_zero: recent_lag_zero(w, r.heads),
        };
        let e = &r.rules;
        let n = r.name;
        assert_eq!(
            got.always_not_zero, e.always_not_zero,
            "{n}: lag_always_not_zero"
        );
        assert_eq!(got.rewind, e.rewind, "{n}: offsets_rewind");
        assert_eq!(got.recovered, e.recovered, "{n}: rewind_recovered");
        assert_eq!(got.stopped, e.stopped, "{n}: offsets_stopped");
        assert_eq!(got.stalled, e.stalled, "{n}: offsets_stalled");
        assert_eq!(
            got.not_decreasing, e.not_decreasing,
            "{n}: lag_not_decreasing"
        );
        assert_eq!(got.recent_zero, e.recent_zero, "{n}: recent_lag_zero");
    }
}

#[test]
fn burrow_vectors_final_status() {
    for r in rows() {
        let status = calculate_partition_status(
            &r.commits,
            r.heads,
            r.current_lag,
            r.allowed_lag,
            r.now_s * 1000,
        );
        assert_eq!(status, r.status, "{}", r.name);
    }
}
