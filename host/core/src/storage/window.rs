//! The per-(group, topic) block of commit windows: for every partition of the topic, its last
//! `intervals` commits. Storage owns these blocks; nothing else mutates them.
//!
//! Memory is the point of this file: ten million windows must fit on one machine. A window is
//! kept encoded, newest commit first: the newest as absolute varints, each older one as
//! zig-zag varints of its difference from the commit after it. Commits of one partition differ
//! by little, so a full window of ten takes 60 to 100 bytes where their plain values take 240.
//! The windows of a block share one byte buffer, each in an area of its own; a window that
//! outgrows its area moves to the end of the buffer, and the buffer is packed again once an
//! eighth of it is areas left behind. Ingest touches only the newest end of a window (a push
//! writes a new head and drops the oldest record, a merge rewrites the head); reads decode
//! whole windows into [`Slot`]s.

use std::ops::Range;

use super::persist::{Dec, Enc};
use super::varint;

/// Lag-at-commit value meaning "unknown" (Burrow's `null`): the commit was not appended at the
/// newest position, so no HEAD offset of its time was known.
const LAG_UNKNOWN: u32 = u32::MAX;
/// Owner index meaning "no owner known".
pub(crate) const NO_OWNER: u16 = u16::MAX;
/// The longest window a block keeps (the most configuration allows), so that an encoded
/// window, at most [`RECORD_MAX`] bytes a commit, always fits a `u16` length.
const MAX_INTERVALS: usize = 1_000;
/// The most bytes one encoded commit takes: four varints.
const RECORD_MAX: usize = 4 * varint::MAX_LEN;
const _: () = assert!(MAX_INTERVALS * RECORD_MAX <= u16::MAX as usize);
/// A buffer is packed again once this fraction of it is areas left behind.
const GARBAGE_SHARE: usize = 8;

/// One commit, decoded. Lag at commit is kept in 32 bits (lags above 4,294,967,294 records are
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

    /// The four numbers a commit is encoded as. The lag is shifted by one so that "unknown"
    /// is 0, a single byte at the head of a window.
    fn fields(&self) -> [i64; 4] {
        [
            self.offset,
            self.timestamp_ms,
            i64::from(self.observed_delta_ms),
            i64::from(self.lag.wrapping_add(1)),
        ]
    }

    fn from_fields([offset, timestamp_ms, delta, lag]: [i64; 4]) -> Self {
        Slot {
            offset,
            timestamp_ms,
            observed_delta_ms: delta as i32,
            lag: (lag as u32).wrapping_sub(1),
        }
    }
}

/// Writes `s` as the head of a window (absolute values).
fn put_head(out: &mut [u8], at: &mut usize, s: &Slot) {
    for f in s.fields() {
        varint::put(out, at, varint::zig(f));
    }
}

fn get_head(bytes: &[u8], at: &mut usize) -> Slot {
    Slot::from_fields([0; 4].map(|_| varint::unzig(varint::get(bytes, at))))
}

/// Writes `older` as its difference from `newer`, the commit after it.
fn put_record(out: &mut [u8], at: &mut usize, newer: &Slot, older: &Slot) {
    let (n, o) = (newer.fields(), older.fields());
    for i in 0..4 {
        varint::put(out, at, varint::zig(n[i].wrapping_sub(o[i])));
    }
}

fn get_record(bytes: &[u8], at: &mut usize, newer: &Slot) -> Slot {
    let n = newer.fields();
    let mut o = [0i64; 4];
    for i in 0..4 {
        o[i] = n[i].wrapping_sub(varint::unzig(varint::get(bytes, at)));
    }
    Slot::from_fields(o)
}

/// Where one partition's window lives in its block's buffer, how many commits it holds, and
/// its owner (an index into the group's member list, so a window carries no strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartMeta {
    at: u32,
    used: u16,
    cap: u16,
    len: u16,
    pub(crate) owner: u16,
}

impl Default for PartMeta {
    fn default() -> Self {
        PartMeta {
            at: 0,
            used: 0,
            cap: 0,
            len: 0,
            owner: NO_OWNER,
        }
    }
}

impl PartMeta {
    fn area(&self) -> Range<usize> {
        let at = self.at as usize;
        at..at + usize::from(self.used)
    }
}

