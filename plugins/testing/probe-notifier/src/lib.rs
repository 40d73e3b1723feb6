//! A notifier for the host's tests. Its JSON config picks what it does on `notify`:
//! `"send"` POSTs the event as JSON to `url` (with `headers`, and a `${secret:token}`
//! placeholder in the body) and maps the answer (2xx ok, 429 and 5xx transient with
//! `Retry-After`, other statuses permanent; a refused destination is permanent with the host's
//! message); `"log-secret"` sends the same request, then logs the response body and returns it
//! as its error (the host must redact what a receiver echoes); `"relay"` sends the same
//! request, then POSTs the response body as it received it to `relay-url` (what the plugin
//! itself saw of an echoed secret); `"noop"` renders the payload and
//! sends nothing; `"mail"` sends a message through the host's `mail` to the config's `to`
//! (or the host's default recipients); `"count-instances"` fails if an earlier call left state behind; `"loop"`,
//! `"bomb"` and `"panic"` misbehave.
//!
//! Config: `{"url": "...", "headers": {"name": "value"}, "mode": "send", "timeout-ms": 500}`
//! (`"relay-url": "..."` for `"relay"`; `"send-on-validate": true` makes `validate-config` try
//! an HTTP request and a mail, which the host must refuse; `"sleep-on-validate": true` makes it
//! sleep 30 s in WASI there, which the host's timeout must cut short;
//! `"isolation-on-validate": true` makes it reject its config with one problem, the report of
//! what it can reach from inside a notifier's sandbox, see `misbehave/src/isolation.rs`)
//! (`"to": ["a@example.com"]` for `"mail"`).

wit_bindgen::generate!({ world: "notifier", path: "../../../wit" });

use std::sync::atomic::{AtomicU32, Ordering};

#[path = "../../misbehave/src/isolation.rs"]
mod isolation;

use exports::warren::plugin::plugin::Guest as PluginGuest;
use serde_json::{Value, json};
use warren::plugin::host::{self, LogLevel};
use warren::plugin::http::{self, Method, Request};
use warren::plugin::{mail, secrets};
// `IncidentEvent` and `NotifyError` come from the world's `use` (generated at the top level).
use warren::plugin::types::{IncidentKind, PluginMetadata, Status, TransientError};

const MODES: &[&str] = &[
    "send",
    "log-secret",
    "relay",
    "noop",
    "mail",
    "count-instances",
    "loop",
    "bomb",
    "panic",
];

/// Calls this instance has served; a fresh instance per event keeps it at 1.
static CALLS: AtomicU32 = AtomicU32::new(0);

struct Probe;

impl PluginGuest for Probe {
    fn metadata() -> PluginMetadata {
        PluginMetadata {
            name: "probe-notifier".into(),
            version: "0.1.0".into(),
            description: "test notifier: behaves as its config says".into(),
            config_schema: r#"{"type":"object","properties":{"url":{"type":"string"},"relay-url":{"type":"string"},"send-on-validate":{"type":"boolean"},"sleep-on-validate":{"type":"boolean"},"isolation-on-validate":{"type":"boolean"},"mode":{"enum":["send","log-secret","relay","noop","mail","count-instances","loop","bomb","panic"]},"headers":{"type":"object"},"timeout-ms":{"type":"integer"}}}"#.into(),
        }
    }

