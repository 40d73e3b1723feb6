//! Memory and disk for 100,000 groups × 10 partitions (issue #6): storage filled the way the
//! collectors fill it (1,000 topics of 10 partitions, each group on one topic, 10 commits per
//! partition, 70 HEAD polls per partition), then a full snapshot into the store, an
//! incremental one after 1 % of the groups committed again, and a restore into fresh storage.
//! Prints a table; `cargo bench -p warren-store --bench state`.

use std::time::Instant;

use warren_core::model::Commit;
use warren_core::storage::{CommitSource, StorageHandle, StorageSettings};
use warren_store::Store;

const GROUPS: usize = 100_000;
const TOPICS: usize = 1_000;
const PARTITIONS: i32 = 10;
const COMMITS: i64 = 10;
const HEAD_POLLS: i64 = 70;

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

fn main() {
    let rss_start = rss_bytes();
    let storage = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
    let store = storage.cluster("c").unwrap();
    let topics: Vec<String> = (0..TOPICS).map(|t| format!("topic-{t:04}")).collect();
    let groups: Vec<String> = (0..GROUPS).map(|g| format!("group-{g:06}")).collect();
    let started = Instant::now();
    {
        let mut w = store.writer();
        let list: Vec<(String, usize)> = topics
            .iter()
            .map(|t| (t.clone(), PARTITIONS as usize))
            .collect();
        w.set_topics(&list);
        for poll in 0..HEAD_POLLS {
            for t in &topics {
                let heads: Vec<(i32, i64)> = (0..PARTITIONS)
                    .map(|p| (p, 1_000 + poll * (100 + i64::from(p))))
                    .collect();
                w.record_heads(t, &heads, 1_700_000_000_000 + poll * 30_000);
            }
        }
    }
    let mut order = 0;
    let now = 1_700_000_000_000 + HEAD_POLLS * 30_000;
    for (i, g) in groups.iter().enumerate() {
        let topic = &topics[i % TOPICS];
        let mut w = store.writer();
        for k in 0..COMMITS {
            for p in 0..PARTITIONS {
                order += 1;
                let c = Commit {
                    group: g,
                    topic,
                    partition: p,
                    offset: 1_000 + k * 500,
                    timestamp_ms: now - (COMMITS - k) * 60_000,
                    order,
                };
                w.commit(&c, CommitSource::OffsetsTopic, now);
            }
        }
    }
    let fill = started.elapsed();
    let rss_full = rss_bytes();
    let (group_count, windows) = store.counts();
    let window_bytes = store.window_heap_bytes() as u64;
    let head_bytes = store.heads_heap_bytes() as u64;

    let dir = tempfile::tempdir().unwrap();
    let (db, _) = Store::open(dir.path()).unwrap();
    let file = dir.path().join("warren.redb");
    let t = Instant::now();
    let delta = store.take_delta(false);
    let take_full = t.elapsed();
    let encoded: usize = delta.groups.iter().map(|(_, b)| b.len()).sum::<usize>()
        + delta.topics.iter().map(|(_, b)| b.len()).sum::<usize>();
    let t = Instant::now();
    db.write_snapshot("c", &delta, now).unwrap();
    let write_full = t.elapsed();
    drop(delta);
    let size_full = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);

    // 1 % of the groups commit once more on every partition.
    {
        let mut w = store.writer();
        for (i, g) in groups.iter().enumerate().step_by(100) {
            for p in 0..PARTITIONS {
                order += 1;
                let c = Commit {
                    group: g,
                    topic: &topics[i % TOPICS],
                    partition: p,
                    offset: 9_000,
                    timestamp_ms: now,
                    order,
                };
                w.commit(&c, CommitSource::OffsetsTopic, now + 1);
            }
        }
    }
    let t = Instant::now();
    let delta = store.take_delta(false);
    let take_incr = t.elapsed();
    let changed = delta.groups.len();
    let t = Instant::now();
    db.write_snapshot("c", &delta, now + 30_000).unwrap();
    let write_incr = t.elapsed();
    drop(delta);
    let size_incr = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);

    let t = Instant::now();
    let saved = db.load_cluster("c").unwrap();
    let load = t.elapsed();
    let fresh = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
    let t = Instant::now();
    let report = fresh.cluster("c").unwrap().restore(
        saved.topics.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
        saved.groups.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
        saved.positions.iter().map(|(c, p)| (c.as_str(), p.clone())),
    );
    let restore = t.elapsed();
    assert_eq!(report.groups, GROUPS);
    assert!(report.damaged.is_empty());
    assert_eq!(
        fresh.cluster("c").unwrap().group("group-000100"),
        store.group("group-000100")
    );

    println!(
        "| 100,000 groups × 10 partitions ({} windows, {} commits) | figure |",
        windows,
        windows as i64 * COMMITS
    );
    println!("|---|---|");
    println!("| groups stored | {group_count} |");
    println!(
        "| fill (commits + HEAD polls through the write path) | {:.1} s |",
        fill.as_secs_f64()
    );
    println!("| commit windows, heap | {} |", mib(window_bytes));
    println!(
        "| HEAD histories (10,000 partitions, 10 recent + 64-point timeline), heap | {} |",
        mib(head_bytes)
    );
    println!(
        "| process RSS, filled (start {}) | {} |",
        mib(rss_start),
        mib(rss_full)
    );
    let slices = GROUPS.div_ceil(warren_core::storage::SNAPSHOT_SLICE);
    println!(
        "| full snapshot: take, in {slices} slices of {} groups (write lock held ≈{:.1} ms each) | {} ms |",
        warren_core::storage::SNAPSHOT_SLICE,
        take_full.as_secs_f64() * 1000.0 / slices as f64,
        take_full.as_millis()
    );
    println!("| full snapshot: encoded | {} |", mib(encoded as u64));
    println!(
        "| full snapshot: write (one transaction) | {} ms |",
        write_full.as_millis()
    );
    println!("| store file after full snapshot | {} |", mib(size_full));
    println!(
        "| incremental snapshot, {changed} groups changed: take / write | {} ms / {} ms |",
        take_incr.as_millis(),
        write_incr.as_millis()
    );
    println!(
        "| store file after incremental snapshot | {} |",
        mib(size_incr)
    );
    println!(
        "| restore: read from store / decode into storage | {} ms / {} ms |",
        load.as_millis(),
        restore.as_millis()
    );
}
