//! Read side of storage: owned snapshots that the HTTP API and the evaluator take under the
//! read lock and use after releasing it. Shapes follow what Burrow's storage returns
//! ([`storage/inmemory.go`](https://github.com/linkedin/Burrow/blob/master/core/internal/storage/inmemory.go)),
//! with partition index = partition id.

use std::sync::Arc;

use serde::Serialize;

use super::cluster::{ClusterStore, Group};
use super::heads::HeadSample;
use super::window::TopicWindows;

/// One stored commit as readers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CommitEntry {
    /// Committed offset.
    pub offset: i64,
    /// Commit timestamp.
    pub timestamp_ms: i64,
    /// When Warren stored it.
    pub observed_ms: i64,
    /// Lag at commit time; `None` when unknown.
    pub lag: Option<u64>,
}

/// One partition of a group's topic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartitionSnapshot {
    /// Stored commits, oldest first (at most `intervals`).
    pub commits: Vec<CommitEntry>,
    /// Client host of the member that owns the partition, if known.
    pub owner: Option<String>,
    /// `client.id` of that member, if known.
    pub client_id: Option<String>,
    /// `max(0, newest HEAD - newest committed offset)`; 0 without commits.
    pub current_lag: u64,
    /// Recent HEAD offsets of the partition, oldest first (Burrow's view, `intervals` long).
    pub heads: Vec<HeadSample>,
    /// The partition's longer, compressed production curve, oldest first (for lag in
    /// seconds); shared with storage and every other group on the partition, not copied.
    pub timeline: Arc<Vec<HeadSample>>,
}

/// One topic consumed by a group: every partition of the topic, committed or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicSnapshot {
    /// Topic name.
    pub topic: String,
    /// Indexed by partition id.
    pub partitions: Vec<PartitionSnapshot>,
}

/// Everything storage holds about one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSnapshot {
    /// Group name.
    pub group: String,
    /// Window length in force (readers pad windows to it, as Burrow's rings are).
    pub intervals: u16,
    /// Group state, when a source reported one.
    pub state: Option<String>,
    /// Newest commit timestamp.
    pub last_commit_ms: i64,
    /// Consumed topics, sorted by name.
    pub topics: Vec<TopicSnapshot>,
}

