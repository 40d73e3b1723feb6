//! Burrow's v3 read routes (Burrow's [`httpserver/kafka.go`](https://github.com/linkedin/Burrow/blob/master/core/internal/httpserver/kafka.go)
//! and [`structs.go`](https://github.com/linkedin/Burrow/blob/master/core/internal/httpserver/structs.go)),
//! same messages and payload keys, including the
//! `current-lag` spelling of the consumer detail. Unknown cluster/topic/group: 404 with
//! `"error": true`.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};
use warren_core::storage::{CommitEntry, GroupSnapshot};

use crate::AppState;
use crate::envelope::{not_found, reply};

pub(crate) async fn cluster_list(State(s): State<AppState>, uri: Uri) -> Response {
    reply(
        &s,
        &uri,
        StatusCode::OK,
        "cluster list returned",
        Some(("clusters", json!(s.storage.cluster_names()))),
    )
}

pub(crate) async fn cluster_detail(
    State(s): State<AppState>,
    uri: Uri,
    Path(cluster): Path<String>,
) -> Response {
    // A cluster that cannot be reached (down, a refused certificate or password) says so,
    // with librdkafka's reason; a healthy one's module reads exactly as Burrow's.
    let module = s.cluster_modules.get(&cluster).cloned().map(|mut module| {
        if let (Some(h), Some(obj)) = (s.health.cluster(&cluster), module.as_object_mut())
            && let Some((since, failures)) = h.failing()
        {
            obj.insert(
                "failing".to_owned(),
                json!({
                    "since-ms": since,
                    "failed-polls": failures,
                    "last-error": h.last_error().unwrap_or_default(),
                }),
            );
        }
        module
    });
    found(
        &s,
        &uri,
        module,
        "cluster module detail returned",
        "module",
        "cluster module not found",
    )
}

pub(crate) async fn topic_list(
    State(s): State<AppState>,
    uri: Uri,
    Path(cluster): Path<String>,
) -> Response {
    found(
        &s,
        &uri,
        s.storage.cluster(&cluster).map(|c| json!(c.topic_names())),
        "topic list returned",
        "topics",
        "cluster not found",
    )
}

pub(crate) async fn topic_detail(
    State(s): State<AppState>,
    uri: Uri,
    Path((cluster, topic)): Path<(String, String)>,
) -> Response {
    found(
        &s,
        &uri,
        s.storage
            .cluster(&cluster)
            .and_then(|c| c.topic_heads(&topic))
            .map(|offsets| json!(offsets)),
        "topic offsets returned",
        "offsets",
        "cluster or topic not found",
    )
}

pub(crate) async fn topic_consumers(
    State(s): State<AppState>,
    uri: Uri,
    Path((cluster, topic)): Path<(String, String)>,
) -> Response {
    found(
        &s,
        &uri,
        s.storage
            .cluster(&cluster)
            .and_then(|c| c.topic_consumers(&topic))
            .map(|groups| json!(groups)),
        "consumers of topic returned",
        "consumers",
        "cluster or topic not found",
    )
}

pub(crate) async fn consumer_list(
    State(s): State<AppState>,
    uri: Uri,
    Path(cluster): Path<String>,
) -> Response {
    found(
        &s,
        &uri,
        s.storage
            .cluster(&cluster)
            .map(|c| json!(s.evaluator.monitored_groups(c, (s.now_ms)()))),
        "consumer list returned",
        "consumers",
        "cluster not found",
    )
}

pub(crate) async fn consumer_detail(
    State(s): State<AppState>,
    uri: Uri,
    Path((cluster, group)): Path<(String, String)>,
) -> Response {
    found(
        &s,
        &uri,
        s.storage
            .cluster(&cluster)
            .and_then(|c| c.group(&group))
            .map(|g| consumer_topics(&g)),
        "consumer detail returned",
        "topics",
        "cluster or consumer not found",
    )
}

pub(crate) async fn consumer_delete(
    State(s): State<AppState>,
    uri: Uri,
    Path((cluster, group)): Path<(String, String)>,
) -> Response {
    // Burrow answers 200 even for unknown groups; a 404 tells the caller its DELETE did nothing.
    match s.storage.cluster(&cluster) {
        Some(c) if c.writer().delete_group(&group) => {
            tracing::info!(cluster = %cluster, group = %group, "group deleted through the API");
            reply(&s, &uri, StatusCode::OK, "consumer group removed", None)
        }
        _ => not_found(&s, &uri, "cluster or consumer not found"),
    }
}

/// `DELETE /v3/kafka/:cluster/consumer/:group/topic/:topic`: the group stops being judged on
/// that topic (say, one it no longer reads); a group left with no topic is removed.
pub(crate) async fn consumer_topic_delete(
    State(s): State<AppState>,
    uri: Uri,
    Path((cluster, group, topic)): Path<(String, String, String)>,
) -> Response {
    match s.storage.cluster(&cluster) {
        Some(c) if c.writer().delete_group_topic(&group, &topic) => {
            tracing::info!(cluster = %cluster, group = %group, topic = %topic, "group's topic deleted through the API");
            reply(&s, &uri, StatusCode::OK, "consumer group removed", None)
        }
        _ => not_found(&s, &uri, "cluster, consumer or topic not found"),
    }
}

/// Burrow's `ConsumerTopics`: topic → partitions (index = partition id), each with its ring
/// padded with leading `null`s to `intervals` (an uncommitted partition has an empty list).
fn consumer_topics(g: &GroupSnapshot) -> Value {
    let mut topics = serde_json::Map::new();
    for t in &g.topics {
        let partitions: Vec<Value> = t
            .partitions
            .iter()
            .map(|p| {
                let mut offsets: Vec<Value> = Vec::new();
                if !p.commits.is_empty() {
                    let pad = usize::from(g.intervals).saturating_sub(p.commits.len());
                    offsets.extend(std::iter::repeat_n(Value::Null, pad));
                    offsets.extend(p.commits.iter().map(offset_json));
                }
                json!({
                    "offsets": offsets,
                    "owner": p.owner.clone().unwrap_or_default(),
                    "client_id": p.client_id.clone().unwrap_or_default(),
                    "current-lag": p.current_lag,
                })
            })
            .collect();
        topics.insert(t.topic.clone(), Value::Array(partitions));
    }
    Value::Object(topics)
}

/// Burrow's `ConsumerOffset` JSON.
pub(crate) fn offset_json(c: &CommitEntry) -> Value {
    json!({ "offset": c.offset, "timestamp": c.timestamp_ms, "observedAt": c.observed_ms, "lag": c.lag })
}

/// Burrow's answer when `payload` is there, its 404 otherwise: the shape of every read route.
fn found(
    s: &AppState,
    uri: &Uri,
    payload: Option<Value>,
    message: &str,
    key: &str,
    missing: &str,
) -> Response {
    match payload {
        Some(value) => reply(s, uri, StatusCode::OK, message, Some((key, value))),
        None => not_found(s, uri, missing),
    }
}
