//! Rendering an incident event as a Microsoft Teams message for a Workflows ("When a Teams
//! webhook request is received") flow: one Adaptive Card 1.4 attachment, full width. A pure
//! function of the event and the settings, tested natively.
//!
//! Opened and updated: a coloured title (`🔴 Kafka consumer lag ERR: prod-eu/payments-consumer`),
//! a fact set (cluster, group, status, total lag, partitions not OK, incident start), the five
//! worst partitions as a second fact set, a subtle line with the incident id, and a "View lag"
//! button when `link` is set. Resolved: a green title, how long the incident lasted, the facts
//! and the button. Teams cannot update a card posted through a flow, so each event is a new
//! card.
//!
//! Teams refuses messages over about 28 KB: names are cut to [`NAME_MAX`] characters and the
//! card lists at most [`WORST`] partitions, so a card stays a few KB whatever the group.
//!
//! With `template`, the card is one wrapping text block: the template rendered for the event,
//! cut so the message stays under [`SIZE_MAX`].

use serde_json::{Value, json};
use warren_plugin_sdk::notifier::{http, inert_event, json_body, render};
use warren_plugin_sdk::types::{IncidentEvent, IncidentKind, Status};
use warren_plugin_sdk::verdict::status_name;

use crate::config::Settings;

/// How many partitions a card lists.
pub const WORST: usize = 5;
/// Cluster, group and topic names are cut to this many characters.
pub const NAME_MAX: usize = 200;
/// Longer links are left out.
pub const URL_MAX: usize = 2048;
/// Teams' message size limit, about 28 KB; cards stay well below.
pub const SIZE_MAX: usize = 28_000;

/// The POST to the flow; an error when the template fails to render.
pub fn request(event: &IncidentEvent, settings: &Settings) -> Result<http::Request, String> {
    // Names in the event must not become placeholders the host fills in.
    let inert = inert_event(event);
    let body = match &settings.template {
        Some(t) => card(
            vec![json!({
                "type": "TextBlock",
                "text": render::truncate(&t.render(&inert, &[])?, SIZE_MAX - 1000),
                "wrap": true,
            })],
            None,
        ),
        None => payload(&inert, settings),
    };
    Ok(http::Request {
        method: http::Method::Post,
        url: settings.url.clone(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: json_body(&body),
        timeout_ms: None,
    })
}

/// The message: `{"type": "message", "attachments": [one Adaptive Card]}`.
pub fn payload(event: &IncidentEvent, settings: &Settings) -> Value {
    let g = &event.status;
    // A cut URL would lead nowhere: a group name too long for a link gets no button.
    let url = settings
        .link
        .as_ref()
        .map(|link| render::lag_url(link, &g.cluster, &g.group));
    card(body(event), url.filter(|u| u.len() <= URL_MAX))
}

/// The message holding one card with `body` and, with `url`, a "View lag" button.
fn card(body: Vec<Value>, url: Option<String>) -> Value {
    let mut content = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "msteams": {"width": "Full"},
        "body": body,
    });
    if let Some(url) = url {
        content["actions"] = json!([{"type": "Action.OpenUrl", "title": "View lag", "url": url}]);
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": content,
        }],
    })
}

