//! Storage: Burrow's in-memory store, made compact. Collectors push HEAD offsets, commits and
//! group membership in; the HTTP API and the evaluator read snapshots out. One
//! [`ClusterStore`] per configured cluster, reached through a cloneable [`StorageHandle`].
//!
//! Layout: `window.rs` the encoded commit windows (`varint.rs` their numbers), `heads.rs`
//! the HEAD-offset histories, `cluster.rs` the write rules, `consumer_group.rs` the KIP-848
//! groups whose membership arrives in pieces, `origin.rs` the sequence commit orders count in,
//! `snapshot.rs` the read side, `persist.rs` the bytes a restart resumes from.

mod cluster;
mod consumer_group;
mod heads;
mod origin;
mod persist;
mod snapshot;
mod varint;
mod window;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use regex::Regex;

pub use cluster::{ClusterStore, ClusterWriter, CommitOutcome, CommitSource, DropReason, Expired};
pub use consumer_group::{ConsumerGroupUpdate, MemberAssignment, MemberClient};
pub use heads::HeadSample;
pub use origin::Origin;
pub use persist::{Delta, Restored, SLICE as SNAPSHOT_SLICE};
pub use snapshot::{CommitEntry, GroupSnapshot, PartitionSnapshot, TopicSnapshot};

/// Storage rules, resolved from `[storage.NAME]`.
#[derive(Debug, Clone)]
pub struct StorageSettings {
    /// Commits kept per (group, topic, partition), and recent HEAD offsets kept per partition
    /// for Burrow's rules.
    pub intervals: u16,
    /// Points of each partition's compressed HEAD timeline (for lag in seconds).
    pub head_history: u16,
    /// Commits closer than this to the previous one overwrite it (Burrow's `min-distance`).
    pub min_distance_ms: i64,
    /// Groups without a commit for this long are deleted, and so are the topics a group
    /// stopped committing for this long; older commits are ignored.
    pub expire_group_ms: i64,
    /// Only groups matching this are stored (when set).
    pub allow: Option<Regex>,
    /// Groups matching this are not stored (when set).
    pub deny: Option<Regex>,
    /// Only topics matching this are stored (when set): their HEADs and every commit for them.
    pub topic_allow: Option<Regex>,
    /// Topics matching this are not stored (when set).
    pub topic_deny: Option<Regex>,
    /// Removed groups are listed for the next snapshot to delete: only when snapshots are
    /// taken (a `data-dir`), else the list would only grow.
    pub snapshots: bool,
}

impl StorageSettings {
    /// Burrow's defaults: 10 intervals, no merging, 7-day expiry, no filters.
    pub fn burrow_defaults() -> Self {
        StorageSettings {
            intervals: 10,
            head_history: 64,
            min_distance_ms: 0,
            expire_group_ms: 604_800_000,
            allow: None,
            deny: None,
            topic_allow: None,
            topic_deny: None,
            snapshots: true,
        }
    }

    /// Whether the allow/deny lists let `group` in.
    pub fn accepts(&self, group: &str) -> bool {
        self.allow.as_ref().is_none_or(|r| r.is_match(group))
            && self.deny.as_ref().is_none_or(|r| !r.is_match(group))
    }

    /// Whether the topic allow/deny lists let `topic` in.
    pub fn accepts_topic(&self, topic: &str) -> bool {
        self.topic_allow.as_ref().is_none_or(|r| r.is_match(topic))
            && self.topic_deny.as_ref().is_none_or(|r| !r.is_match(topic))
    }
}

/// Cloneable handle to every cluster's storage.
#[derive(Clone)]
pub struct StorageHandle {
    clusters: Arc<BTreeMap<String, Arc<ClusterStore>>>,
}

impl StorageHandle {
    /// Creates empty storage for the configured clusters.
    pub fn new<I: IntoIterator<Item = String>>(clusters: I, settings: StorageSettings) -> Self {
        let settings = Arc::new(settings);
        let clusters = clusters
            .into_iter()
            .map(|name| {
                (
                    name.clone(),
                    Arc::new(ClusterStore::new(name, settings.clone())),
                )
            })
            .collect();
        StorageHandle {
            clusters: Arc::new(clusters),
        }
    }

    /// One cluster's storage.
    pub fn cluster(&self, name: &str) -> Option<&Arc<ClusterStore>> {
        self.clusters.get(name)
    }

    /// Configured cluster names, sorted.
    pub fn cluster_names(&self) -> Vec<String> {
        self.clusters.keys().cloned().collect()
    }

    /// Every cluster's storage.
    pub fn clusters(&self) -> impl Iterator<Item = &Arc<ClusterStore>> {
        self.clusters.values()
    }
}
