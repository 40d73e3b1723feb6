//! Evaluation through a cache, Burrow's `expire-cache`: a group's status is computed from a
//! storage snapshot at most once per `expire-cache`, however many requests ask. The time is
//! passed in by the caller (the HTTP edge or a scheduler tick), so expiry is testable. Unknown
//! groups are not cached (Burrow caches NOTFOUND too, which hides a new group for up to ten
//! seconds).
//!
//! When a cluster has an evaluator plugin, the plugin judges its groups; if it fails, Burrow's
//! rules answer for that group and the status says why ([`super::EvaluatorNote`]). Group-filter
//! decisions are cached the same way. A plugin reload (a new bindings generation) invalidates
//! both caches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{EvaluatorNote, GroupStatus, RuleSettings, evaluate_snapshot};
use crate::plugins::PluginBindings;
use crate::storage::{ClusterStore, GroupSnapshot};

struct Cached {
    at_ms: i64,
    generation: u64,
    status: Arc<GroupStatus>,
}

type Decisions = HashMap<String, HashMap<String, (i64, u64, bool)>>;

/// Cloneable handle to the evaluator of every cluster.
#[derive(Clone)]
pub struct EvaluatorHandle {
    settings: RuleSettings,
    ttl_ms: i64,
    cache: Arc<Mutex<HashMap<String, HashMap<String, Cached>>>>,
    plugins: PluginBindings,
    decisions: Arc<Mutex<Decisions>>,
}

impl EvaluatorHandle {
    /// An evaluator with these rules and this cache lifetime, and no plugins.
    pub fn new(settings: RuleSettings, expire_cache: Duration) -> Self {
        Self::with_plugins(settings, expire_cache, PluginBindings::default())
    }

    /// An evaluator that consults the clusters' evaluator and filter plugins.
    pub fn with_plugins(
        settings: RuleSettings,
        expire_cache: Duration,
        plugins: PluginBindings,
    ) -> Self {
        EvaluatorHandle {
            settings,
            ttl_ms: expire_cache.as_millis().min(i64::MAX as u128) as i64,
            cache: Arc::default(),
            plugins,
            decisions: Arc::default(),
        }
    }

    /// The evaluator a resolved config asks for: its `[evaluator]` rules and `expire-cache`,
    /// consulting the clusters' plugins through `plugins`. The daemon builds one and hands it
    /// to the HTTP API and to the notifiers alike.
    pub fn from_config(config: &crate::config::Config, plugins: PluginBindings) -> Self {
        Self::with_plugins(
            RuleSettings::from_config(&config.evaluator, config.storage.intervals),
            config.evaluator.expire_cache,
            plugins,
        )
    }

    /// The plugin bindings consulted.
    pub fn plugins(&self) -> &PluginBindings {
        &self.plugins
    }

    /// The rules in force.
    pub fn settings(&self) -> &RuleSettings {
        &self.settings
    }

    /// The status of one group (NOTFOUND when storage does not know it).
    pub fn group(&self, store: &ClusterStore, group: &str, now_ms: i64) -> Arc<GroupStatus> {
        if let Some(hit) = self.lookup(store.name(), group, now_ms) {
            return hit;
        }
        let generation = self.plugins.generation();
        let Some(snapshot) = store.group(group) else {
            return Arc::new(GroupStatus::not_found(store.name(), group));
        };
        let status = Arc::new(self.judge(store.name(), &snapshot, now_ms));
        self.insert(store.name(), group, now_ms, generation, status.clone());
        status
    }

    /// The cluster's evaluator plugin if it has one and it answers, else Burrow's rules.
    fn judge(&self, cluster: &str, snapshot: &GroupSnapshot, now_ms: i64) -> GroupStatus {
        let Some(plugin) = self.plugins.cluster(cluster).evaluator else {
            return evaluate_snapshot(cluster, snapshot, &self.settings, now_ms);
        };
        let (mut status, fallback) = match plugin.evaluate(cluster, snapshot, now_ms) {
            Ok(status) => (status, None),
            Err(reason) => (
                evaluate_snapshot(cluster, snapshot, &self.settings, now_ms),
                Some(reason),
            ),
        };
        status.evaluator = Some(EvaluatorNote {
            plugin: plugin.name().to_string(),
            fallback,
        });
        status
    }

