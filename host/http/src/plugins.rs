//! Plugin administration: `GET /v3/admin/plugins` (every loaded plugin with its metadata,
//! bindings and health) and `POST /v3/admin/plugins/reload` (re-reads the plugin sections of
//! the config file; plugins that fail to load keep running their previous version). The API
//! knows plugins only through [`PluginAdmin`], which the daemon implements over the WebAssembly
//! runtime, so this crate stays free of wasmtime; the JSON it answers is typed here.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::envelope::{json_response, reply};

/// One loaded plugin, as `GET /v3/admin/plugins` lists it. Keys are kebab-case, as in the
/// config file whose `[plugin.NAME]` sections this reports (see the README's API section).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PluginInfo {
    /// The `[plugin.NAME]` name.
    pub name: String,
    /// `evaluator`, `group-filter` or `notifier`.
    pub kind: String,
    /// `builtin:NAME` or the component's path.
    pub source: String,
    /// SHA-256 of the component, hex.
    pub sha256: String,
    /// The `clusters` globs it is loaded for.
    pub clusters: Vec<String>,
    /// The clusters that chose it as their evaluator or one of their group filters.
    pub used_by: Vec<String>,
    /// What the component says about itself.
    pub component: ComponentInfo,
    /// The component's JSON schema of its `config` table (a string if it is not JSON).
    pub config_schema: Value,
    /// When this version was loaded, epoch ms.
    pub loaded_at: i64,
    /// Why the last reload did not replace it, if it did not.
    pub reload_error: Option<String>,
    /// Calls, failures and the circuit breaker.
    pub health: PluginHealth,
}

/// A component's own name, version and description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentInfo {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// One line on what it does.
    pub description: String,
}

/// A plugin's health.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PluginHealth {
    /// Calls by outcome (`ok`, `trap`, `timeout`, ...; notifiers also `transient`, `permanent`,
    /// `denied`).
    pub calls: BTreeMap<String, u64>,
    /// Failures since the last success.
    pub consecutive_failures: u32,
    /// Whether the breaker is open (the plugin is skipped).
    pub disabled: bool,
    /// The most recent failure.
    pub last_error: Option<String>,
    /// Time spent in calls that ran, in microseconds.
    pub call_micros: u64,
}

/// What a reload did.
pub struct ReloadReport {
    /// Per plugin: `loaded`, `unchanged`, `kept` (failed, previous version still running),
    /// `failed` (failed, nothing running) or `removed`.
    pub plugins: BTreeMap<String, &'static str>,
    /// Every problem, as `key.path: message` lines.
    pub problems: Vec<String>,
}

/// The daemon's plugins, as the API sees them.
pub trait PluginAdmin: Send + Sync {
    /// Every loaded plugin, sorted by name.
    fn list(&self) -> Vec<PluginInfo>;
    /// Reloads the plugins; `Err` when the config file itself could not be used (nothing
    /// changed then), with every problem.
    fn reload(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<ReloadReport, Vec<String>>> + Send + '_>>;
}

/// `GET /v3/admin/plugins`.
pub(crate) async fn list(State(s): State<AppState>, uri: Uri) -> Response {
    let plugins = s.plugins.as_ref().map(|p| p.list()).unwrap_or_default();
    reply(
        &s,
        &uri,
        StatusCode::OK,
        "plugin list returned",
        Some(("plugins", json!(plugins))),
    )
}

/// `POST /v3/admin/plugins/reload`: 200 when every plugin loaded, 422 when some kept or lost
/// their instance (with the problems), 409 when the config file is unusable (nothing changed).
pub(crate) async fn reload(State(s): State<AppState>, uri: Uri) -> Response {
    let Some(admin) = s.plugins.clone() else {
        return answer(
            &s,
            &uri,
            StatusCode::CONFLICT,
            "no plugin manager",
            json!({}),
        );
    };
    match run(admin).await {
        Ok(report) if report.problems.is_empty() => answer(
            &s,
            &uri,
            StatusCode::OK,
            "plugins reloaded",
            json!({ "plugins": report.plugins, "problems": [] }),
        ),
        Ok(report) => answer(
            &s,
            &uri,
            StatusCode::UNPROCESSABLE_ENTITY,
            "some plugins failed to load; their previous versions keep running",
            json!({ "plugins": report.plugins, "problems": report.problems }),
        ),
        Err(problems) => answer(
            &s,
            &uri,
            StatusCode::CONFLICT,
            "the configuration file cannot be used; nothing was reloaded",
            json!({ "problems": problems }),
        ),
    }
}

async fn run(admin: Arc<dyn PluginAdmin>) -> Result<ReloadReport, Vec<String>> {
    admin.reload().await
}

fn answer(s: &AppState, uri: &Uri, code: StatusCode, message: &str, result: Value) -> Response {
    let error = code != StatusCode::OK;
    let body = json!({
        "error": error,
        "message": message,
        "reload": result,
        "request": { "url": uri.path(), "host": &*s.hostname },
    });
    json_response(code, serde_json::to_vec(&body).unwrap_or_default().into())
}
