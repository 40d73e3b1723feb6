//! One cluster's storage: the HEAD histories of its topics and the commit windows of its
//! groups, behind one `RwLock`. Collectors write through a [`ClusterWriter`] (one lock per
//! batch of records, so a busy offsets topic does not pay a lock per commit); the HTTP API and
//! the evaluator read owned snapshots (see `snapshot.rs`).
//!
//! Burrow's storage rules (its
//! [`storage/inmemory.go`](https://github.com/linkedin/Burrow/blob/master/core/internal/storage/inmemory.go))
//! live here: drop commits older than `expire-group`,
//! filtered groups and topics, commits for topics/partitions without a known HEAD; lag at commit is
//! `max(0, head - offset)`; `min-distance` merges frequent commits into the previous slot and
//! keeps its timestamp. Commits are ordered by their position in the source: anything at or
//! below a group's newest position is a replay and is dropped (this is also what makes a
//! restart that re-reads the offsets topic harmless).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use foldhash::fast::RandomState;

use super::StorageSettings;
use super::consumer_group::ConsumerGroup;
use super::heads::{HeadSample, TopicHeads};
use super::origin::Origin;
use super::window::{NO_OWNER, Slot, TopicWindows};
use crate::model::{Commit, GroupMembership, TopicId};

pub(crate) type Map<K, V> = HashMap<K, V, RandomState>;

/// A group's order after its source changed (`ClusterWriter::claim_origin`): below every real
/// order, and apart from a new group's `i64::MIN`, so that only its newer commits are taken.
const ORDER_RESET: i64 = i64::MIN + 1;

/// What storage did with one commit; the collectors count these per cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommitOutcome {
    /// Appended as the newest commit of its window.
    Stored,
    /// Merged into the previous commit (`min-distance`).
    Merged,
    /// Same offset as the newest commit; only for sources that poll (Admin API).
    Unchanged,
    /// Not stored; see the reason.
    Dropped(DropReason),
}

/// Why a commit was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// Its commit timestamp is older than `expire-group`.
    TooOld,
    /// The group or the topic is excluded by the storage allow/deny lists.
    Filtered,
    /// The topic is not (yet) in the cluster's metadata.
    UnknownTopic,
    /// The partition is outside the topic's partition count.
    UnknownPartition,
    /// No HEAD offset was polled for the partition yet, so lag cannot be computed.
    NoHeadOffset,
    /// Its source position is at or below the group's newest (a replay or duplicate).
    Replayed,
}

impl CommitOutcome {
    /// Every outcome, in a stable order (for metrics).
    pub const ALL: [CommitOutcome; 9] = [
        CommitOutcome::Stored,
        CommitOutcome::Merged,
        CommitOutcome::Unchanged,
        CommitOutcome::Dropped(DropReason::TooOld),
        CommitOutcome::Dropped(DropReason::Filtered),
        CommitOutcome::Dropped(DropReason::UnknownTopic),
        CommitOutcome::Dropped(DropReason::UnknownPartition),
        CommitOutcome::Dropped(DropReason::NoHeadOffset),
        CommitOutcome::Dropped(DropReason::Replayed),
    ];

    /// Stable label for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitOutcome::Stored => "stored",
            CommitOutcome::Merged => "merged",
            CommitOutcome::Unchanged => "unchanged",
            CommitOutcome::Dropped(DropReason::TooOld) => "too_old",
            CommitOutcome::Dropped(DropReason::Filtered) => "filtered",
            CommitOutcome::Dropped(DropReason::UnknownTopic) => "unknown_topic",
            CommitOutcome::Dropped(DropReason::UnknownPartition) => "unknown_partition",
            CommitOutcome::Dropped(DropReason::NoHeadOffset) => "no_head_offset",
            CommitOutcome::Dropped(DropReason::Replayed) => "replayed",
        }
    }

    fn index(self) -> usize {
        CommitOutcome::ALL
            .iter()
            .position(|o| *o == self)
            .unwrap_or(0)
    }
}

