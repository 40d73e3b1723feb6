//! The email notifier's config: optional `to` (recipients; empty or absent means the
//! notifier's `to` list in Warren's config, which the host holds with the SMTP settings),
//! `subject-prefix` (default `[warren]`) and `link` (Warren's base URL), and message templates:
//! `template` (Burrow's email template, `Subject:` line first; `template-close` for the
//! resolve's mail, default `template`) or `subject-template` and `body-template` (see
//! [`crate::templated`]). Every problem is reported by key, a
//! template's with its line.

use serde_json::json;
use warren_plugin_sdk::settings::{self, Declare, Key};
use warren_plugin_sdk::template::{self, Template};

/// What the plugin needs to compose a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Recipients; empty for the host's configured ones.
    pub to: Vec<String>,
    /// Put before every subject.
    pub subject_prefix: String,
    /// Base URL of Warren's HTTP API, when mails should link to it.
    pub link: Option<String>,
    /// Burrow's email template: headers, a blank line, the body.
    pub template: Option<Template>,
    /// The resolve's Burrow email template (default: `template`).
    pub template_close: Option<Template>,
    /// The subject, when templated on its own.
    pub subject_template: Option<Template>,
    /// The plain-text body, when templated on its own.
    pub body_template: Option<Template>,
    /// Burrow's `.Extras`, for templates.
    pub extras: Vec<(String, String)>,
}

impl settings::Settings for Settings {
    fn declare(d: &Declare<'_>) -> Option<Self> {
        let to = d.strings(
            Key::optional("to")
                .describe("Recipients; empty uses the notifier's configured `to` list")
                .schema_field(
                    "items",
                    json!({"type": "string", "pattern": "^[^@\\s<>,;]+@[^@\\s<>,;]+$"}),
                )
                .default(json!([]))
                .example(json!(["ops@example.com"]))
                .check(address_problem),
        );
        let subject_prefix = d.text(
            Key::optional("subject-prefix")
                .describe("Put before every subject")
                .default("[warren]")
                .check(|p| {
                    p.chars()
                        .any(char::is_control)
                        .then(|| "must be one line (no control characters)".into())
                }),
        );
        let link = d.url(
            Key::optional("link")
                .describe("Base URL of Warren's HTTP API: mails link to the group's lag")
                .example("https://warren.example.com"),
        );
        let template = template::declare(
            d,
            Key::optional("template")
                .describe("Burrow's email template (Subject: line, blank line, body) or MiniJinja"),
            "template",
        );
        if let Some(Err(problem)) = template.as_ref().map(crate::templated::check) {
            d.problem("template", problem);
        }
        let template_close = template::declare(
            d,
            Key::optional("template-close")
                .describe("The resolve's mail, a template like template (default: template)"),
            "template-close",
        );
        if let Some(Err(problem)) = template_close.as_ref().map(crate::templated::check) {
            d.problem("template-close", problem);
        }
        let subject_template = template::declare(
            d,
            Key::optional("subject-template").describe("The subject, templated"),
            "subject-template",
        );
        let body_template = template::declare(
            d,
            Key::optional("body-template").describe("The plain-text body, templated"),
            "body-template",
        );
        let extras = d.string_map(
            Key::optional("extras").describe("templates: Burrow's .Extras (strings by name)"),
        );
        let extras = extras.unwrap_or_default();
        let whole = template.is_some() || template_close.is_some();
        if whole && (subject_template.is_some() || body_template.is_some()) {
            d.problem(
                "template",
                "use either template (Burrow's whole mail) or subject-template/body-template",
            );
        }
        if template_close.is_some() && template.is_none() {
            d.problem(
                "template-close",
                "needs template (the mail of opened and updated events)",
            );
        }
        Some(Self {
            to: to?,
            subject_prefix: subject_prefix?,
            link,
            template,
            template_close,
            subject_template,
            body_template,
            extras,
        })
    }
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

    fn parse(json: &str) -> Result<Settings, Vec<String>> {
        settings::parse(json)
    }

    fn validate(json: &str, configured: &[String]) -> Result<(), Vec<String>> {
        warren_plugin_sdk::notifier::validate::<Settings>(json, configured)
    }

    #[test]
    fn an_empty_config_sends_to_the_hosts_recipients_with_the_default_prefix() {
        assert_eq!(
            parse("{}"),
            Ok(Settings {
                to: vec![],
                subject_prefix: "[warren]".into(),
                link: None,
                template: None,
                template_close: None,
                subject_template: None,
                body_template: None,
                extras: vec![],
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
                "from: unknown key (known: to, subject-prefix, link, template, template-close, subject-template, body-template, extras)",
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
