//! A real HTTP receiver on 127.0.0.1 standing in for Slack, PagerDuty, Teams or any webhook:
//! it records every request (method, path, headers, body) and answers from a per-path script
//! (`500`, `429` with `Retry-After`, a hang), then 200 — or 202 under `/v2/enqueue`, as
//! PagerDuty does.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// This status, empty body.
    Status(u16),
    /// 429 with `Retry-After: secs`.
    TooManyRequests(u64),
    /// Never answer within this time.
    Hang(Duration),
}

/// A request the receiver saw.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers, names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The body, parsed as JSON when it is JSON.
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
    /// The status code it was answered with.
    pub answered: u16,
}

#[derive(Default)]
struct Inner {
    requests: Vec<Recorded>,
    script: HashMap<String, VecDeque<Reply>>,
}

/// The receiver; stops with the test's runtime.
#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `127.0.0.1:PORT`, for `allowed-outbound-hosts`.
    pub authority: String,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    /// Binds a free port and serves.
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new().fallback(record).with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            base: format!("http://{addr}"),
            authority: addr.to_string(),
            inner,
        }
    }

    /// Answers the next requests to `path` (without query) with `replies`, in order.
    pub fn script(&self, path: &str, replies: Vec<Reply>) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .script
            .entry(path.to_string())
            .or_default()
            .extend(replies);
    }

    /// Forgets the replies still scripted for `path`: from now on it answers 200.
    pub fn heal(&self, path: &str) {
        self.inner.lock().unwrap().script.remove(path);
    }

    /// Requests to `path` that were answered with a success (2xx): what a real receiver
    /// would have taken.
    pub fn accepted(&self, path: &str) -> Vec<Recorded> {
        self.requests(path)
            .into_iter()
            .filter(|r| (200..300).contains(&r.answered))
            .collect()
    }

    /// Requests whose path (without query) is `path`, in arrival order.
    pub fn requests(&self, path: &str) -> Vec<Recorded> {
        let inner = self.inner.lock().unwrap();
        inner
            .requests
            .iter()
            .filter(|r| r.path.split('?').next() == Some(path))
            .cloned()
            .collect()
    }
}

async fn record(
    State(inner): State<Arc<Mutex<Inner>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let reply = {
        let mut inner = inner.lock().unwrap();
        let reply = inner.script.get_mut(&path).and_then(VecDeque::pop_front);
        let answered = match &reply {
            Some(Reply::Status(code)) => *code,
            Some(Reply::TooManyRequests(_)) => 429,
            Some(Reply::Hang(_)) => 200,
            None if path.starts_with("/v2/enqueue") => 202,
            None => 200,
        };
        inner.requests.push(Recorded {
            method: method.to_string(),
            path: uri.path_and_query().map_or(path.clone(), |p| p.to_string()),
            headers: headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        v.to_str().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            body: serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned())),
            at: Instant::now(),
            answered,
        });
        reply
    };
    match reply {
        Some(Reply::Status(code)) => StatusCode::from_u16(code)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
        Some(Reply::TooManyRequests(secs)) => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", secs.to_string())],
            "slow down",
        )
            .into_response(),
        Some(Reply::Hang(d)) => {
            tokio::time::sleep(d).await;
            StatusCode::OK.into_response()
        }
        None if path.starts_with("/v2/enqueue") => (
            StatusCode::ACCEPTED,
            r#"{"status":"success","message":"Event processed"}"#,
        )
            .into_response(),
        None => (StatusCode::OK, "ok").into_response(),
    }
}
