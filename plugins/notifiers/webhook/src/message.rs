//! The webhook's requests: a pure function of the event and the settings, tested natively.
//!
//! Opened and updated events go to `url` with `method`; the resolve to `url-close` with
//! `method-close`. Headers: `content-type: application/json` (unless the config sets its
//! own), then the config's `headers`, placeholders verbatim (the host fills them in); the
//! `warren` format adds `x-warren-event: incident.opened|updated|resolved`.
//!
//! The `burrow` body is what Burrow's shipped `config/default-http-post.tmpl` and
//! `default-http-delete.tmpl` render, field for field, so a receiver written for Burrow's
//! HTTP notifier keeps working:
//!
//! ```json
//! {"api_key": "", "app": "", "block": false,
//!  "events": [{"id": "3f2a9c1e-…", "event": {
//!     "severity": "ERR", "tier": "", "group": "payments-consumer",
//!     "start": "Nov 20, 2025 10:04:11 UTC", "complete": 1.0,
//!     "partitions": [{"topic": "payments", "partition": 7, "owner": "/10.0.0.7",
//!                     "client_id": "payments-1", "status": "STALL",
//!                     "start": {"offset": 1000, "timestamp": 1763632451000, "observedAt": 1763632451150, "lag": 402118},
//!                     "end": {…}, "current_lag": 402118, "complete": 1.0}]}}]}
//! ```
//!
//! and on resolve `{"api_key": "", "app": "", "block": false, "ids": ["3f2a9c1e-…"], "group":
//! "payments-consumer"}`. `api_key`, `app` and `tier` come from the config's `extras` (Burrow's
//! `.Extras`), `""` when unset. What differs from Burrow: `id` is Warren's incident id (stable
//! across restarts, formatted like a UUID) instead of a random UUID; `start` is always in UTC
//! (Burrow formatted the process's local time and wrote a literal `UTC`); the close carries
//! `ids` with the real id (Burrow 1.x's delete template referenced a missing `.Id` field) plus
//! the `group` of its later template; `severity` is `WARN` for a WARN group and `ERR` for
//! anything else, as Burrow's `{{if eq .Result.Status 2}}`; partitions are, as in Burrow, the
//! non-OK ones, with `start`/`end` `null` when unknown and `lag` `null` when unknown. Like
//! Burrow's template, the body has no `cluster` (add it to `extras` if a receiver needs it...
//! or use the `warren` format).
//!
//! The `warren` body (`"schema": "warren.incident.v1"`) carries the whole event; see the
//! crate docs for the schema.
//!
//! With `template-open` (and `template-close` for the resolve) the body is the template's
//! text instead, and templated URLs are rendered the same way. Both render an inert event:
//! a `$` of `${` in a name becomes `\u0024` in the body (names belong inside JSON strings,
//! where it reads back as `$`) and `%24` in a URL, so no name becomes a secret placeholder.

use serde_json::{Value, json};
use warren_plugin_sdk::notifier::{defuse, http, inert_event, json_body, render};
use warren_plugin_sdk::types::{Commit, IncidentEvent, IncidentKind, PartitionStatus, Status};
use warren_plugin_sdk::verdict::status_name;

use crate::config::{Format, Settings};

/// The value of the `warren` body's `schema`.
pub const SCHEMA: &str = "warren.incident.v1";

/// The request for `event`; an error when a template fails to render.
pub fn request(event: &IncidentEvent, settings: &Settings) -> Result<http::Request, String> {
    // Names in the event must not become placeholders the host fills in.
    let inert = inert_event(event);
    let extras = &settings.extras;
    let resolved = event.kind == IncidentKind::Resolved;
    let (url, url_template, method, template) = if resolved {
        let s = settings;
        (
            &s.url_close,
            &s.url_close_template,
            s.method_close,
            &s.template_close,
        )
    } else {
        (
            &settings.url,
            &settings.url_template,
            settings.method,
            &settings.template_open,
        )
    };
    let url = match url_template {
        Some(t) => defuse(&t.render(&inert, extras)?, "%24"),
        None => url.clone(),
    };
    let body = match template {
        Some(t) => defuse(&t.render(&inert, extras)?, "\\u0024").into_bytes(),
        None => json_body(&body(&inert, settings)),
    };
    let mut headers = Vec::new();
    if !settings
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("content-type".to_string(), "application/json".to_string()));
    }
    if settings.format == Format::Warren {
        let kind = render::kind_name(event.kind);
        headers.push(("x-warren-event".to_string(), format!("incident.{kind}")));
    }
    headers.extend(settings.headers.iter().cloned());
    Ok(http::Request {
        method,
        url,
        headers,
        body,
        timeout_ms: None,
    })
}

