//! Burrow's own default HTTP templates (`default-http-post.tmpl`, `default-http-delete.tmpl`,
//! kept verbatim in the SDK's `tests/burrow-templates/`), given to the webhook as
//! `template-open`/`template-close`, render the body Burrow would send for the sample
//! incident: the same JSON as the `burrow` format. Equal as JSON values, with numbers compared
//! by value (Go prints the fraction 1 as `1` where `serde_json` writes `1.0`); the template's
//! trailing newline is JSON whitespace. The exact text is checked too, against the bytes
//! Burrow's Go templates produce.

use serde_json::Value;
use warren_plugin_sdk::notifier::fixture;
use warren_plugin_sdk::settings;
use warren_plugin_sdk::types::IncidentKind;
use webhook::config::Settings;
use webhook::message::request;

const POST: &str = include_str!("../../../sdk/tests/burrow-templates/default-http-post.tmpl");
const DELETE: &str = include_str!("../../../sdk/tests/burrow-templates/default-http-delete.tmpl");
const DELETE_ID: &str =
    include_str!("../../../sdk/tests/burrow-templates/default-http-delete-id.tmpl");

const EXTRAS: &str = r#"{"api_key": "${secret:api_key}", "app": "kafka", "tier": "1"}"#;

fn settings(templates: Option<(&str, &str)>) -> Settings {
    let mut config: Value = serde_json::from_str(&format!(
        r#"{{"url": "https://h/open", "url-close": "https://h/close", "method-close": "DELETE", "extras": {EXTRAS}}}"#
    ))
    .unwrap();
    if let Some((open, close)) = templates {
        config["template-open"] = open.into();
        config["template-close"] = close.into();
    }
    settings::parse(&config.to_string()).unwrap()
}

fn body(kind: IncidentKind, s: &Settings) -> (String, Value) {
    let r = request(&fixture::event(kind), s).unwrap();
    let text = String::from_utf8(r.body).unwrap();
    let value = numbers_as_f64(serde_json::from_str(&text).unwrap());
    (text, value)
}

fn numbers_as_f64(v: Value) -> Value {
    match v {
        Value::Number(n) => Value::from(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_f64).collect()),
        Value::Object(o) => {
            Value::Object(o.into_iter().map(|(k, v)| (k, numbers_as_f64(v))).collect())
        }
        other => other,
    }
}

#[test]
fn burrows_post_template_renders_the_burrow_format_body() {
    let templated = settings(Some((POST, DELETE)));
    for kind in [IncidentKind::Opened, IncidentKind::Updated] {
        let (text, value) = body(kind, &templated);
        assert_eq!(value, body(kind, &settings(None)).1);
        assert!(text.ends_with("}]}\n"), "{text}");
    }
    let (text, _) = body(IncidentKind::Opened, &templated);
    assert_eq!(
        text,
        concat!(
            r#"{"api_key":"${secret:api_key}","app":"kafka","block":false,"events":[{"id":"3f2a9c1e-7b4d-8e2f-9a1b-5c6d7e8f9a0b","#,
            r#""event":{"severity":"ERR","tier":"1","group":"payments-consumer","start":"Nov 20, 2025 10:04:11 UTC","complete":1,"#,
            r#""partitions":[{"topic":"payments","partition":2,"owner":"/10.0.0.7","client_id":"payments-1","status":"WARN","#,
            r#""start":{"offset":1000,"timestamp":1763632451000,"observedAt":1763632451150,"lag":190007},"#,
            r#""end":{"offset":1500,"timestamp":1763633051000,"observedAt":1763633051150,"lag":190007},"current_lag":190007,"complete":1},"#,
            r#"{"topic":"payments","partition":7,"owner":"/10.0.0.7","client_id":"payments-1","status":"STALL","#,
            r#""start":{"offset":1000,"timestamp":1763632451000,"observedAt":1763632451150,"lag":402118},"#,
            r#""end":{"offset":1500,"timestamp":1763633051000,"observedAt":1763633051150,"lag":402118},"current_lag":402118,"complete":1}]}}]}"#,
            "\n"
        )
    );
}

#[test]
fn burrows_delete_template_renders_the_burrow_format_close() {
    let templated = settings(Some((POST, DELETE)));
    let (text, value) = body(IncidentKind::Resolved, &templated);
    assert_eq!(value, body(IncidentKind::Resolved, &settings(None)).1);
    assert_eq!(
        text,
        "{\"api_key\":\"${secret:api_key}\",\"app\":\"kafka\",\"block\":false,\"ids\":[\"3f2a9c1e-7b4d-8e2f-9a1b-5c6d7e8f9a0b\"],\"group\":\"payments-consumer\"}\n"
    );
    // The older delete template's `.Id` (which Burrow could not render) names the incident too.
    let (_, old) = body(IncidentKind::Resolved, &settings(Some((POST, DELETE_ID))));
    assert_eq!(old["ids"], value["ids"]);
}

#[test]
fn templated_requests_keep_names_out_of_placeholders_and_render_urls() {
    let mut config: Value =
        serde_json::from_str(r#"{"url": "https://h/{{.Result.Group}}", "method-close": "DELETE"}"#)
            .unwrap();
    config["template-open"] = POST.into();
    let s: Settings = settings::parse(&config.to_string()).unwrap();
    let mut e = fixture::event(IncidentKind::Opened);
    e.status.group = "g${secret:api_key}".into();
    let r = request(&e, &s).unwrap();
    assert_eq!(r.url, "https://h/g%24{secret:api_key}");
    let raw = String::from_utf8(r.body).unwrap();
    assert!(!raw.contains("${"), "{raw}");
    let b: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(b["events"][0]["event"]["group"], "g${secret:api_key}");
    // Without template-close the resolve has the format's body.
    let r = request(&fixture::event(IncidentKind::Resolved), &s).unwrap();
    let b: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(b["group"], "payments-consumer");
    assert_eq!(r.url, "https://h/payments-consumer");
}
