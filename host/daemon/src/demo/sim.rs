//! The demo's simulated consumer groups. Each tick the producer appends records to every
//! partition, and each group writes what a real consumer's commit would look like — an
//! OffsetCommit record in Kafka's own format into `__consumer_offsets` — with an offset chosen
//! to show one of Burrow's statuses. Nothing here is judged: the daemon reads these records
//! through its real collection path and evaluates them like any others.

use std::time::Duration;

use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use warren_core::clock::now_ms;
use warren_core::codec::{
    self, GroupMetadataValue, MemberMetadata, OffsetCommitValue, TopicAssignment, offsets_partition,
};

/// Data topic every simulated group consumes.
pub(crate) const TOPIC: &str = "demo-events";
/// Its partitions.
pub(crate) const PARTITIONS: i32 = 3;
/// Records produced per partition per tick.
pub(crate) const RATE: i64 = 20;
/// Partitions of the demo's offsets topic.
pub(crate) const OFFSETS_PARTITIONS: i32 = 4;

/// A simulated group's behaviour, named after the status it is meant to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behaviour {
    /// Commits the HEAD every tick: OK.
    Healthy,
    /// Consumes a quarter of what is produced and commits every third tick, so that lag grows
    /// by more between two commits than HEAD polling can blur: WARN.
    Slow,
    /// Commits for a few ticks while behind, then never again: STOP, so the group is ERR.
    Stopped,
    /// Commits the same offset every tick while records pile up: STALL (ERR).
    Stalled,
    /// Jumps back 150 records at tick 5 of every ten and catches up at the next cycle: REWIND
    /// (ERR) for half of each cycle (a rewind that is caught up with is forgiven, by design).
    Rewinding,
}

impl Behaviour {
    pub(crate) const ALL: [Behaviour; 5] = [
        Behaviour::Healthy,
        Behaviour::Slow,
        Behaviour::Stopped,
        Behaviour::Stalled,
        Behaviour::Rewinding,
    ];

    /// The group's name.
    pub(crate) fn group(self) -> &'static str {
        match self {
            Behaviour::Healthy => "demo-healthy",
            Behaviour::Slow => "demo-slow",
            Behaviour::Stopped => "demo-stopped",
            Behaviour::Stalled => "demo-stalled",
            Behaviour::Rewinding => "demo-rewinding",
        }
    }

    /// The group status (and partition status) the behaviour is meant to produce.
    pub(crate) fn expected(self) -> (&'static str, &'static str) {
        match self {
            Behaviour::Healthy => ("OK", "OK"),
            Behaviour::Slow => ("WARN", "WARN"),
            Behaviour::Stopped => ("ERR", "STOP"),
            Behaviour::Stalled => ("ERR", "STALL"),
            Behaviour::Rewinding => ("ERR", "REWIND"),
        }
    }

    /// The committed offset at `tick` for a partition whose HEAD is `head`; `None` = no commit.
    fn offset(self, tick: i64, head: i64) -> Option<i64> {
        match self {
            Behaviour::Healthy => Some(head),
            Behaviour::Slow => (tick % 3 == 0).then_some(head / 4),
            Behaviour::Stopped => (tick < 6).then(|| (head - 30).max(0)),
            Behaviour::Stalled => Some(10),
            Behaviour::Rewinding => {
                // Keeps pace with the producer except for a rewind at tick 5 of every cycle of
                // ten; a consumer cannot rewind for ever and keep its lag bounded.
                let phase = tick.rem_euclid(10);
                let back = if phase >= 5 { 150 } else { 0 };
                Some((head - 10 - back).max(0))
            }
        }
    }
}

/// Produces data and commits; owns the per-partition HEAD counters.
pub(crate) struct Simulation {
    producer: BaseProducer,
    heads: Vec<i64>,
    tick: i64,
    order_offset: Vec<i32>,
}

impl Simulation {
    pub(crate) fn new(producer: BaseProducer) -> Self {
        Simulation {
            producer,
            heads: vec![0; PARTITIONS as usize],
            tick: 0,
            order_offset: Behaviour::ALL
                .iter()
                .map(|b| offsets_partition(b.group(), OFFSETS_PARTITIONS))
                .collect(),
        }
    }

    /// Announces every group's single member (owner of every partition), as a join would.
    pub(crate) fn announce_members(&mut self) {
        for b in Behaviour::ALL {
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
                        topic: TOPIC,
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

    /// Produces `ticks` worth of records with no commits, so the daemon's first HEAD poll
    /// already sees data (a commit judged against an empty topic has lag 0, which would hold
    /// the slow group at OK until it leaves the window).
    pub(crate) fn prefill(&mut self, ticks: i64) {
        for _ in 0..ticks {
            self.produce();
        }
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

    /// One tick: RATE records per partition, then every group's commits.
    pub(crate) fn tick(&mut self) {
        self.produce();
        let now = now_ms();
        for (i, b) in Behaviour::ALL.iter().enumerate() {
            for p in 0..PARTITIONS {
                let head = self.heads[p as usize];
                let Some(offset) = b.offset(self.tick, head) else {
                    continue;
                };
                let value = codec::encode_offset_commit_value(&OffsetCommitValue {
                    version: 3,
                    offset,
                    leader_epoch: None,
                    metadata: "",
                    commit_timestamp: now,
                    expire_timestamp: None,
                });
                let key = codec::encode_offset_commit_key(b.group(), TOPIC, p);
                self.send_raw(self.order_offset[i], &key, &value);
            }
        }
        let _ = self.producer.flush(Duration::from_secs(5));
        self.tick += 1;
    }

    fn send_data(&self, partition: i32) {
        let mut record = BaseRecord::<(), str>::to(TOPIC)
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

/// Kafka puts a group's records in partition `hash(group) % partitions`; any stable hash does
/// for the demo, as long as each group stays in one partition (that is what orders commits).
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopped_group_commits_only_at_first() {
        assert!(Behaviour::Stopped.offset(5, 100).is_some());
        assert!(Behaviour::Stopped.offset(6, 120).is_none());
    }

    #[test]
    fn rewinding_group_goes_back_once_per_cycle() {
        let offsets: Vec<i64> = (10..20)
            .map(|t| Behaviour::Rewinding.offset(t, 20 * (t + 1)).unwrap())
            .collect();
        let rewinds = offsets.windows(2).filter(|w| w[1] < w[0]).count();
        assert_eq!(rewinds, 1, "{offsets:?}");
    }
}
