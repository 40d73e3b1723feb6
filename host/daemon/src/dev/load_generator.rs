//! `warren dev-load`: deterministic input for benchmarks. Fills `topics` × `partitions` with
//! `records` records each, then writes `rounds` rounds of offset commits for `groups` groups
//! over every partition into `__consumer_offsets`, in Kafka's own record format (key v1;
//! value v3 for even groups and v1 for odd ones, both of which Burrow 1.2.1 decodes), each
//! group's records in the partition Kafka would use (Java `hashCode` of the group id, masked
//! positive, modulo the partition count). Commit timestamps are "now".
//!
//! The committed offset is a pure function of (group, partition, round), [`offset`], so a
//! benchmark driver can check any monitor's answers without reading the generator's output.
//! With `--rate`, it then keeps committing at that many commits per second for `--duration`.

use std::time::{Duration, Instant};

use anyhow::Context;
use rdkafka::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use warren_core::clock::now_ms;
use warren_core::codec::{self, OffsetCommitValue, offsets_partition};

/// What to generate.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadOptions {
    /// Broker bootstrap address.
    #[arg(long)]
    pub bootstrap: String,
    /// Data topics, named t0, t1, ...
    #[arg(long, default_value_t = 10)]
    pub topics: usize,
    /// Partitions per data topic.
    #[arg(long, default_value_t = 16)]
    pub partitions: i32,
    /// Records produced into every data partition.
    #[arg(long, default_value_t = 1000)]
    pub records: i64,
    /// Consumer groups, named group-0000, group-0001, ...
    #[arg(long, default_value_t = 100)]
    pub groups: usize,
    /// Commit rounds per group over all its partitions.
    #[arg(long, default_value_t = 5)]
    pub rounds: i64,
    /// Partitions of `__consumer_offsets`.
    #[arg(long, default_value_t = 16)]
    pub offsets_partitions: i32,
    /// Skip producing data (it is already there).
    #[arg(long)]
    pub skip_data: bool,
    /// After the rounds, keep committing at this many commits per second.
    #[arg(long)]
    pub rate: Option<u64>,
    /// How long to keep committing with --rate, in seconds.
    #[arg(long, default_value_t = 300)]
    pub duration: u64,
}

/// The committed offset of `group` on the `partition_index`-th partition (topics in order,
/// then partitions) in `round` of `rounds`, for partitions holding `records` records. The last
/// round leaves a lag of `(group + partition_index) % 10`.
pub fn offset(group: usize, partition_index: usize, round: i64, rounds: i64, records: i64) -> i64 {
    let progress = records * (round + 1) / rounds.max(1);
    (progress - ((group + partition_index) % 10) as i64).max(0)
}

fn send(p: &BaseProducer, mut record: BaseRecord<'_, [u8], [u8]>) {
    loop {
        match p.send(record) {
            Ok(()) => return,
            Err((_, r)) => {
                p.poll(Duration::from_millis(1));
                record = r;
            }
        }
    }
}

