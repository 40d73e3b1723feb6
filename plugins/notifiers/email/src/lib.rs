//! `email`: mails incident events through the host's `mail` capability (SMTP with the
//! notifier's server, credentials and sender, all in Warren's config): a subject, a plain-text
//! body and an HTML alternative, threaded per incident (see [`message`]).
//!
//! Config ([`config`]):
//!
//! ```json
//! {"to": ["ops@example.com"], "subject-prefix": "[warren]", "link": "https://warren.example.com"}
//! ```
//!
//! Outcome ([`classify_mail`]): the server's
//! temporary refusals (SMTP 4xx, unreachable) are retried; a permanent refusal (5xx), a
//! malformed message or a recipient the host does not allow is permanent.

pub mod config;
pub mod message;

use warren_plugin_sdk::notifier::{Notifier, classify_mail, mail, permanent, secrets};
use warren_plugin_sdk::types::{IncidentEvent, NotifyError, PluginMetadata};
use warren_plugin_sdk::{Plugin, host, metadata};

struct Email;

impl Plugin for Email {
    fn metadata() -> PluginMetadata {
        metadata::builder("email", env!("CARGO_PKG_VERSION"))
            .description(
                "incident mail (text and HTML), threaded per incident, sent by the host over SMTP",
            )
            .config_schema(schema())
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        config::validate(config, &secrets::names())
    }
}

impl Notifier for Email {
    fn notify(event: IncidentEvent) -> Result<(), NotifyError> {
        let settings =
            config::parse(&host::plugin_config()).map_err(|p| permanent(p.join("; ")))?;
        classify_mail(mail::send(&message::message(&event, &settings)))
    }
}

/// The config's JSON Schema.
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "to": {
                "type": "array",
                "items": {"type": "string", "pattern": "^[^@\\s<>,;]+@[^@\\s<>,;]+$"},
                "default": [],
                "description": "Recipients; empty uses the notifier's configured `to` list",
                "examples": [["ops@example.com"]],
            },
            "subject-prefix": {"type": "string", "default": "[warren]",
                               "description": "Put before every subject"},
            "link": {"type": "string", "examples": ["https://warren.example.com"],
                     "description": "Base URL of Warren's HTTP API: mails link to the group's lag"},
        },
    })
}

warren_plugin_sdk::export_notifier!(Email);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_the_plugin_and_describes_every_key() {
        let m = Email::metadata();
        assert_eq!(m.name, "email");
        let schema: serde_json::Value = serde_json::from_str(&m.config_schema).unwrap();
        let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["link", "subject-prefix", "to"]);
    }
}
