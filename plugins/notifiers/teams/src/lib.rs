//! `teams`: posts incident events to a Microsoft Teams channel through a Power Automate
//! Workflows webhook (Office 365 connectors, and their MessageCards, are retired), as Adaptive
//! Cards (see [`message`]).
//!
//! Config ([`config`]):
//!
//! ```json
//! {"url": "${secret:webhook}", "link": "https://warren.example.com"}
//! ```
//!
//! The flow's URL (on `*.logic.azure.com`, `*.api.powerplatform.com`, ...) carries a `sig=`
//! signature that is the whole credential: keep it in a secret. A flow answers `202 Accepted`
//! once it has the message; a failure to post in the channel shows in the flow's run history,
//! not here. Outcome otherwise as every first-party notifier
//! ([`classify_response`]).

pub mod config;
pub mod message;

use warren_plugin_sdk::notifier::{Notifier, classify_response, http, permanent, secrets};
use warren_plugin_sdk::types::{IncidentEvent, NotifyError, PluginMetadata};
use warren_plugin_sdk::{Plugin, host, metadata};

struct Teams;

impl Plugin for Teams {
    fn metadata() -> PluginMetadata {
        metadata::builder("teams", env!("CARGO_PKG_VERSION"))
            .description(
                "Microsoft Teams notifications: Adaptive Cards through a Workflows webhook",
            )
            .config_schema(schema())
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        config::validate(config, &secrets::names())
    }
}

impl Notifier for Teams {
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
            "url": {"type": "string", "examples": ["${secret:webhook}"],
                    "description": "The Workflows webhook URL, as a ${secret:NAME} placeholder (its sig= is the credential)"},
            "link": {"type": "string", "examples": ["https://warren.example.com"],
                     "description": "Base URL of Warren's HTTP API: cards get a button to the group's lag"},
        },
    })
}

warren_plugin_sdk::export_notifier!(Teams);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_the_plugin_and_describes_every_key() {
        let m = Teams::metadata();
        assert_eq!(m.name, "teams");
        let schema: serde_json::Value = serde_json::from_str(&m.config_schema).unwrap();
        assert_eq!(schema["required"], serde_json::json!(["url"]));
        let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["link", "url"]);
    }
}