/// What [`ClusterWriter::expire_groups`] removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Expired {
    /// Groups without a commit for `expire-group`.
    pub groups: Vec<String>,
    /// (group, topic): topics a remaining group stopped committing for `expire-group`.
    pub topics: Vec<(String, String)>,
}

/// Whether a source re-sends unchanged offsets (a poller) or only real commits (the offsets
/// topic). For a poller an unchanged offset is not a new commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitSource {
    /// Every record is a commit the group made.
    OffsetsTopic,
    /// Offsets are polled; only changes are commits.
    Poll,
}

pub(crate) struct Owner {
    pub(crate) host: Box<str>,
    pub(crate) client_id: Box<str>,
}

pub(crate) struct Group {
    /// Sorted by topic name; groups consume few topics, and a sorted Vec is the smallest map.
    pub(crate) topics: Vec<(Arc<str>, TopicWindows)>,
    /// Boxed because most of a million windows' groups never need it while it is empty, and
    /// the group map's slots should stay small.
    pub(crate) members: Option<Box<Membership>>,
    /// The pieces of a KIP-848 group's state that `members` is derived from (see
    /// `consumer_group.rs`); `None` for classic groups.
    pub(crate) consumer: Option<Box<ConsumerGroup>>,
    pub(crate) last_commit_ms: i64,
    pub(crate) last_order: i64,
    /// Changed since the last persisted snapshot (see `persist.rs`).
    pub(crate) dirty: bool,
}

pub(crate) struct Membership {
    pub(crate) owners: Vec<Owner>,
    pub(crate) state: Option<Box<str>>,
}

impl Group {
    fn new(now_ms: i64) -> Self {
        Group {
            topics: Vec::new(),
            members: None,
            consumer: None,
            last_commit_ms: now_ms,
            last_order: i64::MIN,
            dirty: true,
        }
    }

    pub(crate) fn owners(&self) -> &[Owner] {
        self.members.as_ref().map_or(&[], |m| &m.owners)
    }

    pub(crate) fn state(&self) -> Option<&str> {
        self.members.as_ref().and_then(|m| m.state.as_deref())
    }

    fn has_members(&self) -> bool {
        !self.owners().is_empty()
    }

    pub(crate) fn windows_mut(
        &mut self,
        topic: &Arc<str>,
        partitions: usize,
        intervals: u16,
    ) -> &mut TopicWindows {
        let i = match self.topics.binary_search_by(|(t, _)| (**t).cmp(&**topic)) {
            Ok(i) => i,
            Err(i) => {
                // Exactly one more: the default growth would reserve room for four topics in
                // every one of a million single-topic groups.
                self.topics.reserve_exact(1);
                self.topics
                    .insert(i, (topic.clone(), TopicWindows::new(partitions, intervals)));
                i
            }
        };
        let w = &mut self.topics[i].1;
        w.grow(partitions);
        w
    }

    pub(crate) fn windows(&self, topic: &str) -> Option<&TopicWindows> {
        let i = self
            .topics
            .binary_search_by(|(t, _)| (**t).cmp(topic))
            .ok()?;
        Some(&self.topics[i].1)
    }
}

#[derive(Default)]
pub(crate) struct ClusterState {
    pub(crate) topics: Map<Arc<str>, TopicHeads>,
    pub(crate) groups: Map<Box<str>, Group>,
    /// Names of topic ids, for KIP-848 assignments (which name topics by id).
    pub(crate) topic_ids: Map<TopicId, Arc<str>>,
    /// Groups removed since the last persisted snapshot (kept only when snapshots are taken).
    pub(crate) removed: Vec<Box<str>>,
    /// Whether snapshots are taken, so `removed` is read and emptied by them.
    pub(crate) snapshots: bool,
    /// Next offset to read of each offsets-topic partition, per reader (by consumer name),
    /// captured with the windows so a restart resumes exactly where the snapshot stands.
    pub(crate) positions: std::collections::BTreeMap<Box<str>, Vec<i64>>,
    /// The sequence the groups' orders and the positions count in (see `origin.rs`).
    pub(crate) origin: Option<Origin>,
}

