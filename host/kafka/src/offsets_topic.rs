//! `class-name = "kafka"`: tails the offsets topic (`__consumer_offsets` by default), Burrow's
//! way. Runs on its own thread because librdkafka's poll is blocking and the hot path should
//! not hop between tasks: records are decoded in place (no copies of keys or values) and
//! applied to storage in batches under one write lock.
//!
//! Resuming: storage records, with every batch, the next offset of each partition (persisted
//! with the windows it produced), and the reader starts from there when it has one: after a
//! restart it replays only what was written while Warren was down, not the whole topic.
//!
//! Groups of both protocols are read: a classic group's `GroupMetadata` record carries its
//! whole membership, a KIP-848 group's (Kafka 4.x, `group.protocol=consumer`) arrives as
//! separate epoch, member and assignment records that storage assembles; their topic ids are
//! named by the HEAD poller's metadata (see `heads.rs`).
//!
//! Transactions: offsets a transactional producer sends with `sendOffsetsToTransaction` are
//! in the topic before its transaction ends, and stay there when it aborts. The reader reads
//! `read_committed`, so librdkafka drops aborted records with the broker's abort index: an
//! aborted offset never reaches a window. A transaction still open holds back the records
//! behind it in its own partition (the last stable offset), until it commits or the broker
//! aborts it at the producer's `transaction.timeout.ms`; every other partition, and
//! readiness, go on.
//!
//! Readiness: the reader is "caught up" once every partition has reported end-of-partition at
//! least once; until then `/burrow/admin/ready` says STARTING. The reader waits for the
//! cluster's first HEAD poll before reading, since storage drops commits it cannot compute lag
//! for (Burrow's cluster module runs first for the same reason).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use warren_core::codec::{self, Record};
use warren_core::config::{ClientProfile, ConsumerConfig};
use warren_core::health::{ClusterHealth, ConsumerProgress};
use warren_core::model::{Commit, GroupMembership, Member};
use warren_core::storage::{
    ClusterStore, ClusterWriter, CommitSource, ConsumerGroupUpdate, MemberAssignment, MemberClient,
    Origin,
};

use crate::backoff::{Backoff, pause};
use crate::client::{WarrenContext, client_config, consumer, now_ms};
use crate::tls_files::TlsFiles;

const POLL: Duration = Duration::from_millis(100);
/// How often the reader looks whether the first HEAD poll is done (it gates start-up).
const HEADS_WAIT: Duration = Duration::from_millis(5);
const BATCH: usize = 2048;
const DISCOVERY_EVERY: Duration = Duration::from_secs(30);
/// How often the reader samples its own lag (two batched ListOffsets).
const LAG_EVERY: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Everything the reader thread needs (cloned for each restart after a panic).
#[derive(Clone)]
pub(crate) struct Reader {
    pub(crate) consumer: ConsumerConfig,
    pub(crate) topic: String,
    pub(crate) start_latest: bool,
    pub(crate) store: Arc<ClusterStore>,
    pub(crate) cluster_health: Arc<ClusterHealth>,
    pub(crate) progress: Arc<ConsumerProgress>,
    pub(crate) cancel: CancellationToken,
}

/// The librdkafka settings of the offsets-topic reader of consumer `name`, connecting as
/// `profile` says. Public so that `warren dev-read` (the benchmarks' floor) reads with exactly
/// these. Fails only when a credential cannot be read.
pub fn reader_config(
    servers: &[String],
    profile: &ClientProfile,
    name: &str,
) -> Result<ClientConfig, String> {
    let mut cfg = client_config(servers, profile)?;
    cfg.set("enable.partition.eof", "true")
        // Nothing is ever committed; the id only names the client in broker logs.
        .set("group.id", format!("warren-reader-{name}"))
        .set("fetch.wait.max.ms", "100")
        // Prefetch enough to keep decoding busy, but bounded: librdkafka's defaults let a
        // 50-partition offsets topic buffer gigabytes while Warren catches up.
        .set("queued.min.messages", "20000")
        .set("queued.max.messages.kbytes", "16384")
        // When the queue is full the fetcher waits this long before looking again; the
        // default (1 s) leaves the reader idle half the time while it catches up.
        .set("fetch.queue.backoff.ms", "10")
        // A stored position that retention has since deleted: read what is left.
        .set("auto.offset.reset", "earliest")
        // See the module doc: aborted transactional offsets must never count. End of
        // partition is then the last stable offset, so readiness never waits for an open
        // transaction.
        .set("isolation.level", "read_committed");
    Ok(cfg)
}

/// Why a read ended without an error.
enum Ended {
    Cancelled,
    /// The profile's certificate files changed: a new client reads them, from the positions
    /// stored so far.
    FilesChanged,
    /// The offsets topic was recreated, or the servers are another cluster's: storage forgot
    /// the positions, and a new client reads the topic from its start.
    OriginChanged,
}

