//! Counts of the HTTP API's own traffic, for `/metrics`: requests by route template and status
//! code, and the time spent answering them. A route layer, so only matched routes count, by
//! their template (`/v3/kafka/{cluster}/consumer/{group}/lag`), never by raw path: group
//! names must not become label values here.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// (route template, status code) → (requests, seconds spent).
type Counts = BTreeMap<(String, u16), (u64, f64)>;

/// Per (route, status code): requests and seconds spent.
#[derive(Clone, Default)]
pub struct RequestCounts {
    inner: Arc<Mutex<Counts>>,
}

impl RequestCounts {
    fn record(&self, route: &str, code: u16, seconds: f64) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let entry = match m.get_mut(&(route.to_string(), code)) {
            Some(e) => e,
            None => m.entry((route.to_string(), code)).or_default(),
        };
        entry.0 += 1;
        entry.1 += seconds;
    }

    /// (route, code, requests, seconds), sorted.
    pub fn snapshot(&self) -> Vec<(String, u16, u64, f64)> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|((r, c), (n, s))| (r.clone(), *c, *n, *s))
            .collect()
    }
}

/// The route layer.
pub(crate) async fn count(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let started = Instant::now();
    let res = next.run(req).await;
    s.requests.record(
        &route,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}