/// All windows of one group on one topic.
#[derive(Debug, Clone)]
pub(crate) struct TopicWindows {
    intervals: usize,
    parts: Box<[PartMeta]>,
    bytes: Vec<u8>,
    /// Bytes of `bytes` in areas no window uses any more.
    garbage: usize,
}

impl TopicWindows {
    pub(crate) fn new(partitions: usize, intervals: u16) -> Self {
        TopicWindows {
            intervals: usize::from(intervals).clamp(1, MAX_INTERVALS),
            parts: vec![PartMeta::default(); partitions].into_boxed_slice(),
            bytes: Vec::new(),
            garbage: 0,
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
        self.parts = parts.into_boxed_slice();
    }

    pub(crate) fn meta(&self, partition: usize) -> Option<&PartMeta> {
        self.parts.get(partition)
    }

    pub(crate) fn meta_mut(&mut self, partition: usize) -> Option<&mut PartMeta> {
        self.parts.get_mut(partition)
    }

    /// Number of commits `partition` holds.
    pub(crate) fn len(&self, partition: usize) -> usize {
        self.parts.get(partition).map_or(0, |m| usize::from(m.len))
    }

    /// The commits of `partition`, newest first, handed to `each`.
    pub(crate) fn each_newest_first(&self, partition: usize, mut each: impl FnMut(Slot)) {
        let Some(meta) = self.parts.get(partition) else {
            return;
        };
        if meta.len == 0 {
            return;
        }
        let bytes = &self.bytes[meta.area()];
        let mut at = 0;
        let mut newer = get_head(bytes, &mut at);
        each(newer);
        for _ in 1..meta.len {
            newer = get_record(bytes, &mut at, &newer);
            each(newer);
        }
    }

    /// The commits of `partition`, oldest first.
    #[cfg(test)]
    pub(crate) fn commits(&self, partition: usize) -> Vec<Slot> {
        let mut out = Vec::with_capacity(self.len(partition));
        self.each_newest_first(partition, |s| out.push(s));
        out.reverse();
        out
    }

    /// The newest commit of `partition`.
    pub(crate) fn newest(&self, partition: usize) -> Option<Slot> {
        let meta = self.parts.get(partition)?;
        if meta.len == 0 {
            return None;
        }
        Some(get_head(&self.bytes[meta.area()], &mut 0))
    }

    /// Appends a commit as the newest of `partition`, evicting the oldest when full.
    pub(crate) fn push(&mut self, partition: usize, slot: Slot) {
        let Some(meta) = self.parts.get(partition).copied() else {
            return;
        };
        let len = usize::from(meta.len);
        let new_len = (len + 1).min(self.intervals);
        let mut prefix = [0u8; 2 * RECORD_MAX];
        let mut n = 0;
        put_head(&mut prefix, &mut n, &slot);
        let mut keep = 0..0;
        if len > 0 && new_len > 1 {
            let bytes = &self.bytes[meta.area()];
            let mut at = 0;
            let newest = get_head(bytes, &mut at);
            put_record(&mut prefix, &mut n, &slot, &newest);
            // The old records after the head that stay: all of them, less the oldest when full.
            let start = at;
            varint::skip(bytes, &mut at, 4 * (new_len - 2));
            keep = start..at;
        }
        self.splice(partition, &prefix[..n], keep, new_len);
    }

    /// Overwrites the newest commit of `partition` (Burrow's `min-distance` merge).
    pub(crate) fn replace_newest(&mut self, partition: usize, slot: Slot) {
        let Some(meta) = self.parts.get(partition).copied() else {
            return;
        };
        if meta.len == 0 {
            return;
        }
        let mut prefix = [0u8; 2 * RECORD_MAX];
        let mut n = 0;
        put_head(&mut prefix, &mut n, &slot);
        let bytes = &self.bytes[meta.area()];
        let mut at = 0;
        let newest = get_head(bytes, &mut at);
        if meta.len > 1 {
            // The next commit was written against the old head: write it against the new one.
            let older = get_record(bytes, &mut at, &newest);
            put_record(&mut prefix, &mut n, &slot, &older);
        }
        let keep = at..bytes.len();
        self.splice(partition, &prefix[..n], keep, usize::from(meta.len));
    }

    /// Makes the window of `partition` `prefix` followed by `keep` (a range of its current
    /// bytes), holding `len` commits: in place when its area is large enough, else in a new
    /// area at the end of the buffer.
    fn splice(&mut self, partition: usize, prefix: &[u8], keep: Range<usize>, len: usize) {
        let meta = self.parts[partition];
        let old_at = meta.at as usize;
        let used = prefix.len() + keep.len();
        let mut at = old_at;
        let mut cap = usize::from(meta.cap);
        if used > cap {
            cap = self.area_for(used, Self::head_len(prefix), len);
            at = self.bytes.len();
            let wanted = at + cap;
            if wanted > self.bytes.capacity() {
                // Grow by an eighth, not double: the slack stays small in a block of many
                // windows, and a block of one window grows by its area alone.
                let more = (wanted - self.bytes.len()).max(self.bytes.len() / 8);
                self.bytes.reserve_exact(more);
            }
            self.bytes.resize(wanted, 0);
            self.garbage += usize::from(meta.cap);
        }
        let keep_at = at + prefix.len();
        self.bytes
            .copy_within(old_at + keep.start..old_at + keep.end, keep_at);
        self.bytes[at..keep_at].copy_from_slice(prefix);
        self.parts[partition] = PartMeta {
            at: u32::try_from(at).expect("a block of windows over 4 GiB"),
            used: used as u16,
            cap: cap as u16,
            len: len as u16,
            owner: meta.owner,
        };
        if self.garbage > 0 && self.garbage * GARBAGE_SHARE > self.bytes.len() {
            self.pack();
        }
    }

    /// The area a window of `used` bytes and `len` commits, whose head takes `head` bytes,
    /// moves to: room for the commits it still lacks, at the size of those it has (a head
    /// alone suggests records half its size), and an eighth more for values that grow.
    fn area_for(&self, used: usize, head: usize, len: usize) -> usize {
        let per_record = match len {
            0 | 1 => head.div_ceil(2),
            _ => (used - head).div_ceil(len - 1),
        };
        let missing = self.intervals.saturating_sub(len);
        (used + missing * per_record + used / 8 + 2).min(usize::from(u16::MAX))
    }

    /// Bytes the head of a window takes.
    fn head_len(bytes: &[u8]) -> usize {
        let mut at = 0;
        varint::skip(bytes, &mut at, 4);
        at
    }

    /// Copies every window into a new buffer without the areas left behind, each in an area
    /// sized anew for what it holds (a window's first area was sized on a guess).
    fn pack(&mut self) {
        let mut sized: Vec<usize> = Vec::with_capacity(self.parts.len());
        for meta in self.parts.iter() {
            let area = &self.bytes[meta.area()];
            let cap = match meta.len {
                0 => 0,
                len => self.area_for(area.len(), Self::head_len(area), usize::from(len)),
            };
            sized.push(cap);
        }
        let mut bytes = Vec::with_capacity(sized.iter().sum());
        for (meta, cap) in self.parts.iter_mut().zip(sized) {
            let area = meta.area();
            meta.at = bytes.len() as u32;
            meta.cap = cap as u16;
            bytes.extend_from_slice(&self.bytes[area]);
            bytes.resize(meta.at as usize + cap, 0);
        }
        self.bytes = bytes;
        self.garbage = 0;
    }

    /// Forgets every commit of `partition` (an offset tombstone); its area stays for the next.
    pub(crate) fn clear(&mut self, partition: usize) {
        if let Some(meta) = self.parts.get_mut(partition) {
            meta.used = 0;
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
        std::mem::size_of_val(&*self.parts) + self.bytes.capacity()
    }
}

impl TopicWindows {
    /// Appends the persisted form (see `persist.rs`): partition count, then per partition its
    /// owner, commit count and commits oldest first, each as zig-zag deltas from the one
    /// before (offset, timestamp), its observation delay and its lag as varints.
    pub(crate) fn encode(&self, out: &mut Enc) {
        out.u32(self.parts.len() as u32);
        let mut window = Vec::with_capacity(self.intervals);
        for (p, meta) in self.parts.iter().enumerate() {
            out.u16(meta.owner);
            out.u16(meta.len);
            window.clear();
            self.each_newest_first(p, |s| window.push(s));
            let (mut offset, mut ts) = (0i64, 0i64);
            for s in window.iter().rev() {
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
    use std::collections::VecDeque;

    use proptest::prelude::*;

    use super::*;

    fn offsets(w: &TopicWindows, p: usize) -> Vec<i64> {
        w.commits(p).into_iter().map(|s| s.offset).collect()
    }

    #[test]
    fn a_decoded_slot_is_24_bytes_and_a_window_head_12() {
        assert_eq!(std::mem::size_of::<Slot>(), 24);
        assert_eq!(std::mem::size_of::<PartMeta>(), 12);
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
    fn a_full_window_of_regular_commits_takes_under_a_hundred_bytes() {
        // A thousand partitions committing every 5 s, 300 to 800 records apart, consumers
        // 0 to 2,000 records behind, observed a few milliseconds after each commit.
        let mut w = TopicWindows::new(1_000, 10);
        for round in 0..30i64 {
            for p in 0..1_000i64 {
                let offset = round * 550 + (p * 37 + round * 11) % 250;
                let ts = 1_764_000_000_000 + round * 5_000 + p;
                let lag = ((p * 13 + round * 7) % 2_000) as u64;
                w.push(p as usize, Slot::new(offset, ts, ts + 3 + p % 5, Some(lag)));
            }
        }
        let per_window = w.heap_bytes() / 1_000;
        assert!(per_window < 100, "{per_window} bytes a window");
        assert_eq!(w.commits(999).len(), 10);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any sequence of pushes, merges, tombstones and growth, over any values, reads back
        /// exactly what a plain list of commits per partition holds.
        #[test]
        fn windows_read_back_what_a_plain_list_holds(
            intervals in 1u16..6,
            ops in proptest::collection::vec(op(), 1..300),
        ) {
            let mut w = TopicWindows::new(3, intervals);
            let mut model: Vec<VecDeque<Slot>> = vec![VecDeque::new(); 3];
            for op in ops {
                match op {
                    Op::Push(p, s) => {
                        w.push(p, s);
                        if let Some(m) = model.get_mut(p) {
                            m.push_back(s);
                            if m.len() > usize::from(intervals) {
                                m.pop_front();
                            }
                        }
                    }
                    Op::Replace(p, s) => {
                        w.replace_newest(p, s);
                        if let Some(last) = model.get_mut(p).and_then(|m| m.back_mut()) {
                            *last = s;
                        }
                    }
                    Op::Clear(p) => {
                        w.clear(p);
                        if let Some(m) = model.get_mut(p) {
                            m.clear();
                        }
                    }
                    Op::Grow(n) => {
                        w.grow(n);
                        if n > model.len() {
                            model.resize(n, VecDeque::new());
                        }
                    }
                }
                prop_assert_eq!(w.partitions(), model.len());
                for (p, m) in model.iter().enumerate() {
                    prop_assert_eq!(&w.commits(p), &m.iter().copied().collect::<Vec<_>>());
                    prop_assert_eq!(w.newest(p), m.back().copied());
                }
                prop_assert!(w.garbage * GARBAGE_SHARE <= w.bytes.len());
            }
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push(usize, Slot),
        Replace(usize, Slot),
        Clear(usize),
        Grow(usize),
    }

    fn slot() -> impl Strategy<Value = Slot> {
        // Small steps (the common case) and any value at all (resets, clock jumps, garbage).
        let number = prop_oneof![0i64..1_000, any::<i64>()];
        (
            number.clone(),
            number,
            any::<i32>(),
            prop_oneof![
                Just(None),
                (0u64..5_000).prop_map(Some),
                any::<u64>().prop_map(Some)
            ],
        )
            .prop_map(|(offset, ts, delay, lag)| {
                Slot::new(offset, ts, ts.saturating_add(i64::from(delay)), lag)
            })
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0usize..4, slot()).prop_map(|(p, s)| Op::Push(p, s)),
            2 => (0usize..4, slot()).prop_map(|(p, s)| Op::Replace(p, s)),
            1 => (0usize..4).prop_map(Op::Clear),
            1 => (0usize..6).prop_map(Op::Grow),
        ]
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
