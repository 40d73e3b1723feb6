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

use warren_plugin_sdk::notifier::{Notify, classify_response, http, permanent};
use warren_plugin_sdk::types::{IncidentEvent, NotifyError};

struct PagerDuty;

impl Notify for PagerDuty {
    const NAME: &'static str = "pagerduty";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str =
        "PagerDuty Events API v2: trigger and resolve alerts, deduplicated by incident";
    type Settings = config::Settings;

    fn send(event: &IncidentEvent, settings: &config::Settings) -> Result<(), NotifyError> {
        let request = message::request(event, settings).map_err(permanent)?;
        classify_response(http::send(&request))
    }
}

warren_plugin_sdk::export_notifier!(PagerDuty);

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::Plugin;

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
        assert_eq!(
            keys,
            [
                "component",
                "link",
                "routing-key",
                "source",
                "summary-template",
                "url"
            ]
        );
    }
}
