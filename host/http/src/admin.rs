//! Liveness and readiness, Burrow's plain-text endpoints. Readiness is honest: READY only once
//! every consumer has caught up with its source (Burrow says READY as soon as modules start).

use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;

/// `GET /burrow/admin`.
pub(crate) async fn healthcheck() -> &'static str {
    "GOOD"
}

/// `GET /burrow/admin/ready`: 200 READY, or 503 STARTING while collectors catch up.
pub(crate) async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.health.is_ready() {
        (StatusCode::OK, "READY")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "STARTING")
    }
}
