//! Mails from message templates. `template` (and `template-close` for the resolve, default
//! `template`) is Burrow's email template: header lines first
//! (`Subject:` required; `Content-Type:` and `MIME-Version:` optional; `From:` and `To:`,
//! which older Burrow templates carried, are ignored since the host sets them from Warren's
//! config), a blank line, then the body. `subject-template` and `body-template` template the
//! subject and the plain-text body separately; either one alone keeps Warren's own mail for
//! the other part. A templated body has no HTML alternative, unless `template`'s
//! `Content-Type` is `text/html`, when the body is sent as both.

use warren_plugin_sdk::template::Template;
use warren_plugin_sdk::types::IncidentEvent;

/// The parts of a rendered Burrow email template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// The `Subject:` header's value.
    pub subject: String,
    /// Whether `Content-Type:` said `text/html`.
    pub html: bool,
    /// Everything after the first blank line.
    pub body: String,
}

/// `rendered` split into headers and body; an error when it does not start with the headers
/// Burrow's email templates start with.
pub fn split(rendered: &str) -> Result<Parts, String> {
    let mut subject = None;
    let mut html = false;
    let mut rest = rendered;
    loop {
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            rest = after;
            break;
        }
        let (name, value) = line.split_once(':').ok_or_else(|| {
            format!(
                "the header line {line:?} is not `Name: value` (Burrow's email template starts \
                 with `Subject: …`, then a blank line before the body)"
            )
        })?;
        match name.trim().to_ascii_lowercase().as_str() {
            "subject" => subject = Some(value.trim().to_string()),
            "content-type" => html = value.trim().to_ascii_lowercase().starts_with("text/html"),
            "mime-version" | "from" | "to" => {}
            other => {
                return Err(format!(
                    "unknown header `{other}`: only Subject, Content-Type and MIME-Version are \
                     used (the host sets From and To)"
                ));
            }
        }
        if after.is_empty() {
            rest = "";
            break;
        }
        rest = after;
    }
    let subject = subject.ok_or(
        "Burrow's email template starts with a `Subject: …` line; add one (or use \
         subject-template and body-template)",
    )?;
    Ok(Parts {
        subject,
        html,
        body: rest.to_string(),
    })
}

/// Checks that `template` renders the sample incident into a mail ([`split`]).
pub fn check(template: &Template) -> Result<(), String> {
    let event =
        warren_plugin_sdk::notifier::fixture::event(warren_plugin_sdk::types::IncidentKind::Opened);
    split(&template.render(&event, &[])?).map(|_| ())
}

/// `template` for `event`, with Burrow's `.Extras`. Line breaks in the event's names become
/// spaces first: the headers are read from the rendered text, and a group called
/// `x\nContent-Type: text/html` must not add a header (nor end them and write the body).
pub fn render(
    template: &Template,
    event: &IncidentEvent,
    extras: &[(String, String)],
) -> Result<Parts, String> {
    split(&template.render(&one_line_names(event), extras)?)
}

/// `event` with CR and LF in its names (group, cluster, topics, owners, client ids) as spaces.
fn one_line_names(event: &IncidentEvent) -> IncidentEvent {
    let flat = |s: &mut String| {
        if s.contains(['\r', '\n']) {
            *s = s.replace(['\r', '\n'], " ");
        }
    };
    let mut e = event.clone();
    flat(&mut e.id);
    flat(&mut e.status.cluster);
    flat(&mut e.status.group);
    for p in e
        .status
        .partitions
        .iter_mut()
        .chain(e.status.maxlag.iter_mut())
    {
        flat(&mut p.topic);
        flat(&mut p.owner);
        flat(&mut p.client_id);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_name_with_line_breaks_cannot_add_headers_or_start_the_body() {
        let template = Template::parse("Subject: {{.Group}} lagging\n\nGroup {{.Group}}.\n")
            .expect("a template");
        let mut event = warren_plugin_sdk::notifier::fixture::event(
            warren_plugin_sdk::types::IncidentKind::Opened,
        );
        event.status.group = "x\nContent-Type: text/html\n\n<a href=https://evil>ack</a>".into();
        let parts = render(&template, &event, &[]).expect("renders");
        assert!(!parts.html);
        assert_eq!(
            parts.subject,
            "x Content-Type: text/html  <a href=https://evil>ack</a> lagging"
        );
        assert!(
            parts.body.starts_with("Group x Content-Type"),
            "{}",
            parts.body
        );
    }

    #[test]
    fn extras_reach_the_template() {
        let template = Template::parse("Subject: [{{index .Extras \"app\"}}] lag\n\nbody\n")
            .expect("a template");
        let event = warren_plugin_sdk::notifier::fixture::event(
            warren_plugin_sdk::types::IncidentKind::Opened,
        );
        let extras = [("app".to_string(), "payments".to_string())];
        assert_eq!(
            render(&template, &event, &extras).unwrap().subject,
            "[payments] lag"
        );
    }

    #[test]
    fn headers_come_off_and_the_body_follows_the_blank_line() {
        let p = split(
            "Subject: [Burrow] lag\nContent-Type: text/html\r\nMIME-version: 1.0\n\n<p>x</p>\n",
        )
        .unwrap();
        assert_eq!(
            p,
            Parts {
                subject: "[Burrow] lag".into(),
                html: true,
                body: "<p>x</p>\n".into()
            }
        );
        let p = split("From: a@b\nTo: c@d\nSubject: s").unwrap();
        assert_eq!(
            (p.subject.as_str(), p.html, p.body.as_str()),
            ("s", false, "")
        );
    }

    #[test]
    fn a_template_without_subject_or_with_other_headers_says_what_to_write() {
        assert!(
            split("\nbody")
                .unwrap_err()
                .contains("starts with a `Subject: …` line")
        );
        assert!(
            split("Hello there\n\nbody")
                .unwrap_err()
                .contains("is not `Name: value`")
        );
        assert!(
            split("Subject: s\nX-Prio: 1\n\nb")
                .unwrap_err()
                .contains("unknown header `x-prio`")
        );
    }
}