impl Reader {
    /// Runs until cancelled; connection problems are retried with backoff.
    pub(crate) fn run(self) {
        let mut backoff = Backoff::new();
        while !self.cancel.is_cancelled() {
            if !self.cluster_health.heads_ready() {
                std::thread::sleep(HEADS_WAIT);
                continue;
            }
            match self.read_until_cancelled() {
                Ok(Ended::Cancelled) => return,
                Ok(Ended::FilesChanged) => {
                    info!(consumer = %self.consumer.name, "certificate files changed: connecting anew with them");
                    backoff.reset();
                }
                Ok(Ended::OriginChanged) => backoff.reset(),
                Err(e) => {
                    let delay = backoff.next_delay();
                    warn!(consumer = %self.consumer.name, error = %e, retry_in = ?delay, "offsets topic reader failed; retrying");
                    pause(&self.cancel, delay);
                }
            }
        }
    }

    fn read_until_cancelled(&self) -> Result<Ended, KafkaError> {
        let mut files = TlsFiles::of(&self.consumer.client_profile);
        let cfg = reader_config(
            &self.consumer.servers,
            &self.consumer.client_profile,
            &self.consumer.name,
        )
        .map_err(KafkaError::ClientCreation)?;
        let consumer: BaseConsumer<WarrenContext> = consumer(&cfg, &self.consumer.name)?;
        let mut assigned = 0usize;
        let mut eof: Vec<bool> = Vec::new();
        let mut targets: Vec<i64> = Vec::new();
        let mut last_discovery = Instant::now() - DISCOVERY_EVERY;
        let mut last_lag = Instant::now();
        // Next offset per partition read in the current batch (-1: none), recorded in storage
        // once per batch rather than once per record.
        let mut batch_next: Vec<i64> = Vec::new();
        let mut backfilled = false;
        loop {
            if self.cancel.is_cancelled() {
                return Ok(Ended::Cancelled);
            }
            if files.changed() {
                return Ok(Ended::FilesChanged);
            }
            if self.store.take_origin_change() {
                return Ok(Ended::OriginChanged);
            }
            if last_discovery.elapsed() >= DISCOVERY_EVERY {
                last_discovery = Instant::now();
                let count = self.partition_count(&consumer)?;
                // Before the stored positions are read: a changed origin forgets them.
                if count > 0 && self.claim_origin(&consumer) && assigned > 0 {
                    return Ok(Ended::OriginChanged);
                }
                if count > assigned {
                    let resume = self.store.positions(&self.consumer.name);
                    let (high, low) = self.partition_bounds(&consumer, assigned..count)?;
                    let mut tpl = TopicPartitionList::new();
                    for (i, p) in (assigned..count).enumerate() {
                        let stored = resume.get(p).copied().filter(|o| *o >= 0);
                        // Partitions found after start are read from their beginning.
                        let latest = self.start_latest && assigned == 0;
                        let (offset, from) = start_at(stored, latest, high[i], low[i]);
                        tpl.add_partition_offset(&self.topic, p as i32, offset)?;
                        targets.push((high[i] - from).max(0));
                    }
                    if resume.iter().any(|o| *o >= 0) {
                        info!(consumer = %self.consumer.name, behind = targets.iter().sum::<i64>(), "resuming the offsets topic from stored positions");
                    }
                    consumer.incremental_assign(&tpl)?;
                    info!(consumer = %self.consumer.name, topic = %self.topic, partitions = count, "reading offsets topic");
                    eof.resize(count, false);
                    assigned = count;
                    self.progress
                        .set_progress(0, targets.iter().map(|t| *t as u64).sum());
                }
                if assigned == 0 && !backfilled {
                    // No offsets topic (yet): nothing to catch up with.
                    backfilled = true;
                    self.progress.mark_ready();
                }
            }
            if assigned > 0 && last_lag.elapsed() >= LAG_EVERY {
                last_lag = Instant::now();
                self.sample_lag(&consumer, assigned);
            }
            let Some(first) = consumer.poll(POLL) else {
                continue;
            };
            let now = now_ms();
            let mut writer = self.store.writer();
            batch_next.clear();
            batch_next.resize(assigned, -1);
            let mut next = Some(first);
            let mut n = 0;
            while let Some(item) = next {
                match item {
                    Ok(msg) => {
                        self.apply(&mut writer, msg.key(), msg.payload(), msg.offset(), now);
                        if let Some(at) = usize::try_from(msg.partition())
                            .ok()
                            .and_then(|p| batch_next.get_mut(p))
                        {
                            *at = msg.offset() + 1;
                        }
                    }
                    Err(KafkaError::PartitionEOF(p)) => {
                        if let Some(e) = usize::try_from(p).ok().and_then(|p| eof.get_mut(p)) {
                            *e = true;
                        }
                        if !self.progress.is_ready() && eof.iter().all(|e| *e) {
                            let (_, target) = self.progress.progress();
                            self.progress.set_progress(target, target);
                            self.progress.mark_ready();
                            info!(consumer = %self.consumer.name, "offsets topic caught up");
                        }
                    }
                    Err(e) if is_transient(&e) => {
                        debug!(consumer = %self.consumer.name, error = %e, "transient fetch error")
                    }
                    Err(e) => return Err(e),
                }
                n += 1;
                next = if n < BATCH {
                    consumer.poll(Duration::ZERO)
                } else {
                    None
                };
            }
            for (p, &at) in batch_next.iter().enumerate() {
                if at >= 0 {
                    writer.set_position(&self.consumer.name, p as i32, at);
                }
            }
            drop(writer);
            if !self.progress.is_ready() {
                let (pos, target) = self.progress.progress();
                self.progress
                    .set_progress((pos + n as u64).min(target), target);
            }
        }
    }

