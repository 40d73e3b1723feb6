//! A group filter implemented by a plugin: decides whether a group is monitored. A filter that
//! fails is answered with `true` by the caller (fail open: a broken filter must not silence
//! monitoring).

use std::time::Instant;

use warren_core::storage::GroupSnapshot;
use wasmtime::component::Component;

use crate::bindings::filter::GroupFilter;
use crate::bindings::types::PluginMetadata;
use crate::convert;
use crate::engine::PluginEngine;
use crate::error::PluginError;
use crate::health::HealthSnapshot;
use crate::sandbox::{Limits, Sandbox};

/// A loaded group-filter plugin.
pub struct PluginFilter {
    sandbox: Sandbox<GroupFilter>,
    metadata: PluginMetadata,
}

impl PluginFilter {
    /// Instantiates the component, reads its metadata and validates `config_json` with it.
    pub fn load(
        engine: &PluginEngine,
        name: &str,
        component: &Component,
        config_json: &str,
        limits: Limits,
    ) -> Result<Self, PluginError> {
        let (sandbox, metadata) = Sandbox::load(engine, name, component, config_json, limits)?;
        Ok(PluginFilter { sandbox, metadata })
    }

    /// What the plugin says about itself.
    pub fn metadata(&self) -> &PluginMetadata {
        &self.metadata
    }

    /// The plugin's decision on a stored group.
    pub fn accept(
        &self,
        cluster: &str,
        snapshot: &GroupSnapshot,
        now_ms: i64,
    ) -> Result<bool, PluginError> {
        let now = Instant::now();
        let info = convert::group_info(cluster, snapshot, now_ms);
        let result = self.sandbox.call(now, |i, s| i.call_accept_group(s, &info));
        self.sandbox.record(&result, now, "group kept (fail open)");
        result
    }

    /// Calls by outcome, failures, breaker state.
    pub fn health(&self) -> HealthSnapshot {
        self.sandbox.health.snapshot(Instant::now())
    }
}
