//! From `[plugin.NAME]` sections to running plugins, and from those to each cluster's bindings.
//! Used at start-up (every problem is fatal, reported at its key path like a config error), by
//! `warren check-config` (the same checks, nothing kept), and on reload (SIGHUP or
//! `POST /v3/admin/plugins/reload`): an unchanged plugin keeps its instance and its health, a
//! changed one is loaded afresh, and one that fails to load keeps its running version.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use warren_core::config::{
    Config, PluginConfig, PluginKind, PluginSource, Problem, Secret, SecretRef, SecretSource,
};
use warren_core::evaluator::GroupStatus;
use warren_core::plugins::{ClusterPlugins, EvaluatorPlugin, FilterPlugin};
use warren_core::storage::GroupSnapshot;

use crate::MailCapability;
use crate::bindings::types::PluginMetadata;
use crate::builtin::builtin;
use crate::engine::hex;
use crate::health::HealthSnapshot;
use crate::outbound::Capabilities;
use crate::{Limits, PluginEngine, PluginEvaluator, PluginFilter, PluginNotifier};

/// A running plugin of any kind.
#[derive(Clone)]
pub enum Instance {
    /// An evaluator.
    Evaluator(Arc<PluginEvaluator>),
    /// A group filter.
    Filter(Arc<PluginFilter>),
    /// A notifier.
    Notifier(Arc<PluginNotifier>),
}

impl Instance {
    fn metadata(&self) -> &PluginMetadata {
        match self {
            Instance::Evaluator(p) => p.metadata(),
            Instance::Filter(p) => p.metadata(),
            Instance::Notifier(p) => p.metadata(),
        }
    }

    /// Calls by outcome, failures, breaker state.
    pub fn health(&self) -> HealthSnapshot {
        match self {
            Instance::Evaluator(p) => p.health(),
            Instance::Filter(p) => p.health(),
            Instance::Notifier(p) => p.health(),
        }
    }
}

/// One loaded plugin with what it was loaded from.
#[derive(Clone)]
pub struct LoadedPlugin {
    /// Its configuration.
    pub config: PluginConfig,
    /// The running instance.
    pub instance: Instance,
    /// SHA-256 of the component, hex.
    pub sha256: String,
    /// When this version was loaded, epoch ms.
    pub loaded_at_ms: i64,
    /// Why the last reload did not replace it, if it did not.
    pub reload_error: Option<String>,
    /// Component hash plus everything in the config that shapes the instance: equal
    /// fingerprints mean a reload can keep the running instance.
    fingerprint: String,
}

impl LoadedPlugin {
    /// What the plugin says about itself.
    pub fn metadata(&self) -> &PluginMetadata {
        self.instance.metadata()
    }
}

/// Every loaded plugin, by name.
#[derive(Clone, Default)]
pub struct PluginSet {
    /// By `[plugin.NAME]`.
    pub plugins: BTreeMap<String, LoadedPlugin>,
}

impl PluginSet {
    /// The notifier named `name`, if loaded.
    pub fn notifier(&self, name: &str) -> Option<Arc<PluginNotifier>> {
        match &self.plugins.get(name)?.instance {
            Instance::Notifier(n) => Some(n.clone()),
            _ => None,
        }
    }

    /// Each cluster's evaluator and filters, as configured (`[cluster.NAME] evaluator`,
    /// `group-filters`). A cluster whose plugin is not loaded runs without it.
    pub fn bindings(&self, config: &Config) -> BTreeMap<String, ClusterPlugins> {
        let mut out = BTreeMap::new();
        for (cluster, c) in &config.clusters {
            let mut bound = ClusterPlugins::default();
            if let Some(name) = &c.evaluator
                && let Some(Instance::Evaluator(e)) = self.plugins.get(name).map(|p| &p.instance)
            {
                bound.evaluator = Some(Arc::new(Named(name.clone(), e.clone())));
            }
            for name in &c.group_filters {
                if let Some(Instance::Filter(f)) = self.plugins.get(name).map(|p| &p.instance) {
                    bound.filters.push(Arc::new(Named(name.clone(), f.clone())));
                }
            }
            out.insert(cluster.clone(), bound);
        }
        out
    }
}

