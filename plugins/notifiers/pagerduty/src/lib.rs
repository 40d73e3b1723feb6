//! `pagerduty`: sends incident events to PagerDuty's Events API v2: `trigger` when an incident
//! opens or updates, `resolve` when it ends, all with the incident id as `dedup_key` (see
//! [`message`] for the event and the severity mapping).
//!
//! Config ([`config`]):
//!
//! ```json
//! {"routing-key": "${secret:routing_key}", "source": "warren", "component": "payments",
//!  "url": "https://events.pagerduty.com/v2/enqueue", "link": "https://warren.example.com"}
//! ```
//!
//! Outcome ([`classify_response`]): PagerDuty's
//! `202` is delivered; `400 invalid event` (a bad routing key or payload) is permanent; `429`
//! (throttled) and 5xx are retried, no sooner than a `Retry-After`. Allow
//! `https://events.pagerduty.com` (or `events.eu.pagerduty.com`) in `allowed-outbound-hosts`.

pub mod config;
pub mod message;

use warren_plugin_sdk::notifier::{Notifier, classify_response, http, permanent, secrets};
use warren_plugin_sdk::types::{IncidentEvent, NotifyError, PluginMetadata};
use warren_plugin_sdk::{Plugin, host, metadata};

struct PagerDuty;

impl Plugin for PagerDuty {
    fn metadata() -> PluginMetadata {
        metadata::builder("pagerduty", env!("CARGO_PKG_VERSION"))
            .description(
                "PagerDuty Events API v2: trigger and resolve alerts, deduplicated by incident",
            )
            .config_schema(schema())
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        config::validate(config, &secrets::names())
    }
}

impl Notifier for PagerDuty {
    fn notify(event: IncidentEvent) -> Result<(), NotifyError> {
        let settings =
            config::parse(&host::plugin_config()).map_err(|p| permanent(p.join("; ")))?;
        classify_response(http::send(&message::request(&event, &settings)))
    }
}

/// The config's JSON Schema.
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": false,
        "required": ["routing-key"],
        "properties": {
            "routing-key": {
                "type": "string",
                "pattern": "\\$\\{secret:[^}]+\\}",
                "description": "The integration key of an Events API v2 integration, as a ${secret:NAME} placeholder",
                "examples": ["${secret:routing_key}"],
            },
            "source": {"type": "string", "minLength": 1, "default": "warren",
                       "description": "payload.source: where the alert comes from"},
            "component": {"type": "string", "minLength": 1,
                          "description": "payload.component; default: the consumer group's name"},
            "url": {"type": "string", "default": config::ENDPOINT,
                    "description": "The Events API endpoint (EU: https://events.eu.pagerduty.com/v2/enqueue)"},
            "link": {"type": "string", "examples": ["https://warren.example.com"],
                     "description": "Base URL of Warren's HTTP API, for the alert's client_url and links"},
        },
    })
}

warren_plugin_sdk::export_notifier!(PagerDuty);

#[cfg(test)]
mod tests {
    use super::*;

    use warren_plugin_sdk::notifier::fixture::response as answer;

    #[test]
    fn pagerdutys_answers_map_to_delivered_permanent_and_retried() {
        let accepted = r#"{"status":"success","message":"Event processed","dedup_key":"x"}"#;
        assert_eq!(classify_response(answer(202, &[], accepted)), Ok(()));
        let invalid = r#"{"status":"invalid event","errors":["'routing_key' is invalid"]}"#;
        match classify_response(answer(400, &[], invalid)) {
            Err(NotifyError::Permanent(m)) => assert!(m.contains("routing_key"), "{m}"),
            other => panic!("expected permanent, got {other:?}"),
        }
        match classify_response(answer(429, &[("retry-after", "60")], "")) {
            Err(NotifyError::Transient(t)) => assert_eq!(t.retry_after_ms, Some(60_000)),
            other => panic!("expected transient, got {other:?}"),
        }
    }

    #[test]
    fn metadata_names_the_plugin_and_describes_every_key() {
        let m = PagerDuty::metadata();
        assert_eq!(m.name, "pagerduty");
        let schema: serde_json::Value = serde_json::from_str(&m.config_schema).unwrap();
        assert_eq!(schema["required"], serde_json::json!(["routing-key"]));
        let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["component", "link", "routing-key", "source", "url"]);
    }
}
