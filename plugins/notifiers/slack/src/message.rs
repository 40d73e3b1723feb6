//! Rendering an incident event as a Slack incoming-webhook message (Block Kit), a pure function
//! of the event and the settings so it is tested natively.
//!
//! Opened and updated: a header (`:red_circle: prod-eu/payments-consumer is ERR`), the mention
//! if configured, a section of fields (status, total lag, partitions not OK of the total,
//! incident start, the partition with the most lag), the five worst partitions by current lag,
//! a context line with the incident id, and a "View lag" button when `link` is set. Resolved:
//! a header saying the group is OK again (or gone), how long the incident lasted, the context
//! and the button; no mention (nobody needs paging for good news). `text`, Slack's notification
//! and fallback text, is always set.
//!
//! Slack rejects a message that exceeds its Block Kit limits (`invalid_blocks`), a permanent
//! failure that would lose the alert; so every text is cut to its limit: header 150
//! characters, section text 3000, field 2000; a link longer than a button allows (3000) is
//! left out rather than cut; and a message stays far below 50 blocks (it has at most six).
//!
//! With `template`, the message is only `text`: the template rendered for the event with every
//! name mrkdwn-escaped (a group named `<!channel>` pings nobody), cut to [`SECTION_MAX`].

use serde_json::{Value, json};
use warren_plugin_sdk::notifier::{http, inert_event, json_body, render};
use warren_plugin_sdk::types::{IncidentEvent, IncidentKind, PartitionStatus, Status};
use warren_plugin_sdk::verdict::status_name;

use crate::config::Settings;

/// Slack's limit on a header's text.
pub const HEADER_MAX: usize = 150;
/// Slack's limit on a section's text.
pub const SECTION_MAX: usize = 3000;
/// Slack's limit on one section field's text.
pub const FIELD_MAX: usize = 2000;
/// Slack's limit on blocks in one message.
pub const BLOCKS_MAX: usize = 50;
/// Slack's limit on a button's URL.
pub const URL_MAX: usize = 3000;
/// How many partitions the message lists.
pub const WORST: usize = 5;