    /// Whether the cluster's group filters keep `group` (true without filters, and for unknown
    /// groups). Decisions are cached for `expire-cache`, like statuses.
    pub fn monitored(&self, store: &ClusterStore, group: &str, now_ms: i64) -> bool {
        let generation = self.plugins.generation();
        {
            let decisions = self.decisions.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(&(at, g, keep)) = decisions.get(store.name()).and_then(|m| m.get(group))
                && g == generation
                && now_ms >= at
                && now_ms.saturating_sub(at) < self.ttl_ms
            {
                return keep;
            }
        }
        let plugins = self.plugins.cluster(store.name());
        if plugins.filters.is_empty() {
            return true;
        }
        let Some(snapshot) = store.group(group) else {
            return true;
        };
        let keep = plugins.monitored(store.name(), &snapshot, now_ms);
        if self.ttl_ms > 0 {
            let mut decisions = self.decisions.lock().unwrap_or_else(|e| e.into_inner());
            let groups = decisions.entry(store.name().to_string()).or_default();
            if groups.len() >= 1024 && groups.len().is_power_of_two() {
                let ttl = self.ttl_ms;
                groups.retain(|_, (at, _, _)| now_ms.saturating_sub(*at) < ttl);
            }
            groups.insert(group.to_string(), (now_ms, generation, keep));
        }
        keep
    }

    /// The monitored groups of a cluster (every group when it has no filters), sorted.
    pub fn monitored_groups(&self, store: &ClusterStore, now_ms: i64) -> Vec<String> {
        let mut names = store.group_names();
        if !self.plugins.cluster(store.name()).filters.is_empty() {
            names.retain(|g| self.monitored(store, g, now_ms));
        }
        names
    }

    /// Hands `each` the status of every monitored group of a cluster, one at a time, sorted by
    /// group name: a cached verdict when there is one, else a new one that is not kept. For a
    /// pass over every group (the metrics render), which would otherwise hold every verdict at
    /// once and leave them all in the cache: at a million partitions that working set was a
    /// quarter of a gigabyte, reused by every render and never returned. Drops cache entries
    /// of groups that are gone, as [`EvaluatorHandle::all`] does.
    pub fn each(&self, store: &ClusterStore, now_ms: i64, mut each: impl FnMut(&GroupStatus)) {
        for group in self.monitored_groups(store, now_ms) {
            match self.lookup(store.name(), &group, now_ms) {
                Some(hit) => each(&hit),
                None => match store.group(&group) {
                    Some(snapshot) => each(&self.judge(store.name(), &snapshot, now_ms)),
                    None => each(&GroupStatus::not_found(store.name(), &group)),
                },
            }
        }
        self.forget_expired(store.name(), now_ms);
    }

