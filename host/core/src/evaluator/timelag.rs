//! Lag in seconds, and time to catch up: two different quantities that are easy to confuse.
//!
//! - **Time lag** (`time_lag_ms`) is an *age*: how long ago the next record the group has not
//!   consumed was written. It is read off the partition's production curve (the HEAD timeline
//!   storage keeps): the time at which HEAD passed the committed offset. Between two
//!   observations that is a linear interpolation, accurate to about one offset-refresh
//!   interval. Older than the timeline, the curve's average rate is extended backwards by at
//!   most the timeline's own span, and marked `Extrapolated`; beyond that (or with no rate to
//!   extend) only the age of the oldest observation is certain, and the answer says
//!   `AtLeast`. At or past HEAD it is 0 (`CaughtUp`), also when the commit was read after a
//!   HEAD poll and lies ahead of it. Never negative, never NaN, never "3 years" from 45
//!   minutes of data (the failure modes of kafka-lag-exporter's interpolation, its
//!   [`LookupTable.scala`](https://github.com/seglo/kafka-lag-exporter/blob/master/src/main/scala/com/lightbend/kafkalagexporter/LookupTable.scala)).
//! - **Catch-up ETA** (`catchup_eta_ms`) is a *duration ahead*: at the current consume and
//!   produce rates, when the lag reaches zero. Only defined while the group is behind and
//!   consuming faster than producers write (AWS's `EstimatedTimeLag` is this kind).
//!
//! Pure functions: time is passed in.

use serde::{Deserialize, Serialize};

use crate::storage::{CommitEntry, HeadSample};

/// How a time lag was obtained (mirrors WIT `lag-estimate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LagEstimate {
    /// The committed offset is at HEAD.
    CaughtUp,
    /// Between two HEAD observations.
    Interpolated,
    /// Older than the HEAD timeline, extended along its rate by at most its span.
    Extrapolated,
    /// Older than the HEAD timeline and not extendable: a lower bound.
    AtLeast,
}

impl LagEstimate {
    /// The JSON/metrics spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LagEstimate::CaughtUp => "caught_up",
            LagEstimate::Interpolated => "interpolated",
            LagEstimate::Extrapolated => "extrapolated",
            LagEstimate::AtLeast => "at_least",
        }
    }
}

/// The age of a partition's next unconsumed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLag {
    /// Milliseconds; never negative.
    pub ms: u64,
    /// How it was estimated.
    pub estimate: LagEstimate,
}

/// ETAs beyond this are not "catching up" in any sense an operator can act on.
const MAX_ETA_MS: f64 = 30.0 * 86_400_000.0;

/// Time lag of `committed` against `timeline` (oldest first, offsets non-decreasing, times
/// increasing, as storage keeps it). `None` without any HEAD observation.
pub fn time_lag(timeline: &[HeadSample], committed: i64, now_ms: i64) -> Option<TimeLag> {
    let newest = *timeline.last()?;
    let age = |t: f64| (now_ms as f64 - t).max(0.0).round() as u64;
    if committed >= newest.offset {
        return Some(TimeLag {
            ms: 0,
            estimate: LagEstimate::CaughtUp,
        });
    }
    // The record at `committed` was written when HEAD went from `committed` to `committed+1`:
    // find the first observation that had already passed it.
    let j = timeline.partition_point(|s| s.offset <= committed);
    if j > 0 {
        let (l, r) = (timeline[j - 1], timeline[j]);
        let f = (gap(committed, l.offset) + 1.0) / gap(r.offset, l.offset);
        let written = l.observed_ms as f64 + f * gap(r.observed_ms, l.observed_ms);
        return Some(TimeLag {
            ms: age(written),
            estimate: LagEstimate::Interpolated,
        });
    }
    let oldest = timeline[0];
    let lower_bound = TimeLag {
        ms: age(oldest.observed_ms as f64),
        estimate: LagEstimate::AtLeast,
    };
    let span = gap(newest.observed_ms, oldest.observed_ms);
    let produced = gap(newest.offset, oldest.offset);
    if span <= 0.0 || produced <= 0.0 {
        return Some(lower_bound);
    }
    let before = gap(oldest.offset, committed) * span / produced;
    if before > span {
        return Some(lower_bound);
    }
    Some(TimeLag {
        ms: age(oldest.observed_ms as f64 - before),
        estimate: LagEstimate::Extrapolated,
    })
}

/// Time until `lag` reaches zero at the consume rate seen over the commit window and the
/// produce rate seen on the timeline over the same stretch. `None` when caught up, with fewer
/// than two commits, when the group stopped committing (no commit for longer than its window
/// spans, Burrow's STOP test), or when it does not consume faster than producers write.
pub fn catchup_eta(
    commits: &[CommitEntry],
    timeline: &[HeadSample],
    lag: u64,
    now_ms: i64,
) -> Option<u64> {
    if lag == 0 {
        return None;
    }
    let (first, last) = (commits.first()?, commits.last()?);
    let window = gap(last.timestamp_ms, first.timestamp_ms);
    if window <= 0.0 || gap(now_ms, last.timestamp_ms) > window {
        return None;
    }
    let consumed = gap(last.offset, first.offset) / window;
    let newest = timeline.last()?;
    let from = head_at(timeline, first.timestamp_ms);
    let span = gap(
        newest.observed_ms,
        first.timestamp_ms.max(timeline[0].observed_ms),
    );
    let produced = if span > 0.0 {
        gap(newest.offset, from) / span
    } else {
        0.0
    };
    let closing = consumed - produced;
    if closing <= 0.0 {
        return None;
    }
    let eta = lag as f64 / closing;
    (eta <= MAX_ETA_MS).then(|| eta.round() as u64)
}

