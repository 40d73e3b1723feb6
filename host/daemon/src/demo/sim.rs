//! The demo's simulated consumer groups. Each tick the producer appends records to every
//! partition, and each group writes what a real consumer's commit would look like — an
//! OffsetCommit record in Kafka's own format into `__consumer_offsets` — with the offset its
//! behaviour (`behaviour.rs`) chooses. Nothing here is judged: the daemon reads these records
//! through its real collection path and evaluates them like any others.
//!
//! Before the daemon's first evaluation the simulation runs [`HISTORY`] ticks ahead: their
//! records go to the broker, their commits straight into storage with the HEADs and times
//! they had (see [`Simulation::seed`]), so every group shows its designed status from the
//! first screen instead of passing through others while its window fills.

use std::time::Duration;

use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use warren_core::clock::now_ms;
use warren_core::codec::{
    self, GroupMetadataValue, MemberMetadata, OffsetCommitValue, TopicAssignment, offsets_partition,
};
use warren_core::model::Commit;
use warren_core::storage::{CommitSource, StorageHandle};

use super::behaviour::{Behaviour, Cluster, HISTORY, RATE};

/// Partitions of each cluster's data topic.
pub(crate) const PARTITIONS: i32 = 3;
/// Partitions of the demo's offsets topic.
pub(crate) const OFFSETS_PARTITIONS: i32 = 4;
/// Orders of the seeded commits start here: below any position in a real offsets topic, so
/// the first live commit the daemon reads continues each group's sequence.
const SEED_ORDER: i64 = -(1 << 40);

/// One tick of the history: the HEADs after it and every commit made in it.
struct SeedTick {
    tick: i64,
    heads: Vec<(i32, i64)>,
    commits: Vec<(Behaviour, i32, i64)>,
}

/// One cluster's producer and groups: owns the per-partition HEAD counters and the history
/// recorded by [`Simulation::prefill`] until [`Simulation::seed`] writes it into storage.
pub(crate) struct Simulation {
    cluster: Cluster,
    producer: BaseProducer,
    groups: Vec<Behaviour>,
    heads: Vec<i64>,
    tick: i64,
    history: Vec<SeedTick>,
}

impl Simulation {
    /// The groups of `cluster`, producing through `producer`, at the start of the history.
    pub(crate) fn new(cluster: Cluster, producer: BaseProducer) -> Self {
        Simulation {
            cluster,
            producer,
            groups: Behaviour::ALL
                .into_iter()
                .filter(|b| b.cluster() == cluster)
                .collect(),
            heads: vec![0; PARTITIONS as usize],
            tick: -HISTORY,
            history: Vec::new(),
        }
    }

    /// Runs the history: produces its records to the broker for real (so the daemon's HEADs
    /// are where the history left them), but keeps its commits for [`Self::seed`] instead of
    /// writing them, because a commit read from the offsets topic is judged against the HEAD
    /// of the moment it is read, and a history read all at once would show lags it never had.
    pub(crate) fn prefill(&mut self) {
        while self.tick < 0 {
            self.produce();
            let commits = self.commits();
            self.history.push(SeedTick {
                tick: self.tick,
                heads: (0..PARTITIONS).zip(self.heads.iter().copied()).collect(),
                commits,
            });
            self.tick += 1;
        }
    }

    /// Writes the history into the cluster's storage, tick `t` at `now_ms + t` seconds, each
    /// commit with the HEAD of its own tick, as the daemon would have stored them live.
    pub(crate) fn seed(&mut self, storage: &StorageHandle, now_ms: i64) {
        let Some(store) = storage.cluster(self.cluster.name()) else {
            return;
        };
        let topic = self.cluster.topic();
        let mut writer = store.writer();
        writer.set_topics(&[(topic.to_string(), PARTITIONS as usize)]);
        let mut order = SEED_ORDER;
        for t in self.history.drain(..) {
            let at = now_ms + t.tick * 1000;
            writer.record_heads(topic, &t.heads, at);
            for (b, partition, offset) in t.commits {
                let commit = Commit {
                    group: b.group(),
                    topic,
                    partition,
                    offset,
                    timestamp_ms: at - b.backdate_ms(),
                    order,
                };
                writer.commit(&commit, CommitSource::OffsetsTopic, at);
                order += 1;
            }
        }
    }

