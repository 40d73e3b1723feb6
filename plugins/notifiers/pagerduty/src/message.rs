//! Rendering an incident event as a PagerDuty Events API v2 event, a pure function of the event
//! and the settings so it is tested natively.
//!
//! - `opened` and `updated` → `event_action: "trigger"`; `resolved` → `"resolve"` (which needs
//!   no payload). `dedup_key` is the incident id, stable across restarts and instances, so a
//!   reminder updates the open alert instead of paging again, a retry is idempotent, and the
//!   resolve closes the alert its opening created.
//! - `payload.severity` from the group status: WARN → `warning`; ERR (some partition STOP,
//!   STALL or REWIND) → `error`; anything else (never sent by the scheduler, but possible from
//!   a custom evaluator) → `info`. `critical` is never sent: lag is Warren's judgement, and
//!   whether it wakes someone is left to the service's urgency rules and event orchestration.
//! - `payload.summary` (the alert's title, ≤ 1024 characters; `summary-template` renders it,
//!   control characters as spaces), `source` (the config's, default
//!   `warren`), `component` (the config's, default the consumer group), `group` (the cluster),
//!   `class` `consumer-lag`, `timestamp` (the event's time, RFC 3339), and `custom_details`
//!   with the cluster, group, status, lags and the worst non-OK partitions (at most
//!   [`PARTITIONS_MAX`], so the event stays far below PagerDuty's 512 KB).
//! - With `link`: `client_url` and `links` point to the group's lag in Warren's API.

use serde_json::{Value, json};
use warren_plugin_sdk::notifier::{http, inert_event, json_body, render};
use warren_plugin_sdk::types::{IncidentEvent, IncidentKind, Status};
use warren_plugin_sdk::verdict::status_name;

use crate::config::Settings;

/// PagerDuty's limit on `payload.summary`.
pub const SUMMARY_MAX: usize = 1024;
/// PagerDuty's limit on `dedup_key`.
pub const DEDUP_KEY_MAX: usize = 255;
/// How many partitions `custom_details` lists.
pub const PARTITIONS_MAX: usize = 50;

/// The POST for `event`, the routing key's placeholder verbatim in the body; an error when
/// the summary template fails to render.
pub fn request(event: &IncidentEvent, settings: &Settings) -> Result<http::Request, String> {
    // Names in the event must not become placeholders the host fills in.
    let inert = inert_event(event);
    let mut body = body(&inert, settings);
    if let (Some(t), Some(payload)) = (&settings.summary_template, body.get_mut("payload")) {
        let text: String = t
            .render(&inert, &[])?
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        payload["summary"] = json!(render::truncate(text.trim(), SUMMARY_MAX));
    }
    Ok(http::Request {
        method: http::Method::Post,
        url: settings.url.clone(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: json_body(&body),
        timeout_ms: None,
    })
}

/// The event body.
pub fn body(event: &IncidentEvent, settings: &Settings) -> Value {
    let dedup_key = render::truncate(&event.id, DEDUP_KEY_MAX);
    if event.kind == IncidentKind::Resolved {
        return json!({
            "routing_key": settings.routing_key,
            "event_action": "resolve",
            "dedup_key": dedup_key,
        });
    }
    let g = &event.status;
    let mut body = json!({
        "routing_key": settings.routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {
            "summary": summary(event),
            "source": settings.source,
            "severity": severity(g.status),
            "timestamp": render::rfc3339(event.now_ms),
            "component": settings.component.as_deref().unwrap_or(&g.group),
            "group": g.cluster,
            "class": "consumer-lag",
            "custom_details": details(event),
        },
        "client": "Warren",
    });
    if let Some(link) = &settings.link {
        let url = render::lag_url(link, &g.cluster, &g.group);
        body["client_url"] = json!(url);
        body["links"] = json!([{"href": url, "text": "Consumer lag in Warren"}]);
    }
    body
}

/// PagerDuty's severity for a group status (see the module docs).
pub fn severity(status: Status) -> &'static str {
    match status {
        Status::Warn => "warning",
        Status::Err | Status::Stop | Status::Stall | Status::Rewind => "error",
        Status::Ok | Status::NotFound => "info",
    }
}

