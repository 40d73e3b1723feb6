//! Burrow's partition rules as small pure functions. The evaluator ([`super`]) strips a
//! partition down to its commit window, recent HEAD offsets and current lag, and
//! [`calculate_partition_status`] runs these rules over it in Burrow 1.9.5's exact order
//! (`calculatePartitionStatus` in Burrow's
//! [`evaluator/caching.go`](https://github.com/linkedin/Burrow/blob/master/core/internal/evaluator/caching.go)).
//! Nothing here reads a clock or allocates.
//!
//! Every function takes the window oldest first and tolerates any length, including empty
//! (where Burrow would index out of bounds, these answer the harmless value instead).

use crate::model::Status;
use crate::storage::CommitEntry;

/// STOP: the consumer has been silent for longer than its whole window spans:
/// `(now - newest.ts) > (newest.ts - oldest.ts)`, on the commits' own timestamps.
///
/// With one commit the span is zero, so this is true as soon as a millisecond has passed.
/// Broker-side timestamps are compared with our clock, so clock skew shifts the verdict, as
/// in Burrow. `false` for an empty window.
pub fn offsets_stopped(commits: &[CommitEntry], now_ms: i64) -> bool {
    let (Some(first), Some(last)) = (commits.first(), commits.last()) else {
        return false;
    };
    // Saturating: a bogus far-past or far-future timestamp must not overflow into a panic.
    now_ms.saturating_sub(last.timestamp_ms) > last.timestamp_ms.saturating_sub(first.timestamp_ms)
}

/// Suppresses STOP: some recent HEAD offset is at or below the newest committed offset, i.e.
/// the consumer was caught up within the HEAD history (Burrow #303). `false` without commits
/// or HEAD samples.
pub fn recent_lag_zero(commits: &[CommitEntry], heads: &[i64]) -> bool {
    let Some(last) = commits.last() else {
        return false;
    };
    heads.iter().any(|&head| head <= last.offset)
}

/// REWIND, part 1: index of the first commit whose offset is below its predecessor's, if any.
///
/// Burrow returns -1 for "none"; the index is always ≥ 1 when present, which is what Burrow's
/// `r > 0` test relies on.
pub fn offsets_rewind(commits: &[CommitEntry]) -> Option<usize> {
    commits
        .windows(2)
        .position(|pair| pair[1].offset < pair[0].offset)
        .map(|i| i + 1)
}

/// REWIND, part 2 (Burrow #716): the consumer has since re-reached the offset it committed
/// just before the rewind at `rewind_index`, so the rewind is forgiven and the other rules
/// decide. `false` when `rewind_index` does not point after a commit of the window.
pub fn rewind_recovered(commits: &[CommitEntry], rewind_index: usize) -> bool {
    let Some(before) = rewind_index.checked_sub(1).and_then(|i| commits.get(i)) else {
        return false;
    };
    commits
        .get(rewind_index..)
        .is_some_and(|after| after.iter().any(|c| c.offset >= before.offset))
}

/// Gate for STALL and WARN: no commit of the window had a known lag within `allowed_lag`.
///
/// Commits with unknown lag (inserted out of order, Burrow's nil lag) neither satisfy nor
/// break the rule; a window of only unknown lags is "never zero".
pub fn lag_always_not_zero(commits: &[CommitEntry], allowed_lag: u64) -> bool {
    !commits
        .iter()
        .any(|c| c.lag.is_some_and(|lag| lag <= allowed_lag))
}

/// STALL: every commit of the window has the same offset (vacuously true for one commit,
/// which is why a lagging single-commit group whose STOP was suppressed is STALL).
pub fn offsets_stalled(commits: &[CommitEntry]) -> bool {
    commits
        .windows(2)
        .all(|pair| pair[1].offset == pair[0].offset)
}

/// WARN: among the known lags of the window, in order, none is below the one before it
/// (equal counts as "not decreasing"). Unknown lags are skipped, so the comparison bridges
/// over them.
pub fn lag_not_decreasing(commits: &[CommitEntry]) -> bool {
    let mut known = commits.iter().filter_map(|c| c.lag);
    let Some(mut previous) = known.next() else {
        return true;
    };
    for lag in known {
        if lag < previous {
            return false;
        }
        previous = lag;
    }
    true
}

