//! Liveness and readiness, Burrow's plain-text endpoints. Readiness is honest: READY only once
//! every consumer has caught up with its source (Burrow says READY as soon as modules start).

use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;

/// `GET /burrow/admin`.
pub(crate) async fn healthcheck() -> &'static str {
    "GOOD"
}

/// `GET /burrow/admin/ready`: 200 READY, or 503 STARTING while collectors catch up, followed
/// by one progress line per consumer still reading (Burrow clients look at the status code and
/// the first word).
pub(crate) async fn ready(State(state): State<AppState>) -> (StatusCode, String) {
    if state.health.is_ready() {
        (StatusCode::OK, "READY".into())
    } else {
        let mut body = String::from("STARTING");
        for line in state.health.starting_progress(None) {
            body.push('\n');
            body.push_str(&line);
        }
        (StatusCode::SERVICE_UNAVAILABLE, body)
    }
}
