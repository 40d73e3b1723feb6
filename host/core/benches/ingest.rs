//! Ingest benchmarks (issue targets: >= 2M offset-commit records/s decode + store on one core;
//! <= 256 bytes per (group, partition) window at intervals = 10).
//!
//! `cargo bench -p warren-core --bench ingest` prints a memory table first (measured with a
//! counting allocator, so it is exact, not sampled), then Criterion's throughput figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use criterion::{Criterion, Throughput, criterion_group};
use warren_core::codec;

mod common;
use common::{ingest, records, storage};

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