impl ClusterState {
    fn remove_group(&mut self, name: &str) -> bool {
        let existed = self.groups.remove(name).is_some();
        if existed {
            self.removed.push(name.into());
            self.settle_removed();
        }
        existed
    }

    /// Without snapshots nobody reads `removed`: it is emptied at once instead of growing
    /// with every deleted, expired or vanished group name.
    fn settle_removed(&mut self) {
        if !self.snapshots {
            self.removed.clear();
        }
    }
}

/// Storage of one Kafka cluster.
pub struct ClusterStore {
    name: String,
    settings: Arc<StorageSettings>,
    pub(crate) state: RwLock<ClusterState>,
    outcomes: [AtomicU64; CommitOutcome::ALL.len()],
    /// Set when a learned topic id changed the origin (see `note_topic_id`).
    origin_changed: AtomicBool,
}

impl ClusterStore {
    pub(crate) fn new(name: String, settings: Arc<StorageSettings>) -> Self {
        let state = ClusterState {
            snapshots: settings.snapshots,
            ..ClusterState::default()
        };
        ClusterStore {
            name,
            settings,
            state: RwLock::new(state),
            outcomes: Default::default(),
            origin_changed: AtomicBool::new(false),
        }
    }

    /// The cluster's configured name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The storage settings in force.
    pub fn settings(&self) -> &StorageSettings {
        &self.settings
    }

    /// Whether the origin changed since the reader last claimed it (a recreated offsets
    /// topic, see `ClusterWriter::note_topic_id`); reading it clears it.
    pub fn take_origin_change(&self) -> bool {
        self.origin_changed.swap(false, Ordering::Relaxed)
    }

    /// Takes the write lock for a batch of updates. Keep batches short (a poll's worth).
    pub fn writer(&self) -> ClusterWriter<'_> {
        ClusterWriter {
            store: self,
            state: self.state.write().unwrap_or_else(|e| e.into_inner()),
        }
    }

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, ClusterState> {
        // A panic while holding the lock cannot leave the maps half-updated in a way readers
        // could trip on (every mutation is a single insert/remove), so poisoning is ignored.
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// How many commits ended in each outcome since start.
    pub fn commit_outcomes(&self) -> Vec<(CommitOutcome, u64)> {
        CommitOutcome::ALL
            .iter()
            .map(|o| (*o, self.outcomes[o.index()].load(Ordering::Relaxed)))
            .collect()
    }
}

/// Write access to one cluster's storage, holding its lock until dropped.
pub struct ClusterWriter<'a> {
    pub(super) store: &'a ClusterStore,
    pub(super) state: RwLockWriteGuard<'a, ClusterState>,
}

