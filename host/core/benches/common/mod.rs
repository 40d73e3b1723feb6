//! Shared input for the core benchmarks: offsets-topic records in Kafka's format and storage
//! filled from them through the real decode + ingest path.

use warren_core::codec::{self, OffsetCommitValue, Record};
use warren_core::model::Commit;
use warren_core::storage::{CommitSource, StorageHandle, StorageSettings};

pub const NOW: i64 = 1_700_000_000_000;

/// Pre-encoded (key, value) records: `groups` groups committing `rounds` times on each of
/// `partitions` partitions of one topic, in round order (as a real offsets topic interleaves).
pub fn records(groups: usize, partitions: i32, rounds: i64) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for r in 0..rounds {
        for g in 0..groups {
            for p in 0..partitions {
                let key = codec::encode_offset_commit_key(&format!("group-{g:06}"), "orders", p);
                let value = codec::encode_offset_commit_value(&OffsetCommitValue {
                    version: 3,
                    offset: 1000 + r * 10,
                    leader_epoch: Some(5),
                    metadata: "",
                    commit_timestamp: NOW - 100_000 + r * 1000,
                    expire_timestamp: None,
                });
                out.push((key, value));
            }
        }
    }
    out
}

pub fn storage(partitions: usize) -> StorageHandle {
    let s = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
    let mut w = s.cluster("c").unwrap().writer();
    w.set_topics(&[("orders".into(), partitions)]);
    let heads: Vec<(i32, i64)> = (0..partitions as i32).map(|p| (p, 1_000_000)).collect();
    w.record_heads("orders", &heads, NOW);
    drop(w);
    s
}

/// Decodes and stores every record, a batch of 2048 per write lock (what the reader does).
pub fn ingest(s: &StorageHandle, recs: &[(Vec<u8>, Vec<u8>)], order_base: i64) -> usize {
    let store = s.cluster("c").unwrap();
    let mut stored = 0;
    for (i, chunk) in recs.chunks(2048).enumerate() {
        let mut w = store.writer();
        for (j, (k, v)) in chunk.iter().enumerate() {
            if let Ok(Record::OffsetCommit {
                group,
                topic,
                partition,
                value: Some(v),
            }) = codec::decode(k, Some(v))
            {
                let c = Commit {
                    group,
                    topic,
                    partition,
                    offset: v.offset,
                    timestamp_ms: v.commit_timestamp,
                    order: order_base + (i * 2048 + j) as i64,
                };
                w.commit(&c, CommitSource::OffsetsTopic, NOW);
                stored += 1;
            }
        }
    }
    stored
}
