//! Burrow's response envelope: `error`, `message`, the payload key(s), and `request` with the path
//! and the host name. Every JSON answer goes through [`reply`] or [`not_found`], so the shape
//! cannot drift between routes.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::AppState;

/// A successful Burrow-shaped answer: `payload` is `(key, value)`, or `None` for message-only
/// answers (DELETE).
pub(crate) fn reply(
    state: &AppState,
    uri: &Uri,
    status: StatusCode,
    message: &str,
    payload: Option<(&str, Value)>,
) -> Response {
    json_response(status, envelope_bytes(state, uri, message, payload))
}

/// A successful answer whose payload is several top-level keys (`/v3/admin/instances`).
pub(crate) fn reply_fields(
    state: &AppState,
    uri: &Uri,
    status: StatusCode,
    message: &str,
    fields: Map<String, Value>,
) -> Response {
    json_response(status, envelope_with(state, uri, message, fields))
}

/// The serialised envelope, for callers that keep the bytes (see `status.rs`).
pub(crate) fn envelope_bytes(
    state: &AppState,
    uri: &Uri,
    message: &str,
    payload: Option<(&str, Value)>,
) -> Bytes {
    let fields = payload
        .map(|(key, value)| Map::from_iter([(key.to_owned(), value)]))
        .unwrap_or_default();
    envelope_with(state, uri, message, fields)
}

fn envelope_with(state: &AppState, uri: &Uri, message: &str, fields: Map<String, Value>) -> Bytes {
    let mut body = Map::new();
    body.insert("error".into(), Value::Bool(false));
    body.insert("message".into(), Value::String(message.into()));
    body.extend(fields);
    body.insert("request".into(), request_info(state, uri));
    // Serialising a Value of strings, numbers and maps cannot fail.
    Bytes::from(serde_json::to_vec(&Value::Object(body)).unwrap_or_default())
}

/// A JSON body with its status code.
pub(crate) fn json_response(status: StatusCode, body: Bytes) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Burrow's error answer (`"error": true`), 404.
pub(crate) fn not_found(state: &AppState, uri: &Uri, message: &str) -> Response {
    let body = json!({ "error": true, "message": message, "request": request_info(state, uri) });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// Burrow's error envelope with any status (401, 403, 413, 503 from the guard and limits).
pub(crate) fn error(state: &AppState, uri: &Uri, status: StatusCode, message: &str) -> Response {
    let body = json!({ "error": true, "message": message, "request": request_info(state, uri) });
    (status, Json(body)).into_response()
}

/// 503 with Burrow's error envelope: the cluster's collectors are still catching up, so any
/// verdict now could be a STOP that is not true.
pub(crate) fn starting(state: &AppState, uri: &Uri, cluster: &str) -> Response {
    let mut message = format!("cluster {cluster} is starting: its collectors are catching up");
    for line in state.health.starting_progress(Some(cluster)) {
        message.push_str("; ");
        message.push_str(&line);
    }
    let body = json!({ "error": true, "message": message, "request": request_info(state, uri) });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

fn request_info(state: &AppState, uri: &Uri) -> Value {
    json!({ "url": uri.path(), "host": &*state.hostname })
}

/// Unknown route: Burrow answers 404 with this exact body.
pub(crate) async fn unknown_route(State(_): State<AppState>) -> Response {
    let body = json!({ "error": true, "message": "invalid request type", "result": {} });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}