impl ClusterStore {
    /// Topics of the cluster, sorted.
    pub fn topic_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.read().topics.keys().map(|t| t.to_string()).collect();
        v.sort();
        v
    }

    /// Newest HEAD offset of every partition of `topic` that has one (Burrow skips the
    /// others). `None` when the topic is unknown.
    pub fn topic_heads(&self, topic: &str) -> Option<Vec<i64>> {
        let state = self.read();
        let t = state.topics.get(topic)?;
        Some(
            (0..t.partition_count())
                .filter_map(|p| t.latest(p))
                .collect(),
        )
    }

    /// (partition, newest HEAD offset) of every partition of `topic` that has one.
    pub fn head_offsets(&self, topic: &str) -> Option<Vec<(i32, i64)>> {
        let state = self.read();
        let t = state.topics.get(topic)?;
        Some(
            (0..t.partition_count())
                .filter_map(|p| t.latest(p).map(|h| (p as i32, h)))
                .collect(),
        )
    }

    /// (partition, earliest offset) of every partition of `topic` whose earliest offset was
    /// polled. `None` when the topic is unknown.
    pub fn earliest_offsets(&self, topic: &str) -> Option<Vec<(i32, i64)>> {
        let state = self.read();
        let t = state.topics.get(topic)?;
        Some(
            t.earliest
                .iter()
                .enumerate()
                .filter(|(_, o)| **o >= 0)
                .map(|(p, o)| (p as i32, *o))
                .collect(),
        )
    }

    /// Partition count of `topic`, if known.
    pub fn partition_count(&self, topic: &str) -> Option<usize> {
        self.read().topics.get(topic).map(|t| t.partition_count())
    }

    /// Groups that hold windows on `topic`, sorted. `None` when the topic is unknown.
    pub fn topic_consumers(&self, topic: &str) -> Option<Vec<String>> {
        let state = self.read();
        state.topics.get(topic)?;
        let mut v: Vec<String> = state
            .groups
            .iter()
            .filter(|(_, g)| g.windows(topic).is_some())
            .map(|(name, _)| name.to_string())
            .collect();
        v.sort();
        Some(v)
    }

    /// Group names, sorted.
    pub fn group_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.read().groups.keys().map(|g| g.to_string()).collect();
        v.sort();
        v
    }

    /// Number of groups and of (group, partition) windows held.
    pub fn counts(&self) -> (usize, usize) {
        let state = self.read();
        let windows = state
            .groups
            .values()
            .flat_map(|g| g.topics.iter())
            .map(|(_, w)| w.partitions())
            .sum();
        (state.groups.len(), windows)
    }

    /// Heap bytes held by commit windows (for the memory benchmark).
    pub fn window_heap_bytes(&self) -> usize {
        let state = self.read();
        state
            .groups
            .values()
            .flat_map(|g| g.topics.iter())
            .map(|(_, w)| w.heap_bytes())
            .sum()
    }

    /// Whether `group` is stored (the status routes ask on every request: no copy, no
    /// allocation).
    pub fn has_group(&self, group: &str) -> bool {
        self.read().groups.contains_key(group)
    }

    /// The group's state (as a source reported it) and newest commit time, without copying
    /// its windows; `None` when the group is unknown.
    pub fn group_state(&self, group: &str) -> Option<(Option<String>, i64)> {
        let state = self.read();
        let g = state.groups.get(group)?;
        Some((g.state().map(str::to_string), g.last_commit_ms))
    }

    /// What sources reported of each group's membership, by group name: its state (when
    /// reported) and member count. Groups no source described (ZooKeeper-committed groups,
    /// groups seen only in commits) are left out rather than reported with 0 members.
    pub fn memberships(&self) -> std::collections::BTreeMap<String, (Option<String>, usize)> {
        let state = self.read();
        state
            .groups
            .iter()
            .filter_map(|(name, g)| {
                let m = g.members.as_ref()?;
                Some((
                    name.to_string(),
                    (m.state.as_deref().map(str::to_string), m.owners.len()),
                ))
            })
            .collect()
    }

    /// A copy of everything stored about `group`, or `None` when the group is unknown.
    pub fn group(&self, group: &str) -> Option<GroupSnapshot> {
        let state = self.read();
        let g = state.groups.get(group)?;
        let topics = g
            .topics
            .iter()
            .map(|(name, windows)| {
                let heads = state.topics.get(&**name);
                let count = heads.map_or(windows.partitions(), |h| {
                    h.partition_count().max(windows.partitions())
                });
                TopicSnapshot {
                    topic: name.to_string(),
                    partitions: (0..count)
                        .map(|p| partition_snapshot(g, windows, heads, p))
                        .collect(),
                }
            })
            .collect();
        Some(GroupSnapshot {
            group: group.to_string(),
            intervals: self.settings().intervals,
            state: g.state().map(str::to_string),
            last_commit_ms: g.last_commit_ms,
            topics,
        })
    }
}

fn partition_snapshot(
    g: &Group,
    windows: &TopicWindows,
    heads: Option<&super::heads::TopicHeads>,
    p: usize,
) -> PartitionSnapshot {
    let mut commits = Vec::with_capacity(windows.len(p));
    windows.each_newest_first(p, |s| {
        commits.push(CommitEntry {
            offset: s.offset,
            timestamp_ms: s.timestamp_ms,
            observed_ms: s.observed_ms(),
            lag: s.lag(),
        })
    });
    commits.reverse();
    let owner = windows
        .meta(p)
        .and_then(|m| g.owners().get(usize::from(m.owner)));
    let head = heads.and_then(|h| h.latest(p));
    let current_lag = match (head, commits.last()) {
        (Some(h), Some(c)) => u64::try_from(h.saturating_sub(c.offset)).unwrap_or(0),
        _ => 0,
    };
    let timeline = heads.map(|h| h.timeline_shared(p)).unwrap_or_default();
    PartitionSnapshot {
        commits,
        owner: owner.map(|o| o.host.to_string()),
        client_id: owner.map(|o| o.client_id.to_string()),
        current_lag,
        heads: heads.map(|h| h.history(p)).unwrap_or_default(),
        timeline,
    }
}
