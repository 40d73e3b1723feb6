//! The Slack notifier's config: `url` (the incoming webhook, whose path is the secret),
//! optional `link` (Warren's base URL, for a "View lag" button) and optional `mention` (who to
//! ping when an incident opens or updates). Every problem is reported by key, including
//! `${secret:NAME}` placeholders naming a secret the operator did not configure.

use warren_plugin_sdk::config::Config;
use warren_plugin_sdk::notifier::{missing_secrets, url_problem};

const KEYS: &[&str] = &["url", "link", "mention"];

/// What the plugin needs to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The webhook URL, placeholders left for the host.
    pub url: String,
    /// Base URL of Warren's HTTP API, when messages should link to it.
    pub link: Option<String>,
    /// A Slack mention (`<!here>`, `<!channel>`, `<@U024BE7LH>`, `<!subteam^SAZ94GDB8>`).
    pub mention: Option<String>,
}

/// Parses the config for sending (secrets are the host's business then).
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
    let url = root.required_str("url", "https://hooks.slack.com/services/${secret:webhook}");
    let link = root.optional_str("link");
    for (key, value) in [("url", &url), ("link", &link)] {
        if let Some(problem) = value.as_deref().and_then(url_problem) {
            root.problem(key, problem);
        }
    }
    let mention = root.optional_str("mention");
    if let Some(m) = &mention
        && !(m.starts_with("<!") || m.starts_with("<@") || m.starts_with("<#"))
    {
        root.problem(
            "mention",
            format_args!(
                "expected a Slack mention such as \"<!here>\", \"<!channel>\", \"<@U024BE7LH>\" \
                 or \"<!subteam^SAZ94GDB8>\", got {m:?}"
            ),
        );
    }
    if let Some(configured) = configured {
        for problem in missing_secrets(&config.strings(), configured) {
            config.problem(problem);
        }
    }
    config.finish(|| {
        Some(Settings {
            url: url?,
            link,
            mention,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_parses() {
        let s = parse(
            r#"{"url": "https://hooks.slack.com/services/${secret:webhook}",
                "link": "https://warren.example.com", "mention": "<!here>"}"#,
        )
        .unwrap();
        assert_eq!(s.url, "https://hooks.slack.com/services/${secret:webhook}");
        assert_eq!(s.link.as_deref(), Some("https://warren.example.com"));
        assert_eq!(s.mention.as_deref(), Some("<!here>"));
    }

    #[test]
    fn every_problem_is_reported_by_key() {
        assert_eq!(
            parse(r#"{"link": "warren.example.com", "mention": "here", "colour": "red"}"#)
                .unwrap_err(),
            [
                "colour: unknown key (known: url, link, mention)",
                "url: required (example: url = \"https://hooks.slack.com/services/${secret:webhook}\")",
                "link: expected an http:// or https:// URL, got \"warren.example.com\"",
                "mention: expected a Slack mention such as \"<!here>\", \"<!channel>\", \
                 \"<@U024BE7LH>\" or \"<!subteam^SAZ94GDB8>\", got \"here\"",
            ]
        );
    }

    #[test]
    fn a_placeholder_for_an_unconfigured_secret_fails_validation() {
        let json = r#"{"url": "https://hooks.slack.com/services/${secret:webhook}"}"#;
        assert_eq!(validate(json, &["webhook".into()]), Ok(()));
        assert_eq!(
            validate(json, &["other".into()]).unwrap_err(),
            ["url: secret \"webhook\" is not configured for this plugin \
                 (add secrets = { webhook = \"env:...\" })"]
        );
    }
}
