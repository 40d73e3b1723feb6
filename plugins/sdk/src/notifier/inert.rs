//! Keeping the event's text out of the host's secret substitution. The host replaces every
//! `${secret:NAME}` in a request's URL, headers and UTF-8 body. Names in an event are not the
//! operator's: anyone who can create a consumer group can call it `${secret:webhook}`, and a
//! message quoting that name would then carry the webhook's secret to everyone reading the
//! channel (or, with an unknown name, fail to send at all, silencing that group's alerts).
//!
//! So an HTTP notifier renders an [`inert_event`], whose strings have every `$` marked, and
//! serializes its JSON with [`json_body`], which writes a marked `$` as the JSON escape
//! `\u0024`: the receiver's JSON parser reads back exactly the original name, while the raw
//! bytes the host scans hold no placeholder. The operator's own placeholders (a routing key in
//! the body) come from the config, unmarked, and are substituted as intended.
//!
//! ```
//! use warren_plugin_sdk::notifier::{fixture, inert_event, json_body};
//! use warren_plugin_sdk::types::IncidentKind;
//! let mut event = fixture::event(IncidentKind::Opened);
//! event.status.group = "${secret:webhook}".into();
//! let event = inert_event(&event);
//! let body = json_body(&serde_json::json!({"group": event.status.group, "key": "${secret:key}"}));
//! assert_eq!(String::from_utf8(body).unwrap(), r#"{"group":"\u0024{secret:webhook}","key":"${secret:key}"}"#);
//! ```

use serde_json::Value;

use crate::types::{IncidentEvent, PartitionStatus};

/// Follows every `$` in event text until [`json_body`] escapes it. A noncharacter,
/// so it never occurs in real names.
pub(crate) const MARK: char = '\u{FFFF}';

/// `event` with every `$` in its strings marked (id, cluster, group, and each partition's
/// topic, owner and client id).
pub fn inert_event(event: &IncidentEvent) -> IncidentEvent {
    let mut e = event.clone();
    let partition = |p: &mut PartitionStatus| {
        mark(&mut p.topic);
        mark(&mut p.owner);
        mark(&mut p.client_id);
    };
    mark(&mut e.id);
    mark(&mut e.status.cluster);
    mark(&mut e.status.group);
    e.status.partitions.iter_mut().for_each(partition);
    e.status.maxlag.iter_mut().for_each(partition);
    e
}

/// Marks every `$`, not only those before a `{`: two names a template joins (`a$` then
/// `{secret:x}`) would otherwise form a placeholder between them.
fn mark(s: &mut String) {
    if s.contains('$') {
        *s = s.replace('$', &format!("${MARK}"));
    }
}

/// `text` without marks: for where a name is used other than as JSON text (a URL).
pub(crate) fn unmark(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(MARK) {
        text.replace(MARK, "").into()
    } else {
        text.into()
    }
}

/// `text` rendered from an inert event (a message template's output) with every marked `$`
/// written as `dollar`: `\u0024` where names land in JSON strings, `%24` in a URL. Nothing
/// else in the output is touched, so the operator's own placeholders still work.
pub fn defuse(text: &str, dollar: &str) -> String {
    text.replace(&format!("${MARK}"), dollar)
}

/// `value` as JSON bytes, every marked `$` written as `\u0024`.
pub fn json_body(value: &Value) -> Vec<u8> {
    let text = value.to_string();
    let marked = format!("${MARK}");
    if text.contains(&marked) {
        text.replace(&marked, "\\u0024").into_bytes()
    } else {
        text.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifier::{fixture, render};
    use crate::types::IncidentKind;

    #[test]
    fn placeholders_in_names_never_reach_the_raw_body_but_parse_back_exactly() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "a${secret:webhook}b${".into();
        e.status.partitions[0].topic = "${secret:x}".into();
        e.status.partitions[1].client_id = "${secret:y}".into();
        let inert = inert_event(&e);
        let value = serde_json::json!({
            "group": inert.status.group,
            "topic": inert.status.partitions[0].topic,
            "client": inert.status.partitions[1].client_id,
            "text": format!("group {} is bad", inert.status.group),
        });
        let body = String::from_utf8(json_body(&value)).unwrap();
        assert!(!body.contains("${"), "{body}");
        let back: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(back["group"], "a${secret:webhook}b${");
        assert_eq!(back["topic"], "${secret:x}");
        assert_eq!(back["client"], "${secret:y}");
        assert_eq!(back["text"], "group a${secret:webhook}b${ is bad");
    }

    #[test]
    fn two_names_joined_by_a_template_cannot_form_a_placeholder() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.partitions[0].client_id = "a$".into();
        e.status.partitions[1].client_id = "{secret:basic-auth}".into();
        let inert = inert_event(&e);
        let joined = format!(
            "{}{}",
            inert.status.partitions[0].client_id, inert.status.partitions[1].client_id
        );
        let body = String::from_utf8(json_body(&serde_json::json!({ "clients": joined }))).unwrap();
        assert!(!body.contains("${"), "{body}");
        let back: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(back["clients"], "a${secret:basic-auth}");
        assert!(!defuse(&joined, "%24").contains("${"));
    }

    #[test]
    fn ordinary_events_and_the_operators_placeholders_are_unchanged() {
        let e = fixture::event(IncidentKind::Updated);
        assert_eq!(inert_event(&e), e);
        let body = json_body(&serde_json::json!({"routing_key": "${secret:routing_key}"}));
        assert_eq!(body, br#"{"routing_key":"${secret:routing_key}"}"#);
    }

    #[test]
    fn links_use_the_real_name() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.group = "${g}".into();
        let inert = inert_event(&e);
        assert_eq!(
            render::lag_url("https://w", &inert.status.cluster, &inert.status.group),
            "https://w/v3/kafka/prod-eu/consumer/%24%7Bg%7D/lag"
        );
    }
}