/// Runs the generator.
pub fn run(o: &LoadOptions) -> anyhow::Result<()> {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &o.bootstrap)
        .set("linger.ms", "5")
        .set("queue.buffering.max.messages", "1000000")
        .set("batch.num.messages", "10000")
        .create()
        .context("creating the producer")?;
    let topics: Vec<String> = (0..o.topics).map(|t| format!("t{t}")).collect();
    let started = Instant::now();
    if !o.skip_data {
        let payload = [b'x'; 16];
        for t in &topics {
            for p in 0..o.partitions {
                for _ in 0..o.records {
                    send(
                        &producer,
                        BaseRecord::to(t).partition(p).payload(&payload[..]),
                    );
                }
            }
        }
        producer
            .flush(Duration::from_secs(60))
            .context("flushing data")?;
        eprintln!(
            "data: {} records in {:.1?}",
            o.topics as i64 * i64::from(o.partitions) * o.records,
            started.elapsed()
        );
    }
    let groups: Vec<String> = (0..o.groups).map(|g| format!("group-{g:04}")).collect();
    let started = Instant::now();
    let mut key = Vec::with_capacity(64);
    let mut value = Vec::with_capacity(64);
    let mut commits = 0u64;
    for round in 0..o.rounds {
        for (g, group) in groups.iter().enumerate() {
            let target = offsets_partition(group, o.offsets_partitions);
            let ts = now_ms();
            for (t, topic) in topics.iter().enumerate() {
                for p in 0..o.partitions {
                    let index = t * o.partitions as usize + p as usize;
                    key.clear();
                    codec::write_offset_commit_key(&mut key, group, topic, p);
                    value.clear();
                    codec::write_offset_commit_value(
                        &mut value,
                        &commit_value(g, offset(g, index, round, o.rounds, o.records), ts),
                    );
                    send(
                        &producer,
                        BaseRecord::to("__consumer_offsets")
                            .partition(target)
                            .key(&key[..])
                            .payload(&value[..]),
                    );
                    commits += 1;
                }
            }
        }
    }
    producer
        .flush(Duration::from_secs(120))
        .context("flushing commits")?;
    eprintln!("commits: {commits} in {:.1?}", started.elapsed());
    println!("{commits}");
    if let Some(rate) = o.rate {
        sustain(&producer, o, &topics, &groups, rate)?;
    }
    Ok(())
}

fn commit_value(group: usize, offset: i64, ts: i64) -> OffsetCommitValue<'static> {
    let v3 = group.is_multiple_of(2);
    OffsetCommitValue {
        version: if v3 { 3 } else { 1 },
        offset,
        leader_epoch: v3.then_some(0),
        metadata: "",
        commit_timestamp: ts,
        expire_timestamp: (!v3).then_some(-1),
    }
}

/// Commits at `rate` per second for `duration`, cycling over every (group, partition) with
/// the final round's offsets plus a growing step, so windows keep moving.
fn sustain(
    p: &BaseProducer,
    o: &LoadOptions,
    topics: &[String],
    groups: &[String],
    rate: u64,
) -> anyhow::Result<()> {
    let per_group = topics.len() * o.partitions as usize;
    let total = groups.len() * per_group;
    let start = Instant::now();
    let mut sent = 0u64;
    let (mut key, mut value) = (Vec::new(), Vec::new());
    while start.elapsed() < Duration::from_secs(o.duration) {
        // Pace in 10 ms slices.
        let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
        while sent < due {
            let i = (sent as usize) % total;
            let cycle = (sent as usize / total) as i64;
            let (g, index) = (i / per_group, i % per_group);
            let (topic, partition) = (
                &topics[index / o.partitions as usize],
                (index % o.partitions as usize) as i32,
            );
            key.clear();
            codec::write_offset_commit_key(&mut key, &groups[g], topic, partition);
            value.clear();
            let offset = offset(g, index, o.rounds - 1, o.rounds, o.records) + cycle + 1;
            codec::write_offset_commit_value(&mut value, &commit_value(g, offset, now_ms()));
            let target = offsets_partition(&groups[g], o.offsets_partitions);
            send(
                p,
                BaseRecord::to("__consumer_offsets")
                    .partition(target)
                    .key(&key[..])
                    .payload(&value[..]),
            );
            sent += 1;
        }
        p.poll(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(10));
    }
    p.flush(Duration::from_secs(60))
        .context("flushing sustained commits")?;
    eprintln!("sustained: {sent} commits in {:.1?}", start.elapsed());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_round_leaves_a_small_known_lag() {
        assert_eq!(offset(3, 4, 4, 5, 1000), 1000 - 7);
        assert_eq!(offset(0, 0, 0, 5, 1000), 200);
        assert!(offset(9, 0, 0, 1, 5) >= 0);
    }
}
