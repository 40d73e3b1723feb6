//! The Teams notifier's config: `url` (the Workflows webhook, a secret: its `sig=` parameter
//! lets anyone post), optional `link` (Warren's base URL, for a "View lag" button) and optional
//! `template` (the card's text as a message template instead of Warren's card). Every problem
//! is reported by key.

use warren_plugin_sdk::settings::{self, Declare, Key};
use warren_plugin_sdk::template::{self, Template};

/// What the plugin needs to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The Workflows webhook URL, placeholders left for the host.
    pub url: String,
    /// Base URL of Warren's HTTP API, when cards should link to it.
    pub link: Option<String>,
    /// The card's text, when templated.
    pub template: Option<Template>,
}

impl settings::Settings for Settings {
    fn declare(d: &Declare<'_>) -> Option<Self> {
        let url = d.url(
            Key::required("url", "${secret:webhook}")
                .describe("The Workflows webhook URL, as a ${secret:NAME} placeholder (its sig= is the credential)")
                .check(signature_problem),
        );
        let link = d.url(
            Key::optional("link")
                .describe("Base URL of Warren's HTTP API: cards get a button to the group's lag")
                .example("https://warren.example.com"),
        );
        let template = template::declare(
            d,
            Key::optional("template").describe(
                "The card's text (Teams markdown) instead of Warren's card: a Burrow .tmpl text or MiniJinja",
            ),
            "template",
        );
        Some(Self {
            url: url?,
            link,
            template,
        })
    }
}

/// The signature is the whole credential: a config file is read by many.
fn signature_problem(url: &str) -> Option<String> {
    (url.contains("sig=") && !url.contains("${secret:")).then(|| {
        "the URL carries its sig= signature in the clear: put the URL (or the signature) in \
         a secret and write \"${secret:webhook}\""
            .into()
    })
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
    fn a_secret_url_and_a_link_parse() {
        assert_eq!(
            parse(r#"{"url": "${secret:webhook}", "link": "https://warren.example.com"}"#),
            Ok(Settings {
                url: "${secret:webhook}".into(),
                link: Some("https://warren.example.com".into()),
                template: None,
            })
        );
    }

    #[test]
    fn every_problem_is_reported_by_key() {
        assert_eq!(
            parse(
                r#"{"url": "https://x.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sv=1&sig=abc",
                    "link": 3, "card": "big"}"#
            )
            .unwrap_err(),
            [
                "card: unknown key (known: url, link, template)",
                "url: the URL carries its sig= signature in the clear: put the URL (or the signature) in \
                 a secret and write \"${secret:webhook}\"",
                "link: expected a string, got 3",
            ]
        );
        assert_eq!(
            parse("{}").unwrap_err(),
            ["url: required (example: url = \"${secret:webhook}\")"]
        );
    }

    #[test]
    fn the_webhook_secret_must_be_configured() {
        let json = r#"{"url": "${secret:webhook}"}"#;
        assert_eq!(validate(json, &["webhook".into()]), Ok(()));
        assert_eq!(
            validate(json, &[]).unwrap_err(),
            [
                "url: secret \"webhook\" is not configured for this plugin (add secrets = { webhook = \"env:...\" })"
            ]
        );
    }
}
