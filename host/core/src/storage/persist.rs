//! Storage's persisted form: what the daemon writes to the embedded store (`warren-store`) so a
//! restart resumes with every window, HEAD history, group owner and offsets-topic position it
//! had at the last snapshot. This module only turns state into bytes and back; where the bytes
//! go and when is the daemon's business.
//!
//! Snapshots are incremental: a group is encoded only if it changed since the previous one
//! (`Group::dirty`), and removed groups are listed for deletion. HEAD histories change on
//! every poll, so every topic is encoded each time.
//!
//! A snapshot does not stop ingestion while it encodes a million windows. The offsets-topic
//! positions, the removals, the HEAD histories and the list of changed groups are taken under
//! one short write lock; the groups are then encoded in slices of [`SLICE`], each under its
//! own lock, so collectors interleave. Groups encoded later may already hold commits that
//! came after the recorded positions. That is safe: a restart replays the offsets topic from
//! those positions, and storage drops every commit at or below a group's newest position, so
//! each group ends up with exactly the commits it had, plus what came after, once.
//!
//! The encoding is a small versioned little-endian format rather than JSON: commits are
//! written as zig-zag varint deltas from the previous commit of the window (offsets and
//! times of one partition move in small steps), about 8 bytes each, oldest first (memory
//! keeps them newest first, `window.rs`). Every length is checked against the bytes left, so a damaged record is reported
//! and skipped, never a panic or an allocation bomb.

use std::sync::Arc;

use super::cluster::{ClusterStore, Group, Membership, Owner};
use super::consumer_group;
use super::heads::{HeadSample, TopicHeads};
use super::varint;
use super::window::TopicWindows;

/// 3 counts a group's topics in 32 bits (a group may consume more than 65,535); 2 appends the
/// KIP-848 pieces of a group (`consumer_group.rs`); 1 and 2 are still read.
const GROUP_FORMAT: u8 = 3;
const HEADS_FORMAT: u8 = 1;
/// Groups encoded per write-lock acquisition.
pub const SLICE: usize = 1_000;

/// Little-endian writer.
#[derive(Default)]
pub(crate) struct Enc(Vec<u8>);

impl Enc {
    pub(crate) fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// LEB128 varint.
    pub(crate) fn var(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    /// Zig-zag varint, for signed deltas.
    pub(crate) fn zig(&mut self, v: i64) {
        self.var(varint::zig(v));
    }
    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    pub(crate) fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
        }
    }
}

/// Little-endian reader over an untrusted record.
pub(crate) struct Dec<'a> {
    bytes: &'a [u8],
}

impl<'a> Dec<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Dec { bytes }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let (head, rest) = self
            .bytes
            .split_first_chunk::<N>()
            .ok_or_else(|| format!("truncated: wanted {N} bytes, {} left", self.bytes.len()))?;
        self.bytes = rest;
        Ok(*head)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take::<1>()?[0])
    }
    pub(crate) fn u16(&mut self) -> Result<u16, String> {
        self.take().map(u16::from_le_bytes)
    }
    pub(crate) fn u32(&mut self) -> Result<u32, String> {
        self.take().map(u32::from_le_bytes)
    }
    pub(crate) fn i64(&mut self) -> Result<i64, String> {
        self.take().map(i64::from_le_bytes)
    }
    pub(crate) fn var(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint longer than 10 bytes".into())
    }
    pub(crate) fn zig(&mut self) -> Result<i64, String> {
        self.var().map(varint::unzig)
    }
    pub(crate) fn str(&mut self) -> Result<&'a str, String> {
        let n = self.u32()? as usize;
        if n > self.bytes.len() {
            return Err(format!("string of {n} bytes, {} left", self.bytes.len()));
        }
        let (s, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        std::str::from_utf8(s).map_err(|e| format!("string is not UTF-8: {e}"))
    }
    fn opt_str(&mut self) -> Result<Option<&'a str>, String> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.str().map(Some),
            t => Err(format!("bad option tag {t}")),
        }
    }
    fn end(&self) -> Result<(), String> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(format!("{} trailing bytes", self.bytes.len()))
        }
    }
}

