//! The daemon's plugin manager: loads `[plugin.NAME]` sections at start (any problem stops the
//! start, like a config error), publishes each cluster's evaluator and filters to the shared
//! [`PluginBindings`], and reloads on SIGHUP or `POST /v3/admin/plugins/reload` without
//! touching storage or the collectors. A reload re-reads the config file but applies only the
//! plugin sections and the clusters' `evaluator` / `group-filters` keys; anything else needs a
//! restart, and the report says so.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Mutex;

use anyhow::Context;
use serde_json::Value;
use warren_core::config::{Config, PluginSource, Problem};
use warren_core::plugins::PluginBindings;
use warren_http::{ComponentInfo, PluginAdmin, PluginHealth, PluginInfo, ReloadReport};
use warren_runtime::{Loader, PluginEngine, PluginSet};

/// Loaded plugins and the config they came from.
pub struct PluginManager {
    loader: Loader,
    config_path: Option<PathBuf>,
    bindings: PluginBindings,
    current: Mutex<(Config, PluginSet)>,
    /// One reload at a time (SIGHUP and HTTP may race).
    reloading: tokio::sync::Mutex<()>,
}

impl PluginManager {
    /// Loads every plugin of `config`; an error lists every problem at its key path.
    /// `config_path` is re-read on reload and anchors relative plugin paths.
    pub async fn start(config: &Config, config_path: Option<&Path>) -> anyhow::Result<Self> {
        let engine = PluginEngine::new(config.general.plugin_cache_dir.clone())
            .context("starting the plugin engine")?;
        let base = config_path
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let loader = Loader::new(engine, &base, Box::new(|name| std::env::var(name).ok()));
        let (set, problems) = loader
            .load_all(config, None, warren_core::clock::now_ms())
            .await;
        if !problems.is_empty() {
            anyhow::bail!("{}", problem_lines(&problems).join("\n  "));
        }
        for (name, p) in &set.plugins {
            let m = p.metadata();
            tracing::info!(plugin = %name, kind = p.config.kind.as_str(), component = %m.name,
                version = %m.version, "plugin loaded");
        }
        let bindings = PluginBindings::new(set.bindings(config));
        Ok(PluginManager {
            loader,
            config_path: config_path.map(Path::to_path_buf),
            bindings,
            current: Mutex::new((config.clone(), set)),
            reloading: tokio::sync::Mutex::new(()),
        })
    }

    /// The bindings the evaluator and the API consult.
    pub fn bindings(&self) -> PluginBindings {
        self.bindings.clone()
    }

    /// The plugins now running.
    pub fn plugins(&self) -> PluginSet {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .clone()
    }

    /// Re-reads the config file and reloads what changed (see the module doc).
    pub async fn reload_now(&self) -> Result<ReloadReport, Vec<String>> {
        let _one = self.reloading.lock().await;
        let Some(path) = &self.config_path else {
            return Err(vec!["the daemon was started without a config file".into()]);
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| vec![format!("cannot read {}: {e}", path.display())])?;
        // As at start-up: environment overrides and files beside the config apply again.
        let loaded = crate::config_file::load_text(path, &text)
            .map_err(|problems| problem_lines(&problems))?;
        let (old_config, old_set) = {
            let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
            (current.0.clone(), current.1.clone())
        };
        let new_config = loaded.config;
        let (set, problems) = self
            .loader
            .load_all(&new_config, Some(&old_set), warren_core::clock::now_ms())
            .await;
        let mut outcome = BTreeMap::new();
        for name in new_config.plugins.keys() {
            let failed = problems
                .iter()
                .any(|p| p.path.starts_with(&format!("plugin.{name}.")));
            let state = match (set.plugins.get(name), old_set.plugins.get(name), failed) {
                (Some(_), Some(_), true) => "kept",
                (None, _, true) => "failed",
                (Some(new), Some(old), false) if new.loaded_at_ms == old.loaded_at_ms => {
                    "unchanged"
                }
                _ => "loaded",
            };
            outcome.insert(name.clone(), state);
        }
        for name in old_set.plugins.keys() {
            if !new_config.plugins.contains_key(name) {
                outcome.insert(name.clone(), "removed");
            }
        }
        // Storage and collectors were built for the clusters of the first config.
        let mut effective = old_config.clone();
        effective.plugins = new_config.plugins.clone();
        for (name, cluster) in effective.clusters.iter_mut() {
            if let Some(new) = new_config.clusters.get(name) {
                cluster.evaluator = new.evaluator.clone();
                cluster.group_filters = new.group_filters.clone();
            }
        }
        let mut lines = problem_lines(&problems);
        if !same_except_plugins(&old_config, &new_config) {
            lines.push(
                "sections other than [plugin.*] and the clusters' evaluator/group-filters \
                 changed; restart Warren to apply them"
                    .into(),
            );
        }
        self.bindings.replace(set.bindings(&effective));
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = (effective, set);
        tracing::info!(problems = lines.len(), "plugins reloaded");
        for line in &lines {
            tracing::warn!("plugin reload: {line}");
        }
        Ok(ReloadReport {
            plugins: outcome,
            problems: lines,
        })
    }
}

impl PluginAdmin for PluginManager {
    fn list(&self) -> Vec<PluginInfo> {
        let (config, set) = &*self.current.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for (name, p) in &set.plugins {
            let m = p.metadata();
            let used_by = config
                .clusters
                .values()
                .filter(|c| {
                    c.evaluator.as_deref() == Some(name.as_str()) || c.group_filters.contains(name)
                })
                .map(|c| c.name.clone())
                .collect();
            let source = match &p.config.source {
                PluginSource::Builtin(b) => format!("builtin:{b}"),
                PluginSource::File(f) => f.display().to_string(),
            };
            let schema: Value = serde_json::from_str(&m.config_schema)
                .unwrap_or(Value::String(m.config_schema.clone()));
            let health = p.instance.health();
            out.push(PluginInfo {
                name: name.clone(),
                kind: p.config.kind.as_str().to_owned(),
                source,
                sha256: p.sha256.clone(),
                clusters: p.config.clusters.clone(),
                used_by,
                component: ComponentInfo {
                    name: m.name.clone(),
                    version: m.version.clone(),
                    description: m.description.clone(),
                },
                config_schema: schema,
                loaded_at: p.loaded_at_ms,
                reload_error: p.reload_error.clone(),
                health: PluginHealth {
                    calls: health
                        .calls
                        .into_iter()
                        .map(|(outcome, n)| (outcome.to_owned(), n))
                        .collect(),
                    consecutive_failures: health.consecutive_failures,
                    disabled: health.disabled,
                    last_error: health.last_error,
                    call_micros: health.call_micros,
                },
            });
        }
        out
    }

    fn reload(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<ReloadReport, Vec<String>>> + Send + '_>> {
        Box::pin(self.reload_now())
    }
}

fn same_except_plugins(a: &Config, b: &Config) -> bool {
    let strip = |c: &Config| {
        let mut c = c.clone();
        c.plugins.clear();
        for cluster in c.clusters.values_mut() {
            cluster.evaluator = None;
            cluster.group_filters.clear();
        }
        serde_json::to_value(&c).ok()
    };
    strip(a) == strip(b)
}

/// Problems as `key.path: message` lines.
pub fn problem_lines(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}
