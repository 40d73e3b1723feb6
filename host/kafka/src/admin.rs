//! `class-name = "kafka-admin"`: for managed clusters that hide `__consumer_offsets`. Every
//! `offset-refresh`: ListGroups + DescribeGroups (members, client ids, hosts, assignments,
//! state), then the committed offsets of every group. A commit is recognised when a
//! partition's committed offset changes, stamped with the time Warren observed it; unchanged
//! offsets are not commits (storage's `CommitSource::Poll`).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use warren_core::codec;
use warren_core::config::ConsumerConfig;
use warren_core::health::{ClusterHealth, ConsumerProgress};
use warren_core::model::{Commit, GroupMembership, Member};
use warren_core::storage::{ClusterStore, CommitSource};

use crate::admin_ffi::list_group_offsets;
use crate::backoff::Backoff;
use crate::client::{WarrenContext, client_config, consumer as new_consumer, now_ms};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// One group as DescribeGroups saw it.
struct DescribedGroup {
    name: String,
    membership: GroupMembership,
}

/// Polls groups until cancelled.
pub(crate) async fn run(
    consumer: ConsumerConfig,
    offset_refresh: Duration,
    store: Arc<ClusterStore>,
    cluster_health: Arc<ClusterHealth>,
    progress: Arc<ConsumerProgress>,
    cancel: CancellationToken,
) {
    let config = client_config(&consumer.servers, &consumer.client_profile.client_id);
    let client: Arc<BaseConsumer<WarrenContext>> = match new_consumer(&config, &consumer.name) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            warn!(consumer = %consumer.name, error = %e, "cannot create Kafka client; consumer not running");
            return;
        }
    };
    // Orders must keep growing across restarts, or a restored group would drop every poll as
    // a replay: start from the clock (µs), one step per commit.
    let order = Arc::new(AtomicI64::new(
        crate::client::now_ms().saturating_mul(1_000),
    ));
    let mut backoff = Backoff::new();
    loop {
        let delay = if !cluster_health.heads_ready() {
            Duration::from_millis(200)
        } else {
            let c = client.clone();
            let filter = consumer.groups.clone();
            let poll = tokio::task::spawn_blocking(move || poll_groups(&c, &filter));
            let polled = tokio::select! {
                _ = cancel.cancelled() => return,
                r = poll => r,
            };
            match polled {
                Ok(Ok(groups)) => {
                    apply(&store, groups, &order, &progress);
                    if !progress.is_ready() {
                        info!(consumer = %consumer.name, "first Admin API poll complete");
                        progress.mark_ready();
                    }
                    backoff.reset();
                    offset_refresh
                }
                Ok(Err(e)) => {
                    let d = backoff.next_delay();
                    warn!(consumer = %consumer.name, error = %e, retry_in = ?d, "group poll failed; retrying");
                    d
                }
                Err(e) => {
                    let d = backoff.next_delay();
                    warn!(consumer = %consumer.name, error = %e, "group poll task failed; retrying");
                    d
                }
            }
        };
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

type Polled = Vec<(DescribedGroup, Result<Vec<(String, i32, i64)>, String>)>;

fn poll_groups(
    client: &BaseConsumer<WarrenContext>,
    filter: &warren_core::config::GroupFilter,
) -> Result<Polled, rdkafka::error::KafkaError> {
    let list = client.fetch_group_list(None, REQUEST_TIMEOUT)?;
    let mut described = Vec::new();
    for g in list.groups() {
        // Connect workers and other non-consumer protocols have no offsets to judge.
        if !(g.protocol_type() == "consumer" || g.protocol_type().is_empty())
            || !filter.accepts(g.name())
        {
            continue;
        }
        let members = g
            .members()
            .iter()
            .map(|m| Member {
                host: m.client_host().to_string(),
                client_id: m.client_id().to_string(),
                assignment: m
                    .assignment()
                    .and_then(|a| codec::decode_assignment(a).ok())
                    .map(|v| {
                        v.into_iter()
                            .map(|t| (t.topic.to_string(), t.partitions))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        described.push(DescribedGroup {
            name: g.name().to_string(),
            membership: GroupMembership {
                state: Some(g.state().to_string()),
                members,
            },
        });
    }
    let names: Vec<String> = described.iter().map(|d| d.name.clone()).collect();
    let offsets = list_group_offsets(client.client(), &names, REQUEST_TIMEOUT);
    Ok(described.into_iter().zip(offsets).collect())
}

fn apply(store: &ClusterStore, groups: Polled, order: &AtomicI64, progress: &ConsumerProgress) {
    let now = now_ms();
    let mut writer = store.writer();
    for (group, offsets) in groups {
        progress.add_records(1);
        writer.set_membership(&group.name, &group.membership, now);
        match offsets {
            Ok(offsets) => {
                for (topic, partition, offset) in offsets {
                    let commit = Commit {
                        group: &group.name,
                        topic: &topic,
                        partition,
                        offset,
                        timestamp_ms: now,
                        order: order.fetch_add(1, Ordering::Relaxed),
                    };
                    writer.commit(&commit, CommitSource::Poll, now);
                }
            }
            Err(e) => debug!(group = %group.name, error = %e, "OffsetFetch failed for group"),
        }
    }
}
