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

use warren_plugin_sdk::notifier::{Notify, classify_response, http, permanent};
use warren_plugin_sdk::types::{IncidentEvent, NotifyError};

struct Teams;

impl Notify for Teams {
    const NAME: &'static str = "teams";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str =
        "Microsoft Teams notifications: Adaptive Cards through a Workflows webhook";
    type Settings = config::Settings;

    fn send(event: &IncidentEvent, settings: &config::Settings) -> Result<(), NotifyError> {
        let request = message::request(event, settings).map_err(permanent)?;
        classify_response(http::send(&request))
    }
}

warren_plugin_sdk::export_notifier!(Teams);

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::Plugin;

    #[test]
    fn metadata_names_the_plugin_and_describes_every_key() {
        let m = Teams::metadata();
        assert_eq!(m.name, "teams");
        let schema: serde_json::Value = serde_json::from_str(&m.config_schema).unwrap();
        assert_eq!(schema["required"], serde_json::json!(["url"]));
        let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["link", "template", "url"]);
    }
}