/// What changed since the previous snapshot of one cluster.
#[derive(Debug, Default)]
pub struct Delta {
    /// Changed or new groups and their encoded state.
    pub groups: Vec<(String, Vec<u8>)>,
    /// Groups deleted since (tombstones, expiry, topic deletion).
    pub removed: Vec<String>,
    /// Every topic's encoded HEAD history (the whole set: topics not in it are gone).
    pub topics: Vec<(String, Vec<u8>)>,
    /// Every offsets-topic reader's next offset per partition (`-1`: not read yet).
    pub positions: Vec<(String, Vec<i64>)>,
    /// Where the orders and positions come from (`Origin`'s text form), once a collector said.
    pub origin: Option<String>,
}

/// What a restore found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Restored {
    /// Groups loaded.
    pub groups: usize,
    /// Topics whose HEAD history was loaded.
    pub topics: usize,
    /// Records that could not be decoded (name, reason); they were skipped.
    pub damaged: Vec<(String, String)>,
}

fn encode_group(g: &Group) -> Vec<u8> {
    let mut e = Enc::default();
    e.0.push(GROUP_FORMAT);
    e.i64(g.last_commit_ms);
    e.i64(g.last_order);
    let owners = g.owners();
    e.u16(owners.len() as u16);
    for o in owners {
        e.str(&o.host);
        e.str(&o.client_id);
    }
    e.opt_str(g.state());
    e.u32(u32::try_from(g.topics.len()).unwrap_or(u32::MAX));
    for (topic, w) in &g.topics {
        e.str(topic);
        w.encode(&mut e);
    }
    match g.consumer() {
        None => e.0.push(0),
        Some(c) => {
            e.0.push(1);
            consumer_group::encode(c, &mut e);
        }
    }
    e.0
}

fn decode_group(
    bytes: &[u8],
    intervals: u16,
    topic_name: &mut impl FnMut(&str) -> Arc<str>,
) -> Result<Group, String> {
    let mut d = Dec::new(bytes);
    let format = d.u8()?;
    if !(1..=GROUP_FORMAT).contains(&format) {
        return Err(format!(
            "group format {format}, this build reads 1..={GROUP_FORMAT}"
        ));
    }
    let last_commit_ms = d.i64()?;
    let last_order = d.i64()?;
    let n = d.u16()?;
    let mut owners = Vec::with_capacity(usize::from(n).min(d.remaining() / 8));
    for _ in 0..n {
        owners.push(Owner {
            host: d.str()?.into(),
            client_id: d.str()?.into(),
        });
    }
    let state = d.opt_str()?.map(Into::into);
    let n = if format >= 3 {
        d.u32()?
    } else {
        u32::from(d.u16()?)
    };
    let mut topics: Vec<(Arc<str>, TopicWindows)> = Vec::with_capacity((n as usize).min(8));
    for _ in 0..n {
        let name = topic_name(d.str()?);
        let w = TopicWindows::decode(&mut d, intervals)?;
        topics.push((name, w));
    }
    let consumer = match format {
        1 => None,
        _ => match d.u8()? {
            0 => None,
            1 => Some(Box::new(consumer_group::decode(&mut d)?)),
            t => return Err(format!("bad option tag {t}")),
        },
    };
    d.end()?;
    topics.sort_by(|a, b| a.0.cmp(&b.0));
    topics.dedup_by(|a, b| a.0 == b.0);
    Ok(Group {
        topics,
        members: (!owners.is_empty() || state.is_some())
            .then(|| Box::new(Membership { owners, state })),
        consumer,
        last_commit_ms,
        last_order,
        dirty: false,
    })
}

fn encode_heads(h: &TopicHeads) -> Vec<u8> {
    let mut e = Enc::default();
    e.0.push(HEADS_FORMAT);
    e.u32(h.partitions.len() as u32);
    let samples = |e: &mut Enc, s: &mut dyn ExactSizeIterator<Item = &HeadSample>| {
        e.u16(s.len() as u16);
        for x in s {
            e.i64(x.offset);
            e.i64(x.observed_ms);
        }
    };
    for p in &h.partitions {
        samples(&mut e, &mut p.recent.iter());
        samples(&mut e, &mut p.timeline.iter());
    }
    e.0
}

