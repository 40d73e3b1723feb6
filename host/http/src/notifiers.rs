//! `GET /v3/admin/notifiers`: each notifier's counters, open incidents and pending deliveries.
//! The API knows the notifiers only through [`NotifierAdmin`], which the daemon implements;
//! the JSON it answers is typed here. Keys are kebab-case, as in the config file's
//! `[notifier.NAME]` sections (see the README's API section).

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, json};
use warren_core::health::StoreFailure;

use crate::AppState;
use crate::envelope::reply_fields;

/// The daemon's notifiers, as the API sees them.
pub trait NotifierAdmin: Send + Sync {
    /// Every notifier, sorted by name.
    fn notifiers(&self) -> Vec<NotifierInfo>;
}

/// One `[notifier.NAME]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct NotifierInfo {
    /// The `[notifier.NAME]` name.
    pub name: String,
    /// Events decided (opened, updated, resolved).
    pub decided: u64,
    /// Events the receiver accepted.
    pub delivered: u64,
    /// Failed attempts that will be retried.
    pub retried: u64,
    /// Events the receiver refused for good (dropped).
    pub failed: u64,
    /// The most recent delivery failure.
    pub last_error: Option<String>,
    /// Incidents open now.
    pub open_incidents: Vec<OpenIncident>,
    /// Deliveries not yet accepted or refused, oldest first.
    pub pending: Vec<PendingDelivery>,
}

/// An open incident of one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct OpenIncident {
    /// The group's cluster.
    pub cluster: String,
    /// The group.
    pub group: String,
    /// The incident's id, as receivers see it.
    pub id: String,
    /// When it opened, epoch ms.
    pub started: i64,
    /// The status last reported (`WARN`, `ERR`).
    pub status: String,
}

/// A delivery waiting for its (next) attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PendingDelivery {
    /// Its place in the notifier's queue.
    pub seq: u64,
    /// The group's cluster.
    pub cluster: String,
    /// The group.
    pub group: String,
    /// The incident's id.
    pub id: String,
    /// `opened`, `updated` or `resolved`.
    pub kind: String,
    /// Failed attempts so far.
    pub attempts: u32,
    /// When the next attempt is due, epoch ms.
    pub next_attempt: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// The embedded store, under `store` in `/v3/admin/notifiers`: while it fails, decisions
/// wait and `pending` shows only what was recorded before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
struct StoreInfo {
    failing: Option<StoreFailure>,
    io_errors: u64,
    reopens: u64,
}

/// `GET /v3/admin/notifiers`.
pub(crate) async fn list(State(s): State<AppState>, uri: Uri) -> Response {
    let notifiers = s
        .notifiers
        .as_ref()
        .map(|n| n.notifiers())
        .unwrap_or_default();
    let health = s.health.store();
    let store = StoreInfo {
        failing: health.failing(),
        io_errors: health.io_errors(),
        reopens: health.reopens(),
    };
    reply_fields(
        &s,
        &uri,
        StatusCode::OK,
        "notifier list returned",
        Map::from_iter([
            ("notifiers".to_owned(), json!(notifiers)),
            ("store".to_owned(), json!(store)),
        ]),
    )
}
