//! HEAD-offset history of one topic. Every partition keeps two views of what the cluster
//! poller saw:
//!
//! - `recent`: the last `intervals` observations, exactly what Burrow's rules look at (a
//!   partition is "caught up recently" if its lag was zero at one of them);
//! - `timeline`: a longer, compressed production curve (offset over time) from which lag in
//!   seconds is interpolated (`evaluator::timelag`).
//!
//! The timeline follows kafka-lag-exporter's lookup table
//! ([`LookupTable.scala`](https://github.com/seglo/kafka-lag-exporter/blob/master/src/main/scala/com/lightbend/kafkalagexporter/LookupTable.scala))
//! and fixes where it goes
//! wrong: a run of equal offsets is stored as its first and latest sighting, so an idle
//! partition does not use up points; when the timeline is full, the interior point whose
//! removal changes the curve least is dropped (instead of the oldest), so the history keeps
//! reaching back to where production changed pace and a consumer far behind is still
//! interpolated rather than extrapolated; a HEAD that goes backwards (topic re-created)
//! starts a new curve instead of freezing the old one.

use std::collections::VecDeque;
use std::sync::Arc;

/// One observation of a partition's HEAD (high watermark).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeadSample {
    /// The high watermark: offset of the next record to be written.
    pub offset: i64,
    /// When Warren observed it.
    pub observed_ms: i64,
}

/// Both views of one partition's HEAD.
#[derive(Debug, Clone, Default)]
pub(crate) struct PartitionHeads {
    pub(crate) recent: VecDeque<HeadSample>,
    /// Shared with the snapshots readers take (every group consuming the partition reads the
    /// same curve), and copied on write only while one is held.
    pub(crate) timeline: Arc<Vec<HeadSample>>,
}

/// HEAD histories of every partition of one topic.
#[derive(Debug, Clone)]
pub(crate) struct TopicHeads {
    pub(crate) partitions: Vec<PartitionHeads>,
    /// Earliest offset of each partition (retention's edge), `-1` until polled.
    pub(crate) earliest: Vec<i64>,
    recent: usize,
    timeline: usize,
}

impl TopicHeads {
    pub(crate) fn new(partitions: usize, recent: u16, timeline: u16) -> Self {
        TopicHeads {
            partitions: vec![PartitionHeads::default(); partitions],
            earliest: vec![-1; partitions],
            recent: usize::from(recent.max(1)),
            // Three points is the least that can hold a flat run after a slope.
            timeline: usize::from(timeline.max(3)),
        }
    }

    /// Partition count as the last metadata refresh saw it.
    pub(crate) fn partition_count(&self) -> usize {
        self.partitions.len()
    }

    /// Follows the topic's partition count (partitions can only be added in Kafka).
    pub(crate) fn resize(&mut self, partitions: usize) {
        if partitions > self.partitions.len() {
            self.partitions
                .resize(partitions, PartitionHeads::default());
            self.earliest.resize(partitions, -1);
        }
    }

    pub(crate) fn record(&mut self, partition: usize, sample: HeadSample) {
        let (recent, timeline) = (self.recent, self.timeline);
        if let Some(p) = self.partitions.get_mut(partition) {
            if p.recent.len() >= recent {
                p.recent.pop_front();
            }
            p.recent.push_back(sample);
            add_to_timeline(Arc::make_mut(&mut p.timeline), sample, timeline);
        }
    }

    /// Replaces a partition's history wholesale (restoring a persisted snapshot). Samples
    /// beyond the configured sizes are dropped from the old end.
    pub(crate) fn restore(
        &mut self,
        partition: usize,
        recent: &[HeadSample],
        timeline: &[HeadSample],
    ) {
        self.resize(partition + 1);
        let (rn, tn) = (self.recent, self.timeline);
        let p = &mut self.partitions[partition];
        p.recent = recent[recent.len().saturating_sub(rn)..]
            .iter()
            .copied()
            .collect();
        let mut curve = Vec::new();
        for s in timeline {
            add_to_timeline(&mut curve, *s, tn);
        }
        p.timeline = Arc::new(curve);
    }

    /// Newest HEAD of `partition`, if one was observed.
    pub(crate) fn latest(&self, partition: usize) -> Option<i64> {
        self.partitions
            .get(partition)?
            .recent
            .back()
            .map(|s| s.offset)
    }