fn decode_heads(bytes: &[u8], recent: u16, timeline: u16) -> Result<TopicHeads, String> {
    let mut d = Dec::new(bytes);
    let format = d.u8()?;
    if format != HEADS_FORMAT {
        return Err(format!(
            "HEAD format {format}, this build reads {HEADS_FORMAT}"
        ));
    }
    let partitions = d.u32()? as usize;
    if partitions > d.remaining() / 4 {
        return Err(format!(
            "{partitions} partitions in {} bytes",
            d.remaining()
        ));
    }
    let mut h = TopicHeads::new(partitions, recent, timeline);
    let samples = |d: &mut Dec<'_>| -> Result<Vec<HeadSample>, String> {
        let n = usize::from(d.u16()?);
        if n > d.remaining() / 16 {
            return Err(format!("{n} samples in {} bytes", d.remaining()));
        }
        (0..n)
            .map(|_| {
                Ok(HeadSample {
                    offset: d.i64()?,
                    observed_ms: d.i64()?,
                })
            })
            .collect()
    };
    for p in 0..partitions {
        let r = samples(&mut d)?;
        let t = samples(&mut d)?;
        h.restore(p, &r, &t);
    }
    d.end()?;
    Ok(h)
}

impl ClusterStore {
    /// Takes what changed since the previous call (all groups with `full`), clearing the
    /// change marks; see the module docs for how it stays out of ingestion's way. If writing
    /// the delta fails, hand it to [`ClusterStore::mark_changed`] so the next snapshot
    /// carries it again.
    pub fn take_delta(&self, full: bool) -> Delta {
        let (mut delta, names) = {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            let state = &mut *state;
            let names: Vec<Box<str>> = state
                .groups
                .iter()
                .filter(|(_, g)| full || g.dirty)
                .map(|(name, _)| name.clone())
                .collect();
            let removed = std::mem::take(&mut state.removed)
                .into_iter()
                // Removed and then re-created since: the group itself is in `groups`.
                .filter(|name| !state.groups.contains_key(name))
                .map(String::from)
                .collect();
            let delta = Delta {
                groups: Vec::with_capacity(names.len()),
                removed,
                topics: state
                    .topics
                    .iter()
                    .map(|(name, h)| (name.to_string(), encode_heads(h)))
                    .collect(),
                positions: state
                    .positions
                    .iter()
                    .map(|(c, p)| (c.to_string(), p.clone()))
                    .collect(),
                origin: state.origin.as_ref().map(ToString::to_string),
            };
            (delta, names)
        };
        for slice in names.chunks(SLICE) {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            for name in slice {
                // Deleted meanwhile: the removal is in the next delta.
                if let Some(g) = state.groups.get_mut(name) {
                    g.dirty = false;
                    delta.groups.push((name.to_string(), encode_group(g)));
                }
            }
        }
        delta
    }

