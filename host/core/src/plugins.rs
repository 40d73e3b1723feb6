//! What the rest of Warren needs from plugins, without knowing they are WebAssembly: the
//! [`EvaluatorPlugin`] and [`FilterPlugin`] traits (implemented by `warren-runtime`), and
//! [`PluginBindings`], the per-cluster choice of evaluator and group filters that the evaluator,
//! the HTTP API and the notifiers consult. Bindings are replaced as a whole on reload, so
//! a reader sees either the old set or the new one, never a mix.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use crate::evaluator::GroupStatus;
use crate::storage::GroupSnapshot;

/// An evaluation policy that replaces Burrow's rules for a cluster.
pub trait EvaluatorPlugin: Send + Sync {
    /// The `[plugin.NAME]` name.
    fn name(&self) -> &str;
    /// Judges one group; `Err` carries the reason the caller falls back to Burrow's rules.
    fn evaluate(
        &self,
        cluster: &str,
        snapshot: &GroupSnapshot,
        now_ms: i64,
    ) -> Result<GroupStatus, String>;
}

/// Decides whether a group is monitored.
pub trait FilterPlugin: Send + Sync {
    /// The `[plugin.NAME]` name.
    fn name(&self) -> &str;
    /// `Ok(false)` leaves the group out; `Err` means the filter failed (the caller keeps the
    /// group: filters fail open).
    fn accept(&self, cluster: &str, snapshot: &GroupSnapshot, now_ms: i64) -> Result<bool, String>;
}

/// One cluster's plugins.
#[derive(Clone, Default)]
pub struct ClusterPlugins {
    /// The evaluator, when the cluster chose one.
    pub evaluator: Option<Arc<dyn EvaluatorPlugin>>,
    /// Its group filters, in configured order; a group is monitored when every one accepts it.
    pub filters: Vec<Arc<dyn FilterPlugin>>,
}

impl ClusterPlugins {
    /// Runs the filters in order. A failing filter counts as accepting (fail open: a broken
    /// filter must never silence monitoring); the runtime has already logged and counted it.
    pub fn monitored(&self, cluster: &str, snapshot: &GroupSnapshot, now_ms: i64) -> bool {
        self.filters
            .iter()
            .all(|f| f.accept(cluster, snapshot, now_ms).unwrap_or(true))
    }
}

/// The plugins of every cluster; cheap to clone, replaced atomically on reload.
#[derive(Clone, Default)]
pub struct PluginBindings {
    inner: Arc<RwLock<Bound>>,
}

#[derive(Default)]
struct Bound {
    generation: u64,
    clusters: Arc<BTreeMap<String, ClusterPlugins>>,
}

impl PluginBindings {
    /// Bindings for these clusters.
    pub fn new(clusters: BTreeMap<String, ClusterPlugins>) -> Self {
        let bindings = PluginBindings::default();
        bindings.replace(clusters);
        bindings
    }

    /// The plugins of `cluster` (none when it has no binding).
    pub fn cluster(&self, cluster: &str) -> ClusterPlugins {
        let bound = self.inner.read().unwrap_or_else(|e| e.into_inner());
        bound.clusters.get(cluster).cloned().unwrap_or_default()
    }

    /// Replaces every binding at once; returns the new generation.
    pub fn replace(&self, clusters: BTreeMap<String, ClusterPlugins>) -> u64 {
        let mut bound = self.inner.write().unwrap_or_else(|e| e.into_inner());
        bound.generation += 1;
        bound.clusters = Arc::new(clusters);
        bound.generation
    }

    /// Increases with every [`PluginBindings::replace`]; caches keyed on it drop stale answers.
    pub fn generation(&self) -> u64 {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .generation
    }
}
