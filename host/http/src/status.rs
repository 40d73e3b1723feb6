//! The evaluated routes: Burrow's `/status` (problem partitions only) and `/lag` (every
//! partition), plus the bulk `/v3/kafka/:cluster/status` Burrow users asked for (#527, #729):
//! every group of a cluster with its status and lag in one response.
//!
//! The JSON of a group status ([`group_status_json`]) is Burrow's `ConsumerGroupStatus`; the
//! `warren evaluate` command prints the same object.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};
use warren_core::evaluator::{GroupStatus, PartitionStatus};
use warren_core::model::Status;
use warren_core::storage::ClusterStore;

use crate::AppState;
use crate::envelope::{envelope_bytes, json_response, not_found, reply, starting};
use crate::v3::offset_json;

/// Burrow's `ConsumerGroupStatus` JSON, plus `evaluator` (which plugin judged, and why Burrow's
/// rules answered instead if it failed) when the cluster has an evaluator plugin.
pub fn group_status_json(s: &GroupStatus) -> Value {
    let mut value = json!({
        "cluster": s.cluster,
        "group": s.group,
        "status": s.status.as_str(),
        "complete": s.complete,
        "partitions": s.partitions.iter().map(partition_json).collect::<Vec<_>>(),
        "partition_count": s.partition_count,
        "maxlag": s.maxlag.as_ref().map(partition_json),
        "totallag": s.total_lag,
    });
    if let Some(object) = value.as_object_mut() {
        // Warren's additions; Burrow clients ignore fields they do not know. Absent rather
        // than null when unknown, so nothing ever reads a NaN or a fake 0.
        if let Some(ms) = s.max_time_lag_ms {
            object.insert("max_time_lag_ms".into(), ms.into());
        }
        if let Some(ms) = s.catchup_eta_ms {
            object.insert("catchup_eta_ms".into(), ms.into());
        }
        if let Some(note) = &s.evaluator {
            object.insert(
                "evaluator".into(),
                json!({ "plugin": note.plugin, "fallback": note.fallback }),
            );
        }
    }
    value
}

fn partition_json(p: &PartitionStatus) -> Value {
    let mut value = json!({
        "topic": p.topic,
        "partition": p.partition,
        "owner": p.owner,
        "client_id": p.client_id,
        "status": p.status.as_str(),
        "start": p.start.as_ref().map(offset_json),
        "end": p.end.as_ref().map(offset_json),
        "current_lag": p.current_lag,
        "complete": p.complete,
    });
    if let Some(object) = value.as_object_mut() {
        if let Some(t) = p.time_lag {
            object.insert("time_lag_ms".into(), t.ms.into());
            object.insert("time_lag_estimate".into(), t.estimate.as_str().into());
        }
        if let Some(ms) = p.catchup_eta_ms {
            object.insert("catchup_eta_ms".into(), ms.into());
        }
    }
    value
}

fn evaluate(s: &AppState, cluster: &str, group: &str) -> Arc<GroupStatus> {
    match s.storage.cluster(cluster) {
        // Storage says whether the group exists: the evaluator's cache still holds the status
        // of a group deleted within `expire-cache` of its last evaluation.
        Some(store) if store.has_group(group) => s.evaluator.group(store, group, (s.now_ms)()),
        _ => Arc::new(GroupStatus::not_found(cluster, group)),
    }
}

