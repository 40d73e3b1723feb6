//! Composing an incident mail: subject, plain text and an HTML alternative, plus the ids that
//! thread an incident's mails together. Pure functions of the event and the settings, tested
//! natively; the host adds the `From`, the domain of the ids and the MIME structure.
//!
//! Threading without state (every event gets a fresh instance): the opening mail's
//! `Message-ID` local part is `warren-incident-{id}`, derived from the incident id alone, so an
//! update or the resolve, however much later and from whichever instance, names it in
//! `In-Reply-To`/`References`. Their own ids add the kind and the event time
//! (`warren-incident-{id}-updated-{now-ms}`), unique per mail. Clients that thread by headers
//! (Thunderbird, Apple Mail, Outlook) show one conversation per incident; the subject also stays
//! recognisable (`[warren] ERR payments-consumer @ prod-eu`, `… (update)`, `[warren] RESOLVED
//! …`) for those that thread by subject.
//!
//! Everything from the event is escaped in the HTML (group names are anyone's choice), and
//! control characters never reach the subject (no header injection through a group name).

use warren_plugin_sdk::notifier::{mail, render};
use warren_plugin_sdk::types::{IncidentEvent, IncidentKind, PartitionStatus, Status};
use warren_plugin_sdk::verdict::status_name;

use crate::config::Settings;

/// How many partitions a mail lists (Burrow listed all; a group with thousands would make an
/// unreadable mail).
pub const PARTITIONS_MAX: usize = 50;
/// Subjects are cut here (mail clients show far less anyway).
pub const SUBJECT_MAX: usize = 200;

/// The mail for `event`; an error when a template fails to render.
pub fn message(event: &IncidentEvent, settings: &Settings) -> Result<mail::Message, String> {
    let opening = thread_id(&event.id);
    let (message_id, in_reply_to) = match event.kind {
        IncidentKind::Opened => (opening, None),
        kind => (
            format!("{opening}-{}-{}", render::kind_name(kind), event.now_ms),
            Some(opening),
        ),
    };
    let whole = match (&settings.template_close, event.kind) {
        (Some(close), IncidentKind::Resolved) => Some(close),
        _ => settings.template.as_ref(),
    };
    let (subject, text, html) = if let Some(t) = whole {
        let parts = crate::templated::render(t, event, &settings.extras)?;
        let html = parts.html.then(|| parts.body.clone());
        (one_line(&parts.subject), parts.body, html)
    } else {
        let subject = match &settings.subject_template {
            Some(t) => one_line(&t.render(event, &settings.extras)?),
            None => subject(event, settings),
        };
        match &settings.body_template {
            Some(t) => (subject, t.render(event, &settings.extras)?, None),
            None => (subject, text(event, settings), Some(html(event, settings))),
        }
    };
    Ok(mail::Message {
        to: settings.to.clone(),
        subject,
        text,
        html,
        message_id: Some(message_id),
        in_reply_to,
    })
}

/// The opening mail's `Message-ID` local part: `warren-incident-{id}`, with anything that is
/// not allowed in a local part replaced by `-`.
pub fn thread_id(incident_id: &str) -> String {
    let id: String = incident_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("warren-incident-{}", id.trim_matches('.'))
}

/// `[warren] ERR payments-consumer @ prod-eu`, one line.
pub fn subject(event: &IncidentEvent, settings: &Settings) -> String {
    let g = &event.status;
    let (state, suffix) = match event.kind {
        IncidentKind::Opened => (status_name(g.status), ""),
        IncidentKind::Updated => (status_name(g.status), " (update)"),
        IncidentKind::Resolved => ("RESOLVED", ""),
    };
    one_line(&format!(
        "{} {state} {} @ {}{suffix}",
        settings.subject_prefix, g.group, g.cluster
    ))
}

/// `text` as a subject: control characters (a newline would start a header) as spaces,
/// trimmed, cut to [`SUBJECT_MAX`].
fn one_line(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    render::truncate(line.trim(), SUBJECT_MAX)
}

/// The opening sentence.
fn headline(event: &IncidentEvent) -> String {
    let g = &event.status;
    let lasted = render::duration(event.now_ms - event.started_ms);
    match event.kind {
        IncidentKind::Resolved if g.status == Status::NotFound => format!(
            "Consumer group {} on cluster {} no longer exists: the incident is resolved after {lasted}.",
            g.group, g.cluster
        ),
        IncidentKind::Resolved => format!(
            "Consumer group {} on cluster {} is OK again: the incident is resolved after {lasted}.",
            g.group, g.cluster
        ),
        IncidentKind::Updated => format!(
            "Consumer group {} on cluster {} is still not OK: it is {} after {lasted}.",
            g.group,
            g.cluster,
            status_name(g.status)
        ),
        IncidentKind::Opened => format!(
            "Consumer group {} on cluster {} is {}.",
            g.group,
            g.cluster,
            status_name(g.status)
        ),
    }
}