/// The alert's title.
pub fn summary(event: &IncidentEvent) -> String {
    let g = &event.status;
    render::truncate(
        &format!(
            "Kafka consumer group {} on {} is {}: total lag {}, {} of {} partitions not OK",
            g.group,
            g.cluster,
            status_name(g.status),
            render::thousands(g.total_lag),
            g.partitions.len(),
            g.partition_count
        ),
        SUMMARY_MAX,
    )
}

fn details(event: &IncidentEvent) -> Value {
    let g = &event.status;
    let worst = render::worst_partitions(g, PARTITIONS_MAX);
    let partitions: Vec<Value> = worst
        .iter()
        .map(|p| {
            json!({
                "topic": p.topic,
                "partition": p.partition,
                "status": status_name(p.status),
                "lag": p.current_lag,
                "owner": p.owner,
                "client_id": p.client_id,
            })
        })
        .collect();
    let mut details = json!({
        "cluster": g.cluster,
        "group": g.group,
        "status": status_name(g.status),
        "total_lag": g.total_lag,
        "partition_count": g.partition_count,
        "bad_partition_count": g.partitions.len(),
        "partitions": partitions,
        "incident_id": event.id,
        "incident_started": render::rfc3339(event.started_ms),
        "kind": render::kind_name(event.kind),
    });
    if let Some(ms) = g.max_time_lag_ms {
        details["max_time_lag_s"] = json!(ms / 1000);
    }
    if g.partitions.len() > worst.len() {
        details["partitions_omitted"] = json!(g.partitions.len() - worst.len());
    }
    details
}

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::notifier::fixture;

    fn settings() -> Settings {
        warren_plugin_sdk::settings::parse::<Settings>(
            r#"{"routing-key": "${secret:routing_key}"}"#,
        )
        .unwrap()
    }

    #[test]
    fn an_opened_incident_triggers_an_alert_keyed_by_the_incident_id() {
        let b = body(&fixture::event(IncidentKind::Opened), &settings());
        assert_eq!(b["routing_key"], "${secret:routing_key}");
        assert_eq!(b["event_action"], "trigger");
        assert_eq!(b["dedup_key"], fixture::ID);
        let p = &b["payload"];
        assert_eq!(
            p["summary"],
            "Kafka consumer group payments-consumer on prod-eu is ERR: total lag 612,331, 2 of 12 partitions not OK"
        );
        assert_eq!(p["source"], "warren");
        assert_eq!(p["severity"], "error");
        assert_eq!(p["timestamp"], "2025-11-20T10:04:11Z");
        assert_eq!(p["component"], "payments-consumer");
        assert_eq!(p["group"], "prod-eu");
        assert_eq!(p["class"], "consumer-lag");
        let d = &p["custom_details"];
        assert_eq!(
            (
                &d["cluster"],
                &d["group"],
                &d["status"],
                &d["total_lag"],
                &d["bad_partition_count"]
            ),
            (
                &json!("prod-eu"),
                &json!("payments-consumer"),
                &json!("ERR"),
                &json!(612_331),
                &json!(2)
            )
        );
        assert_eq!(
            d["partitions"][0],
            json!({"topic": "payments", "partition": 7, "status": "STALL", "lag": 402_118,
                   "owner": "/10.0.0.7", "client_id": "payments-1"})
        );
        assert_eq!(d["incident_started"], "2025-11-20T10:04:11Z");
        assert!(b.get("client_url").is_none() && b.get("links").is_none());
    }

    #[test]
    fn an_update_triggers_again_with_the_same_key_and_its_own_time() {
        let b = body(&fixture::event(IncidentKind::Updated), &settings());
        assert_eq!(
            (&b["event_action"], &b["dedup_key"]),
            (&json!("trigger"), &json!(fixture::ID))
        );
        assert_eq!(b["payload"]["timestamp"], "2025-11-20T10:16:11Z");
    }

    #[test]
    fn a_resolved_incident_resolves_the_same_key_without_a_payload() {
        let b = body(&fixture::event(IncidentKind::Resolved), &settings());
        assert_eq!(
            b,
            json!({"routing_key": "${secret:routing_key}", "event_action": "resolve", "dedup_key": fixture::ID})
        );
    }

    #[test]
    fn warn_is_a_warning_and_err_an_error_never_critical() {
        assert_eq!(severity(Status::Warn), "warning");
        for s in [Status::Err, Status::Stop, Status::Stall, Status::Rewind] {
            assert_eq!(severity(s), "error");
        }
        assert_eq!(severity(Status::Ok), "info");
        assert_eq!(severity(Status::NotFound), "info");
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.status = Status::Warn;
        assert_eq!(body(&e, &settings())["payload"]["severity"], "warning");
    }

    #[test]
    fn pagerdutys_limits_hold_for_huge_names_and_many_partitions() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.id = "i".repeat(400);
        e.status.group = "g".repeat(3000);
        e.status.partitions = (0..500)
            .map(|i| fixture::partition("t", i, Status::Warn, 1))
            .collect();
        let b = body(&e, &settings());
        assert_eq!(
            b["dedup_key"].as_str().unwrap().chars().count(),
            DEDUP_KEY_MAX
        );
        assert_eq!(
            b["payload"]["summary"].as_str().unwrap().chars().count(),
            SUMMARY_MAX
        );
        let d = &b["payload"]["custom_details"];
        assert_eq!(d["partitions"].as_array().unwrap().len(), PARTITIONS_MAX);
        assert_eq!(d["partitions_omitted"], 450);
    }

    #[test]
    fn config_choices_and_the_link_shape_the_event() {
        let s = warren_plugin_sdk::settings::parse::<Settings>(
            r#"{"routing-key": "${secret:rk}", "source": "kafka-prod", "component": "billing",
                "url": "http://127.0.0.1:8080/v2/enqueue", "link": "https://warren.example.com"}"#,
        )
        .unwrap();
        let r = request(&fixture::event(IncidentKind::Opened), &s).unwrap();
        assert_eq!(r.method, http::Method::Post);
        assert_eq!(r.url, "http://127.0.0.1:8080/v2/enqueue");
        assert_eq!(
            r.headers,
            [("content-type".to_string(), "application/json".to_string())]
        );
        let b: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(b["routing_key"], "${secret:rk}");
        assert_eq!(
            (&b["payload"]["source"], &b["payload"]["component"]),
            (&json!("kafka-prod"), &json!("billing"))
        );
        let url = "https://warren.example.com/v3/kafka/prod-eu/consumer/payments-consumer/lag";
        assert_eq!(b["client_url"], url);
        assert_eq!(b["links"][0]["href"], url);
    }

    #[test]
    fn the_default_request_goes_to_pagerdutys_endpoint() {
        let r = request(&fixture::event(IncidentKind::Resolved), &settings()).unwrap();
        assert_eq!(r.url, "https://events.pagerduty.com/v2/enqueue");
    }

    #[test]
    fn only_the_configured_routing_key_is_a_placeholder_in_the_body() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "${secret:routing_key}".into();
        let r = request(&e, &settings()).unwrap();
        let raw = String::from_utf8(r.body.clone()).unwrap();
        assert_eq!(raw.matches("${secret:").count(), 1, "{raw}");
        let b: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(b["routing_key"], "${secret:routing_key}");
        assert_eq!(b["payload"]["component"], "${secret:routing_key}");
    }

    #[test]
    fn a_summary_template_titles_the_alert_on_one_line() {
        let s = warren_plugin_sdk::settings::parse::<Settings>(
            r#"{"routing-key": "${secret:routing_key}",
                "summary-template": "{{.Result.Status}} {{.Result.Group}}\n{{range .Result.Partitions}} {{.Topic}}:{{.Partition}}{{end}}"}"#,
        )
        .unwrap();
        let r = request(&fixture::event(IncidentKind::Opened), &s).unwrap();
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body["payload"]["summary"],
            "ERR payments-consumer  payments:2 payments:7"
        );
        let r = request(&fixture::event(IncidentKind::Resolved), &s).unwrap();
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["event_action"], "resolve");
        assert_eq!(body.get("payload"), None);
    }
}