fn body(event: &IncidentEvent) -> Vec<Value> {
    let g = &event.status;
    let name = format!("{}/{}", cut(&g.cluster), cut(&g.group));
    let mut body = Vec::new();
    let since = render::human_time(event.started_ms);
    if event.kind == IncidentKind::Resolved {
        body.push(title(
            &format!("✅ Kafka consumer lag resolved: {name}"),
            "Good",
        ));
        let lasted = render::duration(event.now_ms - event.started_ms);
        let detail = if g.status == Status::NotFound {
            format!("Resolved after {lasted}: the group no longer exists.")
        } else {
            format!("Resolved after {lasted}: the group is OK again.")
        };
        body.push(json!({"type": "TextBlock", "text": detail, "wrap": true}));
    } else {
        let status = status_name(g.status);
        let (icon, colour) = match g.status {
            Status::Warn => ("🟡", "Warning"),
            Status::Ok => ("🟢", "Good"),
            Status::NotFound => ("❔", "Default"),
            Status::Err | Status::Stop | Status::Stall | Status::Rewind => ("🔴", "Attention"),
        };
        body.push(title(
            &format!("{icon} Kafka consumer lag {status}: {name}"),
            colour,
        ));
    }
    let mut facts = vec![
        ("Cluster", cut(&g.cluster)),
        ("Group", cut(&g.group)),
        ("Status", status_name(g.status).to_string()),
        ("Total lag", render::thousands(g.total_lag)),
    ];
    if let Some(ms) = g.max_time_lag_ms {
        facts.push(("Time lag", render::duration(ms as i64)));
    }
    if event.kind != IncidentKind::Resolved {
        facts.push((
            "Partitions not OK",
            format!("{} of {}", g.partitions.len(), g.partition_count),
        ));
    }
    facts.push(("Incident start", since));
    body.push(fact_set(
        facts.iter().map(|(t, v)| (t.to_string(), v.clone())),
    ));
    let worst = render::worst_partitions(g, WORST);
    if !worst.is_empty() {
        body.push(json!({"type": "TextBlock", "text": "Worst partitions", "weight": "Bolder", "wrap": true}));
        let mut rows: Vec<(String, String)> = worst
            .iter()
            .map(|p| {
                (
                    format!("{}[{}]", cut(&p.topic), p.partition),
                    format!(
                        "{} · {}",
                        status_name(p.status),
                        render::thousands(p.current_lag)
                    ),
                )
            })
            .collect();
        let more = g.partitions.len() - worst.len();
        if more > 0 {
            rows.push(("…".into(), format!("and {more} more")));
        }
        body.push(fact_set(rows.into_iter()));
    }
    body.push(json!({
        "type": "TextBlock",
        "text": format!("Incident {} · {} · Warren", cut(&event.id), render::kind_name(event.kind)),
        "isSubtle": true,
        "size": "Small",
        "wrap": true,
    }));
    body
}

fn title(text: &str, colour: &str) -> Value {
    json!({"type": "TextBlock", "size": "Large", "weight": "Bolder", "wrap": true, "color": colour, "text": text})
}

fn fact_set(facts: impl Iterator<Item = (String, String)>) -> Value {
    let facts: Vec<Value> = facts
        .map(|(title, value)| json!({"title": title, "value": value}))
        .collect();
    json!({"type": "FactSet", "facts": facts})
}

