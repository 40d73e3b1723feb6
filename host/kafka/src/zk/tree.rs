//! Reading the consumers tree and turning what it holds into commits. ZooKeeper keeps no
//! commit time, so a commit is stamped with the time Warren read it, and it has no position
//! in a sequence Warren could replay, so it is placed after the group's newest commit,
//! whichever consumer wrote that, leaving the group's order to the Kafka consumer beside it
//! (`ClusterWriter::commit_unordered`): the newest news about a group wins, from either.
//!
//! What is a commit: each partition's znode carries the id of the transaction that last wrote
//! it (`mzxid`). A znode read again with the same id is the same commit (a rescan); a new id
//! is a new commit, even of the same offset (a consumer at the end of its topic keeps
//! committing it, which Burrow's rules need to see). A znode seen for the first time since
//! Warren started may be what storage restored from before a restart, so it counts only if
//! its offset differs from the newest stored (storage's `CommitSource::Poll`).

use std::collections::HashMap;
use std::sync::Arc;

use tracing::{debug, warn};
use warren_core::config::GroupFilter;
use warren_core::health::ConsumerProgress;
use warren_core::model::Commit;
use warren_core::storage::{ClusterStore, CommitOutcome, CommitSource, DropReason};
use zookeeper_client::{Client, Error};

use super::paths::{self, Key};
use crate::client::now_ms;

/// A partition of a group, owned (for the map of what was read).
type Partition = (String, String, i32);

/// What the consumer knows of the tree, and where it writes.
pub(crate) struct Tree {
    pub(crate) name: String,
    /// `<zookeeper-path>/consumers`.
    pub(crate) root: String,
    pub(crate) filter: GroupFilter,
    /// The consumer's topic allow/deny lists.
    pub(crate) topics: GroupFilter,
    pub(crate) store: Arc<ClusterStore>,
    pub(crate) progress: Arc<ConsumerProgress>,
    /// Each partition znode's `mzxid` when it was last applied.
    seen: HashMap<Partition, i64>,
}

impl Tree {
    pub(crate) fn new(
        name: String,
        root: String,
        filter: GroupFilter,
        topics: GroupFilter,
        store: Arc<ClusterStore>,
        progress: Arc<ConsumerProgress>,
    ) -> Self {
        Tree {
            name,
            root,
            filter,
            topics,
            store,
            progress,
            seen: HashMap::new(),
        }
    }

    /// Reads every accepted group's offsets. A branch deleted while it is walked is skipped;
    /// any other error ends the scan (the caller decides whether the session is lost).
    pub(crate) async fn scan(&mut self, client: &Client) -> Result<(), Error> {
        let root = self.root.clone();
        let mut groups = children(client, &root).await?;
        groups.retain(|g| self.filter.accepts(g));
        let mut partitions = 0usize;
        for group in &groups {
            let offsets = paths::join(&paths::join(&root, group), "offsets");
            for topic in children(client, &offsets).await? {
                if !self.topics.accepts(&topic) {
                    continue;
                }
                let topic_path = paths::join(&offsets, &topic);
                for partition in children(client, &topic_path).await? {
                    let path = paths::join(&topic_path, &partition);
                    if let Some(paths::Node::Offset(key)) = paths::classify(&root, &path) {
                        partitions += 1;
                        self.read(client, &key).await?;
                    }
                }
            }
        }
        debug!(consumer = %self.name, groups = groups.len(), partitions, "ZooKeeper offsets scanned");
        Ok(())
    }

    /// Reads one partition's znode and applies it. A znode gone meanwhile is forgotten.
    pub(crate) async fn read(&mut self, client: &Client, key: &Key<'_>) -> Result<(), Error> {
        if !self.filter.accepts(key.group) || !self.topics.accepts(key.topic) {
            return Ok(());
        }
        let path = format!(
            "{}/{}/offsets/{}/{}",
            self.root, key.group, key.topic, key.partition
        );
        match client.get_data(&path).await {
            Ok((data, stat)) => {
                self.apply(key, &data, stat.mzxid);
                Ok(())
            }
            Err(Error::NoNode) => {
                self.forget(key);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// A partition's znode was deleted: a later one of the same name is a first sight again.
    pub(crate) fn forget(&mut self, key: &Key<'_>) {
        self.seen
            .remove(&(key.group.to_owned(), key.topic.to_owned(), key.partition));
    }

    fn apply(&mut self, key: &Key<'_>, data: &[u8], mzxid: i64) {
        let id = (key.group.to_owned(), key.topic.to_owned(), key.partition);
        let previous = self.seen.get(&id).copied();
        if previous == Some(mzxid) {
            return;
        }
        self.progress.add_records(1);
        let Some(offset) = paths::offset(data) else {
            self.progress.add_decode_error("zookeeper_offset");
            warn!(consumer = %self.name, group = key.group, topic = key.topic, partition = key.partition,
                data = %String::from_utf8_lossy(&data[..data.len().min(64)]), "a ZooKeeper offset znode holds no offset; skipped");
            self.seen.insert(id, mzxid);
            return;
        };
        let source = match previous {
            Some(_) => CommitSource::OffsetsTopic,
            None => CommitSource::Poll,
        };
        let now = now_ms();
        let mut writer = self.store.writer();
        let commit = Commit {
            group: key.group,
            topic: key.topic,
            partition: key.partition,
            offset,
            timestamp_ms: now,
            // Not used: see `commit_unordered`.
            order: 0,
        };
        let outcome = writer.commit_unordered(&commit, source, now);
        drop(writer);
        debug!(consumer = %self.name, group = key.group, topic = key.topic, partition = key.partition, offset, outcome = outcome.as_str(), "ZooKeeper commit");
        match outcome {
            // The HEAD poller has not seen the topic or partition yet: read it again on the
            // next rescan instead of losing it until the group commits again.
            CommitOutcome::Dropped(
                DropReason::UnknownTopic | DropReason::UnknownPartition | DropReason::NoHeadOffset,
            ) => {
                self.seen.remove(&id);
            }
            _ => {
                self.seen.insert(id, mzxid);
            }
        }
    }
}

/// The children of `path`; none when it does not exist (not created yet, or just deleted).
async fn children(client: &Client, path: &str) -> Result<Vec<String>, Error> {
    match client.list_children(path).await {
        Ok(mut names) => {
            names.sort();
            Ok(names)
        }
        Err(Error::NoNode) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}