    /// Announces every group's single member (owner of every partition), as a join would.
    pub(crate) fn announce_members(&mut self) {
        for b in self.groups.iter().filter(|b| b.has_member()) {
            let client_id = format!("{}-1", b.group());
            let value = codec::encode_group_metadata_value(&GroupMetadataValue {
                version: 3,
                protocol_type: "consumer",
                generation: 1,
                protocol: Some("range"),
                leader: Some("member-1"),
                current_state_timestamp: Some(now_ms()),
                members: vec![MemberMetadata {
                    member_id: "member-1",
                    group_instance_id: None,
                    client_id: &client_id,
                    client_host: "/127.0.0.1",
                    rebalance_timeout: Some(300_000),
                    session_timeout: 10_000,
                    assignment: vec![TopicAssignment {
                        topic: self.cluster.topic(),
                        partitions: (0..PARTITIONS).collect(),
                    }],
                }],
            });
            self.send_raw(
                offsets_partition(b.group(), OFFSETS_PARTITIONS),
                &codec::encode_group_metadata_key(b.group()),
                &value,
            );
        }
        let _ = self.producer.flush(Duration::from_secs(5));
    }

    fn produce(&mut self) {
        for p in 0..PARTITIONS {
            for _ in 0..RATE {
                self.send_data(p);
            }
        }
        let _ = self.producer.flush(Duration::from_secs(5));
        for h in &mut self.heads {
            *h += RATE;
        }
    }

    /// Every group's commits at the current tick: (group, partition, offset).
    fn commits(&self) -> Vec<(Behaviour, i32, i64)> {
        let mut out = Vec::new();
        for &b in &self.groups {
            for p in 0..PARTITIONS {
                if let Some(offset) = b.offset(self.tick, self.heads[p as usize]) {
                    out.push((b, p, offset));
                }
            }
        }
        out
    }

    /// One live tick: RATE records per partition, then every group's commits, written to the
    /// offsets topic in Kafka's record format.
    pub(crate) fn tick(&mut self) {
        self.produce();
        let now = now_ms();
        for (b, p, offset) in self.commits() {
            let value = codec::encode_offset_commit_value(&OffsetCommitValue {
                version: 3,
                offset,
                leader_epoch: None,
                metadata: "",
                commit_timestamp: now - b.backdate_ms(),
                expire_timestamp: None,
            });
            let key = codec::encode_offset_commit_key(b.group(), self.cluster.topic(), p);
            // Kafka puts a group's records in one partition, which is what orders its commits.
            self.send_raw(
                offsets_partition(b.group(), OFFSETS_PARTITIONS),
                &key,
                &value,
            );
        }
        let _ = self.producer.flush(Duration::from_secs(5));
        self.tick += 1;
    }

    fn send_data(&self, partition: i32) {
        let mut record = BaseRecord::<(), str>::to(self.cluster.topic())
            .partition(partition)
            .payload("demo");
        loop {
            match self.producer.send(record) {
                Ok(()) => return,
                Err((_, r)) => {
                    self.producer.poll(Duration::from_millis(5));
                    record = r;
                }
            }
        }
    }

    fn send_raw(&self, partition: i32, key: &[u8], value: &[u8]) {
        let record = BaseRecord::<[u8], [u8]>::to("__consumer_offsets")
            .partition(partition)
            .key(key)
            .payload(value);
        if let Err((e, _)) = self.producer.send(record) {
            tracing::warn!(error = %e, "demo could not write a commit record");
        }
    }
}