/// Answers a status route from the rendered-body cache while the evaluator hands back the same
/// cached status (it does for `expire-cache`): a hot status endpoint serialises a group once
/// per evaluation, not once per request.
fn status_reply(
    s: &AppState,
    uri: &Uri,
    status: &Arc<GroupStatus>,
    view: impl FnOnce(&GroupStatus) -> Value,
) -> Response {
    // Burrow answers NOTFOUND with a 404 whose body still says "error": false; kept as is.
    let code = if status.status == Status::NotFound {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let body = match s.rendered.get(uri.path(), status) {
        Some(body) => body,
        None => {
            let body = envelope_bytes(
                s,
                uri,
                "consumer status returned",
                Some(("status", view(status))),
            );
            s.rendered.put(uri.path(), status, body.clone());
            body
        }
    };
    json_response(code, body)
}

/// `GET /v3/kafka/:cluster/consumer/:group/status`.
pub(crate) async fn consumer_status(
    State(s): State<AppState>,
    uri: Uri,
    Path((cluster, group)): Path<(String, String)>,
) -> Response {
    if !s.health.cluster_ready(&cluster) {
        return starting(&s, &uri, &cluster);
    }
    let status = evaluate(&s, &cluster, &group);
    status_reply(&s, &uri, &status, |g| group_status_json(&g.only_problems()))
}

/// `GET /v3/kafka/:cluster/consumer/:group/lag`.
pub(crate) async fn consumer_lag(
    State(s): State<AppState>,
    uri: Uri,
    Path((cluster, group)): Path<(String, String)>,
) -> Response {
    if !s.health.cluster_ready(&cluster) {
        return starting(&s, &uri, &cluster);
    }
    let status = evaluate(&s, &cluster, &group);
    status_reply(&s, &uri, &status, group_status_json)
}

/// The answer of a cluster-wide status route: one object per monitored group, sorted by
/// group; 404 for an unknown cluster, 503 while its collectors catch up.
fn cluster_wide(
    s: &AppState,
    uri: &Uri,
    cluster: &str,
    each: impl Fn(&ClusterStore, &GroupStatus) -> Value,
) -> Response {
    let Some(store) = s.storage.cluster(cluster) else {
        return not_found(s, uri, "cluster not found");
    };
    if !s.health.cluster_ready(cluster) {
        return starting(s, uri, cluster);
    }
    let statuses: Vec<Value> = s
        .evaluator
        .all(store, (s.now_ms)())
        .iter()
        .map(|g| each(store, g))
        .collect();
    reply(
        s,
        uri,
        StatusCode::OK,
        "consumer group statuses returned",
        Some(("statuses", Value::Array(statuses))),
    )
}

/// `GET /v3/kafka/:cluster/status`: one summary per group.
pub(crate) async fn cluster_status(
    State(s): State<AppState>,
    uri: Uri,
    Path(cluster): Path<String>,
) -> Response {
    cluster_wide(&s, &uri, &cluster, |_, g| summary_json(g))
}

/// `GET /v3/kafka/:cluster/consumer-status` (for the dashboard): every group's status as
/// `/lag` has it but without partitions, with their statuses counted, and what storage
/// knows of the group (state, newest commit).
pub(crate) async fn cluster_consumer_status(
    State(s): State<AppState>,
    uri: Uri,
    Path(cluster): Path<String>,
) -> Response {
    cluster_wide(&s, &uri, &cluster, |store, g| {
        let mut value = group_status_json(&GroupStatus {
            partitions: Vec::new(),
            ..g.clone()
        });
        let (state, last_commit) = store.group_state(&g.group).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.remove("partitions");
            object.insert("partition_statuses".into(), json!(status_counts(g)));
            object.insert("state".into(), json!(state));
            object.insert(
                "last_commit".into(),
                json!(Some(last_commit).filter(|t| *t > 0)),
            );
        }
        value
    })
}

/// Partitions per status.
fn status_counts(g: &GroupStatus) -> BTreeMap<&str, usize> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &g.partitions {
        *counts.entry(p.status.as_str()).or_default() += 1;
    }
    counts
}

fn summary_json(g: &GroupStatus) -> Value {
    let counts = status_counts(g);
    let mut value = json!({
        "cluster": g.cluster,
        "group": g.group,
        "status": g.status.as_str(),
        "complete": g.complete,
        "partition_count": g.partition_count,
        "partition_statuses": counts,
        "totallag": g.total_lag,
        "maxlag": g.maxlag.as_ref().map(|m| json!({
            "topic": m.topic, "partition": m.partition, "status": m.status.as_str(), "current_lag": m.current_lag,
        })),
    });
    if let Some(object) = value.as_object_mut() {
        for (key, v) in [
            ("max_time_lag_ms", g.max_time_lag_ms),
            ("catchup_eta_ms", g.catchup_eta_ms),
        ] {
            if let Some(ms) = v {
                object.insert(key.into(), ms.into());
            }
        }
    }
    value
}