    fn forget_expired(&self, cluster: &str, now_ms: i64) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(groups) = cache.get_mut(cluster) {
            let ttl = self.ttl_ms;
            groups.retain(|_, c| now_ms.saturating_sub(c.at_ms) < ttl);
        }
    }

    /// The status of every monitored group of a cluster (see [`EvaluatorHandle::monitored`]),
    /// sorted by group name. Drops cache entries of groups that are gone.
    pub fn all(&self, store: &ClusterStore, now_ms: i64) -> Vec<Arc<GroupStatus>> {
        let names = self.monitored_groups(store, now_ms);
        let statuses: Vec<Arc<GroupStatus>> =
            names.iter().map(|g| self.group(store, g, now_ms)).collect();
        self.forget_expired(store.name(), now_ms);
        statuses
    }

    fn lookup(&self, cluster: &str, group: &str, now_ms: i64) -> Option<Arc<GroupStatus>> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let c = cache.get(cluster)?.get(group)?;
        (now_ms.saturating_sub(c.at_ms) < self.ttl_ms
            && now_ms >= c.at_ms
            && c.generation == self.plugins.generation())
        .then(|| c.status.clone())
    }

    fn insert(
        &self,
        cluster: &str,
        group: &str,
        now_ms: i64,
        generation: u64,
        status: Arc<GroupStatus>,
    ) {
        if self.ttl_ms <= 0 {
            return;
        }
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        // Expired entries of groups nobody asks for again would otherwise stay for ever.
        let groups = cache.entry(cluster.to_string()).or_default();
        if groups.len() >= 1024 && groups.len().is_power_of_two() {
            let ttl = self.ttl_ms;
            groups.retain(|_, c| now_ms.saturating_sub(c.at_ms) < ttl);
        }
        groups.insert(
            group.to_string(),
            Cached {
                at_ms: now_ms,
                generation,
                status,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Commit, Status};
    use crate::storage::{CommitSource, StorageHandle, StorageSettings};

    const NOW: i64 = 1_700_000_000_000;

    fn storage() -> StorageHandle {
        let s = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
        let mut w = s.cluster("c").unwrap().writer();
        w.set_topics(&[("t".into(), 1)]);
        w.record_heads("t", &[(0, 100)], NOW);
        let c = Commit {
            group: "g",
            topic: "t",
            partition: 0,
            offset: 100,
            timestamp_ms: NOW,
            order: 1,
        };
        w.commit(&c, CommitSource::OffsetsTopic, NOW);
        drop(w);
        s
    }

    /// A second group, `a`, 50 behind on `t`/0.
    fn commit_group_a(store: &crate::storage::ClusterStore) {
        let c = Commit {
            group: "a",
            topic: "t",
            partition: 0,
            offset: 50,
            timestamp_ms: NOW,
            order: 3,
        };
        store.writer().commit(&c, CommitSource::OffsetsTopic, NOW);
    }

    #[test]
    fn results_are_reused_until_expire_cache_passes() {
        let s = storage();
        let store = s.cluster("c").unwrap();
        let e = EvaluatorHandle::new(RuleSettings::burrow_defaults(), Duration::from_secs(10));
        let first = e.group(store, "g", NOW);
        assert_eq!(first.status, Status::Ok);
        store.writer().delete_group("g");
        assert!(
            Arc::ptr_eq(&first, &e.group(store, "g", NOW + 9_999)),
            "cached within expire-cache"
        );
        assert_eq!(
            e.group(store, "g", NOW + 10_000).status,
            Status::NotFound,
            "recomputed after it"
        );
    }

    #[test]
    fn unknown_groups_are_not_cached() {
        let s = storage();
        let store = s.cluster("c").unwrap();
        let e = EvaluatorHandle::new(RuleSettings::burrow_defaults(), Duration::from_secs(10));
        assert_eq!(e.group(store, "new", NOW).status, Status::NotFound);
        let c = Commit {
            group: "new",
            topic: "t",
            partition: 0,
            offset: 100,
            timestamp_ms: NOW,
            order: 2,
        };
        store.writer().commit(&c, CommitSource::OffsetsTopic, NOW);
        assert_eq!(e.group(store, "new", NOW + 1).status, Status::Ok);
    }

    #[test]
    fn all_lists_every_group_sorted() {
        let s = storage();
        let store = s.cluster("c").unwrap();
        commit_group_a(store);
        let e = EvaluatorHandle::new(RuleSettings::burrow_defaults(), Duration::ZERO);
        let all = e.all(store, NOW + 1);
        let names: Vec<&str> = all.iter().map(|s| s.group.as_str()).collect();
        assert_eq!(names, vec!["a", "g"]);
        assert_eq!(all[0].total_lag, 50);
    }

    #[test]
    fn a_pass_over_every_group_reuses_cached_verdicts_and_keeps_no_new_ones() {
        let s = storage();
        let store = s.cluster("c").unwrap();
        commit_group_a(store);
        let e = EvaluatorHandle::new(RuleSettings::burrow_defaults(), Duration::from_secs(10));
        let cached = e.group(store, "g", NOW);
        let mut seen = Vec::new();
        e.each(store, NOW + 1, |g| {
            seen.push((g.group.clone(), g.total_lag))
        });
        assert_eq!(seen, vec![("a".to_owned(), 50), ("g".to_owned(), 0)]);
        assert!(
            e.lookup("c", "a", NOW + 1).is_none(),
            "a verdict made for the pass is not kept"
        );
        assert!(Arc::ptr_eq(&cached, &e.group(store, "g", NOW + 2)));
    }
}