/// Burrow's `calculatePartitionStatus`: the status of one partition from its window
/// (oldest first, no empty slots), recent HEAD offsets (any order), current lag and the
/// allowed lag. Only OK, WARN, STOP, STALL or REWIND come out.
///
/// The order is Burrow's and matters: STOP first (an old window with zero lag in it is still
/// stopped), then an unrecovered REWIND (even if lag was zero earlier in the window), and only
/// then the "lag was within allowed-lag somewhere" shortcut that guards STALL and WARN.
pub fn calculate_partition_status(
    commits: &[CommitEntry],
    heads: &[i64],
    current_lag: u64,
    allowed_lag: u64,
    now_ms: i64,
) -> Status {
    // Caught up (within the allowance) right now: never a problem, however old the commits.
    if current_lag <= allowed_lag {
        return Status::Ok;
    }
    if offsets_stopped(commits, now_ms) && !recent_lag_zero(commits, heads) {
        return Status::Stop;
    }
    if let Some(index) = offsets_rewind(commits)
        && !rewind_recovered(commits, index)
    {
        return Status::Rewind;
    }
    if lag_always_not_zero(commits, allowed_lag) {
        if offsets_stalled(commits) {
            return Status::Stall;
        }
        if lag_not_decreasing(commits) {
            return Status::Warn;
        }
    }
    Status::Ok
}

/// Each rule on its edge cases; Burrow's vectors (`super::vectors`) cover the common ones.
#[cfg(test)]
mod tests {
    use super::*;

    use crate::evaluator::tests::{MIN, T, c, window};

    #[test]
    fn empty_window_answers_without_panicking() {
        assert!(!offsets_stopped(&[], T));
        assert!(!recent_lag_zero(&[], &[1, 2]));
        assert_eq!(offsets_rewind(&[]), None);
        assert!(!rewind_recovered(&[], 0));
        assert!(lag_always_not_zero(&[], 0));
        assert!(offsets_stalled(&[]));
        assert!(lag_not_decreasing(&[]));
    }

    #[test]
    fn offsets_stopped_compares_silence_with_window_span() {
        let w = window(&[(1, 0), (2, 0), (3, 0)]); // spans 2 minutes
        assert!(
            !offsets_stopped(&w, T + 4 * MIN),
            "silence = span: not stopped"
        );
        assert!(offsets_stopped(&w, T + 4 * MIN + 1));
        assert!(
            offsets_stopped(&w[..1], T + 1),
            "one commit: stopped after 1 ms"
        );
        assert!(!offsets_stopped(&w, i64::MIN), "clock far behind saturates");
    }

    #[test]
    fn recent_lag_zero_needs_a_head_at_or_below_newest_commit() {
        let w = window(&[(10, 5), (20, 5)]);
        assert!(recent_lag_zero(&w, &[25, 20, 30]), "any order");
        assert!(!recent_lag_zero(&w, &[21, 30]));
        assert!(!recent_lag_zero(&w, &[]));
    }

    #[test]
    fn rewind_index_and_recovery() {
        let w = window(&[(10, 1), (30, 1), (20, 1), (25, 1), (15, 1)]);
        assert_eq!(offsets_rewind(&w), Some(2), "first decrease only");
        assert!(!rewind_recovered(&w, 2), "never back to 30");
        let w = window(&[(10, 1), (30, 1), (20, 1), (30, 1)]);
        assert!(
            rewind_recovered(&w, 2),
            "re-reaching the pre-rewind offset is enough"
        );
        assert!(!rewind_recovered(&w, 0), "index 0 has no predecessor");
        assert!(!rewind_recovered(&w, 9), "out of range");
        assert_eq!(offsets_rewind(&window(&[(1, 0), (1, 0), (2, 0)])), None);
    }

    #[test]
    fn lag_always_not_zero_uses_allowed_lag_and_skips_unknown_lags() {
        let w = [c(1, 0, Some(5)), c(2, 1, None), c(3, 2, Some(7))];
        assert!(lag_always_not_zero(&w, 0));
        assert!(lag_always_not_zero(&w, 4));
        assert!(!lag_always_not_zero(&w, 5), "5 <= allowed 5");
        assert!(
            lag_always_not_zero(&[c(1, 0, None)], 100),
            "only unknown lags"
        );
    }

    #[test]
    fn offsets_stalled_means_all_offsets_equal() {
        assert!(offsets_stalled(&window(&[(7, 1)])), "one commit: vacuously");
        assert!(offsets_stalled(&window(&[(7, 1), (7, 2), (7, 3)])));
        assert!(!offsets_stalled(&window(&[(7, 1), (8, 2), (7, 3)])));
    }

    #[test]
    fn lag_not_decreasing_bridges_unknown_lags() {
        assert!(
            lag_not_decreasing(&window(&[(1, 5), (2, 5), (3, 9)])),
            "equal counts"
        );
        assert!(!lag_not_decreasing(&window(&[(1, 5), (2, 4)])));
        let bridged = [c(1, 0, Some(9)), c(2, 1, None), c(3, 2, Some(4))];
        assert!(
            !lag_not_decreasing(&bridged),
            "9 -> (unknown) -> 4 decreases"
        );
        assert!(lag_not_decreasing(&[c(1, 0, None), c(2, 1, None)]));
    }
}
