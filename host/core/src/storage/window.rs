//! The per-(group, topic) block of commit windows: for every partition of the topic, a ring of
//! the last `intervals` commits. Storage owns these blocks; nothing else mutates them.
//!
//! Memory is the point of this file. A million windows must fit on one machine, so a window is
//! plain values in one flat allocation per (group, topic): a 24-byte [`Slot`] per commit and an
//! 6-byte [`PartMeta`] per partition, no pointers, no per-commit allocation. At `intervals = 10`
//! that is 246 bytes per (group, partition) before the per-group bookkeeping.

use super::persist::{Dec, Enc};

/// Lag-at-commit value meaning "unknown" (Burrow's `null`): the commit was not appended at the
/// newest position, so no HEAD offset of its time was known.
const LAG_UNKNOWN: u32 = u32::MAX;
/// Owner index meaning "no owner known".
pub(crate) const NO_OWNER: u16 = u16::MAX;

/// One stored commit. Lag at commit is kept in 32 bits (lags above 4,294,967,294 records are
/// clamped there; the current lag that the API reports is always computed exactly), and the
/// observation time as a signed distance from the commit timestamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Slot {
    pub(crate) offset: i64,
    pub(crate) timestamp_ms: i64,
    observed_delta_ms: i32,
    lag: u32,
}

impl Slot {
    pub(crate) fn new(offset: i64, timestamp_ms: i64, observed_ms: i64, lag: Option<u64>) -> Self {
        let delta = observed_ms.saturating_sub(timestamp_ms);
        Slot {
            offset,
            timestamp_ms,
            observed_delta_ms: delta.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
            lag: match lag {
                None => LAG_UNKNOWN,
                Some(l) => l.min(u64::from(LAG_UNKNOWN - 1)) as u32,
            },
        }
    }

    pub(crate) fn observed_ms(&self) -> i64 {
        self.timestamp_ms
            .saturating_add(i64::from(self.observed_delta_ms))
    }

    pub(crate) fn lag(&self) -> Option<u64> {
        (self.lag != LAG_UNKNOWN).then_some(u64::from(self.lag))
    }
}

/// Ring bookkeeping of one partition's window, plus its owner (an index into the group's
/// member list, so a window carries no strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartMeta {
    start: u16,
    len: u16,
    pub(crate) owner: u16,
}

impl Default for PartMeta {
    fn default() -> Self {
        PartMeta {
            start: 0,
            len: 0,
            owner: NO_OWNER,
        }
    }
}

/// All windows of one group on one topic.
#[derive(Debug, Clone)]
pub(crate) struct TopicWindows {
    intervals: usize,
    parts: Box<[PartMeta]>,
    slots: Box<[Slot]>,
}

impl TopicWindows {
    pub(crate) fn new(partitions: usize, intervals: u16) -> Self {
        let intervals = usize::from(intervals.max(1));
        TopicWindows {
            intervals,
            parts: vec![PartMeta::default(); partitions].into_boxed_slice(),
            slots: vec![Slot::default(); partitions * intervals].into_boxed_slice(),
        }
    }

    /// Number of partitions this block covers.
    pub(crate) fn partitions(&self) -> usize {
        self.parts.len()
    }

    /// Grows the block to `partitions` (a topic gained partitions); never shrinks.
    pub(crate) fn grow(&mut self, partitions: usize) {
        if partitions <= self.parts.len() {
            return;
        }
        let mut parts = self.parts.to_vec();
        parts.resize(partitions, PartMeta::default());
        let mut slots = self.slots.to_vec();
        slots.resize(partitions * self.intervals, Slot::default());
        self.parts = parts.into_boxed_slice();
        self.slots = slots.into_boxed_slice();
    }

    pub(crate) fn meta(&self, partition: usize) -> Option<&PartMeta> {
        self.parts.get(partition)
    }

    pub(crate) fn meta_mut(&mut self, partition: usize) -> Option<&mut PartMeta> {
        self.parts.get_mut(partition)
    }

    /// The commits of `partition`, oldest first.
    pub(crate) fn commits(&self, partition: usize) -> impl ExactSizeIterator<Item = &Slot> + '_ {
        let meta = self.parts.get(partition).copied().unwrap_or_default();
        let base = partition * self.intervals;
        let n = self.intervals;
        (0..usize::from(meta.len))
            .map(move |i| &self.slots[base + (usize::from(meta.start) + i) % n])
    }

    /// The newest commit of `partition`.
    pub(crate) fn newest(&self, partition: usize) -> Option<&Slot> {
        let meta = self.parts.get(partition)?;
        if meta.len == 0 {
            return None;
        }
        let i = (usize::from(meta.start) + usize::from(meta.len) - 1) % self.intervals;
        self.slots.get(partition * self.intervals + i)
    }

    /// Appends a commit as the newest of `partition`, evicting the oldest when full.
    pub(crate) fn push(&mut self, partition: usize, slot: Slot) {
        let n = self.intervals;
        let Some(meta) = self.parts.get_mut(partition) else {
            return;
        };
        let base = partition * n;
        let (start, len) = (usize::from(meta.start), usize::from(meta.len));
        if len < n {
            self.slots[base + (start + len) % n] = slot;
            meta.len += 1;
        } else {
            self.slots[base + start] = slot;
            meta.start = ((start + 1) % n) as u16;
        }
    }

    /// Overwrites the newest commit of `partition` (Burrow's `min-distance` merge).
    pub(crate) fn replace_newest(&mut self, partition: usize, slot: Slot) {
        let n = self.intervals;
        let Some(meta) = self.parts.get(partition) else {
            return;
        };
        if meta.len == 0 {
            return;
        }
        let i = (usize::from(meta.start) + usize::from(meta.len) - 1) % n;
        self.slots[partition * n + i] = slot;
    }

    /// Forgets every commit of `partition` (an offset tombstone).
    pub(crate) fn clear(&mut self, partition: usize) {
        if let Some(meta) = self.parts.get_mut(partition) {
            meta.start = 0;
            meta.len = 0;
        }
    }

    /// The newest commit timestamp of any partition; `None` before the first commit (a
    /// topic known only from an assignment).
    pub(crate) fn newest_commit_ms(&self) -> Option<i64> {
        (0..self.parts.len())
            .filter_map(|p| self.newest(p))
            .map(|s| s.timestamp_ms)
            .max()
    }

    /// True when a member of the group is assigned any of its partitions.
    pub(crate) fn has_owner(&self) -> bool {
        self.parts.iter().any(|m| m.owner != NO_OWNER)
    }

    /// True when no partition holds a commit.
    pub(crate) fn is_empty(&self) -> bool {
        self.parts.iter().all(|m| m.len == 0)
    }

    /// Heap bytes this block holds (for the memory benchmark and self-metrics).
    pub(crate) fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.parts) + std::mem::size_of_val(&*self.slots)
    }
}