/// The body in the configured format.
pub fn body(event: &IncidentEvent, settings: &Settings) -> Value {
    match settings.format {
        Format::Burrow => burrow(event, settings),
        Format::Warren => warren(event),
    }
}

/// Burrow's default HTTP notifier body (see the module docs).
pub fn burrow(event: &IncidentEvent, settings: &Settings) -> Value {
    let g = &event.status;
    if event.kind == IncidentKind::Resolved {
        return json!({
            "api_key": settings.extra("api_key"),
            "app": settings.extra("app"),
            "block": false,
            "ids": [event.id],
            "group": g.group,
        });
    }
    let severity = if g.status == Status::Warn {
        "WARN"
    } else {
        "ERR"
    };
    json!({
        "api_key": settings.extra("api_key"),
        "app": settings.extra("app"),
        "block": false,
        "events": [{
            "id": event.id,
            "event": {
                "severity": severity,
                "tier": settings.extra("tier"),
                "group": g.group,
                "start": render::burrow_time(event.started_ms),
                "complete": g.complete,
                "partitions": g.partitions.iter().map(burrow_partition).collect::<Vec<_>>(),
            },
        }],
    })
}

/// Burrow's `PartitionStatus` JSON, as its HTTP API and `jsonencoder` write it.
fn burrow_partition(p: &PartitionStatus) -> Value {
    let offset = |c: &Option<Commit>| match c {
        Some(c) => {
            json!({"offset": c.offset, "timestamp": c.timestamp_ms, "observedAt": c.observed_ms, "lag": c.lag})
        }
        None => Value::Null,
    };
    json!({
        "topic": p.topic,
        "partition": p.partition,
        "owner": p.owner,
        "client_id": p.client_id,
        "status": status_name(p.status),
        "start": offset(&p.start),
        "end": offset(&p.end),
        "current_lag": p.current_lag,
        "complete": p.complete,
    })
}

/// Warren's `warren.incident.v1` body: the whole event.
pub fn warren(event: &IncidentEvent) -> Value {
    let g = &event.status;
    json!({
        "schema": SCHEMA,
        "id": event.id,
        "kind": render::kind_name(event.kind),
        "started_ms": event.started_ms,
        "started_at": render::rfc3339(event.started_ms),
        "now_ms": event.now_ms,
        "at": render::rfc3339(event.now_ms),
        "cluster": g.cluster,
        "group": g.group,
        "status": status_name(g.status),
        "complete": g.complete,
        "partition_count": g.partition_count,
        "total_lag": g.total_lag,
        "max_time_lag_ms": g.max_time_lag_ms,
        "maxlag": g.maxlag.as_ref().map(warren_partition),
        "partitions": g.partitions.iter().map(warren_partition).collect::<Vec<_>>(),
    })
}

