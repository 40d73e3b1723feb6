//! `[ha]`: several Warren instances watching the same clusters, one of them the notifier
//! leader. The section names the watched cluster that coordinates them (its brokers and client
//! profile are reused), the consumer group whose single partition elects the leader, the
//! compacted topic that holds incidents and pending deliveries, and the session timeout that
//! bounds how long a dead leader keeps the role.

use std::collections::BTreeMap;
use std::time::Duration;

use super::reader::{Ctx, Reader};
use super::{ClusterConfig, HaConfig};

/// Kafka's own bounds on a group session (`group.min.session.timeout.ms` and
/// `group.max.session.timeout.ms` by default).
const SESSION_MIN: Duration = Duration::from_secs(6);
const SESSION_MAX: Duration = Duration::from_secs(1800);

/// `[ha]`; `None` when the section is absent (a single instance that leads itself).
pub(crate) fn ha(
    cx: &mut Ctx<'_>,
    reader: Option<Reader<'_>>,
    clusters: &BTreeMap<String, ClusterConfig>,
) -> Option<HaConfig> {
    let mut r = reader?;
    let cluster_path = r.key_path("cluster");
    let cluster = r
        .required(cx, "cluster", r#"cluster = "prod""#)
        .and_then(|f| f.string(cx));
    if let Some(name) = &cluster
        && !clusters.contains_key(name)
    {
        let known: Vec<&str> = clusters.keys().map(String::as_str).collect();
        cx.error_with(
            &cluster_path,
            format!("no [cluster.{name}] section"),
            &format!("clusters: {}", known.join(", ")),
        );
    }
    let group = topic_like(cx, &mut r, "group", "warren-ha");
    let leader_topic = topic_like(cx, &mut r, "leader-topic", "warren-ha-leader");
    let state_topic = topic_like(cx, &mut r, "state-topic", "warren-ha-state");
    if leader_topic == state_topic {
        cx.error(
            &r.key_path("state-topic"),
            "must differ from leader-topic: the election and the state need topics of their own",
        );
    }
    let session_path = r.key_path("session-timeout");
    let session_timeout = r.positive_duration(cx, "session-timeout", Duration::from_secs(10));
    if !(SESSION_MIN..=SESSION_MAX).contains(&session_timeout) {
        cx.error_with(
            &session_path,
            "must be between 6s and 30m (the brokers' default group session bounds)",
            r#"session-timeout = "10s""#,
        );
    }
    let replication_factor = r
        .field(cx, "replication-factor")
        .and_then(|f| f.integer(cx, 1..=i64::from(i16::MAX), 3))
        .map(|n| n as i16);
    r.finish(cx);
    Some(HaConfig {
        cluster: cluster.unwrap_or_default(),
        group,
        leader_topic,
        state_topic,
        session_timeout,
        replication_factor,
    })
}

/// A group or topic name: Kafka's legal characters, at most 249 of them.
fn topic_like(cx: &mut Ctx<'_>, r: &mut Reader<'_>, key: &'static str, default: &str) -> String {
    let path = r.key_path(key);
    let Some(name) = r.string(cx, key) else {
        return default.to_owned();
    };
    let legal = !name.is_empty()
        && name.len() <= 249
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !legal {
        cx.error_with(
            &path,
            "must be 1 to 249 characters among letters, digits, '.', '_' and '-'",
            &format!("{key} = \"{default}\""),
        );
        return default.to_owned();
    }
    name
}
