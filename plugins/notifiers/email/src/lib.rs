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
//! or with message templates ([`templated`]): `template` (Burrow's email template as it is),
//! or `subject-template` and `body-template`.
//!
//! Outcome ([`classify_mail`]): the server's
//! temporary refusals (SMTP 4xx, unreachable) are retried; a permanent refusal (5xx), a
//! malformed message or a recipient the host does not allow is permanent.

pub mod config;
pub mod message;
pub mod templated;

use warren_plugin_sdk::notifier::{Notify, classify_mail, mail, permanent};
use warren_plugin_sdk::types::{IncidentEvent, NotifyError};

struct Email;

impl Notify for Email {
    const NAME: &'static str = "email";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str =
        "incident mail (text and HTML), threaded per incident, sent by the host over SMTP";
    type Settings = config::Settings;

    fn send(event: &IncidentEvent, settings: &config::Settings) -> Result<(), NotifyError> {
        let message = message::message(event, settings).map_err(permanent)?;
        classify_mail(mail::send(&message))
    }
}

warren_plugin_sdk::export_notifier!(Email);

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::Plugin;

    #[test]
    fn metadata_names_the_plugin_and_describes_every_key() {
        let m = Email::metadata();
        assert_eq!(m.name, "email");
        let schema: serde_json::Value = serde_json::from_str(&m.config_schema).unwrap();
        let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "body-template",
                "extras",
                "link",
                "subject-prefix",
                "subject-template",
                "template",
                "template-close",
                "to"
            ]
        );
    }
}