/// HEAD at time `t`, interpolated on the timeline and clamped to its ends.
fn head_at(timeline: &[HeadSample], t: i64) -> i64 {
    let j = timeline.partition_point(|s| s.observed_ms <= t);
    if j == 0 {
        return timeline.first().map_or(0, |s| s.offset);
    }
    let l = timeline[j - 1];
    let Some(r) = timeline.get(j) else {
        return l.offset;
    };
    let f = gap(t, l.observed_ms) / gap(r.observed_ms, l.observed_ms);
    l.offset
        .saturating_add((f * gap(r.offset, l.offset)).round() as i64)
}

/// `a - b` without overflow: offsets and commit times come from Kafka clients, which may write
/// any 64-bit value, so a difference can exceed `i64`.
fn gap(a: i64, b: i64) -> f64 {
    (i128::from(a) - i128::from(b)) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tl(points: &[(i64, i64)]) -> Vec<HeadSample> {
        points
            .iter()
            .map(|&(offset, observed_ms)| HeadSample {
                offset,
                observed_ms,
            })
            .collect()
    }

    fn c(offset: i64, timestamp_ms: i64) -> CommitEntry {
        CommitEntry {
            offset,
            timestamp_ms,
            observed_ms: timestamp_ms,
            lag: None,
        }
    }

    #[test]
    fn no_head_observation_gives_no_estimate() {
        assert_eq!(time_lag(&[], 5, 1_000), None);
    }

    #[test]
    fn at_or_past_head_is_zero_even_when_the_commit_is_ahead_of_the_poll() {
        let t = tl(&[(0, 0), (100, 10_000)]);
        for committed in [100, 150] {
            assert_eq!(
                time_lag(&t, committed, 20_000),
                Some(TimeLag {
                    ms: 0,
                    estimate: LagEstimate::CaughtUp
                })
            );
        }
    }

    #[test]
    fn between_two_observations_the_write_time_is_interpolated() {
        // 10 records/s from t=0; record 49 was written at ~5 s; now 60 s.
        let t = tl(&[(0, 0), (100, 10_000), (200, 20_000)]);
        let lag = time_lag(&t, 49, 60_000).unwrap();
        assert_eq!(lag.estimate, LagEstimate::Interpolated);
        assert_eq!(lag.ms, 55_000);
    }

    #[test]
    fn a_flat_run_dates_unread_records_to_when_production_resumed() {
        // Offset 100 seen from 10 s to 50 s, then 110 at 60 s: record 100 was written between
        // 50 s and 60 s, not at 10 s.
        let t = tl(&[(0, 0), (100, 10_000), (100, 50_000), (110, 60_000)]);
        let lag = time_lag(&t, 100, 70_000).unwrap();
        assert_eq!(lag.ms, 19_000);
    }

    #[test]
    fn a_consumer_behind_the_timeline_is_extrapolated_by_at_most_its_span() {
        let t = tl(&[(1_000, 100_000), (2_000, 200_000)]);
        // 500 records before the oldest point at 10/s: 50 s earlier.
        let lag = time_lag(&t, 500, 200_000).unwrap();
        assert_eq!(lag.estimate, LagEstimate::Extrapolated);
        assert_eq!(lag.ms, 150_000);
        // Far further back than the timeline reaches: only the certain part is claimed.
        let t = tl(&[(5_000, 100_000), (6_000, 200_000)]);
        let lag = time_lag(&t, 0, 200_000).unwrap();
        assert_eq!(lag.estimate, LagEstimate::AtLeast);
        assert_eq!(lag.ms, 100_000);
    }

    #[test]
    fn a_single_observation_gives_a_lower_bound_not_nan() {
        let lag = time_lag(&tl(&[(50, 1_000)]), 10, 31_000).unwrap();
        assert_eq!(
            lag,
            TimeLag {
                ms: 30_000,
                estimate: LagEstimate::AtLeast
            }
        );
    }

    #[test]
    fn offsets_and_times_at_the_ends_of_i64_give_answers_not_overflow() {
        // A client may commit any 64-bit offset; the estimates must stay total.
        let t = tl(&[(i64::MIN + 1, 0), (i64::MAX, 10_000)]);
        assert!(time_lag(&t, i64::MIN, 20_000).is_some());
        assert!(time_lag(&t, 0, 20_000).is_some());
        let far = tl(&[(i64::MAX - 1, 0), (i64::MAX, 10_000)]);
        assert!(time_lag(&far, i64::MIN, 20_000).is_some());
        let commits = [c(i64::MIN, 1_000), c(i64::MAX, 10_000)];
        let _ = catchup_eta(&commits, &t, u64::MAX, 10_000);
        let backwards = [c(i64::MAX, 1_000), c(i64::MIN, 10_000)];
        assert_eq!(catchup_eta(&backwards, &t, 5, 10_000), None);
        let _ = catchup_eta(&commits, &t, 5, i64::MIN);
    }

    #[test]
    fn the_eta_exists_only_while_consuming_faster_than_producing() {
        // Producing 10/s all along; the consumer reads 20/s over its window.
        let t = tl(&[(0, 0), (600, 60_000)]);
        let fast = [c(0, 30_000), c(600, 60_000)];
        // Lag 300 closing at 10/s: 30 s.
        assert_eq!(catchup_eta(&fast, &t, 300, 60_000), Some(30_000));
        let slow = [c(0, 30_000), c(150, 60_000)];
        assert_eq!(catchup_eta(&slow, &t, 300, 60_000), None);
        assert_eq!(catchup_eta(&fast, &t, 0, 60_000), None);
        // No commit for longer than the window spans: stopped, no ETA.
        assert_eq!(catchup_eta(&fast, &t, 300, 100_000), None);
        assert_eq!(catchup_eta(&fast[..1], &t, 300, 60_000), None);
    }
}
