//! The Slack notifier's config: `url` (the incoming webhook, whose path is the secret),
//! optional `link` (Warren's base URL, for a "View lag" button) and optional `mention` (who to
//! ping when an incident opens or updates), and optional `template` (the message's text as a
//! message template instead of Warren's blocks). Every problem is reported by key, including
//! `${secret:NAME}` placeholders naming a secret the operator did not configure.

use warren_plugin_sdk::settings::{self, Declare, Key};
use warren_plugin_sdk::template::{self, Template};

/// What the plugin needs to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The webhook URL, placeholders left for the host.
    pub url: String,
    /// Base URL of Warren's HTTP API, when messages should link to it.
    pub link: Option<String>,
    /// A Slack mention (`<!here>`, `<!channel>`, `<@U024BE7LH>`, `<!subteam^SAZ94GDB8>`).
    pub mention: Option<String>,
    /// The message's text, when templated.
    pub template: Option<Template>,
}

impl settings::Settings for Settings {
    fn declare(d: &Declare<'_>) -> Option<Self> {
        let url = d.url(
            Key::required("url", "https://hooks.slack.com/services/${secret:webhook}").describe(
                "The incoming webhook's URL; keep its path in a ${secret:NAME} placeholder",
            ),
        );
        let link = d.url(
            Key::optional("link")
                .describe("Base URL of Warren's HTTP API: messages get a button to the group's lag")
                .example("https://warren.example.com"),
        );
        let mention = d.text(
            Key::optional("mention")
                .describe("Who to ping on opened and updated incidents")
                .example("<!here>")
                .example("<!channel>")
                .example("<@U024BE7LH>")
                .example("<!subteam^SAZ94GDB8>")
                .check(mention_problem),
        );
        let template = template::declare(
            d,
            Key::optional("template").describe(
                "The message's text (Slack mrkdwn) instead of Warren's blocks: a Burrow .tmpl text or MiniJinja",
            ),
            "template",
        );
        Some(Self {
            url: url?,
            link,
            mention,
            template,
        })
    }
}

fn mention_problem(m: &str) -> Option<String> {
    (!(m.starts_with("<!") || m.starts_with("<@") || m.starts_with("<#"))).then(|| {
        format!(
            "expected a Slack mention such as \"<!here>\", \"<!channel>\", \"<@U024BE7LH>\" \
             or \"<!subteam^SAZ94GDB8>\", got {m:?}"
        )
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
                "colour: unknown key (known: url, link, mention, template)",
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