impl TopicWindows {
    /// Appends the persisted form (see `persist.rs`): partition count, then per partition its
    /// owner, commit count and commits oldest first, each as zig-zag deltas from the one
    /// before (offset, timestamp), its observation delay and its lag as varints.
    pub(crate) fn encode(&self, out: &mut Enc) {
        out.u32(self.parts.len() as u32);
        for (p, meta) in self.parts.iter().enumerate() {
            out.u16(meta.owner);
            out.u16(meta.len);
            let (mut offset, mut ts) = (0i64, 0i64);
            for s in self.commits(p) {
                out.zig(s.offset.wrapping_sub(offset));
                out.zig(s.timestamp_ms.wrapping_sub(ts));
                out.zig(i64::from(s.observed_delta_ms));
                out.var(u64::from(s.lag));
                (offset, ts) = (s.offset, s.timestamp_ms);
            }
        }
    }

    /// Reads what [`TopicWindows::encode`] wrote into windows of `intervals` commits (the
    /// newest ones are kept if the window was made shorter since).
    pub(crate) fn decode(d: &mut Dec<'_>, intervals: u16) -> Result<Self, String> {
        let partitions = d.u32()? as usize;
        // Each partition takes at least 4 bytes: a count larger than the rest is garbage.
        if partitions > d.remaining() / 4 {
            return Err(format!(
                "{partitions} partitions in {} bytes",
                d.remaining()
            ));
        }
        let mut w = TopicWindows::new(partitions, intervals);
        for p in 0..partitions {
            let owner = d.u16()?;
            let len = d.u16()?;
            let (mut offset, mut ts) = (0i64, 0i64);
            for _ in 0..len {
                offset = offset.wrapping_add(d.zig()?);
                ts = ts.wrapping_add(d.zig()?);
                let delay =
                    i32::try_from(d.zig()?).map_err(|_| "observation delay out of range")?;
                let lag = u32::try_from(d.var()?).map_err(|_| "lag out of range")?;
                w.push(
                    p,
                    Slot {
                        offset,
                        timestamp_ms: ts,
                        observed_delta_ms: delay,
                        lag,
                    },
                );
            }
            w.parts[p].owner = owner;
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(w: &TopicWindows, p: usize) -> Vec<i64> {
        w.commits(p).map(|s| s.offset).collect()
    }

    #[test]
    fn slot_is_24_bytes_and_meta_is_8() {
        assert_eq!(std::mem::size_of::<Slot>(), 24);
        assert_eq!(std::mem::size_of::<PartMeta>(), 6);
    }

    #[test]
    fn ring_keeps_the_newest_intervals_commits_oldest_first() {
        let mut w = TopicWindows::new(2, 3);
        for o in 1..=5 {
            w.push(1, Slot::new(o, o * 10, o * 10, Some(0)));
        }
        assert_eq!(offsets(&w, 1), vec![3, 4, 5]);
        assert_eq!(offsets(&w, 0), Vec::<i64>::new());
        assert_eq!(w.newest(1).map(|s| s.offset), Some(5));
    }

    #[test]
    fn replace_newest_overwrites_only_the_last_slot() {
        let mut w = TopicWindows::new(1, 3);
        w.push(0, Slot::new(1, 10, 10, Some(5)));
        w.push(0, Slot::new(2, 20, 20, Some(5)));
        w.replace_newest(0, Slot::new(9, 20, 25, Some(1)));
        assert_eq!(offsets(&w, 0), vec![1, 9]);
    }

    #[test]
    fn growing_keeps_existing_windows() {
        let mut w = TopicWindows::new(1, 2);
        w.push(0, Slot::new(7, 1, 1, None));
        w.grow(3);
        assert_eq!(w.partitions(), 3);
        assert_eq!(offsets(&w, 0), vec![7]);
        w.push(2, Slot::new(8, 1, 1, None));
        assert_eq!(offsets(&w, 2), vec![8]);
    }

    #[test]
    fn lag_and_observed_time_round_trip_with_clamping() {
        let s = Slot::new(1, 1_000, 1_250, Some(42));
        assert_eq!((s.lag(), s.observed_ms()), (Some(42), 1_250));
        assert_eq!(Slot::new(1, 0, 0, None).lag(), None);
        assert_eq!(
            Slot::new(1, 0, 0, Some(u64::MAX)).lag(),
            Some(u64::from(u32::MAX - 1))
        );
    }
}
