//! `class-name = "kafka_zk"`: offsets committed to ZooKeeper by Kafka's old consumers, read
//! from `<zookeeper-path>/consumers/GROUP/offsets/TOPIC/PARTITION` (Burrow's `kafka_zk`
//! class). It feeds the same cluster's storage as the cluster's Kafka consumer, side by side
//! (see `tree.rs` for how their commits mix).
//!
//! Changes are followed with one persistent recursive watch on the consumers path (ZooKeeper
//! 3.6+): every new group, topic, partition and commit arrives as an event and its znode is
//! read at once. The whole tree is also read when a session starts, after the connection was
//! lost (ZooKeeper does not replay events missed meanwhile), and every `topic-refresh` as a
//! safety net. A server without persistent watches (before 3.6) is read every
//! `offset-refresh` instead. A lost session or an unreachable ensemble is retried with the
//! collectors' backoff; the consumer is ready once its first full read is done.

mod paths;
mod tree;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use warren_core::config::{ClusterConfig, ConsumerClass, ConsumerConfig};
use warren_core::health::{ClusterHealth, ConsumerProgress};
use warren_core::storage::ClusterStore;
use zookeeper_client::{
    AddWatchMode, Client, Error, EventType, PersistentWatcher, SessionState, WatchedEvent,
};

use crate::backoff::Backoff;
use tree::Tree;

/// How often the consumer looks whether the first HEAD poll is done (it gates start-up).
const HEADS_WAIT: Duration = Duration::from_millis(200);

/// Everything one `kafka_zk` consumer needs.
pub(crate) struct ZkConsumer {
    pub(crate) consumer: ConsumerConfig,
    pub(crate) cluster: ClusterConfig,
    pub(crate) store: Arc<ClusterStore>,
    pub(crate) cluster_health: Arc<ClusterHealth>,
    pub(crate) progress: Arc<ConsumerProgress>,
    pub(crate) cancel: CancellationToken,
}

/// Why a session ended.
enum Ended {
    Cancelled,
    Failed(String),
}

impl ZkConsumer {
    /// Reads and follows the tree until cancelled.
    pub(crate) async fn run(self) {
        let ConsumerClass::KafkaZk {
            consumers_path,
            session_timeout,
        } = &self.consumer.class
        else {
            return;
        };
        // Commits read before the first HEAD offsets would be dropped.
        while !self.cluster_health.heads_ready() {
            tokio::select! {
                _ = self.cancel.cancelled() => return,
                _ = tokio::time::sleep(HEADS_WAIT) => {}
            }
        }
        let mut tree = Tree::new(
            self.consumer.name.clone(),
            consumers_path.clone(),
            self.consumer.groups.clone(),
            self.consumer.topics.clone(),
            Arc::clone(&self.store),
            Arc::clone(&self.progress),
        );
        let mut backoff = Backoff::new();
        loop {
            match self
                .session(&mut tree, *session_timeout, &mut backoff)
                .await
            {
                Ended::Cancelled => return,
                Ended::Failed(error) => {
                    let delay = backoff.next_delay();
                    warn!(consumer = %self.consumer.name, error, retry_in = ?delay, "ZooKeeper session failed; connecting again");
                    tokio::select! {
                        _ = self.cancel.cancelled() => return,
                        _ = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    /// One ZooKeeper session: connect, watch, read everything, then follow the events.
    async fn session(
        &self,
        tree: &mut Tree,
        session_timeout: Duration,
        backoff: &mut Backoff,
    ) -> Ended {
        let name = &self.consumer.name;
        let servers = self.consumer.servers.join(",");
        let connect = Client::connector()
            .with_session_timeout(session_timeout)
            .connect(&servers);
        let client = tokio::select! {
            _ = self.cancel.cancelled() => return Ended::Cancelled,
            c = connect => match c {
                Ok(c) => c,
                Err(e) => return Ended::Failed(format!("cannot connect to {servers}: {e}")),
            },
        };
        let mut watcher = match client
            .watch(&tree.root, AddWatchMode::PersistentRecursive)
            .await
        {
            Ok(w) => Some(w),
            Err(Error::Unimplemented) => {
                warn!(consumer = %name, every = ?self.cluster.offset_refresh, "ZooKeeper before 3.6 has no persistent watches: reading the whole tree periodically instead");
                None
            }
            Err(e) => return Ended::Failed(format!("cannot watch {}: {e}", tree.root)),
        };
        let rescan_every = if watcher.is_some() {
            self.cluster.topic_refresh
        } else {
            self.cluster.offset_refresh
        };
        if let Err(e) = tree.scan(&client).await {
            return Ended::Failed(format!("cannot read {}: {e}", tree.root));
        }
        backoff.reset();
        info!(consumer = %name, servers, root = %tree.root, "ZooKeeper offsets read; following changes");
        self.progress.mark_ready();
        let mut rescan = tokio::time::interval(rescan_every);
        rescan.reset();
        // Set while the connection is down: events are missed, so a full read follows.
        let mut lost = false;
        loop {
            let outcome = tokio::select! {
                _ = self.cancel.cancelled() => return Ended::Cancelled,
                _ = rescan.tick() => tree.scan(&client).await,
                event = next(&mut watcher) => match event.event_type {
                    EventType::Session => match event.session_state {
                        SessionState::Disconnected => {
                            lost = true;
                            Ok(())
                        }
                        SessionState::SyncConnected | SessionState::ConnectedReadOnly if lost => {
                            lost = false;
                            info!(consumer = %name, "ZooKeeper connection back; reading the whole tree");
                            tree.scan(&client).await
                        }
                        state if state.is_terminated() => {
                            return Ended::Failed(format!("session ended: {state}"));
                        }
                        _ => Ok(()),
                    },
                    EventType::NodeCreated | EventType::NodeDataChanged => {
                        match paths::classify(&tree.root, &event.path) {
                            Some(paths::Node::Offset(key)) => tree.read(&client, &key).await,
                            _ => Ok(()),
                        }
                    }
                    EventType::NodeDeleted => {
                        if let Some(paths::Node::Offset(key)) = paths::classify(&tree.root, &event.path) {
                            tree.forget(&key);
                        }
                        Ok(())
                    }
                    EventType::NodeChildrenChanged => Ok(()),
                },
            };
            match outcome {
                Ok(()) => {}
                // The client reconnects on its own; what was missed is read when it is back.
                Err(Error::ConnectionLoss) => lost = true,
                Err(e) => return Ended::Failed(e.to_string()),
            }
        }
    }
}

/// The next event of the watch; never, without one (the periodic read does the work).
async fn next(watcher: &mut Option<PersistentWatcher>) -> WatchedEvent {
    match watcher {
        Some(w) => w.changed().await,
        None => std::future::pending().await,
    }
}
