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

use warren_plugin_sdk::notifier::{Notify, classify_response, http, permanent};
use warren_plugin_sdk::types::{IncidentEvent, NotifyError};

struct Slack;

impl Notify for Slack {
    const NAME: &'static str = "slack";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str =
        "Slack incoming-webhook notifications with Block Kit messages";
    type Settings = config::Settings;

    fn send(event: &IncidentEvent, settings: &config::Settings) -> Result<(), NotifyError> {
        let request = message::request(event, settings).map_err(permanent)?;
        classify_response(http::send(&request))
    }
}

warren_plugin_sdk::export_notifier!(Slack);

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::Plugin;

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
        assert_eq!(keys, ["link", "mention", "template", "url"]);
    }
}
