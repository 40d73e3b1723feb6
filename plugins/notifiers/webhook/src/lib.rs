//! `webhook`: sends incident events as JSON to any HTTP receiver, in one of two formats (see
//! [`message`] for the requests):
//!
//! - `burrow` (the default): the body of Burrow's default HTTP notifier templates, so a
//!   receiver written for Burrow keeps working when Warren replaces it;
//! - `warren`: the whole incident event in Warren's own, versioned schema, below.
//!
//! Config ([`config`]):
//!
//! ```json
//! {"url": "https://hooks.example.com/kafka", "method": "POST",
//!  "headers": {"Authorization": "Bearer ${secret:token}"}, "format": "warren"}
//! ```
//!
//! plus, for Burrow receivers, `extras` (`{"api_key": "${secret:api_key}", "app": "…",
//! "tier": "…"}`), `url-close` and `method-close` (e.g. `"DELETE"`), and for any other body
//! `template-open`/`template-close`: a message template (a Burrow `.tmpl` text as it is, or
//! MiniJinja), with `url`/`url-close` templated too when they hold `{{`.
//!
//! Outcome ([`classify_response`]): 2xx is
//! delivered; 408, 429 and 5xx are retried (429 no sooner than its `Retry-After`), as are
//! timeouts and connection failures; any other status is permanent.
//!
//! # The `warren.incident.v1` schema
//!
//! Sent with `content-type: application/json` and `x-warren-event: incident.{kind}`. Fields
//! are never removed or retyped within `v1`; new ones may appear, so receivers should ignore
//! unknown fields.
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `schema` | string | always `"warren.incident.v1"` |
//! | `id` | string | the incident id, stable from open to resolve (and across restarts): a dedup key |
//! | `kind` | string | `opened`, `updated` (a reminder or a status change) or `resolved` (back to OK, or the group disappeared) |
//! | `started_ms`, `started_at` | integer, string | when the incident started: epoch ms, RFC 3339 UTC |
//! | `now_ms`, `at` | integer, string | when this event happened |
//! | `cluster`, `group` | string | the consumer group |
//! | `status` | string | the group's status now: `OK`, `WARN`, `ERR` or `NOTFOUND` |
//! | `complete` | number | fraction of partitions with a full evaluation window, 0 to 1 |
//! | `partition_count` | integer | partitions evaluated |
//! | `total_lag` | integer | sum of current lags, in records |
//! | `max_time_lag_ms` | integer or null | the greatest estimated time lag, when known |
//! | `maxlag` | partition or null | the partition with the greatest current lag |
//! | `partitions` | list of partitions | the partitions that are not OK (empty once resolved) |
//!
//! A partition: `topic` (string), `partition` (integer), `status` (`OK`, `WARN`, `STOP`,
//! `STALL`, `REWIND`), `owner` and `client_id` (strings, null when unknown), `current_lag`
//! (integer), `time_lag_ms` (integer or null), `complete` (0 to 1), `start` and `end` (the
//! oldest and newest commits of the window, null when none). A commit: `offset`,
//! `timestamp_ms` (the broker's), `observed_ms` (Warren's), `lag` (integer or null).
//!
//! ```json
//! {"schema": "warren.incident.v1", "id": "3f2a9c1e-7b4d-8e2f-9a1b-5c6d7e8f9a0b",
//!  "kind": "opened", "started_ms": 1763633051000, "started_at": "2025-11-20T10:04:11Z",
//!  "now_ms": 1763633051000, "at": "2025-11-20T10:04:11Z",
//!  "cluster": "prod-eu", "group": "payments-consumer", "status": "ERR", "complete": 1.0,
//!  "partition_count": 12, "total_lag": 612331, "max_time_lag_ms": 412000,
//!  "maxlag": {"topic": "payments", "partition": 7, "status": "STALL", "…": "…"},
//!  "partitions": [
//!    {"topic": "payments", "partition": 7, "status": "STALL", "owner": "/10.0.0.7",
//!     "client_id": "payments-1", "current_lag": 402118, "time_lag_ms": 412000, "complete": 1.0,
//!     "start": {"offset": 1000, "timestamp_ms": 1763632451000, "observed_ms": 1763632451150, "lag": 402118},
//!     "end": {"offset": 1500, "timestamp_ms": 1763633051000, "observed_ms": 1763633051150, "lag": 402118}}]}
//! ```

pub mod config;
pub mod message;

use warren_plugin_sdk::notifier::{Notify, classify_response, http, permanent};
use warren_plugin_sdk::types::{IncidentEvent, NotifyError};

struct Webhook;

impl Notify for Webhook {
    const NAME: &'static str = "webhook";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str =
        "JSON webhook: Burrow's default HTTP notifier body or Warren's incident schema";
    type Settings = config::Settings;

    fn send(event: &IncidentEvent, settings: &config::Settings) -> Result<(), NotifyError> {
        let request = message::request(event, settings).map_err(permanent)?;
        classify_response(http::send(&request))
    }
}

warren_plugin_sdk::export_notifier!(Webhook);

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::Plugin;

    #[test]
    fn metadata_names_the_plugin_and_describes_every_key() {
        let m = Webhook::metadata();
        assert_eq!(m.name, "webhook");
        let schema: serde_json::Value = serde_json::from_str(&m.config_schema).unwrap();
        let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "extras",
                "format",
                "headers",
                "method",
                "method-close",
                "template-close",
                "template-open",
                "url",
                "url-close"
            ]
        );
    }
}
