//! Ingest benchmarks (issue targets: >= 2M offset-commit records/s decode + store on one core;
//! <= 256 bytes per (group, partition) window at intervals = 10).
//!
//! `cargo bench -p warren-core --bench ingest` prints a memory table first (measured with a
//! counting allocator, so it is exact, not sampled), then Criterion's throughput figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use criterion::{Criterion, Throughput, criterion_group};
use warren_core::codec::{self, OffsetCommitValue, Record};
use warren_core::model::Commit;
use warren_core::storage::{CommitSource, StorageHandle, StorageSettings};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const NOW: i64 = 1_700_000_000_000;

/// Pre-encoded (key, value) records: `groups` groups committing `rounds` times on each of
/// `partitions` partitions of one topic, in round order (as a real offsets topic interleaves).
fn records(groups: usize, partitions: i32, rounds: i64) -> Vec<(Vec<u8>, Vec<u8>)> {
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

fn storage(partitions: usize) -> StorageHandle {
    let s = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
    let mut w = s.cluster("c").unwrap().writer();
    w.set_topics(&[("orders".into(), partitions)]);
    let heads: Vec<(i32, i64)> = (0..partitions as i32).map(|p| (p, 1_000_000)).collect();
    w.record_heads("orders", &heads, NOW);
    drop(w);
    s
}

/// Decodes and stores every record, a batch of 2048 per write lock (what the reader does).
fn ingest(s: &StorageHandle, recs: &[(Vec<u8>, Vec<u8>)], order_base: i64) -> usize {
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

fn memory_table() {
    println!("| groups | partitions/group | intervals | windows | bytes held | bytes/window |");
    println!("|---|---|---|---|---|---|");
    for (groups, partitions) in [(100_000usize, 10i32), (10_000, 100), (1_000, 1000)] {
        let recs = records(groups, partitions, 10);
        let before = LIVE.load(Ordering::Relaxed);
        let s = storage(partitions as usize);
        ingest(&s, &recs, 0);
        let held = LIVE.load(Ordering::Relaxed) - before;
        let (_, windows) = s.cluster("c").unwrap().counts();
        println!(
            "| {groups} | {partitions} | 10 | {windows} | {held} | {:.1} |",
            held as f64 / windows as f64
        );
    }
    println!();
}

fn throughput(c: &mut Criterion) {
    let recs = records(1000, 10, 10);
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(recs.len() as u64));
    g.bench_function("decode_only_100k", |b| {
        b.iter(|| {
            recs.iter()
                .filter(|(k, v)| codec::decode(k, Some(v)).is_ok())
                .count()
        })
    });
    let s = storage(10);
    let mut base = 0i64;
    g.bench_function("decode_and_store_100k", |b| {
        b.iter(|| {
            base += recs.len() as i64;
            ingest(&s, &recs, base)
        })
    });
    g.finish();
}

criterion_group!(benches, throughput);

fn main() {
    memory_table();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
