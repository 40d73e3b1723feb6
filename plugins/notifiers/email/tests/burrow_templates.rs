//! Burrow's own default email template (`default-email.tmpl`, kept verbatim in the SDK's
//! `tests/burrow-templates/`), given as `template`, renders the mail Burrow would send for the
//! sample incident: its `Subject:` line as the subject and, after the blank line, the body
//! in `golden/burrow-default-email.txt`. That file is written by hand from Burrow's template
//! (Go prints the fraction 1 as `1`, each partition line as the template spells it) and is
//! never rewritten by `BLESS`.

use warren_plugin_sdk::notifier::fixture;
use warren_plugin_sdk::settings;
use warren_plugin_sdk::types::IncidentKind;

use email::config::Settings;
use email::message::message;

const EMAIL: &str = include_str!("../../../sdk/tests/burrow-templates/default-email.tmpl");

fn settings(json: serde_json::Value) -> Result<Settings, Vec<String>> {
    settings::parse(&json.to_string())
}

#[test]
fn burrows_default_email_template_renders_burrows_mail() {
    let s = settings(serde_json::json!({"template": EMAIL})).unwrap();
    let m = message(&fixture::event(IncidentKind::Opened), &s).unwrap();
    assert_eq!(m.subject, "[Burrow] Kafka Consumer Lag Alert");
    assert_eq!(m.text, include_str!("golden/burrow-default-email.txt"));
    assert_eq!(m.html, None);
    // Without template-close, the resolve's mail is the same template (the group is OK).
    let m = message(&fixture::event(IncidentKind::Resolved), &s).unwrap();
    assert!(m.text.contains("Status:   OK\n"), "{}", m.text);
    let s = settings(serde_json::json!({"template": EMAIL, "template-close": "Subject: {{.Group}} is fine\n\nok\n"})).unwrap();
    let m = message(&fixture::event(IncidentKind::Resolved), &s).unwrap();
    assert_eq!(
        (m.subject.as_str(), m.text.as_str()),
        ("payments-consumer is fine", "ok\n")
    );
    let m = message(&fixture::event(IncidentKind::Opened), &s).unwrap();
    // Threading is Warren's, whatever the template.
    assert_eq!(
        m.message_id.as_deref(),
        Some("warren-incident-3f2a9c1e-7b4d-8e2f-9a1b-5c6d7e8f9a0b")
    );
}

#[test]
fn subject_and_body_templates_replace_only_their_part() {
    let s = settings(serde_json::json!({
        "subject-template": "{{ Result.Status }} {{ Group }}\nBcc: x@y",
        "body-template": "{{.Result.TotalLag}} behind\n",
    }))
    .unwrap();
    let m = message(&fixture::event(IncidentKind::Updated), &s).unwrap();
    assert_eq!(m.subject, "ERR payments-consumer Bcc: x@y");
    assert_eq!(
        (m.text.as_str(), m.html.as_deref()),
        ("1204331 behind\n", None)
    );
    let s = settings(serde_json::json!({"subject-template": "{{ Group }}"})).unwrap();
    let m = message(&fixture::event(IncidentKind::Opened), &s).unwrap();
    assert_eq!(m.subject, "payments-consumer");
    assert!(m.html.is_some() && m.text.starts_with("Consumer group payments-consumer"));
}

#[test]
fn template_problems_name_the_key_and_line() {
    assert_eq!(
        settings(serde_json::json!({
            "template": "Hello {{.Group}}\n\nbody",
            "subject-template": "x\n{{ .Nope }}",
            "body-template": "{{ Group }}",
        }))
        .unwrap_err(),
        [
            "template: the header line \"Hello payments-consumer\" is not `Name: value` (Burrow's email template starts with `Subject: …`, then a blank line before the body)",
            "subject-template: template line 2: undefined value: a variable or field that does not exist (the variables: ID, Event, Cluster, Group, Start, Now, Extras, Result with Status, Complete, Partitions, TotalPartitions, Maxlag, TotalLag, MaxTimeLagMs)",
            "template: use either template (Burrow's whole mail) or subject-template/body-template",
        ]
    );
    assert_eq!(
        settings(serde_json::json!({"template-close": "Subject: x\n\n"})).unwrap_err(),
        ["template-close: needs template (the mail of opened and updated events)"]
    );
}
