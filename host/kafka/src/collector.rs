//! Wiring of one cluster's collectors: the HEAD poller always, plus the consumers configured for
//! the cluster (a Kafka one, a ZooKeeper one, both or none). Each runs until the shared cancellation token fires, restarted if it
//! panics (`supervise.rs`); one cluster failing never touches another.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use warren_core::config::{Config, ConsumerClass};
use warren_core::health::Health;
use warren_core::storage::StorageHandle;

use crate::{admin, heads, offsets_topic, supervise, zk};

/// How long shutdown waits for reader threads.
const JOIN_GRACE: Duration = Duration::from_secs(5);

/// Running collectors; stop them with the token passed to [`spawn_collectors`], then
/// [`CollectorSet::join`].
pub struct CollectorSet {
    tasks: JoinSet<()>,
    threads: Vec<JoinHandle<()>>,
}

impl CollectorSet {
    /// Waits for every collector to stop (after cancellation).
    /// Reader threads notice cancellation within a poll interval, unless librdkafka holds one
    /// in a request to a dead broker; after `JOIN_GRACE` they are left to finish on their own.
    pub async fn join(mut self) {
        while self.tasks.join_next().await.is_some() {}
        let threads = std::mem::take(&mut self.threads);
        let joined = tokio::task::spawn_blocking(move || {
            for t in threads {
                let _ = t.join();
            }
        });
        if tokio::time::timeout(JOIN_GRACE, joined).await.is_err() {
            tracing::warn!(
                "an offsets-topic reader is still in a Kafka request; not waiting for it"
            );
        }
    }
}

/// Starts every collector the config asks for. Must be called inside a tokio runtime.
pub fn spawn_collectors(
    config: &Config,
    storage: &StorageHandle,
    health: &Health,
    cancel: &CancellationToken,
) -> CollectorSet {
    let mut tasks = JoinSet::new();
    let mut threads = Vec::new();
    for (name, cluster) in &config.clusters {
        let (Some(store), Some(cluster_health)) = (storage.cluster(name), health.cluster(name))
        else {
            continue;
        };
        let (cluster, store, health, stop) = (
            cluster.clone(),
            store.clone(),
            cluster_health.clone(),
            cancel.child_token(),
        );
        tasks.spawn(supervise::task(
            format!("HEAD poller of {name}"),
            cluster_health.clone(),
            stop.clone(),
            move || heads::run(cluster.clone(), store.clone(), health.clone(), stop.clone()),
        ));
    }
    for (name, consumer) in &config.consumers {
        let (Some(store), Some(cluster_health), Some(progress), Some(cluster)) = (
            storage.cluster(&consumer.cluster),
            health.cluster(&consumer.cluster),
            health.consumer(name),
            config.clusters.get(&consumer.cluster),
        ) else {
            continue;
        };
        match &consumer.class {
            ConsumerClass::Kafka {
                offsets_topic,
                start_latest,
            } => {
                let reader = offsets_topic::Reader {
                    consumer: consumer.clone(),
                    topic: offsets_topic.clone(),
                    start_latest: *start_latest,
                    store: Arc::clone(store),
                    cluster_health: Arc::clone(cluster_health),
                    progress: Arc::clone(progress),
                    cancel: cancel.child_token(),
                };
                let (what, health) = (
                    format!("offsets-topic reader of {name}"),
                    Arc::clone(cluster_health),
                );
                let thread = std::thread::Builder::new()
                    .name(format!("warren-offsets-{name}"))
                    .spawn(move || {
                        // Below the API's priority, and so are the librdkafka threads the
                        // reader starts: a burst of commits must not delay a request.
                        warren_core::priority::lower_this_thread();
                        supervise::thread(&what, &health, &reader.cancel.clone(), || {
                            reader.clone().run()
                        })
                    });
                match thread {
                    Ok(t) => threads.push(t),
                    Err(e) => {
                        tracing::error!(consumer = %name, error = %e, "cannot start offsets-topic reader thread")
                    }
                }
            }
            ConsumerClass::KafkaZk { .. } => {
                let (consumer, cluster, store, health, progress, stop) = (
                    consumer.clone(),
                    cluster.clone(),
                    store.clone(),
                    cluster_health.clone(),
                    progress.clone(),
                    cancel.child_token(),
                );
                tasks.spawn(supervise::task(
                    format!("ZooKeeper reader of {name}"),
                    cluster_health.clone(),
                    stop.clone(),
                    move || {
                        zk::ZkConsumer {
                            consumer: consumer.clone(),
                            cluster: cluster.clone(),
                            store: store.clone(),
                            cluster_health: health.clone(),
                            progress: progress.clone(),
                            cancel: stop.clone(),
                        }
                        .run()
                    },
                ));
            }
            ConsumerClass::KafkaAdmin => {
                let (consumer, refresh, store, health, progress, stop) = (
                    consumer.clone(),
                    cluster.offset_refresh,
                    store.clone(),
                    cluster_health.clone(),
                    progress.clone(),
                    cancel.child_token(),
                );
                tasks.spawn(supervise::task(
                    format!("Admin API poller of {name}"),
                    cluster_health.clone(),
                    stop.clone(),
                    move || {
                        admin::run(
                            consumer.clone(),
                            refresh,
                            store.clone(),
                            health.clone(),
                            progress.clone(),
                            stop.clone(),
                        )
                    },
                ));
            }
        }
    }
    CollectorSet { tasks, threads }
}
