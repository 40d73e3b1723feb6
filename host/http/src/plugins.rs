//! Plugin administration: `GET /v3/admin/plugins` (every loaded plugin with its metadata,
//! bindings and health) and `POST /v3/admin/plugins/reload` (re-reads the plugin sections of
//! the config file; plugins that fail to load keep running their previous version). The API
//! knows plugins only through [`PluginAdmin`], which the daemon implements over the WebAssembly
//! runtime, so this crate stays free of wasmtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use crate::AppState;
use crate::envelope::{json_response, reply};

/// What a reload did.
pub struct ReloadReport {
    /// Per plugin: `loaded`, `unchanged`, `kept` (failed, previous version still running) or
    /// `failed` (failed, nothing running).
    pub plugins: Value,
    /// Every problem, as `key.path: message` lines.
    pub problems: Vec<String>,
}

/// Anything the admin routes report as JSON (the notifiers' state).
pub trait Report: Send + Sync {
    /// The report.
    fn report(&self) -> Value;
}

/// `GET /v3/admin/notifiers`: each notifier's counters, open incidents and pending deliveries.
pub(crate) async fn notifiers(State(s): State<AppState>, uri: Uri) -> Response {
    let report = s
        .notifiers
        .as_ref()
        .map_or_else(|| json!([]), |n| n.report());
    reply(
        &s,
        &uri,
        StatusCode::OK,
        "notifier list returned",
        Some(("notifiers", report)),
    )
}

/// The daemon's plugins, as the API sees them.
pub trait PluginAdmin: Send + Sync {
    /// Every loaded plugin as a JSON object, sorted by name.
    fn list(&self) -> Value;
    /// Reloads the plugins; `Err` when the config file itself could not be used (nothing
    /// changed then), with every problem.
    fn reload(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<ReloadReport, Vec<String>>> + Send + '_>>;
}

/// `GET /v3/admin/plugins`.
pub(crate) async fn list(State(s): State<AppState>, uri: Uri) -> Response {
    let plugins = s.plugins.as_ref().map_or_else(|| json!([]), |p| p.list());
    reply(
        &s,
        &uri,
        StatusCode::OK,
        "plugin list returned",
        Some(("plugins", plugins)),
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
