//! `GET` and `POST /v3/admin/loglevel`, Burrow's routes to read and change the log level at
//! run time (to turn on debug logging while an incident lasts, without a restart). The API
//! knows the logger only through [`LogLevelAdmin`], which the daemon implements over its
//! tracing subscriber. Burrow's answers are kept, its 404 for an unknown level included.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::envelope::{error, reply};

/// The process's log level, as the API reads and changes it.
pub trait LogLevelAdmin: Send + Sync {
    /// The level of Warren's own logs now: `trace`, `debug`, `info`, `warn` or `error`.
    fn level(&self) -> String;
    /// Sets the level of Warren's own logs (one of [`LogLevelAdmin::level`]'s values).
    fn set_level(&self, level: &str) -> Result<(), String>;
}

/// The level control, when the process has one (the daemon does; tests may not).
pub type LogLevelHandle = Option<Arc<dyn LogLevelAdmin>>;

#[derive(Deserialize)]
struct Body {
    level: String,
}

/// Burrow's level names, including its synonyms, as Warren's.
fn level_of(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "trace" => Some("trace"),
        "debug" => Some("debug"),
        "info" => Some("info"),
        "warn" | "warning" => Some("warn"),
        "error" | "fatal" | "panic" => Some("error"),
        _ => None,
    }
}

/// `GET /v3/admin/loglevel`.
pub(crate) async fn get_level(State(s): State<AppState>, uri: Uri) -> Response {
    match &s.log_level {
        Some(l) => reply(
            &s,
            &uri,
            StatusCode::OK,
            "log level returned",
            Some(("level", json!(l.level()))),
        ),
        None => error(
            &s,
            &uri,
            StatusCode::NOT_FOUND,
            "no log level to change here",
        ),
    }
}

/// `POST /v3/admin/loglevel` with `{"level": "debug"}`.
pub(crate) async fn set_level(State(s): State<AppState>, uri: Uri, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Body>(&body) else {
        return error(
            &s,
            &uri,
            StatusCode::BAD_REQUEST,
            "could not decode message body",
        );
    };
    let Some(level) = level_of(&body.level) else {
        return error(&s, &uri, StatusCode::NOT_FOUND, "unknown log level");
    };
    let Some(control) = &s.log_level else {
        return error(
            &s,
            &uri,
            StatusCode::NOT_FOUND,
            "no log level to change here",
        );
    };
    match control.set_level(level) {
        Ok(()) => {
            tracing::info!(level, "log level set through the API");
            reply(&s, &uri, StatusCode::OK, "set log level", None)
        }
        Err(e) => error(&s, &uri, StatusCode::INTERNAL_SERVER_ERROR, &e),
    }
}