/// The webhook request for `event`: a JSON POST to the configured URL, placeholders verbatim;
/// an error when the template fails to render.
pub fn request(event: &IncidentEvent, settings: &Settings) -> Result<http::Request, String> {
    // Names in the event must not become placeholders the host fills in.
    let inert = inert_event(event);
    let body = match &settings.template {
        Some(t) => {
            let text = t.render(&escaped(&inert), &[])?;
            json!({"text": render::truncate(&text, SECTION_MAX)})
        }
        None => payload(&inert, settings),
    };
    Ok(http::Request {
        method: http::Method::Post,
        url: settings.url.clone(),
        headers: vec![(
            "content-type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body: json_body(&body),
        timeout_ms: None,
    })
}

/// `event` with its names [`escape`]d, for templates.
fn escaped(event: &IncidentEvent) -> IncidentEvent {
    let mut e = event.clone();
    let partition = |p: &mut PartitionStatus| {
        for s in [&mut p.topic, &mut p.owner, &mut p.client_id] {
            *s = escape(s);
        }
    };
    for s in [&mut e.id, &mut e.status.cluster, &mut e.status.group] {
        *s = escape(s);
    }
    e.status.partitions.iter_mut().for_each(partition);
    e.status.maxlag.iter_mut().for_each(partition);
    e
}

/// The message body.
pub fn payload(event: &IncidentEvent, settings: &Settings) -> Value {
    let g = &event.status;
    let name = format!("{}/{}", g.cluster, g.group);
    let mut blocks = Vec::new();
    let text = if event.kind == IncidentKind::Resolved {
        let (title, detail) = resolved_lines(event);
        blocks.push(header(&format!(":white_check_mark: {name} {title}")));
        blocks.push(section(&escape(&detail)));
        format!("[RESOLVED] {} {title}: {detail}", escape(&name))
    } else {
        let status = status_name(g.status);
        blocks.push(header(&format!("{} {name} is {status}", emoji(g.status))));
        if let Some(m) = &settings.mention {
            blocks.push(section(m));
        }
        blocks.push(json!({"type": "section", "fields": fields(event)}));
        if !g.partitions.is_empty() {
            blocks.push(section(&worst_list(event)));
        }
        let update = if event.kind == IncidentKind::Updated {
            " (update)"
        } else {
            ""
        };
        let bad = format!("{} of {}", g.partitions.len(), g.partition_count);
        let mention = settings
            .mention
            .as_ref()
            .map(|m| format!("{m} "))
            .unwrap_or_default();
        format!(
            "{mention}[{status}] {}{update}: total lag {}, {bad} partitions not OK",
            escape(&name),
            render::thousands(g.total_lag)
        )
    };
    blocks.push(json!({"type": "context", "elements": [{
        "type": "mrkdwn",
        "text": render::truncate(
            &format!("incident `{}` · {} · Warren", escape(&event.id), render::kind_name(event.kind)),
            SECTION_MAX,
        ),
    }]}));
    // A cut URL would lead nowhere: a group name too long for a link gets no button.
    let url = settings
        .link
        .as_ref()
        .map(|link| render::lag_url(link, &g.cluster, &g.group));
    if let Some(url) = url.filter(|u| u.chars().count() <= URL_MAX) {
        blocks.push(json!({"type": "actions", "elements": [{
            "type": "button",
            "text": {"type": "plain_text", "text": "View lag"},
            "url": url,
        }]}));
    }
    blocks.truncate(BLOCKS_MAX);
    json!({"text": render::truncate(&text, SECTION_MAX), "blocks": blocks})
}

/// "is OK again" or "is gone", and how long the incident lasted.
fn resolved_lines(event: &IncidentEvent) -> (&'static str, String) {
    let lasted = render::duration(event.now_ms - event.started_ms);
    let since = render::human_time(event.started_ms);
    if event.status.status == Status::NotFound {
        let detail = format!("resolved after {lasted} (since {since}): the group no longer exists");
        ("is gone", detail)
    } else {
        let lag = render::thousands(event.status.total_lag);
        let detail = format!("resolved after {lasted} (since {since}), total lag now {lag}");
        ("is OK again", detail)
    }
}

/// The status at a glance.
fn emoji(status: Status) -> &'static str {
    match status {
        Status::Ok => ":large_green_circle:",
        Status::Warn => ":large_yellow_circle:",
        Status::NotFound => ":grey_question:",
        Status::Err | Status::Stop | Status::Stall | Status::Rewind => ":red_circle:",
    }
}

fn fields(event: &IncidentEvent) -> Vec<Value> {
    let g = &event.status;
    // "(0 s ago)" on an incident that has just opened says nothing.
    let elapsed = event.now_ms - event.started_ms;
    let ago = if elapsed >= 60_000 {
        format!(" ({} ago)", render::duration(elapsed))
    } else {
        String::new()
    };
    let mut fields = vec![
        ("Status", status_name(g.status).to_string()),
        ("Total lag", render::thousands(g.total_lag)),
    ];
    if let Some(ms) = g.max_time_lag_ms {
        fields.push(("Time lag", render::duration(ms as i64)));
    }
    fields.extend([
        (
            "Partitions not OK",
            format!("{} of {}", g.partitions.len(), g.partition_count),
        ),
        (
            "Incident start",
            format!("{}{ago}", render::human_time(event.started_ms)),
        ),
    ]);
    if let Some(m) = &g.maxlag {
        fields.push((
            "Max lag",
            format!(
                "{} · {}",
                escape(&partition_name(m)),
                render::thousands(m.current_lag)
            ),
        ));
    }
    fields
        .into_iter()
        .map(|(title, value)| {
            json!({"type": "mrkdwn", "text": render::truncate(&format!("*{title}*\n{value}"), FIELD_MAX)})
        })
        .collect()
}

/// `*Worst partitions*` and one line each, within a section's limit.
fn worst_list(event: &IncidentEvent) -> String {
    let worst = render::worst_partitions(&event.status, WORST);
    let mut text = String::from("*Worst partitions*");
    for p in &worst {
        text.push_str(&format!(
            "\n`{}` {} · {}",
            escape(&partition_name(p)),
            status_name(p.status),
            render::thousands(p.current_lag)
        ));
    }
    let more = event.status.partitions.len() - worst.len();
    if more > 0 {
        text.push_str(&format!("\n… and {more} more"));
    }
    render::truncate(&text, SECTION_MAX)
}

/// `topic[partition]`.
fn partition_name(p: &PartitionStatus) -> String {
    format!("{}[{}]", p.topic, p.partition)
}

fn header(text: &str) -> Value {
    json!({"type": "header", "text": {
        "type": "plain_text", "text": render::truncate(text, HEADER_MAX), "emoji": true,
    }})
}

fn section(mrkdwn: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": render::truncate(mrkdwn, SECTION_MAX)}})
}

/// Slack's mrkdwn escaping: `&`, `<` and `>` would otherwise start entities, links and
/// mentions (a group named `<!channel>` must not ping a channel).
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::notifier::fixture;

    fn settings(link: Option<&str>, mention: Option<&str>) -> Settings {
        Settings {
            url: "https://hooks.slack.com/services/${secret:webhook}".into(),
            link: link.map(Into::into),
            mention: mention.map(Into::into),
            template: None,
        }
    }

    fn blocks(v: &Value) -> &Vec<Value> {
        v["blocks"].as_array().expect("blocks")
    }

    fn types(v: &Value) -> Vec<&str> {
        blocks(v)
            .iter()
            .map(|b| b["type"].as_str().unwrap())
            .collect()
    }

    /// Every text in the message: headers, sections, fields, context elements.
    fn texts(v: &Value) -> Vec<String> {
        let mut out = vec![v["text"].as_str().unwrap().to_string()];
        for b in blocks(v) {
            if let Some(t) = b["text"]["text"].as_str() {
                out.push(t.into());
            }
            for f in b["fields"].as_array().into_iter().flatten() {
                out.push(f["text"].as_str().unwrap().into());
            }
            for e in b["elements"].as_array().into_iter().flatten() {
                if let Some(t) = e["text"].as_str() {
                    out.push(t.into());
                }
            }
        }
        out
    }

    #[test]
    fn an_opened_incident_has_a_header_fields_worst_partitions_and_context() {
        let v = payload(&fixture::event(IncidentKind::Opened), &settings(None, None));
        assert_eq!(types(&v), ["header", "section", "section", "context"]);
        let b = blocks(&v);
        assert_eq!(b[0]["text"]["type"], "plain_text");
        assert_eq!(
            b[0]["text"]["text"],
            ":red_circle: prod-eu/payments-consumer is ERR"
        );
        let fields: Vec<&str> = b[1]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "*Status*\nERR",
                "*Total lag*\n612,331",
                "*Time lag*\n6 min",
                "*Partitions not OK*\n2 of 12",
                "*Incident start*\n2025-11-20 10:04 UTC",
                "*Max lag*\npayments[7] · 402,118",
            ]
        );
        assert_eq!(
            b[2]["text"]["text"],
            "*Worst partitions*\n`payments[7]` STALL · 402,118\n`payments[2]` WARN · 190,007"
        );
        assert_eq!(
            b[3]["elements"][0]["text"],
            format!("incident `{}` · opened · Warren", fixture::ID)
        );
        assert_eq!(
            v["text"],
            "[ERR] prod-eu/payments-consumer: total lag 612,331, 2 of 12 partitions not OK"
        );
    }

    #[test]
    fn a_link_adds_a_button_to_the_groups_lag() {
        let v = payload(
            &fixture::event(IncidentKind::Updated),
            &settings(Some("https://warren.example.com/"), None),
        );
        let actions = blocks(&v).last().unwrap();
        assert_eq!(actions["type"], "actions");
        assert_eq!(actions["elements"][0]["type"], "button");
        assert_eq!(
            actions["elements"][0]["url"],
            "https://warren.example.com/v3/kafka/prod-eu/consumer/payments-consumer/lag"
        );
        assert!(v["text"].as_str().unwrap().contains("(update)"));
        assert_eq!(
            blocks(&v)[1]["fields"][4]["text"],
            "*Incident start*\n2025-11-20 10:04 UTC (12 min ago)"
        );
    }

    #[test]
    fn the_mention_pings_on_open_but_not_on_resolve() {
        let s = settings(None, Some("<!here>"));
        let opened = payload(&fixture::event(IncidentKind::Opened), &s);
        assert!(
            opened["text"]
                .as_str()
                .unwrap()
                .starts_with("<!here> [ERR]")
        );
        assert_eq!(blocks(&opened)[1]["text"]["text"], "<!here>");
        let resolved = payload(&fixture::event(IncidentKind::Resolved), &s);
        assert!(texts(&resolved).iter().all(|t| !t.contains("<!here>")));
    }

    #[test]
    fn a_resolved_incident_says_how_long_it_lasted() {
        let v = payload(
            &fixture::event(IncidentKind::Resolved),
            &settings(None, None),
        );
        assert_eq!(types(&v), ["header", "section", "context"]);
        assert_eq!(
            blocks(&v)[0]["text"]["text"],
            ":white_check_mark: prod-eu/payments-consumer is OK again"
        );
        assert_eq!(
            blocks(&v)[1]["text"]["text"],
            "resolved after 42 min (since 2025-11-20 10:04 UTC), total lag now 12"
        );
        let mut gone = fixture::event(IncidentKind::Resolved);
        gone.status.status = Status::NotFound;
        let v = payload(&gone, &settings(None, None));
        assert!(v["text"].as_str().unwrap().contains("no longer exists"));
    }

    #[test]
    fn only_the_five_worst_partitions_are_listed() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.partitions = (0..8)
            .map(|i| fixture::partition("orders", i, Status::Warn, 100 * u64::try_from(i).unwrap()))
            .collect();
        let v = payload(&e, &settings(None, None));
        let list = blocks(&v)[2]["text"]["text"].as_str().unwrap();
        let lines: Vec<&str> = list.lines().collect();
        assert_eq!(lines.len(), 1 + WORST + 1, "{list}");
        assert!(lines[1].starts_with("`orders[7]`"));
        assert!(lines[5].starts_with("`orders[3]`"));
        assert_eq!(lines[6], "… and 3 more");
    }

    #[test]
    fn slacks_limits_hold_for_huge_names_and_many_partitions() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "g".repeat(5000);
        e.status.cluster = "é".repeat(300);
        e.status.partitions = (0..10_000)
            .map(|i| fixture::partition(&"t".repeat(900), i, Status::Stall, 7))
            .collect();
        let v = payload(
            &e,
            &settings(
                Some(&format!("https://w/{}", "x".repeat(4000))),
                Some("<!here>"),
            ),
        );
        assert!(blocks(&v).len() <= BLOCKS_MAX);
        for b in blocks(&v) {
            match b["type"].as_str().unwrap() {
                "header" => {
                    assert!(b["text"]["text"].as_str().unwrap().chars().count() <= HEADER_MAX)
                }
                "section" => {
                    if let Some(t) = b["text"]["text"].as_str() {
                        assert!(t.chars().count() <= SECTION_MAX);
                    }
                    let fields = b["fields"].as_array().map_or(0, Vec::len);
                    assert!(fields <= 10);
                    for f in b["fields"].as_array().into_iter().flatten() {
                        assert!(f["text"].as_str().unwrap().chars().count() <= FIELD_MAX);
                    }
                }
                "context" => assert!(
                    b["elements"][0]["text"].as_str().unwrap().chars().count() <= SECTION_MAX
                ),
                "actions" => {
                    assert!(b["elements"][0]["url"].as_str().unwrap().chars().count() <= URL_MAX)
                }
                other => panic!("unexpected block {other}"),
            }
        }
        assert!(v["text"].as_str().unwrap().chars().count() <= SECTION_MAX);
        assert_ne!(
            types(&v).last(),
            Some(&"actions"),
            "a link too long to work is left out"
        );
    }

    #[test]
    fn names_cannot_inject_mentions_or_links() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "<!channel> & <https://evil|click>".into();
        let v = payload(&e, &settings(None, None));
        for t in texts(&v).iter().skip(1).filter(|t| !t.starts_with(':')) {
            assert!(!t.contains("<!channel>"), "{t}");
        }
        assert!(
            v["text"]
                .as_str()
                .unwrap()
                .contains("&lt;!channel&gt; &amp; &lt;https://evil|click&gt;")
        );
    }

    #[test]
    fn the_request_posts_json_to_the_webhook_with_the_placeholder_verbatim() {
        let r = request(&fixture::event(IncidentKind::Opened), &settings(None, None)).unwrap();
        assert_eq!(r.method, http::Method::Post);
        assert_eq!(r.url, "https://hooks.slack.com/services/${secret:webhook}");
        assert_eq!(
            r.headers,
            [(
                "content-type".to_string(),
                "application/json; charset=utf-8".to_string()
            )]
        );
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert!(body["blocks"].is_array() && body["text"].is_string());
    }

    #[test]
    fn a_group_named_like_a_placeholder_cannot_pull_a_secret_into_the_message() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "${secret:webhook}".into();
        let r = request(&e, &settings(Some("https://w"), None)).unwrap();
        let raw = String::from_utf8(r.body.clone()).unwrap();
        assert!(!raw.contains("${secret:"), "{raw}");
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            blocks(&v)[0]["text"]["text"],
            ":red_circle: prod-eu/${secret:webhook} is ERR"
        );
    }

    #[test]
    fn a_template_is_the_whole_text_with_names_escaped() {
        let s = warren_plugin_sdk::settings::parse::<Settings>(
            r#"{"url": "https://hooks.slack.com/services/${secret:webhook}",
                "template": "{{.Result.Group}} is {{.Result.Status}} ({{len .Result.Partitions}})"}"#,
        )
        .unwrap();
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "<!channel>${secret:webhook}".into();
        let r = request(&e, &s).unwrap();
        let raw = String::from_utf8(r.body).unwrap();
        assert!(!raw.contains("${"), "{raw}");
        let body: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(
            body,
            json!({"text": "&lt;!channel&gt;${secret:webhook} is ERR (2)"})
        );
    }
}