fn warren_partition(p: &PartitionStatus) -> Value {
    let commit = |c: &Option<Commit>| match c {
        Some(c) => {
            json!({"offset": c.offset, "timestamp_ms": c.timestamp_ms, "observed_ms": c.observed_ms, "lag": c.lag})
        }
        None => Value::Null,
    };
    let known = |s: &str| (!s.is_empty()).then(|| s.to_string());
    json!({
        "topic": p.topic,
        "partition": p.partition,
        "status": status_name(p.status),
        "owner": known(&p.owner),
        "client_id": known(&p.client_id),
        "current_lag": p.current_lag,
        "time_lag_ms": p.time_lag_ms,
        "complete": p.complete,
        "start": commit(&p.start),
        "end": commit(&p.end),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::notifier::fixture;

    fn settings(json: &str) -> Settings {
        warren_plugin_sdk::settings::parse::<Settings>(json).unwrap()
    }

    #[test]
    fn the_burrow_body_has_the_fields_of_burrows_default_post_template() {
        let s = settings(
            r#"{"url": "https://h", "extras": {"api_key": "${secret:api_key}", "app": "kafka", "tier": "1"}}"#,
        );
        let b = burrow(&fixture::event(IncidentKind::Opened), &s);
        let mut keys: Vec<&String> = b.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["api_key", "app", "block", "events"]);
        assert_eq!(
            (&b["api_key"], &b["app"], &b["block"]),
            (&json!("${secret:api_key}"), &json!("kafka"), &json!(false))
        );
        let e = &b["events"][0];
        assert_eq!(e["id"], fixture::ID);
        let mut keys: Vec<&String> = e["event"].as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "complete",
                "group",
                "partitions",
                "severity",
                "start",
                "tier"
            ]
        );
        assert_eq!(e["event"]["severity"], "ERR");
        assert_eq!(e["event"]["tier"], "1");
        assert_eq!(e["event"]["group"], "payments-consumer");
        assert_eq!(e["event"]["start"], "Nov 20, 2025 10:04:11 UTC");
        assert_eq!(e["event"]["complete"], 1.0);
        assert_eq!(
            e["event"]["partitions"][1],
            json!({"topic": "payments", "partition": 7, "owner": "/10.0.0.7", "client_id": "payments-1",
                   "status": "STALL",
                   "start": {"offset": 1000, "timestamp": fixture::STARTED_MS - 600_000,
                             "observedAt": fixture::STARTED_MS - 599_850, "lag": 402_118},
                   "end": {"offset": 1500, "timestamp": fixture::STARTED_MS,
                           "observedAt": fixture::STARTED_MS + 150, "lag": 402_118},
                   "current_lag": 402_118, "complete": 1.0})
        );
    }

    #[test]
    fn burrow_severity_is_warn_only_for_a_warn_group() {
        let s = settings(r#"{"url": "https://h"}"#);
        let mut e = fixture::event(IncidentKind::Updated);
        e.status.status = Status::Warn;
        assert_eq!(burrow(&e, &s)["events"][0]["event"]["severity"], "WARN");
        e.status.status = Status::Err;
        assert_eq!(burrow(&e, &s)["events"][0]["event"]["severity"], "ERR");
        e.status.partitions[0].start = None;
        e.status.partitions[0].end.as_mut().unwrap().lag = None;
        let p = &burrow(&e, &s)["events"][0]["event"]["partitions"][0];
        assert_eq!(
            (&p["start"], &p["end"]["lag"]),
            (&Value::Null, &Value::Null)
        );
    }

    #[test]
    fn the_burrow_close_goes_to_url_close_with_method_close() {
        let s = settings(
            r#"{"url": "https://h/open", "url-close": "https://h/close", "method-close": "DELETE", "extras": {"app": "kafka"}}"#,
        );
        let r = request(&fixture::event(IncidentKind::Resolved), &s).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (http::Method::Delete, "https://h/close")
        );
        let b: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            b,
            json!({"api_key": "", "app": "kafka", "block": false, "ids": [fixture::ID], "group": "payments-consumer"})
        );
        let open = request(&fixture::event(IncidentKind::Opened), &s).unwrap();
        assert_eq!(
            (open.method, open.url.as_str()),
            (http::Method::Post, "https://h/open")
        );
    }

    #[test]
    fn the_warren_body_carries_the_whole_event() {
        let b = warren(&fixture::event(IncidentKind::Updated));
        assert_eq!(b["schema"], "warren.incident.v1");
        assert_eq!(
            (&b["id"], &b["kind"]),
            (&json!(fixture::ID), &json!("updated"))
        );
        assert_eq!(
            (&b["started_ms"], &b["started_at"]),
            (&json!(fixture::STARTED_MS), &json!("2025-11-20T10:04:11Z"))
        );
        assert_eq!(b["at"], "2025-11-20T10:16:11Z");
        assert_eq!(
            (&b["cluster"], &b["group"], &b["status"]),
            (
                &json!("prod-eu"),
                &json!("payments-consumer"),
                &json!("ERR")
            )
        );
        assert_eq!(
            (
                &b["partition_count"],
                &b["total_lag"],
                &b["max_time_lag_ms"]
            ),
            (&json!(12), &json!(1_204_331), &json!(412_000))
        );
        assert_eq!(b["maxlag"]["partition"], 7);
        assert_eq!(b["partitions"].as_array().unwrap().len(), 2);
        assert_eq!(
            b["partitions"][0],
            json!({"topic": "payments", "partition": 2, "status": "WARN", "owner": "/10.0.0.7",
                   "client_id": "payments-1", "current_lag": 190_007, "time_lag_ms": 412_000, "complete": 1.0,
                   "start": {"offset": 1000, "timestamp_ms": fixture::STARTED_MS - 600_000,
                             "observed_ms": fixture::STARTED_MS - 599_850, "lag": 190_007},
                   "end": {"offset": 1500, "timestamp_ms": fixture::STARTED_MS,
                           "observed_ms": fixture::STARTED_MS + 150, "lag": 190_007}})
        );
        let resolved = warren(&fixture::event(IncidentKind::Resolved));
        assert_eq!(
            (&resolved["kind"], &resolved["status"]),
            (&json!("resolved"), &json!("OK"))
        );
        assert_eq!(resolved["partitions"], json!([]));
    }

    #[test]
    fn unknown_owners_are_null_in_the_warren_body() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.partitions[0].owner.clear();
        e.status.partitions[0].client_id.clear();
        e.status.maxlag = None;
        let b = warren(&e);
        assert_eq!(
            (
                &b["partitions"][0]["owner"],
                &b["partitions"][0]["client_id"]
            ),
            (&Value::Null, &Value::Null)
        );
        assert_eq!(b["maxlag"], Value::Null);
    }

    #[test]
    fn headers_keep_placeholders_verbatim_and_the_configs_content_type_wins() {
        let s = settings(
            r#"{"url": "https://h/${secret:path}", "method": "PATCH", "format": "warren",
                "headers": {"Authorization": "Bearer ${secret:token}"}}"#,
        );
        let r = request(&fixture::event(IncidentKind::Opened), &s).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (http::Method::Patch, "https://h/${secret:path}")
        );
        let h = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            r.headers,
            [
                h("content-type", "application/json"),
                h("x-warren-event", "incident.opened"),
                h("Authorization", "Bearer ${secret:token}"),
            ]
        );
        let s = settings(
            r#"{"url": "https://h", "headers": {"Content-Type": "application/vnd.x+json"}}"#,
        );
        let r = request(&fixture::event(IncidentKind::Opened), &s).unwrap();
        assert_eq!(r.headers, [h("Content-Type", "application/vnd.x+json")]);
    }

    #[test]
    fn names_in_the_event_cannot_become_placeholders_but_extras_are() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "${secret:token}".into();
        e.status.partitions[0].topic = "${secret:token}".into();
        let s = settings(r#"{"url": "https://h", "extras": {"api_key": "${secret:api_key}"}}"#);
        let r = request(&e, &s).unwrap();
        let raw = String::from_utf8(r.body.clone()).unwrap();
        assert_eq!(raw.matches("${secret:").count(), 1, "{raw}");
        let b: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(b["api_key"], "${secret:api_key}");
        assert_eq!(b["events"][0]["event"]["group"], "${secret:token}");
        let r = request(&e, &settings(r#"{"url": "https://h", "format": "warren"}"#)).unwrap();
        assert!(!String::from_utf8(r.body.clone()).unwrap().contains("${"));
        let b: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(b["partitions"][0]["topic"], "${secret:token}");
    }
}
