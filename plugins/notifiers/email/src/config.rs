//! The email notifier's config: optional `to` (recipients; empty or absent means the
//! notifier's `to` list in Warren's config, which the host holds with the SMTP settings),
//! `subject-prefix` (default `[warren]`) and `link` (Warren's base URL). Every problem is
//! reported by key.

use serde_json::Value;
use warren_plugin_sdk::config::Config;
use warren_plugin_sdk::notifier::{missing_secrets, url_problem};

const KEYS: &[&str] = &["to", "subject-prefix", "link"];

/// What the plugin needs to compose a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Recipients; empty for the host's configured ones.
    pub to: Vec<String>,
    /// Put before every subject.
    pub subject_prefix: String,
    /// Base URL of Warren's HTTP API, when mails should link to it.
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
    let to = root.optional_strings("to").unwrap_or_default();
    // Indices from the raw list, so they match the config even around a non-string entry.
    let raw = root
        .get("to")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for (i, item) in raw.enumerate() {
        if let Some(why) = item.as_str().and_then(address_problem) {
            config.problem(format!("to[{i}]: {why}"));
        }
    }
    let subject_prefix = root.optional_str("subject-prefix");
    if subject_prefix
        .as_deref()
        .is_some_and(|p| p.chars().any(char::is_control))
    {
        root.problem("subject-prefix", "must be one line (no control characters)");
    }
    let link = root.optional_str("link");
    if let Some(problem) = link.as_deref().and_then(url_problem) {
        root.problem("link", problem);
    }
    if let Some(configured) = configured {
        for problem in missing_secrets(&config.strings(), configured) {
            config.problem(problem);
        }
    }
    config.finish(|| {
        Some(Settings {
            to,
            subject_prefix: subject_prefix.unwrap_or_else(|| "[warren]".into()),
            link,
        })
    })
}

/// Why `address` is not a plain `local@domain` address (display names and lists are not
/// accepted: one address per entry, so a typo names its entry).
fn address_problem(address: &str) -> Option<String> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>,;\"()[]\\".contains(c);
    match address.split_once('@') {
        _ if address.chars().any(bad) => Some(format!(
            "{address:?} is not a plain address (one address per entry, such as \"ops@example.com\")"
        )),
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            None
        }
        _ => Some(format!(
            "{address:?} is not an address such as \"ops@example.com\""
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_config_sends_to_the_hosts_recipients_with_the_default_prefix() {
        assert_eq!(
            parse("{}"),
            Ok(Settings {
                to: vec![],
                subject_prefix: "[warren]".into(),
                link: None
            })
        );
        let s = parse(
            r#"{"to": ["ops@example.com", "kafka@example.org"], "subject-prefix": "[kafka]"}"#,
        )
        .unwrap();
        assert_eq!(s.to, ["ops@example.com", "kafka@example.org"]);
        assert_eq!(s.subject_prefix, "[kafka]");
    }

    #[test]
    fn every_bad_address_and_key_is_reported() {
        assert_eq!(
            parse(
                r#"{"to": ["ops@example.com", "Ops <ops@example.com>", "nobody", 7, "a@b, c@d"],
                    "subject-prefix": "x\ny", "link": "ftp://w", "from": "me"}"#
            )
            .unwrap_err(),
            [
                "from: unknown key (known: to, subject-prefix, link)",
                "to[3]: expected a string, got 7",
                "to[1]: \"Ops <ops@example.com>\" is not a plain address (one address per entry, such as \"ops@example.com\")",
                "to[2]: \"nobody\" is not an address such as \"ops@example.com\"",
                "to[4]: \"a@b, c@d\" is not a plain address (one address per entry, such as \"ops@example.com\")",
                "subject-prefix: must be one line (no control characters)",
                "link: expected an http:// or https:// URL, got \"ftp://w\"",
            ]
        );
    }

    #[test]
    fn placeholders_must_name_configured_secrets() {
        let json = r#"{"link": "https://warren.example.com/${secret:path}"}"#;
        assert_eq!(validate(json, &["path".into()]), Ok(()));
        assert_eq!(validate(json, &[]).unwrap_err().len(), 1);
    }
}
