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
