//! `GET /v3/admin/instances`: which Warren instance leads the notifications and which take
//! part. Served by every instance, with or without `[ha]` (a single instance leads itself). The
//! API knows the instances only through [`InstanceAdmin`], which the daemon implements.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use crate::AppState;
use crate::envelope::reply_fields;

/// The daemon's view of the instances, as the API sees it.
pub trait InstanceAdmin: Send + Sync {
    /// Who leads now.
    fn instances(&self) -> Instances;
}

/// The answer's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Instances {
    /// The instance answering.
    #[serde(rename = "self")]
    pub this: String,
    /// The notifier leader, when one is known.
    pub leader: Option<String>,
    /// Since when it leads, epoch ms.
    pub since: Option<i64>,
    /// Every instance taking part, sorted.
    pub instances: Vec<String>,
    /// How often this instance gained or lost the lead.
    pub changes: u64,
    /// Why this instance cannot take part in the election right now.
    pub failing: Option<String>,
    /// Records of the shared state this instance could not read and skipped.
    pub skipped_records: u64,
}

/// `GET /v3/admin/instances`.
pub(crate) async fn list(State(s): State<AppState>, uri: Uri) -> Response {
    let Some(instances) = s.instances.as_ref().map(|i| i.instances()) else {
        return crate::envelope::not_found(&s, &uri, "no instance information");
    };
    let fields = match json!(instances) {
        serde_json::Value::Object(map) => map,
        _ => Default::default(),
    };
    reply_fields(&s, &uri, StatusCode::OK, "instance list returned", fields)
}
