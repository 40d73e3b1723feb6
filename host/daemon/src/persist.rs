//! Persistence of collected state: at start, every cluster's windows, HEAD histories, owners
//! and offsets-topic positions are loaded from the store under `[storage] data-dir` (before
//! any collector runs); then a snapshot of what changed is written every `snapshot-interval`,
//! and a last one at shutdown, after the collectors stopped. A crash loses at most one
//! interval of samples; the offsets-topic reader resumes from the positions in the snapshot,
//! so those commits are read again, and storage drops anything it already had.
//!
//! Without a data-dir nothing is snapshotted: an in-memory copy of memory would only cost.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};
use warren_core::storage::StorageHandle;
use warren_store::Store;

/// Loads every configured cluster's stored state into (empty) storage.
pub fn restore(storage: &StorageHandle, store: &Store, now_ms: i64) {
    if store.path().is_none() {
        return;
    }
    for cluster in storage.clusters() {
        let saved = match store.load_cluster(cluster.name()) {
            Ok(s) => s,
            Err(e) => {
                error!(cluster = %cluster.name(), error = %e, "cannot read the stored state; starting this cluster empty");
                continue;
            }
        };
        let Some(at) = saved.snapshot_ms else {
            continue;
        };
        let started = Instant::now();
        let report = cluster.restore(
            saved.topics.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            saved.groups.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            saved.positions.iter().map(|(c, p)| (c.as_str(), p.clone())),
        );
        if let Some(origin) = &saved.origin {
            cluster.restore_origin(origin);
        }
        for (what, reason) in &report.damaged {
            warn!(cluster = %cluster.name(), record = %what, reason = %reason, "skipped a damaged stored record");
        }
        info!(
            cluster = %cluster.name(),
            groups = report.groups,
            topics = report.topics,
            damaged = report.damaged.len(),
            snapshot_age_s = (now_ms - at).max(0) / 1000,
            took_ms = started.elapsed().as_millis() as u64,
            "restored stored state"
        );
    }
}

/// Writes one snapshot of every cluster; returns how many failed. A failed cluster's changes
/// are kept for the next snapshot.
pub fn snapshot(storage: &StorageHandle, store: &Store, now_ms: i64) -> usize {
    let mut failed = 0;
    for cluster in storage.clusters() {
        let delta = cluster.take_delta(false);
        if let Err(e) = store.write_snapshot(cluster.name(), &delta, now_ms) {
            failed += 1;
            cluster.mark_changed(&delta);
            error!(cluster = %cluster.name(), error = %e, "cannot write the state snapshot; will retry");
        }
    }
    failed
}

/// Snapshots every `every` until cancelled, then once more; runs off the async workers (the
/// store's writes block).
pub async fn run(
    storage: StorageHandle,
    store: Arc<Store>,
    every: Duration,
    cancel: CancellationToken,
) {
    if store.path().is_none() {
        return;
    }
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        let (s, st) = (storage.clone(), store.clone());
        let _ =
            tokio::task::spawn_blocking(move || snapshot(&s, &st, warren_core::clock::now_ms()))
                .await;
    }
}

/// The shutdown snapshot, once the collectors have stopped writing.
pub async fn last_snapshot(storage: StorageHandle, store: Arc<Store>) {
    if store.path().is_none() {
        return;
    }
    let started = Instant::now();
    let failed = tokio::task::spawn_blocking(move || {
        snapshot(&storage, &store, warren_core::clock::now_ms())
    })
    .await
    .unwrap_or(1);
    if failed == 0 {
        info!(
            took_ms = started.elapsed().as_millis() as u64,
            "state saved"
        );
    }
}