    /// Marks groups as changed again (their snapshot could not be written) and re-lists
    /// removals.
    pub fn mark_changed(&self, delta: &Delta) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        for (name, _) in &delta.groups {
            if let Some(g) = state.groups.get_mut(name.as_str()) {
                g.dirty = true;
            }
        }
        state
            .removed
            .extend(delta.removed.iter().map(|n| n.as_str().into()));
    }

    /// Loads a persisted snapshot into empty storage: HEAD histories first (windows need
    /// their topics), then groups and offsets-topic positions. Damaged records are skipped
    /// and listed (and left in the store); a group whose topics all vanished, or that the
    /// allow/deny lists now keep out, is dropped and deleted from the store with the next
    /// snapshot.
    pub fn restore<'a>(
        &self,
        topics: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        groups: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        positions: impl IntoIterator<Item = (&'a str, Vec<i64>)>,
    ) -> Restored {
        let settings = self.settings();
        let mut report = Restored::default();
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let state = &mut *state;
        for (name, bytes) in topics {
            // A topic the storage topic lists now exclude stays out, and so do its windows.
            if !settings.accepts_topic(name) {
                continue;
            }
            match decode_heads(bytes, settings.intervals, settings.head_history) {
                Ok(h) => {
                    state.topics.insert(name.into(), h);
                    report.topics += 1;
                }
                Err(e) => report.damaged.push((format!("topic {name}"), e)),
            }
        }
        let known = &state.topics;
        let mut intern = |t: &str| -> Arc<str> {
            known
                .get_key_value(t)
                .map_or_else(|| t.into(), |(k, _)| k.clone())
        };
        let mut dropped: Vec<Box<str>> = Vec::new();
        for (name, bytes) in groups {
            if !settings.accepts(name) {
                dropped.push(name.into());
                continue;
            }
            match decode_group(bytes, settings.intervals, &mut intern) {
                Ok(mut g) => {
                    g.topics.retain(|(t, _)| known.contains_key(t));
                    if !g.topics.is_empty() || !g.owners().is_empty() || g.consumer.is_some() {
                        state.groups.insert(name.into(), g);
                        report.groups += 1;
                    } else {
                        dropped.push(name.into());
                    }
                }
                Err(e) => report.damaged.push((format!("group {name}"), e)),
            }
        }
        state.removed.extend(dropped);
        for (consumer, p) in positions {
            state.positions.insert(consumer.into(), p);
        }
        report
    }

    /// Loads the persisted origin of the orders and positions (see `origin.rs`); text it
    /// cannot read is left out, so the next collector's origin is taken as is.
    pub fn restore_origin(&self, text: &str) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        state.origin = super::origin::Origin::parse(text);
    }

    /// Where `consumer` should resume reading its offsets topic, per partition (`-1` or
    /// missing: from its configured start).
    pub fn positions(&self, consumer: &str) -> Vec<i64> {
        self.read()
            .positions
            .get(consumer)
            .cloned()
            .unwrap_or_default()
    }

    /// Heap bytes of the HEAD histories (for the memory benchmark).
    pub fn heads_heap_bytes(&self) -> usize {
        self.read().topics.values().map(|h| h.heap_bytes()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Commit, GroupMembership, Member};
    use crate::storage::{CommitSource, StorageHandle, StorageSettings};

    fn store() -> StorageHandle {
        StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults())
    }

    fn fill(h: &StorageHandle) {
        let s = h.cluster("c").unwrap();
        let mut w = s.writer();
        w.set_topics(&[("t".into(), 2), ("u".into(), 1)]);
        for i in 0..5 {
            w.record_heads("t", &[(0, 100 + i * 10), (1, 50)], 1_000 + i * 1_000);
            w.record_heads("u", &[(0, 7)], 1_000 + i * 1_000);
        }
        for (i, g) in ["a", "b"].into_iter().enumerate() {
            for k in 0..3 {
                let c = Commit {
                    group: g,
                    topic: "t",
                    partition: i as i32,
                    offset: 100 + k,
                    timestamp_ms: 2_000 + k * 500,
                    order: k + 10 * i as i64,
                };
                w.commit(&c, CommitSource::OffsetsTopic, 5_000);
            }
        }
        w.set_membership(
            "a",
            &GroupMembership {
                state: Some("Stable".into()),
                members: vec![Member {
                    host: "/10.0.0.1".into(),
                    client_id: "app-1".into(),
                    assignment: vec![("t".into(), vec![0])],
                }],
            },
            5_000,
        );
        w.set_position("reader", 3, 42);
    }

    fn restored_copy(h: &StorageHandle) -> (StorageHandle, Restored) {
        let delta = h.cluster("c").unwrap().take_delta(true);
        let copy = store();
        let report = copy.cluster("c").unwrap().restore(
            delta.topics.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            delta.groups.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            delta.positions.iter().map(|(n, p)| (n.as_str(), p.clone())),
        );
        (copy, report)
    }

    #[test]
    fn a_restored_store_reads_back_exactly_what_was_snapshotted() {
        let h = store();
        fill(&h);
        let (copy, report) = restored_copy(&h);
        assert_eq!((report.groups, report.topics), (2, 2));
        assert!(report.damaged.is_empty());
        let (a, b) = (h.cluster("c").unwrap(), copy.cluster("c").unwrap());
        for g in ["a", "b"] {
            assert_eq!(a.group(g), b.group(g), "group {g}");
        }
        assert_eq!(
            b.group("a").unwrap().topics[0].partitions[0]
                .owner
                .as_deref(),
            Some("/10.0.0.1")
        );
        assert_eq!(b.positions("reader"), vec![-1, -1, -1, 42]);
        assert_eq!(a.head_offsets("t"), b.head_offsets("t"));
    }

    #[test]
    fn a_topic_expired_from_a_group_is_gone_from_the_next_snapshot() {
        let h = store();
        fill(&h);
        let s = h.cluster("c").unwrap();
        let _ = s.take_delta(true);
        {
            let mut w = s.writer();
            // a commits to u long after its commits to t (at 2.0 s to 3.0 s).
            w.commit(
                &Commit {
                    group: "a",
                    topic: "u",
                    partition: 0,
                    offset: 7,
                    timestamp_ms: 604_810_000,
                    order: 99,
                },
                CommitSource::OffsetsTopic,
                604_810_000,
            );
            // Its member moved on to u: t, unassigned and stale, expires.
            w.set_membership(
                "a",
                &GroupMembership {
                    state: Some("Stable".into()),
                    members: vec![Member {
                        host: "/10.0.0.1".into(),
                        client_id: "app-1".into(),
                        assignment: vec![("u".into(), vec![0])],
                    }],
                },
                604_810_000,
            );
            let expired = w.expire_groups(604_805_000);
            assert_eq!(expired.topics, vec![("a".to_string(), "t".to_string())]);
            assert_eq!(expired.groups, vec!["b".to_string()]);
        }
        let delta = s.take_delta(false);
        let written: Vec<&str> = delta.groups.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(written, vec!["a"], "the changed group is written again");
        let (copy, _) = restored_copy(&h);
        let topics: Vec<String> = copy
            .cluster("c")
            .unwrap()
            .group("a")
            .unwrap()
            .topics
            .into_iter()
            .map(|t| t.topic)
            .collect();
        assert_eq!(topics, vec!["u"]);
    }

    #[test]
    fn a_topic_the_storage_lists_now_exclude_is_not_restored_nor_its_windows() {
        let h = store();
        fill(&h);
        let delta = h.cluster("c").unwrap().take_delta(true);
        let copy = StorageHandle::new(
            ["c".to_string()],
            StorageSettings {
                topic_deny: Some(regex::Regex::new("^t$").unwrap()),
                ..StorageSettings::burrow_defaults()
            },
        );
        let c = copy.cluster("c").unwrap();
        let report = c.restore(
            delta.topics.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            delta.groups.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            delta.positions.iter().map(|(n, p)| (n.as_str(), p.clone())),
        );
        assert_eq!(report.topics, 1);
        assert_eq!(c.topic_names(), vec!["u"]);
        // b consumed only t: it is gone; a stays for its members.
        assert!(c.group("b").is_none());
        assert!(c.group("a").unwrap().topics.is_empty());
    }

    #[test]
    fn a_group_on_more_than_65535_topics_is_read_back_whole() {
        let h = store();
        let s = h.cluster("c").unwrap();
        let topics: Vec<(String, usize)> = (0..70_000).map(|i| (format!("t{i}"), 1)).collect();
        let mut w = s.writer();
        w.set_topics(&topics);
        for (i, (name, _)) in topics.iter().enumerate() {
            w.record_heads(name, &[(0, 10)], 1_000);
            let c = Commit {
                group: "wide",
                topic: name,
                partition: 0,
                offset: 5,
                timestamp_ms: 2_000,
                order: i as i64 + 1,
            };
            w.commit(&c, CommitSource::OffsetsTopic, 3_000);
        }
        drop(w);
        assert_eq!(s.group("wide").unwrap().topics.len(), 70_000);
        let (copy, report) = restored_copy(&h);
        assert!(report.damaged.is_empty(), "{:?}", report.damaged);
        let back = copy.cluster("c").unwrap().group("wide").expect("restored");
        assert_eq!(back.topics.len(), 70_000);
    }

    #[test]
    fn a_restored_group_still_drops_replayed_commits() {
        let h = store();
        fill(&h);
        let (copy, _) = restored_copy(&h);
        let s = copy.cluster("c").unwrap();
        let replay = Commit {
            group: "a",
            topic: "t",
            partition: 0,
            offset: 999,
            timestamp_ms: 4_000,
            order: 2,
        };
        let outcome = s
            .writer()
            .commit(&replay, CommitSource::OffsetsTopic, 6_000);
        assert_eq!(
            outcome,
            crate::storage::CommitOutcome::Dropped(crate::storage::DropReason::Replayed)
        );
    }

    #[test]
    fn only_changed_groups_and_removals_are_in_the_next_delta() {
        let h = store();
        fill(&h);
        let s = h.cluster("c").unwrap();
        assert_eq!(s.take_delta(false).groups.len(), 2);
        assert!(s.take_delta(false).groups.is_empty());
        let c = Commit {
            group: "b",
            topic: "t",
            partition: 1,
            offset: 200,
            timestamp_ms: 9_000,
            order: 99,
        };
        s.writer().commit(&c, CommitSource::OffsetsTopic, 9_000);
        s.writer().delete_group("a");
        let d = s.take_delta(false);
        let names: Vec<&str> = d.groups.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["b"]);
        assert_eq!(d.removed, vec!["a".to_string()]);
        // A failed write puts everything back for the next snapshot.
        s.mark_changed(&d);
        let again = s.take_delta(false);
        assert_eq!((again.groups.len(), again.removed.len()), (1, 1));
    }

    #[test]
    fn groups_left_out_at_restore_are_deleted_with_the_next_snapshot() {
        let h = store();
        fill(&h);
        let delta = h.cluster("c").unwrap().take_delta(true);
        let deny_b = StorageHandle::new(
            ["c".to_string()],
            StorageSettings {
                deny: Some(regex::Regex::new("^b$").unwrap()),
                ..StorageSettings::burrow_defaults()
            },
        );
        let s = deny_b.cluster("c").unwrap();
        let report = s.restore(
            delta.topics.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            delta.groups.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            [],
        );
        assert_eq!(report.groups, 1);
        let next = s.take_delta(false);
        assert!(next.groups.is_empty());
        assert_eq!(next.removed, vec!["b".to_string()]);
    }

    #[test]
    fn damaged_records_are_skipped_and_reported_never_a_panic() {
        let h = store();
        fill(&h);
        let delta = h.cluster("c").unwrap().take_delta(true);
        let good = &delta.groups[0].1;
        let mut cases: Vec<Vec<u8>> = (0..good.len()).map(|n| good[..n].to_vec()).collect();
        cases.push([good.as_slice(), &[0]].concat());
        cases.push(vec![9; 40]);
        let mut huge = good.clone();
        huge[1 + 16..1 + 16 + 2].copy_from_slice(&u16::MAX.to_le_bytes());
        cases.push(huge);
        for bytes in &cases {
            let copy = store();
            let report = copy.cluster("c").unwrap().restore(
                delta.topics.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
                [("a", bytes.as_slice())],
                [],
            );
            assert_eq!(report.groups, 0, "{bytes:?}");
            assert_eq!(report.damaged.len(), 1);
        }
    }

    #[test]
    fn windows_restored_into_shorter_intervals_keep_the_newest_commits() {
        let h = store();
        fill(&h);
        let delta = h.cluster("c").unwrap().take_delta(true);
        let short = StorageHandle::new(
            ["c".to_string()],
            StorageSettings {
                intervals: 2,
                ..StorageSettings::burrow_defaults()
            },
        );
        short.cluster("c").unwrap().restore(
            delta.topics.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            delta.groups.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            [],
        );
        let g = short.cluster("c").unwrap().group("a").unwrap();
        let offsets: Vec<i64> = g.topics[0].partitions[0]
            .commits
            .iter()
            .map(|c| c.offset)
            .collect();
        assert_eq!(offsets, vec![101, 102]);
    }
}
