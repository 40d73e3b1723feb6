//! An evaluation policy implemented by a plugin. The daemon calls it per group instead of
//! Burrow's rules for the clusters that chose it; any failure (trap, timeout, error, answer
//! that does not fit the question) is returned so the caller can fall back to the built-in
//! rules.

use std::time::Instant;

use warren_core::evaluator::GroupStatus;
use warren_core::storage::GroupSnapshot;
use wasmtime::component::Component;

use crate::bindings::evaluator::Evaluator;
use crate::bindings::types::{self as wit, PluginMetadata};
use crate::convert;
use crate::engine::PluginEngine;
use crate::error::PluginError;
use crate::health::HealthSnapshot;
use crate::sandbox::{Limits, Sandbox};

/// A loaded evaluator plugin.
pub struct PluginEvaluator {
    sandbox: Sandbox<Evaluator>,
    metadata: PluginMetadata,
}

impl PluginEvaluator {
    /// Instantiates the component, reads its metadata and validates `config_json` with it.
    pub fn load(
        engine: &PluginEngine,
        name: &str,
        component: &Component,
        config_json: &str,
        limits: Limits,
    ) -> Result<Self, PluginError> {
        let (sandbox, metadata) = Sandbox::load(engine, name, component, config_json, limits)?;
        Ok(PluginEvaluator { sandbox, metadata })
    }

    /// What the plugin says about itself.
    pub fn metadata(&self) -> &PluginMetadata {
        &self.metadata
    }

    /// Judges one group.
    pub fn evaluate(
        &self,
        cluster: &str,
        snapshot: &GroupSnapshot,
        now_ms: i64,
    ) -> Result<GroupStatus, PluginError> {
        self.evaluate_window(&convert::group_window(cluster, snapshot, now_ms))
    }

    /// Judges a window the caller built itself instead of taking it from storage (tests,
    /// replays of a recorded window); the answer is checked against `window` as for
    /// [`evaluate`](Self::evaluate).
    pub fn evaluate_window(&self, window: &wit::GroupWindow) -> Result<GroupStatus, PluginError> {
        let now = Instant::now();
        let plugin = self.sandbox.name.to_string();
        let result = self
            .sandbox
            .call(now, |i, s| i.call_evaluate(s, window))
            .and_then(|answer| match answer {
                Ok(status) => convert::group_status(window, &status).map_err(|reason| {
                    PluginError::InvalidOutput {
                        plugin: plugin.clone(),
                        reason,
                    }
                }),
                Err(message) => Err(PluginError::Guest {
                    plugin: plugin.clone(),
                    message,
                }),
            });
        self.sandbox
            .record(&result, now, "Burrow's rules used instead");
        result
    }

    /// Calls by outcome, failures, breaker state.
    pub fn health(&self) -> HealthSnapshot {
        self.sandbox.health.snapshot(Instant::now())
    }
}