/// (label, value) lines under the headline.
fn facts(event: &IncidentEvent) -> Vec<(&'static str, String)> {
    let g = &event.status;
    let mut facts = vec![
        ("Status", status_name(g.status).to_string()),
        ("Total lag", render::thousands(g.total_lag)),
    ];
    if let Some(ms) = g.max_time_lag_ms {
        facts.push(("Time lag", render::duration(ms as i64)));
    }
    if event.kind != IncidentKind::Resolved {
        facts.push((
            "Partitions",
            format!("{} of {} not OK", g.partitions.len(), g.partition_count),
        ));
        if let Some(m) = &g.maxlag {
            facts.push((
                "Max lag",
                format!("{} {}", name(m), render::thousands(m.current_lag)),
            ));
        }
    }
    facts.push(("Started", render::human_time(event.started_ms)));
    facts.push(("Incident", event.id.clone()));
    facts
}

fn name(p: &PartitionStatus) -> String {
    format!("{}[{}]", p.topic, p.partition)
}

fn owner(p: &PartitionStatus) -> String {
    match (p.owner.as_str(), p.client_id.as_str()) {
        ("", "") => String::new(),
        (host, "") => host.to_string(),
        ("", client) => client.to_string(),
        (host, client) => format!("{host} ({client})"),
    }
}

/// The plain-text body.
pub fn text(event: &IncidentEvent, settings: &Settings) -> String {
    let g = &event.status;
    let mut out = headline(event);
    out.push_str("\n\n");
    for (label, value) in facts(event) {
        out.push_str(&format!("{:<12}{value}\n", format!("{label}:")));
    }
    let worst = render::worst_partitions(g, PARTITIONS_MAX);
    if !worst.is_empty() {
        out.push_str("\nPartitions not OK, by current lag:\n");
        for p in &worst {
            out.push_str(&format!(
                "  {:<7}{}  lag {}",
                status_name(p.status),
                name(p),
                render::thousands(p.current_lag)
            ));
            let owner = owner(p);
            if !owner.is_empty() {
                out.push_str(&format!("  owner {owner}"));
            }
            out.push('\n');
        }
        if g.partitions.len() > worst.len() {
            out.push_str(&format!(
                "  … and {} more\n",
                g.partitions.len() - worst.len()
            ));
        }
    }
    if let Some(link) = &settings.link {
        out.push_str(&format!(
            "\nLag: {}\n",
            render::lag_url(link, &g.cluster, &g.group)
        ));
    }
    out.push_str("\n-- \nSent by Warren, the Kafka consumer lag monitor.\n");
    out
}

/// The HTML alternative: the same content, every value escaped.
pub fn html(event: &IncidentEvent, settings: &Settings) -> String {
    let g = &event.status;
    let colour = match (event.kind, g.status) {
        (IncidentKind::Resolved, _) | (_, Status::Ok) => "#2e7d32",
        (_, Status::Warn) => "#f9a825",
        _ => "#c62828",
    };
    let mut out = String::from("<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif\">\n");
    out.push_str(&format!(
        "<p style=\"border-left: 4px solid {colour}; padding-left: 8px\"><strong>{}</strong></p>\n",
        escape(&headline(event))
    ));
    out.push_str("<table cellpadding=\"3\">\n");
    for (label, value) in facts(event) {
        out.push_str(&format!(
            "<tr><th align=\"left\">{label}</th><td>{}</td></tr>\n",
            escape(&value)
        ));
    }
    out.push_str("</table>\n");
    let worst = render::worst_partitions(g, PARTITIONS_MAX);
    if !worst.is_empty() {
        out.push_str("<p>Partitions not OK, by current lag:</p>\n<table cellpadding=\"3\" border=\"1\" style=\"border-collapse: collapse\">\n");
        out.push_str("<tr><th>Status</th><th>Partition</th><th>Lag</th><th>Owner</th></tr>\n");
        for p in &worst {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td align=\"right\">{}</td><td>{}</td></tr>\n",
                status_name(p.status),
                escape(&name(p)),
                render::thousands(p.current_lag),
                escape(&owner(p))
            ));
        }
        out.push_str("</table>\n");
        if g.partitions.len() > worst.len() {
            out.push_str(&format!(
                "<p>… and {} more</p>\n",
                g.partitions.len() - worst.len()
            ));
        }
    }
    if let Some(link) = &settings.link {
        let url = escape(&render::lag_url(link, &g.cluster, &g.group));
        out.push_str(&format!(
            "<p><a href=\"{url}\">View the group's lag in Warren</a></p>\n"
        ));
    }
    out.push_str("<p style=\"color: #777\">Sent by Warren, the Kafka consumer lag monitor.</p>\n</body></html>\n");
    out
}

