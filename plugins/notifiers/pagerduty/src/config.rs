//! The PagerDuty notifier's config: `routing-key` (the integration key, always a
//! `${secret:NAME}` placeholder: the host puts it into the body at send time), optional
//! `source` (default `warren`), `component` (default: the consumer group), `url` (the Events API
//! endpoint; EU accounts and tests override it), `link` (Warren's base URL) and
//! `summary-template` (the alert's title as a message template). Every problem is reported by
//! key.

use warren_plugin_sdk::settings::{self, Declare, Key};
use warren_plugin_sdk::template::{self, Template};

/// PagerDuty's Events API v2 endpoint (EU accounts: `https://events.eu.pagerduty.com/v2/enqueue`).
pub const ENDPOINT: &str = "https://events.pagerduty.com/v2/enqueue";

/// What the plugin needs to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The integration key, as a placeholder.
    pub routing_key: String,
    /// `payload.source`.
    pub source: String,
    /// `payload.component`; `None` uses the consumer group's name.
    pub component: Option<String>,
    /// Where to POST.
    pub url: String,
    /// Base URL of Warren's HTTP API, for `client_url` and `links`.
    pub link: Option<String>,
    /// `payload.summary`, when templated.
    pub summary_template: Option<Template>,
}

impl settings::Settings for Settings {
    fn declare(d: &Declare<'_>) -> Option<Self> {
        // The key lets anyone page the on-call: it belongs with the secrets, not in a config
        // file that is read by many and logged by some.
        let routing_key = d.secret(
            Key::required("routing-key", "${secret:routing_key}").describe(
                "The integration key of an Events API v2 integration, as a ${secret:NAME} placeholder",
            ),
            "the integration key",
        );
        let source = d.text(
            Key::optional("source")
                .describe("payload.source: where the alert comes from")
                .default("warren")
                .non_empty(),
        );
        let component = d.text(
            Key::optional("component")
                .describe("payload.component; default: the consumer group's name")
                .non_empty(),
        );
        let url = d.url(
            Key::optional("url")
                .describe(
                    "The Events API endpoint (EU: https://events.eu.pagerduty.com/v2/enqueue)",
                )
                .default(ENDPOINT),
        );
        let link = d.url(
            Key::optional("link")
                .describe("Base URL of Warren's HTTP API, for the alert's client_url and links")
                .example("https://warren.example.com"),
        );
        let summary_template = template::declare(
            d,
            Key::optional("summary-template").describe(
                "payload.summary (the alert's title) as a Burrow .tmpl text or MiniJinja template",
            ),
            "summary-template",
        );
        Some(Self {
            routing_key: routing_key?,
            source: source?,
            component,
            url: url?,
            link,
            summary_template,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Settings, Vec<String>> {
        settings::parse(json)
    }

    fn validate(json: &str, configured: &[String]) -> Result<(), Vec<String>> {
        warren_plugin_sdk::notifier::validate::<Settings>(json, configured)
    }

    #[test]
    fn defaults_fill_in_the_optional_keys() {
        let s = parse(r#"{"routing-key": "${secret:routing_key}"}"#).unwrap();
        assert_eq!(s.routing_key, "${secret:routing_key}");
        assert_eq!(s.source, "warren");
        assert_eq!(s.component, None);
        assert_eq!(s.url, "https://events.pagerduty.com/v2/enqueue");
        assert_eq!(s.link, None);
        let s = parse(
            r#"{"routing-key": "${secret:k}", "url": "http://127.0.0.1:9/v2/enqueue", "source": "kafka-prod"}"#,
        )
        .unwrap();
        assert_eq!(
            (s.url.as_str(), s.source.as_str()),
            ("http://127.0.0.1:9/v2/enqueue", "kafka-prod")
        );
    }

    #[test]
    fn every_problem_is_reported_by_key() {
        assert_eq!(
            parse(r#"{"routing-key": "abcdef0123456789", "source": " ", "url": "events.pagerduty.com", "severity": 1}"#)
                .unwrap_err(),
            [
                "severity: unknown key (known: routing-key, source, component, url, link, summary-template)",
                "routing-key: keep the integration key out of the config: use a placeholder such as \
                 \"${secret:routing_key}\" and add secrets = { routing_key = \"env:...\" }",
                "source: must not be empty (leave it out for the default)",
                "url: expected an http:// or https:// URL, got \"events.pagerduty.com\"",
            ]
        );
        assert_eq!(
            parse("{}").unwrap_err(),
            ["routing-key: required (example: routing-key = \"${secret:routing_key}\")"]
        );
    }

    #[test]
    fn the_routing_key_secret_must_be_configured() {
        let json = r#"{"routing-key": "${secret:routing_key}"}"#;
        assert_eq!(validate(json, &["routing_key".into()]), Ok(()));
        assert_eq!(
            validate(json, &[]).unwrap_err(),
            [
                "routing-key: secret \"routing_key\" is not configured for this plugin \
                 (add secrets = { routing_key = \"env:...\" })"
            ]
        );
    }
}
