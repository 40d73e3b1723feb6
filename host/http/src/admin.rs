//! Liveness and readiness, Burrow's plain-text endpoints. Readiness is honest: READY only once
//! every consumer has caught up with its source (Burrow says READY as soon as modules start).

use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;

/// `GET /burrow/admin`.
pub(crate) async fn healthcheck() -> &'static str {
    "GOOD"
}

/// `GET /burrow/admin/ready`: 200 READY, or 503 STARTING while collectors catch up, or 503
/// FAILING while the embedded store cannot write (notifications wait for it), followed by a
/// line saying why, one progress line per consumer still reading, then one line per cluster
/// whose polls are failing (Burrow clients look at the status code and the first word). A
/// Kafka outage after start-up does not make Warren unready: it still answers with what it
/// knows, and says what it cannot reach.
pub(crate) async fn ready(State(state): State<AppState>) -> (StatusCode, String) {
    let now = (state.now_ms)();
    let store = state.health.store().failing();
    let (code, mut body) = if store.is_some() {
        (StatusCode::SERVICE_UNAVAILABLE, String::from("FAILING"))
    } else if state.health.is_ready() {
        (StatusCode::OK, String::from("READY"))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, String::from("STARTING"))
    };
    let store = store.map(|f| {
        let secs = (now - f.since).max(0) / 1000;
        format!("store: failing for {secs}s: {}", f.error)
    });
    let lines = store
        .into_iter()
        .chain(state.health.starting_progress(None))
        .chain(state.health.failing_clusters(now));
    for line in lines {
        body.push('\n');
        body.push_str(&line);
    }
    (code, body)
}
