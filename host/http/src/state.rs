//! What handlers share: storage, collector health, and the parts of the configuration the API
//! reports (Burrow's `/v3/kafka/:cluster` returns the cluster module's configuration).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::HeaderValue;
use serde_json::{Value, json};
use warren_core::config::{ClusterConfig, Config};
use warren_core::evaluator::EvaluatorHandle;
use warren_core::health::Health;
use warren_core::plugins::PluginBindings;
use warren_core::storage::StorageHandle;

/// Shared state of every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Every cluster's storage.
    pub storage: StorageHandle,
    /// Status evaluation (Burrow's rules, cached for `expire-cache`).
    pub evaluator: EvaluatorHandle,
    /// Serialised status answers, reused while their evaluation is cached.
    pub rendered: crate::rendered::RenderedCache,
    /// The wall clock in epoch milliseconds (a fixed function in golden tests).
    pub now_ms: fn() -> i64,
    /// Collector health, for readiness.
    pub health: Health,
    /// `module` objects of `/v3/kafka/:cluster`, prebuilt from config.
    pub cluster_modules: Arc<BTreeMap<String, Value>>,
    /// The `/v3/config` answers, prebuilt from config.
    pub(crate) config_view: Arc<crate::config_view::ConfigView>,
    /// Host name reported in every response's `request.host` (injected for golden tests).
    pub hostname: Arc<str>,
    /// `Access-Control-Allow-Origin` value, when configured.
    pub cors: Option<HeaderValue>,
    /// The plugin manager, for `/v3/admin/plugins`; `None` lists no plugins.
    pub plugins: Option<Arc<dyn crate::PluginAdmin>>,
    /// The notifiers' state, for `/v3/admin/notifiers`.
    pub notifiers: Option<Arc<dyn crate::NotifierAdmin>>,
    /// Who leads the notifications, for `/v3/admin/instances` and `/metrics`.
    pub instances: Option<Arc<dyn crate::InstanceAdmin>>,
    /// The process's log level, for `/v3/admin/loglevel`.
    pub log_level: crate::loglevel::LogLevelHandle,
    /// The `/metrics` body, rendered in the background.
    pub metrics: crate::metrics::MetricsCache,
    /// The API's own requests, for `/metrics`.
    pub requests: crate::RequestCounts,
    /// Credentials and refusal counts (anonymous until [`AppState::with_access`]).
    pub access: crate::Access,
}

impl AppState {
    /// Builds the state for a resolved config, without plugins: Burrow's rules judge every
    /// group (tests and tools; the daemon uses [`AppState::with_plugins`]).
    pub fn new(config: &Config, storage: StorageHandle, health: Health, hostname: &str) -> Self {
        let evaluator = EvaluatorHandle::from_config(config, PluginBindings::default());
        Self::with_plugins(config, storage, health, hostname, evaluator, None)
    }

    /// Builds the state around the daemon's evaluator (the one its notifiers use too) and
    /// plugin manager.
    pub fn with_plugins(
        config: &Config,
        storage: StorageHandle,
        health: Health,
        hostname: &str,
        evaluator: EvaluatorHandle,
        plugins: Option<Arc<dyn crate::PluginAdmin>>,
    ) -> Self {
        let cluster_modules = config
            .clusters
            .iter()
            .map(|(name, c)| (name.clone(), cluster_module(config, c)))
            .collect();
        AppState {
            storage,
            evaluator,
            rendered: Default::default(),
            now_ms: warren_core::clock::now_ms,
            health,
            cluster_modules: Arc::new(cluster_modules),
            config_view: Arc::new(crate::config_view::ConfigView::of(config)),
            hostname: hostname.into(),
            cors: config
                .general
                .access_control_allow_origin
                .as_deref()
                .and_then(|o| HeaderValue::from_str(o).ok()),
            plugins,
            notifiers: None,
            instances: None,
            log_level: None,
            metrics: crate::metrics::MetricsCache::new(
                crate::metrics::MetricsOptions::from_config(config),
            ),
            requests: Default::default(),
            access: Default::default(),
        }
    }

    /// The same state, checking these credentials.
    pub fn with_access(mut self, access: crate::Access) -> Self {
        self.access = access;
        self
    }

    /// The same state, reading and changing the log level through `control`.
    pub fn with_log_level(mut self, control: Arc<dyn crate::LogLevelAdmin>) -> Self {
        self.log_level = Some(control);
        self
    }

    /// The same state, reporting who leads.
    pub fn with_instances(mut self, instances: Arc<dyn crate::InstanceAdmin>) -> Self {
        self.instances = Some(instances);
        self
    }

    /// The same state, reporting these notifiers.
    pub fn with_notifiers(mut self, notifiers: Arc<dyn crate::NotifierAdmin>) -> Self {
        self.notifiers = Some(notifiers);
        self
    }
}

/// Burrow's `httpResponseConfigModuleCluster`, without secrets.
fn cluster_module(config: &Config, c: &ClusterConfig) -> Value {
    let profile = crate::config_view::ClientProfileView::of(config, &c.client_profile);
    json!({
        "class-name": "kafka",
        "servers": c.servers,
        "client-profile": profile,
        "topic-refresh": c.topic_refresh.as_secs(),
        "offset-refresh": c.offset_refresh.as_secs(),
        "evaluator": c.evaluator,
        "group-filters": c.group_filters,
    })
}