fn cut(name: &str) -> String {
    render::truncate(name, NAME_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::notifier::fixture;

    fn settings(link: Option<&str>) -> Settings {
        Settings {
            url: "${secret:webhook}".into(),
            link: link.map(Into::into),
            template: None,
        }
    }

    fn card(v: &Value) -> &Value {
        &v["attachments"][0]["content"]
    }

    fn facts(block: &Value) -> Vec<(String, String)> {
        block["facts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["title"].as_str().unwrap().into(),
                    f["value"].as_str().unwrap().into(),
                )
            })
            .collect()
    }

    #[test]
    fn the_message_is_one_adaptive_card_as_workflows_expect() {
        let v = payload(&fixture::event(IncidentKind::Opened), &settings(None));
        assert_eq!(v["type"], "message");
        let attachments = v["attachments"].as_array().unwrap();
        assert_eq!(attachments.len(), 1);
        assert_eq!(
            attachments[0]["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(attachments[0]["contentUrl"], Value::Null);
        let c = card(&v);
        assert_eq!(c["type"], "AdaptiveCard");
        assert_eq!(c["version"], "1.4");
        assert_eq!(
            c["$schema"],
            "http://adaptivecards.io/schemas/adaptive-card.json"
        );
        assert_eq!(c["msteams"]["width"], "Full");
        assert!(c.get("actions").is_none());
    }

    #[test]
    fn an_opened_card_has_a_title_facts_and_the_worst_partitions() {
        let v = payload(&fixture::event(IncidentKind::Opened), &settings(None));
        let body = card(&v)["body"].as_array().unwrap();
        let types: Vec<&str> = body.iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            ["TextBlock", "FactSet", "TextBlock", "FactSet", "TextBlock"]
        );
        assert_eq!(
            body[0]["text"],
            "🔴 Kafka consumer lag ERR: prod-eu/payments-consumer"
        );
        assert_eq!(
            (&body[0]["color"], &body[0]["size"], &body[0]["weight"]),
            (&json!("Attention"), &json!("Large"), &json!("Bolder"))
        );
        let f = |t: &str, v: &str| (t.to_string(), v.to_string());
        assert_eq!(
            facts(&body[1]),
            [
                f("Cluster", "prod-eu"),
                f("Group", "payments-consumer"),
                f("Status", "ERR"),
                f("Total lag", "612,331"),
                f("Time lag", "6 min"),
                f("Partitions not OK", "2 of 12"),
                f("Incident start", "2025-11-20 10:04 UTC"),
            ]
        );
        assert_eq!(
            facts(&body[3]),
            [
                f("payments[7]", "STALL · 402,118"),
                f("payments[2]", "WARN · 190,007")
            ]
        );
        assert_eq!(
            body[4]["text"],
            format!("Incident {} · opened · Warren", fixture::ID)
        );
    }

    #[test]
    fn a_warn_card_is_yellow() {
        let mut e = fixture::event(IncidentKind::Updated);
        e.status.status = Status::Warn;
        let v = payload(&e, &settings(None));
        let t = &card(&v)["body"][0];
        assert_eq!(
            (&t["color"], &t["text"]),
            (
                &json!("Warning"),
                &json!("🟡 Kafka consumer lag WARN: prod-eu/payments-consumer")
            )
        );
    }

    #[test]
    fn a_resolved_card_is_green_and_says_how_long_it_lasted() {
        let v = payload(
            &fixture::event(IncidentKind::Resolved),
            &settings(Some("https://warren.example.com")),
        );
        let body = card(&v)["body"].as_array().unwrap();
        assert_eq!(
            body[0]["text"],
            "✅ Kafka consumer lag resolved: prod-eu/payments-consumer"
        );
        assert_eq!(body[0]["color"], "Good");
        assert_eq!(
            body[1]["text"],
            "Resolved after 42 min: the group is OK again."
        );
        assert!(facts(&body[2]).contains(&("Status".to_string(), "OK".to_string())));
        assert_eq!(body.len(), 4, "no partition list once resolved");
        assert_eq!(
            card(&v)["actions"],
            json!([{"type": "Action.OpenUrl", "title": "View lag",
                    "url": "https://warren.example.com/v3/kafka/prod-eu/consumer/payments-consumer/lag"}])
        );
    }

    #[test]
    fn cards_stay_small_for_huge_names_and_many_partitions() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "g".repeat(50_000);
        e.status.partitions = (0..5000)
            .map(|i| fixture::partition(&"t".repeat(249), i, Status::Warn, 1))
            .collect();
        let r = request(&e, &settings(Some("https://warren.example.com"))).unwrap();
        assert!(r.body.len() < SIZE_MAX, "{} bytes", r.body.len());
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        let rows = facts(&card(&v)["body"][3]);
        assert_eq!(rows.len(), WORST + 1);
        assert_eq!(rows[WORST], ("…".to_string(), "and 4995 more".to_string()));
        assert!(
            card(&v).get("actions").is_none(),
            "a link too long to work is left out"
        );
    }

    #[test]
    fn the_request_posts_to_the_secret_url_verbatim() {
        let r = request(&fixture::event(IncidentKind::Opened), &settings(None)).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (http::Method::Post, "${secret:webhook}")
        );
        assert_eq!(
            r.headers,
            [("content-type".to_string(), "application/json".to_string())]
        );
    }

    #[test]
    fn a_group_named_like_a_placeholder_cannot_pull_a_secret_into_the_card() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "${secret:webhook}".into();
        let r = request(&e, &settings(None)).unwrap();
        let raw = String::from_utf8(r.body.clone()).unwrap();
        assert!(!raw.contains("${secret:"), "{raw}");
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            card(&v)["body"][1]["facts"][1]["value"],
            "${secret:webhook}"
        );
    }

    #[test]
    fn a_template_is_the_cards_only_text() {
        let s = warren_plugin_sdk::settings::parse::<Settings>(
            r#"{"url": "${secret:webhook}", "template": "**{{ Group }}** is {{ Result.Status }}"}"#,
        )
        .unwrap();
        let r = request(&fixture::event(IncidentKind::Updated), &s).unwrap();
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        let card = &body["attachments"][0]["content"];
        assert_eq!(
            card["body"],
            json!([{"type": "TextBlock", "text": "**payments-consumer** is ERR", "wrap": true}])
        );
        assert_eq!(card["actions"], Value::Null);
    }
}
