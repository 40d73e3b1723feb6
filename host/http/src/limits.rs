//! Per-request limits of one listener: a body larger than `max-body-bytes` is refused (413)
//! before a handler reads it, whether it says its length up front or streams it, and an answer
//! not ready within `timeout` (Burrow's key) becomes a 503, so no request holds a connection
//! and its task for ever. Header size and header/idle timeouts belong to the connection and
//! live in `server.rs`.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use warren_core::config::HttpServerConfig;

use crate::AppState;
use crate::envelope;

/// The limits and the state the refusals are answered with.
#[derive(Clone)]
pub(crate) struct Limits {
    state: AppState,
    max_body_bytes: usize,
    timeout: Duration,
}

impl Limits {
    pub(crate) fn of(config: &HttpServerConfig, state: AppState) -> Self {
        Limits {
            state,
            max_body_bytes: config.max_body_bytes,
            timeout: config.timeout,
        }
    }
}

/// The middleware.
pub(crate) async fn apply(
    axum::extract::State(limits): axum::extract::State<Limits>,
    req: Request,
    next: Next,
) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        let message = format!("request body over {} bytes", limits.max_body_bytes);
        return envelope::error(
            &limits.state,
            req.uri(),
            StatusCode::PAYLOAD_TOO_LARGE,
            &message,
        );
    }
    let uri = req.uri().clone();
    // A streamed body is cut off at the cap: reading past it fails.
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, limits.max_body_bytes)));
    match tokio::time::timeout(limits.timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(path = uri.path(), timeout = ?limits.timeout, "API request timed out");
            let message = format!(
                "no answer within {:?} (the listener's timeout)",
                limits.timeout
            );
            envelope::error(
                &limits.state,
                &uri,
                StatusCode::SERVICE_UNAVAILABLE,
                &message,
            )
        }
    }
}