/// HTML escaping for text and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::notifier::fixture;

    fn settings(link: Option<&str>) -> Settings {
        Settings {
            to: vec!["ops@example.com".into()],
            subject_prefix: "[warren]".into(),
            link: link.map(Into::into),
            template: None,
            template_close: None,
            subject_template: None,
            body_template: None,
            extras: vec![],
        }
    }

    #[test]
    fn subjects_name_the_status_group_and_cluster() {
        let s = settings(None);
        assert_eq!(
            subject(&fixture::event(IncidentKind::Opened), &s),
            "[warren] ERR payments-consumer @ prod-eu"
        );
        assert_eq!(
            subject(&fixture::event(IncidentKind::Updated), &s),
            "[warren] ERR payments-consumer @ prod-eu (update)"
        );
        assert_eq!(
            subject(&fixture::event(IncidentKind::Resolved), &s),
            "[warren] RESOLVED payments-consumer @ prod-eu"
        );
    }

    #[test]
    fn a_group_name_cannot_inject_headers_into_the_subject() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "g\r\nBcc: victim@example.com".into();
        let subject = subject(&e, &settings(None));
        assert!(
            !subject.contains('\r') && !subject.contains('\n'),
            "{subject:?}"
        );
        e.status.group = "x".repeat(1000);
        assert_eq!(
            super::subject(&e, &settings(None)).chars().count(),
            SUBJECT_MAX
        );
    }

    #[test]
    fn an_incidents_mails_thread_under_the_opening_one() {
        let s = settings(None);
        let opened = message(&fixture::event(IncidentKind::Opened), &s).unwrap();
        let opening = format!("warren-incident-{}", fixture::ID);
        assert_eq!(opened.message_id.as_deref(), Some(opening.as_str()));
        assert_eq!(opened.in_reply_to, None);
        let updated = message(&fixture::event(IncidentKind::Updated), &s).unwrap();
        assert_eq!(
            updated.message_id,
            Some(format!(
                "{opening}-updated-{}",
                fixture::STARTED_MS + 12 * 60_000
            ))
        );
        assert_eq!(updated.in_reply_to.as_deref(), Some(opening.as_str()));
        let resolved = message(&fixture::event(IncidentKind::Resolved), &s).unwrap();
        assert!(
            resolved
                .message_id
                .as_deref()
                .unwrap()
                .starts_with(&format!("{opening}-resolved-"))
        );
        assert_eq!(resolved.in_reply_to.as_deref(), Some(opening.as_str()));
        assert_eq!(thread_id("a b@c>d"), "warren-incident-a-b-c-d");
        assert_eq!(opened.to, ["ops@example.com"]);
    }

    #[test]
    fn the_text_lists_the_facts_and_the_worst_partitions() {
        let t = text(
            &fixture::event(IncidentKind::Opened),
            &settings(Some("https://warren.example.com")),
        );
        assert!(
            t.starts_with("Consumer group payments-consumer on cluster prod-eu is ERR.\n\n"),
            "{t}"
        );
        assert!(t.contains("Total lag:  612,331\n"), "{t}");
        assert!(t.contains("Time lag:   6 min\n"), "{t}");
        assert!(t.contains("Partitions: 2 of 12 not OK\n"), "{t}");
        assert!(t.contains("Started:    2025-11-20 10:04 UTC\n"), "{t}");
        let stall = t
            .find("STALL  payments[7]  lag 402,118  owner /10.0.0.7 (payments-1)")
            .expect(&t);
        let warn = t.find("WARN   payments[2]  lag 190,007").expect(&t);
        assert!(stall < warn, "worst first");
        assert!(t.contains(
            "Lag: https://warren.example.com/v3/kafka/prod-eu/consumer/payments-consumer/lag\n"
        ));
    }

    #[test]
    fn the_resolved_mail_says_how_long_it_lasted() {
        let e = fixture::event(IncidentKind::Resolved);
        let t = text(&e, &settings(None));
        assert!(t.starts_with("Consumer group payments-consumer on cluster prod-eu is OK again: the incident is resolved after 42 min."), "{t}");
        assert!(!t.contains("Partitions not OK"));
        assert!(html(&e, &settings(None)).contains("resolved after 42 min"));
    }

    #[test]
    fn the_html_escapes_everything_from_the_event() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "<script>alert('x')</script>".into();
        e.status.cluster = "a&b\"c".into();
        e.status.partitions[0].topic = "<b>t</b>".into();
        e.status.partitions[0].owner = "<img src=x>".into();
        let h = html(&e, &settings(Some("https://w/\"onmouseover=\"x")));
        assert!(
            !h.contains("<script>") && !h.contains("<b>t") && !h.contains("<img"),
            "{h}"
        );
        assert!(
            h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
            "{h}"
        );
        assert!(h.contains("a&amp;b&quot;c"), "{h}");
        assert!(h.contains("&lt;b&gt;t&lt;/b&gt;[2]"), "{h}");
        assert!(!h.contains("\"onmouseover"), "{h}");
        assert_eq!(escape("&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
    }

    #[test]
    fn many_partitions_are_capped() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.partitions = (0..80)
            .map(|i| fixture::partition("t", i, Status::Warn, 1))
            .collect();
        let t = text(&e, &settings(None));
        assert_eq!(t.matches("  WARN   t[").count(), PARTITIONS_MAX);
        assert!(t.contains("… and 30 more"));
        assert!(html(&e, &settings(None)).contains("… and 30 more"));
    }
}