    /// Tells storage which topic of which cluster this reader's orders are offsets of (see
    /// `Origin`); true when that changed since the stored windows and positions were made,
    /// which storage then forgot. The topic's id comes from the HEAD poller's lookups
    /// (`ClusterWriter::note_topic_id`), which also catch a topic recreated while reading.
    fn claim_origin(&self, consumer: &BaseConsumer<WarrenContext>) -> bool {
        let origin = Origin {
            offsets_topic: Some(self.topic.clone()),
            cluster_id: consumer.client().fetch_cluster_id(REQUEST_TIMEOUT),
            topic_id: None,
        };
        let now = origin.to_string();
        match self.store.writer().claim_origin(origin) {
            Some(before) => {
                warn!(consumer = %self.consumer.name, before = %before, now = %now, "commits now come from another sequence (consumer class switched, offsets topic recreated, or another cluster): stored positions and replay marks reset, the offsets topic is read from its start; windows kept");
                true
            }
            None => false,
        }
    }

    /// Records not yet read: HEAD minus the next position (or the earliest offset, before the
    /// first record of a partition). A failed sample keeps the previous figure.
    fn sample_lag(&self, consumer: &BaseConsumer<WarrenContext>, partitions: usize) {
        let Ok((high, low)) = self.partition_bounds(consumer, 0..partitions) else {
            return;
        };
        let positions = self.store.positions(&self.consumer.name);
        let backlog: i64 = (0..partitions)
            .map(|p| {
                // Nothing read yet: from the end with `start-latest`, else from the start.
                let start = if self.start_latest { high[p] } else { low[p] };
                let at = positions
                    .get(p)
                    .copied()
                    .filter(|o| *o >= 0)
                    .unwrap_or(start);
                (high[p] - at.max(low[p])).max(0)
            })
            .sum();
        self.progress.set_backlog(backlog as u64);
    }

    /// (HEAD, earliest offset) of each of `partitions`, asked in two batched ListOffsets
    /// rounds rather than two requests per partition.
    fn partition_bounds(
        &self,
        consumer: &BaseConsumer<WarrenContext>,
        partitions: std::ops::Range<usize>,
    ) -> Result<(Vec<i64>, Vec<i64>), KafkaError> {
        let ask = |at: Offset| -> Result<Vec<i64>, KafkaError> {
            let mut tpl = TopicPartitionList::new();
            for p in partitions.clone() {
                tpl.add_partition_offset(&self.topic, p as i32, at)?;
            }
            let answer = consumer.offsets_for_times(tpl, REQUEST_TIMEOUT)?;
            Ok(partitions
                .clone()
                .map(|p| {
                    match answer
                        .find_partition(&self.topic, p as i32)
                        .map(|e| e.offset())
                    {
                        Some(Offset::Offset(o)) => o,
                        _ => 0,
                    }
                })
                .collect())
        };
        Ok((ask(Offset::End)?, ask(Offset::Beginning)?))
    }

    fn partition_count(&self, consumer: &BaseConsumer<WarrenContext>) -> Result<usize, KafkaError> {
        let md = consumer.fetch_metadata(Some(&self.topic), REQUEST_TIMEOUT)?;
        Ok(md
            .topics()
            .iter()
            .find(|t| t.name() == self.topic && t.error().is_none())
            .map_or(0, |t| t.partitions().len()))
    }