/// A plugin under the name the configuration gave it (one `.wasm` may serve several names).
struct Named<P>(String, Arc<P>);

impl EvaluatorPlugin for Named<PluginEvaluator> {
    fn name(&self) -> &str {
        &self.0
    }

    fn evaluate(
        &self,
        cluster: &str,
        snapshot: &GroupSnapshot,
        now_ms: i64,
    ) -> Result<GroupStatus, String> {
        self.1
            .evaluate(cluster, snapshot, now_ms)
            .map_err(|e| e.to_string())
    }
}

impl FilterPlugin for Named<PluginFilter> {
    fn name(&self) -> &str {
        &self.0
    }

    fn accept(&self, cluster: &str, snapshot: &GroupSnapshot, now_ms: i64) -> Result<bool, String> {
        self.1
            .accept(cluster, snapshot, now_ms)
            .map_err(|e| e.to_string())
    }
}

/// Looks up an environment variable (injected so tests are hermetic).
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Loads plugins for a configuration.
pub struct Loader {
    engine: PluginEngine,
    base_dir: PathBuf,
    env: EnvLookup,
}

impl Loader {
    /// A loader resolving relative plugin paths against `base_dir` (the config file's folder)
    /// and `env:` secrets with `env`.
    pub fn new(engine: PluginEngine, base_dir: &Path, env: EnvLookup) -> Self {
        Loader {
            engine,
            base_dir: base_dir.to_path_buf(),
            env,
        }
    }

    /// The engine plugins run on.
    pub fn engine(&self) -> &PluginEngine {
        &self.engine
    }

    /// Loads every plugin of `config`. With `previous` (a reload), unchanged plugins are kept
    /// as they run, and a plugin that fails keeps its previous version. Returns the new set and
    /// every problem, each at its `plugin.NAME...` key path.
    pub async fn load_all(
        &self,
        config: &Config,
        previous: Option<&PluginSet>,
        now_ms: i64,
    ) -> (PluginSet, Vec<Problem>) {
        let mut set = PluginSet::default();
        let mut problems = Vec::new();
        for (name, plugin) in &config.plugins {
            let old = previous.and_then(|p| p.plugins.get(name));
            match self.load_one(plugin, old, now_ms).await {
                Ok(loaded) => {
                    set.plugins.insert(name.clone(), loaded);
                }
                Err(problem) => {
                    if let Some(old) = old {
                        let mut kept = old.clone();
                        kept.reload_error = Some(problem.message.clone());
                        set.plugins.insert(name.clone(), kept);
                    }
                    problems.push(problem);
                }
            }
        }
        (set, problems)
    }

