//! The variables a template sees: the names Burrow's templates use (`.Result.Status`,
//! `.Result.Partitions`, `.ID`, `.Start`, `.Extras`, …), so a Burrow template translates
//! field for field, plus what Warren knows and Burrow did not (the event's kind, time lags).
//!
//! | variable | value |
//! |---|---|
//! | `ID` (also `Id`) | the incident id, stable from open to resolve |
//! | `Event` | `opened`, `updated` or `resolved` |
//! | `Cluster`, `Group` | the consumer group |
//! | `Start`, `Now` | the incident's start and this event's time, epoch ms (`strftime` formats them) |
//! | `Extras` | the notifier's `extras` table (a missing key reads as `""`) |
//! | `Result` | the group: `Cluster`, `Group`, `Status`, `Complete`, `Partitions`, `TotalPartitions`, `Maxlag`, `TotalLag`, `MaxTimeLagMs` |
//!
//! A partition (`Result.Partitions` are the non-OK ones, `Result.Maxlag` the most lagging):
//! `Topic`, `Partition`, `Owner`, `ClientID`, `Status`, `Start` and `End` (commits, or none),
//! `CurrentLag`, `Complete`, `TimeLagMs` (or none). A commit: `Offset`, `Timestamp`,
//! `ObservedAt` (epoch ms), `Lag` (or none).
//!
//! Statuses are their names (`WARN`); `eq`, `lt`, … compare them with Burrow's numbers too
//! (NOTFOUND 0, OK 1, WARN 2, ERR 3, STOP 4, STALL 5, REWIND 6). A fraction such as `Complete`
//! prints as Go prints it: `1`, `0.5`.

use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Enumerator, Object};

use crate::types::{Commit, IncidentEvent, PartitionStatus};
use crate::verdict::status_name;

/// The variables for `event` with the notifier's `extras`.
pub fn variables(event: &IncidentEvent, extras: &[(String, String)]) -> Value {
    let g = &event.status;
    let result = map(vec![
        ("Cluster", Value::from(g.cluster.as_str())),
        ("Group", Value::from(g.group.as_str())),
        ("Status", Value::from(status_name(g.status))),
        ("Complete", fraction(g.complete)),
        (
            "Partitions",
            Value::from(g.partitions.iter().map(partition).collect::<Vec<_>>()),
        ),
        ("TotalPartitions", Value::from(g.partition_count)),
        (
            "Maxlag",
            g.maxlag.as_ref().map_or(Value::from(()), partition),
        ),
        ("TotalLag", Value::from(g.total_lag)),
        ("MaxTimeLagMs", optional(g.max_time_lag_ms)),
    ]);
    let extras = Value::from_object(Extras(extras.to_vec()));
    map(vec![
        ("ID", Value::from(event.id.as_str())),
        ("Id", Value::from(event.id.as_str())),
        (
            "Event",
            Value::from(crate::notifier::render::kind_name(event.kind)),
        ),
        ("Cluster", Value::from(g.cluster.as_str())),
        ("Group", Value::from(g.group.as_str())),
        ("Start", Value::from(event.started_ms)),
        ("Now", Value::from(event.now_ms)),
        ("Extras", extras),
        ("Result", result),
    ])
}

/// The notifier's `extras`: a map where a missing key reads as `""`, as in Go's
/// `map[string]string` (so `{{if .Extras.tier}}` and `{{.Extras.tier}}` work unset).
#[derive(Debug)]
struct Extras(Vec<(String, String)>);

impl Object for Extras {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        let found = self.0.iter().find(|(k, _)| k == key);
        Some(Value::from(found.map_or("", |(_, v)| v.as_str())))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(
            self.0
                .iter()
                .map(|(k, _)| Value::from(k.as_str()))
                .collect(),
        )
    }
}

fn partition(p: &PartitionStatus) -> Value {
    map(vec![
        ("Topic", Value::from(p.topic.as_str())),
        ("Partition", Value::from(p.partition)),
        ("Owner", Value::from(p.owner.as_str())),
        ("ClientID", Value::from(p.client_id.as_str())),
        ("Status", Value::from(status_name(p.status))),
        ("Start", p.start.as_ref().map_or(Value::from(()), commit)),
        ("End", p.end.as_ref().map_or(Value::from(()), commit)),
        ("CurrentLag", Value::from(p.current_lag)),
        ("Complete", fraction(p.complete)),
        ("TimeLagMs", optional(p.time_lag_ms)),
    ])
}

fn commit(c: &Commit) -> Value {
    map(vec![
        ("Offset", Value::from(c.offset)),
        ("Timestamp", Value::from(c.timestamp_ms)),
        ("ObservedAt", Value::from(c.observed_ms)),
        ("Lag", optional(c.lag)),
    ])
}

fn map(pairs: Vec<(&'static str, Value)>) -> Value {
    Value::from_iter(pairs)
}

fn optional<T: Into<Value>>(value: Option<T>) -> Value {
    value.map_or(Value::from(()), Into::into)
}

/// A fraction as Go prints a float: a whole number without `.0` (`1`), otherwise its
/// shortest decimal (`0.5`).
pub(crate) fn fraction(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

/// Burrow's number for a status name (`WARN` is 2), for comparisons with numbers.
pub(crate) fn status_code(name: &str) -> Option<i64> {
    ["NOTFOUND", "OK", "WARN", "ERR", "STOP", "STALL", "REWIND"]
        .iter()
        .position(|s| *s == name)
        .map(|i| i as i64)
}
