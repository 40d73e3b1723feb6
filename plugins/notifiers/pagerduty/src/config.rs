//! The PagerDuty notifier's config: `routing-key` (the integration key, always a
//! `${secret:NAME}` placeholder: the host puts it into the body at send time), optional
//! `source` (default `warren`), `component` (default: the consumer group), `url` (the Events API
//! endpoint; EU accounts and tests override it) and `link` (Warren's base URL). Every problem
//! is reported by key.

use warren_plugin_sdk::config::Config;
use warren_plugin_sdk::notifier::{missing_secrets, url_problem};

const KEYS: &[&str] = &["routing-key", "source", "component", "url", "link"];

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
}

/// Parses the config for sending.
pub fn parse(json: &str) -> Result<Settings, Vec<String>> {
    read(json, None)
}

/// `validate-config`: parses and checks every placeholder against the `configured` secret names.
pub fn validate(json: &str, configured: &[String]) -> Result<(), Vec<String>> {
    read(json, Some(configured)).map(|_| ())
}

fn read(json: &str, configured: Option<&[String]>) -> Result<Settings, Vec<String>> {
    let config = Config::parse(json)?;
    let root = config.root();
    root.deny_unknown(KEYS);
    let routing_key = root.required_str("routing-key", "${secret:routing_key}");
    if let Some(key) = &routing_key
        && !key.contains("${secret:")
    {
        // The key lets anyone page the on-call: it belongs with the secrets, not in a config
        // file that is read by many and logged by some.
        root.problem(
            "routing-key",
            "keep the integration key out of the config: use a placeholder such as \
             \"${secret:routing_key}\" and add secrets = { routing_key = \"env:...\" }",
        );
    }
    let source = root.optional_str("source");
    let component = root.optional_str("component");
    for (key, value) in [("source", &source), ("component", &component)] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            root.problem(key, "must not be empty (leave it out for the default)");
        }
    }
    let url = root.optional_str("url");
    let link = root.optional_str("link");
    for (key, value) in [("url", &url), ("link", &link)] {
        if let Some(problem) = value.as_deref().and_then(url_problem) {
            root.problem(key, problem);
        }
    }
    if let Some(configured) = configured {
        for problem in missing_secrets(&config.strings(), configured) {
            config.problem(problem);
        }
    }
    config.finish(|| {
        Some(Settings {
            routing_key: routing_key?,
            source: source.unwrap_or_else(|| "warren".into()),
            component,
            url: url.unwrap_or_else(|| ENDPOINT.into()),
            link,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
                "severity: unknown key (known: routing-key, source, component, url, link)",
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