    async fn load_one(
        &self,
        plugin: &PluginConfig,
        old: Option<&LoadedPlugin>,
        now_ms: i64,
    ) -> Result<LoadedPlugin, Problem> {
        let section = format!("plugin.{}", plugin.name);
        let at = |key: &str, message: String| Problem {
            path: format!("{section}.{key}"),
            message,
            example: None,
        };
        let wasm = self.read(&plugin.source).map_err(|m| at("path", m))?;
        let sha256 = hex(&Sha256::digest(&wasm));
        let mut secrets = BTreeMap::new();
        for (secret, reference) in &plugin.secrets {
            let value = resolve(reference, &self.base_dir, &*self.env)
                .map_err(|m| at(&format!("secrets.{secret}"), m))?;
            secrets.insert(secret.clone(), value);
        }
        let mail_password = match plugin.mail.as_ref().and_then(|m| m.password.as_ref()) {
            Some(r) => {
                Some(resolve(r, &self.base_dir, &*self.env).map_err(|e| at("mail.password", e))?)
            }
            None => None,
        };
        let mut shaping = secrets.clone();
        if let Some(p) = &mail_password {
            // Not a placeholder secret; folded in so a rotated SMTP password reloads the plugin.
            shaping.insert("\0mail.password".into(), p.clone());
        }
        let fingerprint = fingerprint(plugin, &sha256, &shaping);
        if let Some(old) = old
            && old.fingerprint == fingerprint
        {
            let mut kept = old.clone();
            kept.reload_error = None;
            return Ok(kept);
        }
        let engine = self.engine.clone();
        let name = plugin.name.clone();
        let expected = plugin.sha256.clone();
        // Compiling a large (Python, JavaScript) component takes seconds of CPU.
        let component =
            tokio::task::spawn_blocking(move || engine.compile(&name, &wasm, expected.as_deref()))
                .await
                .map_err(|e| at("path", format!("compiling panicked: {e}")))?
                .map_err(|e| at("path", e.to_string()))?;
        let config_json = plugin.settings.to_string();
        let limits = Limits {
            memory_bytes: plugin.limits.memory_bytes,
            timeout: plugin.limits.timeout,
        };
        let instance = match plugin.kind {
            PluginKind::Evaluator => {
                PluginEvaluator::load(&self.engine, &plugin.name, &component, &config_json, limits)
                    .map(|p| Instance::Evaluator(Arc::new(p)))
            }
            PluginKind::GroupFilter => {
                PluginFilter::load(&self.engine, &plugin.name, &component, &config_json, limits)
                    .map(|p| Instance::Filter(Arc::new(p)))
            }
            PluginKind::Notifier => {
                let mail = plugin.mail.as_ref().map(|m| MailCapability {
                    server: m.server.clone(),
                    port: m.port,
                    security: m.security,
                    username: m.username.clone(),
                    password: mail_password.clone(),
                    from: m.from.clone(),
                    to: m.to.clone(),
                    timeout: m.timeout,
                    allowed_recipients: m.allowed_recipients.clone(),
                });
                let caps = Capabilities {
                    allowed_hosts: plugin.allowed_outbound_hosts.clone(),
                    allow_private_addresses: plugin.allow_private_addresses,
                    secrets,
                    mail,
                    ..Capabilities::default()
                };
                PluginNotifier::load(
                    &self.engine,
                    &plugin.name,
                    &component,
                    &config_json,
                    limits,
                    caps,
                )
                .await
                .map(|p| Instance::Notifier(Arc::new(p)))
            }
        };
        let instance = instance.map_err(|e| match e {
            crate::PluginError::InvalidConfig { problems, .. } => at(
                "config",
                format!("rejected by the plugin: {}", problems.join("; ")),
            ),
            other => at("path", other.to_string()),
        })?;
        Ok(LoadedPlugin {
            config: plugin.clone(),
            instance,
            sha256,
            loaded_at_ms: now_ms,
            reload_error: None,
            fingerprint,
        })
    }

    fn read(&self, source: &PluginSource) -> Result<Vec<u8>, String> {
        match source {
            PluginSource::Builtin(name) => builtin(name).map(<[u8]>::to_vec),
            PluginSource::File(path) => {
                let full = if path.is_absolute() {
                    path.clone()
                } else {
                    self.base_dir.join(path)
                };
                std::fs::read(&full).map_err(|e| format!("cannot read {}: {e}", full.display()))
            }
        }
    }
}

/// A secret's value: inline (a translated Burrow password), or read now; a relative `file:` is
/// relative to the config file, like plugin paths.
fn resolve(
    source: &SecretSource,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Secret, String> {
    match source {
        SecretSource::Inline(secret) => Ok(secret.clone()),
        SecretSource::Ref(SecretRef::File(path)) => SecretRef::File(base_dir.join(path)).read(env),
        SecretSource::Ref(env_ref) => env_ref.read(env),
    }
}

/// Hash of everything that shapes an instance. Secret values are folded in hashed, so a
/// rotated secret reloads the plugin without the fingerprint revealing anything.
fn fingerprint(plugin: &PluginConfig, sha256: &str, secrets: &BTreeMap<String, Secret>) -> String {
    let mut h = Sha256::new();
    h.update(sha256.as_bytes());
    h.update(plugin.settings.to_string().as_bytes());
    h.update(format!("{:?}|{:?}", plugin.kind, plugin.limits).as_bytes());
    h.update(format!(
        "{:?}|{}|{:?}",
        plugin.allowed_outbound_hosts, plugin.allow_private_addresses, plugin.mail
    ));
    for (name, value) in secrets {
        h.update(name.as_bytes());
        h.update(Sha256::digest(value.expose().as_bytes()));
    }
    hex(&h.finalize())
}
