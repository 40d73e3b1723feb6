//! The Teams notifier's config: `url` (the Workflows webhook, a secret: its `sig=` parameter
//! lets anyone post) and optional `link` (Warren's base URL, for a "View lag" button). Every
//! problem is reported by key.

use warren_plugin_sdk::config::Config;
use warren_plugin_sdk::notifier::{missing_secrets, url_problem};

const KEYS: &[&str] = &["url", "link"];

/// What the plugin needs to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The Workflows webhook URL, placeholders left for the host.
    pub url: String,
    /// Base URL of Warren's HTTP API, when cards should link to it.
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
    let url = root.required_str("url", "${secret:webhook}");
    let link = root.optional_str("link");
    for (key, value) in [("url", &url), ("link", &link)] {
        if let Some(problem) = value.as_deref().and_then(url_problem) {
            root.problem(key, problem);
        }
    }
    if let Some(u) = &url
        && u.contains("sig=")
        && !u.contains("${secret:")
    {
        // The signature is the whole credential: a config file is read by many.
        root.problem(
            "url",
            "the URL carries its sig= signature in the clear: put the URL (or the signature) in \
             a secret and write \"${secret:webhook}\"",
        );
    }
    if let Some(configured) = configured {
        for problem in missing_secrets(&config.strings(), configured) {
            config.problem(problem);
        }
    }
    config.finish(|| Some(Settings { url: url?, link }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_url_and_a_link_parse() {
        assert_eq!(
            parse(r#"{"url": "${secret:webhook}", "link": "https://warren.example.com"}"#),
            Ok(Settings {
                url: "${secret:webhook}".into(),
                link: Some("https://warren.example.com".into())
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
                "card: unknown key (known: url, link)",
                "link: expected a string, got 3",
                "url: the URL carries its sig= signature in the clear: put the URL (or the signature) in \
                 a secret and write \"${secret:webhook}\"",
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
