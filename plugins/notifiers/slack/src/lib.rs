//! `slack`: posts incident events to a Slack incoming webhook as Block Kit messages (see
//! [`message`] for what they look like and the limits they respect). A webhook cannot edit
//! or thread onto its earlier messages, so every event is a new message, the resolve one too.
//!
//! Config ([`config`]):
//!
//! ```json
//! {"url": "https://hooks.slack.com/services/${secret:webhook}",
//!  "link": "https://warren.example.com", "mention": "<!here>"}
//! ```
//!
//! The webhook's path is the secret: keep it in a `${secret:NAME}` placeholder, which the host
//! fills in at send time. Outcome as every first-party notifier
//! ([`classify_response`]): Slack's `200 ok`
//! is delivered, 429 (about one message a second per webhook) and 5xx are retried, and its
//! other 4xx codes (`invalid_payload`, `no_service`, `channel_is_archived`) are permanent.

pub mod config;
pub mod message;

use warren_plugin_sdk::notifier::{Notifier, classify_response, http, permanent, secrets};
use warren_plugin_sdk::types::{IncidentEvent, NotifyError, PluginMetadata};
use warren_plugin_sdk::{Plugin, host, metadata};

struct Slack;

impl Plugin for Slack {
    fn metadata() -> PluginMetadata {
        metadata::builder("slack", env!("CARGO_PKG_VERSION"))
            .description("Slack incoming-webhook notifications with Block Kit messages")
            .config_schema(schema())
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        config::validate(config, &secrets::names())
    }
}

impl Notifier for Slack {
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
        "required": ["url"],
        "properties": {
            "url": {
                "type": "string",
                "description": "The incoming webhook's URL; keep its path in a ${secret:NAME} placeholder",
                "examples": ["https://hooks.slack.com/services/${secret:webhook}"],
            },
            "link": {
                "type": "string",
                "description": "Base URL of Warren's HTTP API: messages get a button to the group's lag",
                "examples": ["https://warren.example.com"],
            },
            "mention": {
                "type": "string",
                "description": "Who to ping on opened and updated incidents",
                "examples": ["<!here>", "<!channel>", "<@U024BE7LH>", "<!subteam^SAZ94GDB8>"],
            },
        },
    })
}

warren_plugin_sdk::export_notifier!(Slack);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_the_plugin_and_describes_every_key() {
        let m = Slack::metadata();
        assert_eq!(
            (m.name.as_str(), m.version.as_str()),
            ("slack", env!("CARGO_PKG_VERSION"))
        );
        let schema: serde_json::Value = serde_json::from_str(&m.config_schema).unwrap();
        assert_eq!(schema["required"], serde_json::json!(["url"]));
        let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["link", "mention", "url"]);
    }
}
