//! `warren dev-read`: the floor for the benchmarks' time to reflect commits. Reads every
//! partition of a topic from the beginning to end-of-partition with the offsets-topic reader's
//! own librdkafka settings ([`warren_kafka::reader_config`]) and the same polling loop shape,
//! but decodes and stores nothing. Prints one line: records, bytes (keys plus values) and
//! seconds since the process started.

use std::time::{Duration, Instant};

use anyhow::Context;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::{Offset, TopicPartitionList};
use warren_core::config::ClientProfile;

const POLL: Duration = Duration::from_millis(100);
const TIMEOUT: Duration = Duration::from_secs(15);

/// What to read.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadOptions {
    /// Broker bootstrap address.
    #[arg(long)]
    pub bootstrap: String,
    /// Topic to read.
    #[arg(long, default_value = "__consumer_offsets")]
    pub topic: String,
}

/// Reads the topic to its end, prints `records=N bytes=N seconds=S`.
pub fn run(o: &ReadOptions, started: Instant) -> anyhow::Result<()> {
    let cfg = warren_kafka::reader_config(
        std::slice::from_ref(&o.bootstrap),
        &ClientProfile::plaintext("warren-dev-read"),
        "dev-read",
    )
    .map_err(anyhow::Error::msg)?;
    let consumer: BaseConsumer = cfg.create().context("creating the consumer")?;
    let md = consumer
        .fetch_metadata(Some(&o.topic), TIMEOUT)
        .context("fetching metadata")?;
    let partitions = md
        .topics()
        .iter()
        .find(|t| t.name() == o.topic && t.error().is_none())
        .map_or(0, |t| t.partitions().len());
    anyhow::ensure!(partitions > 0, "topic {} not found", o.topic);
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(&o.topic, p as i32, Offset::Beginning)?;
    }
    consumer.assign(&tpl)?;
    let mut eof = vec![false; partitions];
    let (mut records, mut bytes) = (0u64, 0u64);
    while !eof.iter().all(|e| *e) {
        // Drain what is queued without waiting, as the reader does between batches.
        let mut next = consumer.poll(POLL);
        while let Some(item) = next {
            match item {
                Ok(m) => {
                    records += 1;
                    bytes += (m.key_len() + m.payload_len()) as u64;
                }
                Err(KafkaError::PartitionEOF(p)) => {
                    if let Some(e) = usize::try_from(p).ok().and_then(|p| eof.get_mut(p)) {
                        *e = true;
                    }
                }
                Err(e) => return Err(e).context("reading"),
            }
            next = consumer.poll(Duration::ZERO);
        }
    }
    println!(
        "records={records} bytes={bytes} seconds={:.3}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
