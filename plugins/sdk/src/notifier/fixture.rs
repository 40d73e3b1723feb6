//! Sample incident events for notifier unit tests, so every plugin renders the same realistic
//! incident: `payments-consumer` on `prod-eu`, ERR with a stalled and a lagging partition out of
//! 12, opened at 2025-11-20 10:04:11 UTC; the `updated` event comes 12 minutes later, the
//! `resolved` one 42 minutes later with the group back to OK.
//!
//! ```
//! use warren_plugin_sdk::notifier::fixture;
//! use warren_plugin_sdk::types::{IncidentKind, Status};
//! let e = fixture::event(IncidentKind::Opened);
//! assert_eq!((e.status.status, e.status.partitions.len()), (Status::Err, 2));
//! ```

use crate::types::{Commit, GroupStatus, IncidentEvent, IncidentKind, PartitionStatus, Status};

/// When the sample incident started, epoch ms (2025-11-20T10:04:11Z).
pub const STARTED_MS: i64 = 1_763_633_051_000;

/// The sample incident's id.
pub const ID: &str = "3f2a9c1e-7b4d-8e2f-9a1b-5c6d7e8f9a0b";

/// The sample incident at `kind`: ERR while opened or updated, OK (no bad partition) once
/// resolved.
pub fn event(kind: IncidentKind) -> IncidentEvent {
    let bad = vec![
        partition("payments", 2, Status::Warn, 190_007),
        partition("payments", 7, Status::Stall, 402_118),
    ];
    let (status, partitions, total_lag, now_ms) = match kind {
        IncidentKind::Opened => (Status::Err, bad, 612_331, STARTED_MS),
        IncidentKind::Updated => (Status::Err, bad, 1_204_331, STARTED_MS + 12 * 60_000),
        IncidentKind::Resolved => (Status::Ok, vec![], 12, STARTED_MS + 42 * 60_000),
    };
    let maxlag = partitions
        .iter()
        .max_by_key(|p| p.current_lag)
        .cloned()
        .or_else(|| Some(partition("payments", 0, Status::Ok, 12)));
    IncidentEvent {
        id: ID.into(),
        kind,
        started_ms: STARTED_MS,
        now_ms,
        status: GroupStatus {
            cluster: "prod-eu".into(),
            group: "payments-consumer".into(),
            status,
            complete: 1.0,
            partitions,
            partition_count: 12,
            maxlag,
            total_lag,
            max_time_lag_ms: Some(412_000),
        },
    }
}

/// One partition verdict with plausible commits around `lag`.
pub fn partition(topic: &str, partition: i32, status: Status, lag: u64) -> PartitionStatus {
    let commit = |offset: i64, at: i64| Commit {
        offset,
        timestamp_ms: at,
        observed_ms: at + 150,
        lag: Some(lag),
    };
    PartitionStatus {
        topic: topic.into(),
        partition,
        owner: "/10.0.0.7".into(),
        client_id: "payments-1".into(),
        status,
        start: Some(commit(1_000, STARTED_MS - 600_000)),
        end: Some(commit(1_500, STARTED_MS)),
        current_lag: lag,
        complete: 1.0,
        time_lag_ms: Some(412_000),
    }
}

/// What `http::send` returns for a receiver answering `status` with `headers` and `body`, for
/// testing a plugin's reading of answers (`classify_response`) without a host.
pub fn response(
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<super::http::Response, super::http::Error> {
    Ok(super::http::Response {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    })
}

/// What an operator sees of a notifier's config, as one text for a golden file: its schema,
/// then `validate` on a corpus of configs (not JSON, not an object, empty, `valid`, `valid`
/// with an unknown key, every key and each key alone set to each of a set of awkward values,
/// then `extra`), each with no secret configured and with the usual placeholder names
/// configured. The corpus is built from the schema's keys, so a new key is covered as it is
/// declared.
pub fn config_report(
    schema: &serde_json::Value,
    validate: impl Fn(&str, &[String]) -> Result<(), Vec<String>>,
    valid: &str,
    extra: &[&str],
) -> String {
    use serde_json::{Value, json};
    use std::fmt::Write as _;

    let keys: Vec<&String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    let valid_value: Value = serde_json::from_str(valid).expect("`valid` is JSON");
    let mut configs: Vec<String> = vec!["[1]".into(), "{".into(), "{}".into(), valid.into()];
    let mut typo = valid_value.clone();
    typo["zz"] = json!(1);
    configs.push(typo.to_string());
    let awkward = [
        json!(7),
        json!("ftp://x"),
        json!(""),
        json!(" "),
        json!([7, "a b", "a@b"]),
        json!({"a": 7, "b c": "x\ny", "ok": "${secret:nope}"}),
        json!("https://h/${secret:nope}"),
        json!(true),
        json!("x\ny"),
    ];
    for value in awkward {
        let every: serde_json::Map<String, Value> =
            keys.iter().map(|k| ((*k).clone(), value.clone())).collect();
        configs.push(Value::Object(every).to_string());
        for key in &keys {
            let mut one = valid_value.clone();
            one[key.as_str()] = value.clone();
            configs.push(one.to_string());
        }
    }
    configs.extend(extra.iter().map(|s| (*s).to_string()));

    let secrets: Vec<String> = ["webhook", "routing_key", "token", "api_key", "path", "k"]
        .map(String::from)
        .to_vec();
    let mut text = format!("schema: {schema}\n");
    for config in configs {
        let _ = writeln!(text, "\nconfig: {config}");
        for (label, configured) in [("none", &[][..]), ("all", &secrets[..])] {
            match validate(&config, configured) {
                Ok(()) => {
                    let _ = writeln!(text, "  {label}: ok");
                }
                Err(problems) => {
                    for p in problems {
                        let _ = writeln!(text, "  {label}: {p}");
                    }
                }
            }
        }
    }
    text
}