    /// Applies the record at `offset` (its order in the source) of the offsets topic.
    fn apply(
        &self,
        writer: &mut ClusterWriter<'_>,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        offset: i64,
        now: i64,
    ) {
        self.progress.add_records(1);
        let Some(key) = key else {
            self.progress.add_decode_error("missing_key");
            return;
        };
        let record = match codec::decode(key, value) {
            Ok(r) => r,
            Err(e) => {
                self.progress.add_decode_error(e.kind().as_str());
                debug!(consumer = %self.consumer.name, offset, error = %e, "malformed offsets-topic record");
                return;
            }
        };
        match record {
            Record::OffsetCommit {
                group,
                topic,
                partition,
                value,
            } => {
                if !self.consumer.groups.accepts(group) || !self.consumer.topics.accepts(topic) {
                    return;
                }
                match value {
                    Some(v) => {
                        let commit = Commit {
                            group,
                            topic,
                            partition,
                            offset: v.offset,
                            timestamp_ms: v.commit_timestamp,
                            order: offset,
                        };
                        writer.commit(&commit, CommitSource::OffsetsTopic, now);
                    }
                    None => writer.forget_offset(group, topic, partition, offset),
                }
            }
            Record::GroupMetadata { group, value } => {
                if !self.consumer.groups.accepts(group) {
                    return;
                }
                match value {
                    None => {
                        writer.forget_group(group, offset);
                    }
                    Some(v) if v.protocol_type != "consumer" => self.progress.add_skipped(1),
                    Some(v) => {
                        let members = v
                            .members
                            .iter()
                            .map(|m| Member {
                                host: m.client_host.to_string(),
                                client_id: m.client_id.to_string(),
                                // A topic the consumer's lists exclude gets no owners
                                // either, so it does not appear in the group without commits.
                                assignment: m
                                    .assignment
                                    .iter()
                                    .filter(|a| self.consumer.topics.accepts(a.topic))
                                    .map(|a| (a.topic.to_string(), a.partitions.clone()))
                                    .collect(),
                            })
                            .collect::<Vec<_>>();
                        let state = if members.is_empty() {
                            "Empty"
                        } else {
                            "Stable"
                        };
                        writer.set_membership(
                            group,
                            &GroupMembership {
                                state: Some(state.into()),
                                members,
                            },
                            now,
                        );
                    }
                }
            }
            Record::ConsumerGroup { group, value } => self.update(
                writer,
                group,
                ConsumerGroupUpdate::Epoch(value.map(|v| v.epoch)),
                now,
            ),
            Record::ConsumerGroupTargetAssignment { group, value } => self.update(
                writer,
                group,
                ConsumerGroupUpdate::TargetEpoch(value.map(|v| v.assignment_epoch)),
                now,
            ),
            Record::ConsumerGroupMember {
                group,
                member_id,
                value,
            } => self.update(
                writer,
                group,
                ConsumerGroupUpdate::Member {
                    id: member_id,
                    client: value.map(|v| MemberClient {
                        client_id: v.client_id,
                        host: v.client_host,
                    }),
                },
                now,
            ),
            Record::ConsumerGroupMemberAssignment {
                group,
                member_id,
                value,
            } => self.update(
                writer,
                group,
                ConsumerGroupUpdate::Assignment {
                    id: member_id,
                    assignment: value.map(|v| MemberAssignment {
                        epoch: v.member_epoch,
                        // Kafka's MemberState::STABLE.
                        reconciling: v.state != 0,
                        topics: v
                            .assigned
                            .into_iter()
                            .map(|t| (t.topic_id, t.partitions))
                            .collect(),
                    }),
                },
                now,
            ),
            // Kafka 4.0 named its groups' topics here; later brokers only tombstone it.
            Record::ConsumerGroupTopics { value, .. } => match value {
                Some(topics) => {
                    writer.learn_topic_ids(topics.iter().map(|t| (t.topic_id, t.topic_name)), now)
                }
                None => self.progress.add_skipped(1),
            },
            Record::Skipped { .. } => self.progress.add_skipped(1),
        }
    }

    /// Applies one KIP-848 record to storage, if the group is monitored.
    fn update(
        &self,
        writer: &mut ClusterWriter<'_>,
        group: &str,
        update: ConsumerGroupUpdate<'_>,
        now: i64,
    ) {
        if self.consumer.groups.accepts(group) {
            writer.update_consumer_group(group, update, now);
        }
    }
}

/// Where a partition's reading starts, and the offset its catch-up is counted from: the
/// stored position (or the earliest offset, if retention deleted it), else the end with
/// `start-latest` (`latest`), else the beginning.
fn start_at(stored: Option<i64>, latest: bool, high: i64, low: i64) -> (Offset, i64) {
    match stored {
        Some(o) => (Offset::Offset(o), o.max(low)),
        None if latest => (Offset::End, high),
        None => (Offset::Beginning, low),
    }
}

fn is_transient(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::BrokerTransportFailure
                | RDKafkaErrorCode::AllBrokersDown
                | RDKafkaErrorCode::OperationTimedOut
        )
    ) || matches!(e, KafkaError::MessageConsumption(_))
}

#[cfg(test)]
mod tests;
