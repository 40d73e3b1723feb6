//! The demo's webhook receiver: a small HTTP server on 127.0.0.1 that the built-in `webhook`
//! notifier posts incidents to (`format = "warren"`, the `warren.incident.v1` schema), so the
//! terminal can show each delivery as it arrives. It answers 204 to any POST on `/incidents`;
//! a body it cannot read is still acknowledged (the demo shows it, it does not judge it).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// Deliveries the terminal shows, newest last.
const KEEP: usize = 8;

/// One incident event as the receiver got it.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    /// When it arrived, `HH:MM:SS` UTC.
    pub(crate) at: String,
    /// `opened`, `updated` or `resolved`.
    pub(crate) kind: String,
    pub(crate) cluster: String,
    pub(crate) group: String,
    /// The group's status in the event.
    pub(crate) status: String,
}

impl std::fmt::Display for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} webhook received: incident {} {}/{} {}",
            self.at, self.kind, self.cluster, self.group, self.status
        )
    }
}

/// The receiver's state: recent deliveries, and whether to print each one (no live table).
#[derive(Clone)]
pub(crate) struct Receiver {
    recent: Arc<Mutex<Vec<Delivery>>>,
    print: bool,
}

impl Receiver {
    /// The last deliveries, oldest first.
    pub(crate) fn recent(&self) -> Vec<Delivery> {
        self.recent.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// Listens on 127.0.0.1 (a free port) until `stop`; returns its address and its state.
pub(crate) async fn start(
    print: bool,
    stop: CancellationToken,
) -> anyhow::Result<(SocketAddr, Receiver)> {
    let receiver = Receiver {
        recent: Arc::default(),
        print,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("starting the demo's webhook receiver")?;
    let address = listener.local_addr()?;
    let app = Router::new()
        .route("/incidents", post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
    });
    Ok((address, receiver))
}

async fn receive(State(receiver): State<Receiver>, body: axum::body::Bytes) -> StatusCode {
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let field = |name: &str| event[name].as_str().unwrap_or("?").to_string();
    let delivery = Delivery {
        at: time_of_day(warren_core::clock::now_ms()),
        kind: field("kind"),
        cluster: field("cluster"),
        group: field("group"),
        status: field("status"),
    };
    if receiver.print {
        println!("{delivery}");
    }
    if let Ok(mut recent) = receiver.recent.lock() {
        recent.push(delivery);
        let excess = recent.len().saturating_sub(KEEP);
        recent.drain(..excess);
    }
    StatusCode::NO_CONTENT
}

/// `HH:MM:SS` (UTC) of an epoch time in milliseconds.
fn time_of_day(ms: i64) -> String {
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn time_of_day_is_utc_hours_minutes_seconds() {
        assert_eq!(super::time_of_day(0), "00:00:00");
        assert_eq!(super::time_of_day(86_400_000 + 3_723_000), "01:02:03");
    }
}