    /// Recent HEADs of `partition` (Burrow's view), oldest first.
    pub(crate) fn history(&self, partition: usize) -> Vec<HeadSample> {
        self.partitions
            .get(partition)
            .map(|r| r.recent.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The compressed production curve of `partition`, shared rather than copied.
    pub(crate) fn timeline_shared(&self, partition: usize) -> Arc<Vec<HeadSample>> {
        self.partitions
            .get(partition)
            .map(|p| p.timeline.clone())
            .unwrap_or_default()
    }

    /// Heap bytes held (for the memory benchmark).
    pub(crate) fn heap_bytes(&self) -> usize {
        let sample = std::mem::size_of::<HeadSample>();
        self.partitions.capacity() * std::mem::size_of::<PartitionHeads>()
            + self
                .partitions
                .iter()
                .map(|p| (p.recent.capacity() + p.timeline.capacity()) * sample)
                .sum::<usize>()
    }
}

/// Adds one observation to a timeline of at most `cap` points (see the module docs).
pub(crate) fn add_to_timeline(t: &mut Vec<HeadSample>, s: HeadSample, cap: usize) {
    if let Some(last) = t.last() {
        if s.observed_ms <= last.observed_ms {
            return;
        }
        if s.offset < last.offset {
            t.clear();
        }
    }
    let n = t.len();
    if n >= 2 && t[n - 1].offset == s.offset && t[n - 2].offset == s.offset {
        t[n - 1] = s;
        return;
    }
    if t.capacity() == 0 {
        // Room for the whole timeline at once: it fills up on any partition that is written.
        t.reserve_exact(cap);
    }
    if t.len() >= cap {
        // Room first, so the curve never grows past `cap` (nor reallocates: a copy made while
        // a snapshot shared it has no spare capacity).
        let i = least_informative(t);
        t.remove(i);
    }
    t.push(s);
}

/// Index of the interior point whose removal moves the curve least: the time error, at that
/// point's offset, of interpolating between its neighbours instead. Called before a new point
/// is appended: the newest point is never chosen (with the new one it carries the current flat
/// run), nor the oldest (it bounds the history).
fn least_informative(t: &[HeadSample]) -> usize {
    let mut best = (1, f64::INFINITY);
    for i in 1..t.len().saturating_sub(1) {
        let (l, m, r) = (t[i - 1], t[i], t[i + 1]);
        let error = if r.offset == l.offset {
            // Inside a flat run: the run is defined by its ends.
            0.0
        } else {
            let f = (m.offset - l.offset) as f64 / (r.offset - l.offset) as f64;
            let at = l.observed_ms as f64 + f * (r.observed_ms - l.observed_ms) as f64;
            (m.observed_ms as f64 - at).abs()
        };
        if error < best.1 {
            best = (i, error);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(offset: i64, observed_ms: i64) -> HeadSample {
        HeadSample {
            offset,
            observed_ms,
        }
    }

    fn build(points: &[(i64, i64)], cap: usize) -> Vec<(i64, i64)> {
        let mut t = Vec::new();
        for &(o, ms) in points {
            add_to_timeline(&mut t, s(o, ms), cap);
        }
        t.iter().map(|p| (p.offset, p.observed_ms)).collect()
    }

    #[test]
    fn a_flat_run_is_kept_as_its_first_and_latest_sighting() {
        let t = build(&[(0, 0), (10, 1), (10, 2), (10, 3), (10, 4), (12, 5)], 10);
        assert_eq!(t, vec![(0, 0), (10, 1), (10, 4), (12, 5)]);
    }

    #[test]
    fn out_of_order_observations_are_ignored() {
        let t = build(&[(0, 10), (5, 10), (6, 9), (7, 11)], 10);
        assert_eq!(t, vec![(0, 10), (7, 11)]);
    }

    #[test]
    fn a_head_that_goes_backwards_starts_a_new_curve() {
        let t = build(&[(100, 1), (200, 2), (3, 3), (5, 4)], 10);
        assert_eq!(t, vec![(3, 3), (5, 4)]);
    }

    #[test]
    fn a_full_timeline_drops_points_on_straight_stretches_and_keeps_the_knees() {
        // Steady 10/ms, a pause, then steady again: the oldest point, the knees and the
        // newest two survive; the colinear points in between go first.
        let mut points: Vec<(i64, i64)> = (0..10).map(|i| (i * 10, i)).collect();
        points.extend((10..20).map(|i| (90, i)));
        points.extend((20..30).map(|i| (90 + (i - 19) * 10, i)));
        let t = build(&points, 6);
        assert_eq!(t.len(), 6);
        assert_eq!(t[0], (0, 0));
        assert!(t.contains(&(90, 9)), "{t:?}");
        assert!(t.contains(&(90, 19)), "{t:?}");
        assert_eq!(t[5], (190, 29));
    }

    #[test]
    fn a_full_curve_never_grows_past_its_size_even_after_a_copy() {
        let mut t: Vec<HeadSample> = (0..8).map(|i| s(i * 10, i)).collect();
        // What `Arc::make_mut` leaves after copying a shared curve: no spare capacity.
        t.shrink_to_fit();
        for i in 8..100 {
            add_to_timeline(&mut t, s(i * 10 + i % 3, i), 8);
            assert_eq!(t.len(), 8);
        }
        assert_eq!(t.capacity(), 8);
        assert_eq!((t[0], t[7]), (s(0, 0), s(99 * 10, 99)));
    }

    #[test]
    fn the_recent_ring_keeps_exactly_intervals_samples() {
        let mut h = TopicHeads::new(1, 3, 8);
        for i in 0..5 {
            h.record(0, s(i, i));
        }
        let offsets: Vec<i64> = h.history(0).iter().map(|x| x.offset).collect();
        assert_eq!(offsets, vec![2, 3, 4]);
        assert_eq!(h.timeline_shared(0).len(), 5);
        assert_eq!(h.latest(0), Some(4));
    }
}
