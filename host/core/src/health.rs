//! Collector health and bootstrap progress, shared between the collectors that update it and
//! the HTTP API that reports it (`/burrow/admin/ready`, `/metrics`), and the embedded store's
//! condition (`store.rs`). Lock-free counters; the only locks guard rarely written strings.

mod store;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub use store::{REOPEN_EVERY_MS, StoreFailure, StoreHealth};

/// Health of one cluster's HEAD-offset poller.
#[derive(Debug, Default)]
pub struct ClusterHealth {
    heads_ready: AtomicBool,
    polls: AtomicU64,
    errors: AtomicU64,
    last_error: Mutex<Option<String>>,
    /// When the current run of failed polls began (epoch ms; 0 while polls succeed).
    failing_since_ms: AtomicI64,
    /// Failed polls in the current run.
    failures_in_a_row: AtomicU64,
}

impl ClusterHealth {
    /// A metadata + HEAD-offset poll succeeded.
    pub fn poll_succeeded(&self) {
        self.polls.fetch_add(1, Ordering::Relaxed);
        self.heads_ready.store(true, Ordering::Release);
        self.failing_since_ms.store(0, Ordering::Relaxed);
        self.failures_in_a_row.store(0, Ordering::Relaxed);
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// A poll failed at `now_ms`; the poller retries with backoff.
    pub fn poll_failed(&self, error: String, now_ms: i64) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.failures_in_a_row.fetch_add(1, Ordering::Relaxed);
        let _ = self.failing_since_ms.compare_exchange(
            0,
            now_ms.max(1),
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
    }

    /// While polls fail: since when (epoch ms) and how many failed in a row.
    pub fn failing(&self) -> Option<(i64, u64)> {
        let since = self.failing_since_ms.load(Ordering::Relaxed);
        (since > 0).then(|| (since, self.failures_in_a_row.load(Ordering::Relaxed)))
    }

    /// Whether HEAD offsets were fetched at least once (commits before that would be dropped).
    pub fn heads_ready(&self) -> bool {
        self.heads_ready.load(Ordering::Acquire)
    }

    /// Successful polls and failed polls since start.
    pub fn poll_counts(&self) -> (u64, u64) {
        (
            self.polls.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
        )
    }

    /// The last error, if the last poll failed.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Progress and counters of one consumer (offsets-topic reader or Admin API poller).
#[derive(Debug, Default)]
pub struct ConsumerProgress {
    ready: AtomicBool,
    records: AtomicU64,
    skipped: AtomicU64,
    position: AtomicU64,
    target: AtomicU64,
    backlog: AtomicU64,
    decode_errors: Mutex<BTreeMap<&'static str, u64>>,
}

impl ConsumerProgress {
    /// The consumer caught up with its source (or finished its first poll).
    pub fn mark_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// Whether the consumer has caught up.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Counts records read (decoded or not).
    pub fn add_records(&self, n: u64) {
        self.records.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts records skipped on purpose (newer coordinator record types, non-consumer groups).
    pub fn add_skipped(&self, n: u64) {
        self.skipped.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one malformed record by its decode-error kind.
    pub fn add_decode_error(&self, kind: &'static str) {
        *self
            .decode_errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(kind)
            .or_default() += 1;
    }

    /// Sets bootstrap progress: records consumed so far out of the records that existed at
    /// start.
    pub fn set_progress(&self, position: u64, target: u64) {
        self.position.store(position, Ordering::Relaxed);
        self.target.store(target, Ordering::Relaxed);
    }

    /// Sets how many records of its source the consumer has not read yet.
    pub fn set_backlog(&self, records: u64) {
        self.backlog.store(records, Ordering::Relaxed);
    }

    /// Records of its source not read yet, as last sampled.
    pub fn backlog(&self) -> u64 {
        self.backlog.load(Ordering::Relaxed)
    }

    /// (records read, records skipped, decode errors by kind).
    pub fn counters(&self) -> (u64, u64, BTreeMap<&'static str, u64>) {
        (
            self.records.load(Ordering::Relaxed),
            self.skipped.load(Ordering::Relaxed),
            self.decode_errors
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }

    /// (position, target) of the bootstrap read.
    pub fn progress(&self) -> (u64, u64) {
        (
            self.position.load(Ordering::Relaxed),
            self.target.load(Ordering::Relaxed),
        )
    }
}

/// Health of every collector, by cluster and by consumer name.
#[derive(Debug, Clone, Default)]
pub struct Health {
    clusters: BTreeMap<String, Arc<ClusterHealth>>,
    consumers: BTreeMap<String, Arc<ConsumerProgress>>,
    /// Consumer name → the cluster its commits belong to.
    cluster_of: BTreeMap<String, String>,
    store: Arc<StoreHealth>,
}

impl Health {
    /// Creates health records for the configured clusters and consumers.
    pub fn new(
        clusters: impl IntoIterator<Item = String>,
        consumers: impl IntoIterator<Item = String>,
    ) -> Self {
        Health {
            clusters: clusters.into_iter().map(|c| (c, Arc::default())).collect(),
            consumers: consumers.into_iter().map(|c| (c, Arc::default())).collect(),
            cluster_of: BTreeMap::new(),
            store: Arc::default(),
        }
    }

    /// Reports the condition of this store (the daemon's, once it is open).
    pub fn with_store(mut self, store: Arc<StoreHealth>) -> Self {
        self.store = store;
        self
    }

    /// The embedded store's condition.
    pub fn store(&self) -> &StoreHealth {
        &self.store
    }

    /// Says which cluster each consumer feeds, so readiness can be asked per cluster.
    pub fn with_consumer_clusters(
        mut self,
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        self.cluster_of.extend(pairs);
        self
    }

    /// Whether `cluster`'s collectors have caught up: every consumer feeding it has read its
    /// source up to where it stood at start (which needs a HEAD poll first). Until then its
    /// windows may be missing commits (a restart resumed from a snapshot, a first start reads
    /// the offsets topic), and judging them would report STOPs that are not true.
    pub fn cluster_ready(&self, cluster: &str) -> bool {
        self.cluster_of
            .iter()
            .filter(|(_, c)| c.as_str() == cluster)
            .all(|(consumer, _)| self.consumers.get(consumer).is_none_or(|p| p.is_ready()))
    }

    /// One line per consumer still catching up (of `cluster`, or of all): name, percent and
    /// records (for STARTING).
    pub fn starting_progress(&self, cluster: Option<&str>) -> Vec<String> {
        self.consumers
            .iter()
            .filter(|(_, p)| !p.is_ready())
            .filter(|(name, _)| {
                cluster.is_none_or(|c| self.cluster_of.get(*name).is_some_and(|of| of == c))
            })
            .map(|(name, p)| {
                let (pos, target) = p.progress();
                let percent = if target == 0 {
                    0.0
                } else {
                    100.0 * pos as f64 / target as f64
                };
                format!("{name}: {percent:.1}% ({pos} of {target} records)")
            })
            .collect()
    }

    /// One line per cluster whose polls are failing at `now_ms`: how long, how many and the
    /// last error, so an outage shows where operators look first.
    pub fn failing_clusters(&self, now_ms: i64) -> Vec<String> {
        self.clusters
            .iter()
            .filter_map(|(name, h)| {
                let (since, failures) = h.failing()?;
                let error = h.last_error().unwrap_or_default();
                let secs = (now_ms - since).max(0) / 1000;
                Some(format!(
                    "{name}: unreachable for {secs}s ({failures} failed polls): {error}"
                ))
            })
            .collect()
    }

    /// One cluster's poller health.
    pub fn cluster(&self, name: &str) -> Option<&Arc<ClusterHealth>> {
        self.clusters.get(name)
    }

    /// One consumer's progress.
    pub fn consumer(&self, name: &str) -> Option<&Arc<ConsumerProgress>> {
        self.consumers.get(name)
    }

    /// Every consumer's progress, by name.
    pub fn consumers(&self) -> impl Iterator<Item = (&String, &Arc<ConsumerProgress>)> {
        self.consumers.iter()
    }

    /// Every cluster's health, by name.
    pub fn clusters(&self) -> impl Iterator<Item = (&String, &Arc<ClusterHealth>)> {
        self.clusters.iter()
    }

    /// READY in Burrow's sense, made honest: every consumer has caught up with its source.
    pub fn is_ready(&self) -> bool {
        self.consumers.values().all(|c| c.is_ready())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_cluster_is_reported_from_its_first_failure_until_a_poll_succeeds() {
        let h = Health::new(["a".to_string(), "b".to_string()], []);
        let a = h.cluster("a").unwrap();
        a.poll_succeeded();
        assert!(h.failing_clusters(5_000).is_empty());
        a.poll_failed("timed out".into(), 10_000);
        a.poll_failed("all brokers down".into(), 12_000);
        assert_eq!(
            h.failing_clusters(52_500),
            ["a: unreachable for 42s (2 failed polls): all brokers down"]
        );
        a.poll_succeeded();
        assert!(h.failing_clusters(60_000).is_empty());
        assert_eq!(a.poll_counts(), (2, 2));
    }

    #[test]
    fn a_cluster_is_ready_once_every_consumer_feeding_it_caught_up() {
        let h = Health::new(
            ["a".to_string(), "b".to_string()],
            ["a-1".to_string(), "a-2".to_string(), "b-1".to_string()],
        )
        .with_consumer_clusters([
            ("a-1".to_string(), "a".to_string()),
            ("a-2".to_string(), "a".to_string()),
            ("b-1".to_string(), "b".to_string()),
        ]);
        h.consumer("a-1").unwrap().mark_ready();
        h.consumer("b-1").unwrap().set_progress(25, 100);
        assert!(!h.cluster_ready("a"));
        h.consumer("a-2").unwrap().mark_ready();
        assert!(h.cluster_ready("a"));
        assert!(!h.cluster_ready("b"));
        assert_eq!(
            h.starting_progress(None),
            vec!["b-1: 25.0% (25 of 100 records)".to_string()]
        );
        assert!(h.starting_progress(Some("a")).is_empty());
    }
}