impl ClusterWriter<'_> {
    /// Stores one commit; `now_ms` is the observation time.
    pub fn commit(&mut self, c: &Commit<'_>, source: CommitSource, now_ms: i64) -> CommitOutcome {
        let outcome = self.commit_inner(c, source, now_ms, true);
        self.store.outcomes[outcome.index()].fetch_add(1, Ordering::Relaxed);
        outcome
    }

    /// Stores a commit from a source with no sequence of its own (ZooKeeper): it is the
    /// newest news about the group when read, so it is placed after the newest commit, and
    /// `c.order` is neither checked nor kept. The group's order stays that of the ordered
    /// source beside it, whose later commits (and only those) still follow.
    pub fn commit_unordered(
        &mut self,
        c: &Commit<'_>,
        source: CommitSource,
        now_ms: i64,
    ) -> CommitOutcome {
        let outcome = self.commit_inner(c, source, now_ms, false);
        self.store.outcomes[outcome.index()].fetch_add(1, Ordering::Relaxed);
        outcome
    }

    fn commit_inner(
        &mut self,
        c: &Commit<'_>,
        source: CommitSource,
        now_ms: i64,
        ordered: bool,
    ) -> CommitOutcome {
        use DropReason::*;
        let settings = &*self.store.settings;
        if c.timestamp_ms < now_ms.saturating_sub(settings.expire_group_ms) {
            return CommitOutcome::Dropped(TooOld);
        }
        if !settings.accepts(c.group) || !settings.accepts_topic(c.topic) {
            return CommitOutcome::Dropped(Filtered);
        }
        let state = &mut *self.state;
        let Some((topic_name, heads)) = state.topics.get_key_value(c.topic) else {
            return CommitOutcome::Dropped(UnknownTopic);
        };
        let partitions = heads.partition_count();
        let Ok(p) = usize::try_from(c.partition) else {
            return CommitOutcome::Dropped(UnknownPartition);
        };
        if p >= partitions {
            return CommitOutcome::Dropped(UnknownPartition);
        }
        let Some(head) = heads.latest(p) else {
            return CommitOutcome::Dropped(NoHeadOffset);
        };
        let topic_name = topic_name.clone();

        let group = match state.groups.get_mut(c.group) {
            Some(g) => g,
            // A group's age is its newest commit's, not the time Warren first read it: a
            // group found while replaying old commits must still expire on time.
            None => state
                .groups
                .entry(c.group.into())
                .or_insert_with(|| Group::new(c.timestamp_ms)),
        };
        if ordered && c.order <= group.last_order {
            return CommitOutcome::Dropped(Replayed);
        }
        // After the origin changed (see `claim_origin`) a group's order is unknown, but its
        // windows stand for everything up to its newest commit: a new source re-reading older
        // commits must not append them after newer ones. The first newer commit ends this
        // (a source's commit times grow with its order).
        if ordered && group.last_order == ORDER_RESET && c.timestamp_ms <= group.last_commit_ms {
            return CommitOutcome::Dropped(Replayed);
        }
        group.dirty = true;
        let windows = group.windows_mut(&topic_name, partitions, settings.intervals);
        let newest = windows.newest(p);
        if source == CommitSource::Poll && newest.is_some_and(|n| n.offset == c.offset) {
            if ordered {
                group.last_order = c.order;
            }
            return CommitOutcome::Unchanged;
        }
        let lag = u64::try_from(head.saturating_sub(c.offset)).unwrap_or(0);
        let outcome = match newest {
            Some(prev) if c.timestamp_ms - prev.timestamp_ms < settings.min_distance_ms => {
                windows
                    .replace_newest(p, Slot::new(c.offset, prev.timestamp_ms, now_ms, Some(lag)));
                CommitOutcome::Merged
            }
            _ => {
                windows.push(p, Slot::new(c.offset, c.timestamp_ms, now_ms, Some(lag)));
                CommitOutcome::Stored
            }
        };
        if ordered {
            group.last_order = c.order;
        }
        group.last_commit_ms = group.last_commit_ms.max(c.timestamp_ms);
        outcome
    }

    /// An offset tombstone at source position `order`: the group no longer has a committed
    /// offset for this partition. Forgets the window; a topic left without commits leaves the
    /// group, and a group left without topics and members is deleted (Burrow keeps such
    /// ghosts, #818). A tombstone at or below the group's newest position is a replay (a
    /// restart re-reads from positions older than some groups' persisted windows) and is
    /// ignored, like a replayed commit: the group committed again after it.
    pub fn forget_offset(&mut self, group: &str, topic: &str, partition: i32, order: i64) {
        let Some(g) = self.state.groups.get_mut(group) else {
            return;
        };
        let Ok(p) = usize::try_from(partition) else {
            return;
        };
        if order <= g.last_order {
            return;
        }
        g.last_order = order;
        g.dirty = true;
        if let Ok(i) = g.topics.binary_search_by(|(t, _)| (**t).cmp(topic)) {
            let w = &mut g.topics[i].1;
            w.clear(p);
            if w.is_empty() {
                g.topics.remove(i);
            }
        }
        if g.topics.is_empty() && !g.has_members() {
            self.state.remove_group(group);
        }
    }

    /// Replaces what storage knows of a group's members and their partitions.
    ///
    /// Unlike Burrow, which overwrites owners per assigned partition and leaves stale owners on
    /// partitions nobody was assigned, a membership record is taken as the whole truth.
    pub fn set_membership(&mut self, group: &str, membership: &GroupMembership, now_ms: i64) {
        let settings = &*self.store.settings;
        if !settings.accepts(group) {
            return;
        }
        self.group_mut(group, now_ms);
        let state = &mut *self.state;
        let Some(g) = state.groups.get_mut(group) else {
            return;
        };
        for (_, w) in &mut g.topics {
            for p in 0..w.partitions() {
                if let Some(m) = w.meta_mut(p) {
                    m.owner = NO_OWNER;
                }
            }
        }
        let mut owners = Vec::with_capacity(membership.members.len().min(usize::from(NO_OWNER)));
        for member in membership.members.iter().take(usize::from(NO_OWNER)) {
            let owner = owners.len() as u16;
            owners.push(Owner {
                host: member.host.as_str().into(),
                client_id: member.client_id.as_str().into(),
            });
            for (topic, partitions) in &member.assignment {
                let Some((name, heads)) = state.topics.get_key_value(topic.as_str()) else {
                    continue;
                };
                let count = heads.partition_count();
                let w = g.windows_mut(&name.clone(), count, settings.intervals);
                for &p in partitions {
                    if let Some(m) = usize::try_from(p).ok().and_then(|p| w.meta_mut(p)) {
                        m.owner = owner;
                    }
                }
            }
        }
        let state = membership.state.as_deref().map(Into::into);
        g.members =
            (!owners.is_empty() || state.is_some()).then(|| Box::new(Membership { owners, state }));
    }

    /// The group, created (as first seen at `now_ms`) if new, and marked changed.
    pub(super) fn group_mut(&mut self, group: &str, now_ms: i64) -> &mut Group {
        let groups = &mut self.state.groups;
        // Looked up before inserting so the common case allocates no key.
        if !groups.contains_key(group) {
            groups.insert(group.into(), Group::new(now_ms));
        }
        let g = groups.get_mut(group).expect("inserted above");
        g.dirty = true;
        g
    }

    /// Removes a group (group tombstone, `DELETE` request). Returns whether it existed.
    pub fn delete_group(&mut self, group: &str) -> bool {
        self.state.remove_group(group)
    }

    /// Burrow's `DELETE .../consumer/GROUP/topic/TOPIC`: forgets the group's windows of
    /// `topic`; a group left without topics and members is deleted. False when the group does
    /// not consume the topic.
    pub fn delete_group_topic(&mut self, group: &str, topic: &str) -> bool {
        let Some(g) = self.state.groups.get_mut(group) else {
            return false;
        };
        let Ok(i) = g.topics.binary_search_by(|(t, _)| (**t).cmp(topic)) else {
            return false;
        };
        g.topics.remove(i);
        g.dirty = true;
        if g.topics.is_empty() && !g.has_members() {
            self.state.remove_group(group);
        }
        true
    }

    /// A group tombstone read from the source at position `order`: deletes the group unless
    /// it is a replay the group has moved past (see [`Self::forget_offset`]).
    pub fn forget_group(&mut self, group: &str, order: i64) -> bool {
        if self
            .state
            .groups
            .get(group)
            .is_some_and(|g| order <= g.last_order)
        {
            return false;
        }
        self.state.remove_group(group)
    }

    /// Applies a metadata refresh: the full list of topics with their partition counts.
    /// Topics that disappeared are removed from storage everywhere, and groups left without
    /// any topic go with them. Topics the storage topic lists exclude are not stored, so
    /// their HEADs are never kept. Returns the removed topic names.
    pub fn set_topics(&mut self, topics: &[(String, usize)]) -> Vec<String> {
        let settings = &*self.store.settings;
        let (intervals, timeline) = (settings.intervals, settings.head_history);
        let topics: Vec<&(String, usize)> = topics
            .iter()
            .filter(|(t, _)| settings.accepts_topic(t))
            .collect();
        let state = &mut *self.state;
        let live: std::collections::HashSet<&str> =
            topics.iter().map(|(t, _)| t.as_str()).collect();
        let removed: Vec<String> = state
            .topics
            .keys()
            .filter(|t| !live.contains(&***t))
            .map(|t| t.to_string())
            .collect();
        for t in &removed {
            state.topics.remove(t.as_str());
        }
        if !removed.is_empty() {
            state.topic_ids.retain(|_, name| live.contains(&**name));
        }
        if !removed.is_empty() {
            let removed = &mut state.removed;
            state.groups.retain(|name, g| {
                let before = g.topics.len();
                g.topics.retain(|(t, _)| live.contains(&**t));
                g.dirty |= g.topics.len() != before;
                let keep = !g.topics.is_empty() || g.has_members();
                if !keep {
                    removed.push(name.clone());
                }
                keep
            });
            state.settle_removed();
        }
        for (name, partitions) in topics {
            match state.topics.get_mut(name.as_str()) {
                Some(h) => h.resize(*partitions),
                None => {
                    let name: Arc<str> = name.as_str().into();
                    state
                        .topics
                        .insert(name, TopicHeads::new(*partitions, intervals, timeline));
                }
            }
        }
        removed
    }

    /// Records polled HEAD offsets of one topic's partitions.
    pub fn record_heads(&mut self, topic: &str, heads: &[(i32, i64)], now_ms: i64) {
        let Some(t) = self.state.topics.get_mut(topic) else {
            return;
        };
        for &(p, offset) in heads {
            if let Ok(p) = usize::try_from(p) {
                t.record(
                    p,
                    HeadSample {
                        offset,
                        observed_ms: now_ms,
                    },
                );
            }
        }
    }

    /// Records polled earliest offsets of one topic's partitions.
    pub fn record_earliest(&mut self, topic: &str, offsets: &[(i32, i64)]) {
        let Some(t) = self.state.topics.get_mut(topic) else {
            return;
        };
        for &(p, offset) in offsets {
            if let Some(e) = usize::try_from(p).ok().and_then(|p| t.earliest.get_mut(p)) {
                *e = offset;
            }
        }
    }

    /// Deletes groups whose newest commit is older than `expire-group`, and from the groups
    /// that stay, the topics whose newest commit is (a group that moved on to other topics
    /// stops reporting the old ones, as Burrow's groups stop being reported as a whole). A
    /// topic a member is assigned is kept however old its commits: a consumer stuck on a
    /// rarely written topic commits nothing new, and must go on being judged. So is a topic
    /// without any commit, which is there because of an assignment.
    pub fn expire_groups(&mut self, now_ms: i64) -> Expired {
        let cutoff = now_ms.saturating_sub(self.store.settings.expire_group_ms);
        let mut expired = Expired::default();
        let state = &mut *self.state;
        let removed = &mut state.removed;
        state.groups.retain(|name, g| {
            let keep = g.last_commit_ms >= cutoff;
            if !keep {
                expired.groups.push(name.to_string());
                removed.push(name.clone());
                return false;
            }
            let before = g.topics.len();
            g.topics.retain(|(topic, w)| {
                let stale = !w.has_owner() && w.newest_commit_ms().is_some_and(|ms| ms < cutoff);
                if stale {
                    expired.topics.push((name.to_string(), topic.to_string()));
                }
                !stale
            });
            g.dirty |= g.topics.len() != before;
            true
        });
        state.settle_removed();
        expired
    }

    /// A collector states where its commit orders come from, when it connects. When that
    /// breaks the sequence of the orders stored (another consumer class, a recreated offsets
    /// topic, another cluster: see `origin.rs`), every group's order and every reader's
    /// position are forgotten, so new commits are stored and readers start over; returns the
    /// previous origin then. The windows stay.
    pub fn claim_origin(&mut self, origin: Origin) -> Option<Origin> {
        // A collector reconnecting starts from what storage kept: no change to report.
        self.store.origin_changed.store(false, Ordering::Relaxed);
        let state = &mut *self.state;
        // The offsets topic's id, if the HEAD poller has learned it (and only one).
        let origin = match (&origin.offsets_topic, origin.topic_id) {
            (Some(topic), None) => {
                let mut ids = state
                    .topic_ids
                    .iter()
                    .filter(|(_, name)| ***name == **topic)
                    .map(|(id, _)| *id);
                match (ids.next(), ids.next()) {
                    (Some(id), None) => Origin {
                        topic_id: Some(id),
                        ..origin
                    },
                    _ => origin,
                }
            }
            _ => origin,
        };
        match state.origin.take() {
            Some(previous) if !previous.continues(&origin) => {
                for g in state.groups.values_mut() {
                    let has_commits = g.topics.iter().any(|(_, w)| !w.is_empty());
                    g.last_order = if has_commits { ORDER_RESET } else { i64::MIN };
                    g.dirty = true;
                }
                state.positions.clear();
                state.origin = Some(origin);
                Some(previous)
            }
            Some(previous) => {
                state.origin = Some(origin.completed_from(&previous));
                None
            }
            None => {
                state.origin = Some(origin);
                None
            }
        }
    }

    /// A topic's id, as the brokers name it now. The offsets topic's id is part of the
    /// origin, learned here rather than asked for by the reader (a broker without
    /// DescribeTopics answers only when the request times out): an id other than the one the
    /// stored orders came from means the topic was recreated, and the orders and positions
    /// are forgotten as in [`Self::claim_origin`]; [`ClusterStore::take_origin_change`] tells
    /// the reader to start over.
    pub(crate) fn note_topic_id(&mut self, id: TopicId, name: &str) {
        let Some(origin) = &self.state.origin else {
            return;
        };
        if origin.offsets_topic.as_deref() != Some(name) {
            return;
        }
        match origin.topic_id {
            Some(known) if known != id => {
                let now = Origin {
                    topic_id: Some(id),
                    ..origin.clone()
                };
                if let Some(before) = self.claim_origin(now.clone()) {
                    tracing::warn!(cluster = %self.store.name, before = %before, now = %now,
                        "the offsets topic was recreated: stored positions and replay marks reset, it is read from its start; windows kept");
                    self.store.origin_changed.store(true, Ordering::Relaxed);
                }
            }
            Some(_) => {}
            None => {
                if let Some(o) = self.state.origin.as_mut() {
                    o.topic_id = Some(id);
                }
            }
        }
    }

    /// Records that `consumer` will next read `offset` from partition `partition` of its
    /// offsets topic (persisted with the windows, see `persist.rs`).
    pub fn set_position(&mut self, consumer: &str, partition: i32, offset: i64) {
        let Ok(p) = usize::try_from(partition) else {
            return;
        };
        let positions = match self.state.positions.get_mut(consumer) {
            Some(v) => v,
            None => self.state.positions.entry(consumer.into()).or_default(),
        };
        if positions.len() <= p {
            positions.resize(p + 1, -1);
        }
        positions[p] = offset;
    }
}