    fn validate_config(config: String) -> Result<(), Vec<String>> {
        let Ok(Value::Object(c)) = serde_json::from_str::<Value>(&config) else {
            return Err(vec!["the config must be a JSON object".into()]);
        };
        let mut problems = Vec::new();
        match c.get("mode").and_then(Value::as_str) {
            Some(m) if MODES.contains(&m) => {}
            Some(m) => problems.push(format!("mode: unknown mode `{m}`")),
            None => problems.push("mode: missing (one of send, log-secret, noop, ...)".into()),
        }
        match c.get("url").and_then(Value::as_str) {
            None => problems.push("url: missing, must be a string".into()),
            Some(url) => {
                let known = secrets::names();
                for name in placeholders(url) {
                    if !known.iter().any(|k| k == name) {
                        problems.push(format!(
                            "url: uses secret `{name}`, which is not configured"
                        ));
                    }
                }
            }
        }
        match c.get("headers") {
            None => {}
            Some(Value::Object(h)) if h.values().all(Value::is_string) => {}
            Some(_) => problems.push("headers: must be an object of strings".into()),
        }
        if c.get("send-on-validate") == Some(&Value::Bool(true)) {
            // A plugin that tries to reach out while being validated; the host must refuse.
            let config = Value::Object(c.clone());
            let mail = mail::Message {
                to: vec![],
                subject: "validate".into(),
                text: "sent while validating".into(),
                html: None,
                message_id: None,
                in_reply_to: None,
            };
            let sent = (
                http::send(&request_to(&config, "validate")),
                mail::send(&mail),
            );
            host::log(LogLevel::Info, &format!("send-on-validate: {sent:?}"));
        }
        if c.get("isolation-on-validate") == Some(&Value::Bool(true)) {
            problems.push(isolation::report());
        }
        if c.get("sleep-on-validate") == Some(&Value::Bool(true)) {
            std::thread::sleep(std::time::Duration::from_secs(30));
        }
        if c.get("timeout-ms").is_some_and(|t| t.as_u64().is_none()) {
            problems.push("timeout-ms: must be a whole number of milliseconds".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

impl Guest for Probe {
    fn notify(event: IncidentEvent) -> Result<(), NotifyError> {
        let config: Value = serde_json::from_str(&host::plugin_config()).unwrap_or_default();
        let mode = config["mode"].as_str().unwrap_or("send");
        let calls = CALLS.fetch_add(1, Ordering::Relaxed) + 1;
        match mode {
            "loop" => {
                let mut n = 0u64;
                loop {
                    n = n.wrapping_add(1);
                    std::hint::black_box(n);
                }
            }
            "bomb" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![7u8; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "panic" => panic!("probe-notifier: panicking on purpose"),
            "count-instances" if calls > 1 => Err(NotifyError::Permanent(format!(
                "state survived: this is call {calls} in the same instance"
            ))),
            "count-instances" => Ok(()),
            "noop" => {
                std::hint::black_box(request(&config, &event));
                Ok(())
            }
            "mail" => {
                let to = config["to"].as_array().map_or(vec![], |to| {
                    to.iter()
                        .filter_map(|a| Some(a.as_str()?.to_string()))
                        .collect()
                });
                let msg = mail::Message {
                    to,
                    subject: format!("{} {}", event.status.group, status(event.status.status)),
                    text: format!("incident {}", event.id),
                    html: None,
                    message_id: Some(event.id.clone()),
                    in_reply_to: None,
                };
                mail::send(&msg).map_err(|e| match e {
                    mail::Error::Transient(m) => NotifyError::Transient(TransientError {
                        message: format!("mail: {m}"),
                        retry_after_ms: None,
                    }),
                    other => NotifyError::Permanent(format!("mail: {other:?}")),
                })
            }
            "log-secret" => {
                let resp = http::send(&request(&config, &event)).map_err(error)?;
                let echoed = String::from_utf8_lossy(&resp.body).into_owned();
                host::log(LogLevel::Warn, &format!("receiver said: {echoed}"));
                Err(NotifyError::Permanent(format!("receiver said: {echoed}")))
            }
            "relay" => {
                let resp = http::send(&request(&config, &event)).map_err(error)?;
                let relay = Request {
                    method: Method::Post,
                    url: config["relay-url"].as_str().unwrap_or_default().to_string(),
                    headers: vec![],
                    body: resp.body,
                    timeout_ms: None,
                };
                verdict(http::send(&relay).map_err(error)?)
            }
            _ => {
                let resp = http::send(&request(&config, &event)).map_err(error)?;
                verdict(resp)
            }
        }
    }
}

/// A bare POST of `text` to the config's `url`.
fn request_to(config: &Value, text: &str) -> Request {
    Request {
        method: Method::Post,
        url: config["url"].as_str().unwrap_or_default().to_string(),
        headers: vec![],
        body: text.as_bytes().to_vec(),
        timeout_ms: None,
    }
}

/// The POST the event becomes.
fn request(config: &Value, event: &IncidentEvent) -> Request {
    let s = &event.status;
    let body = json!({
        "id": event.id,
        "kind": match event.kind {
            IncidentKind::Opened => "opened",
            IncidentKind::Updated => "updated",
            IncidentKind::Resolved => "resolved",
        },
        "cluster": s.cluster,
        "group": s.group,
        "status": status(s.status),
        "total_lag": s.total_lag,
        "partitions": s.partitions.len(),
        "auth": "${secret:token}",
    });
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    if let Some(h) = config["headers"].as_object() {
        headers.extend(
            h.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))),
        );
    }
    Request {
        method: Method::Post,
        url: config["url"].as_str().unwrap_or_default().to_string(),
        headers,
        body: body.to_string().into_bytes(),
        timeout_ms: config["timeout-ms"].as_u64().map(|t| t as u32),
    }
}

fn verdict(resp: http::Response) -> Result<(), NotifyError> {
    let text = String::from_utf8_lossy(&resp.body);
    match resp.status {
        200..=299 => Ok(()),
        429 | 500..=599 => {
            let retry_after_ms = resp
                .headers
                .iter()
                .find(|(k, _)| k == "retry-after")
                .and_then(|(_, v)| v.trim().parse::<u64>().ok())
                .map(|secs| secs * 1000);
            Err(NotifyError::Transient(TransientError {
                message: format!("receiver answered HTTP {}: {text}", resp.status),
                retry_after_ms,
            }))
        }
        code => Err(NotifyError::Permanent(format!(
            "receiver answered HTTP {code}: {text}"
        ))),
    }
}

fn error(e: http::Error) -> NotifyError {
    let transient = |message: String| {
        NotifyError::Transient(TransientError {
            message,
            retry_after_ms: None,
        })
    };
    match e {
        http::Error::Denied(m) => NotifyError::Permanent(format!("denied: {m}")),
        http::Error::InvalidRequest(m) => NotifyError::Permanent(format!("invalid request: {m}")),
        http::Error::ResponseTooLarge => NotifyError::Permanent("response too large".into()),
        http::Error::Timeout => transient("request timed out".into()),
        http::Error::Connection(m) => transient(format!("connection failed: {m}")),
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::NotFound => "NOTFOUND",
        Status::Ok => "OK",
        Status::Warn => "WARN",
        Status::Err => "ERR",
        Status::Stop => "STOP",
        Status::Stall => "STALL",
        Status::Rewind => "REWIND",
    }
}

/// Names used in `${secret:NAME}` placeholders.
fn placeholders(text: &str) -> Vec<&str> {
    text.split("${secret:")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

export!(Probe);
