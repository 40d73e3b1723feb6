//! How Warren talks to Kafka: `[tls.NAME]`, `[sasl.NAME]` and the `[client-profile.NAME]` that
//! ties them together. TLS and SASL are parsed and validated now but connecting with them is a
//! later feature, so [`use_profile`] rejects any cluster or consumer whose profile needs them:
//! silently connecting in plaintext would be worse than refusing to start.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::reader::{Ctx, Reader};
use super::root::Named;
use super::{ClientProfile, SaslMechanism, SaslProfile, Secret, TlsProfile};

/// The profile used when a cluster names none; `[client-profile.default]` overrides it.
pub(crate) const DEFAULT: &str = "default";

/// The profile in force when no `[client-profile.default]` is written.
pub(crate) fn implicit_default() -> ClientProfile {
    ClientProfile {
        name: DEFAULT.to_owned(),
        client_id: "warren".to_owned(),
        tls: None,
        sasl: None,
    }
}

/// `profiles["default"]`, which [`client_profiles`] always fills in.
pub(crate) fn default_of(profiles: &BTreeMap<String, ClientProfile>) -> ClientProfile {
    profiles
        .get(DEFAULT)
        .cloned()
        .unwrap_or_else(implicit_default)
}

/// Every `[tls.NAME]`.
pub(crate) fn tls_profiles(
    cx: &mut Ctx<'_>,
    sections: Vec<Named<'_>>,
) -> BTreeMap<String, TlsProfile> {
    let mut out = BTreeMap::new();
    for Named { name, mut reader } in sections {
        let path = |r: &mut Reader<'_>, cx: &mut Ctx<'_>, key| {
            r.optional_string(cx, key).map(PathBuf::from)
        };
        let certfile = path(&mut reader, cx, "certfile");
        let keyfile = path(&mut reader, cx, "keyfile");
        let cafile = path(&mut reader, cx, "cafile");
        if certfile.is_some() != keyfile.is_some() {
            let missing = if certfile.is_some() {
                "keyfile"
            } else {
                "certfile"
            };
            let message = "certfile and keyfile must be given together";
            cx.error_with(
                &reader.key_path(missing),
                message,
                &format!("{missing} = \"/etc/warren/client.pem\""),
            );
        }
        let both = reader.has("noverify") && reader.has("no-verify");
        let mut noverify = reader.boolean(cx, "noverify", false);
        // Burrow's docs spell it both ways.
        if let Some(field) = reader.hidden_field(cx, "no-verify") {
            let path = field.path.clone();
            if both {
                cx.error(&path, "given together with noverify; keep only noverify");
            } else if let Some(value) = field.boolean(cx) {
                noverify = value;
            }
        }
        reader.ignore(
            cx,
            "cacert",
            "Burrow never read `cacert` either; use `cafile`",
        );
        reader.finish(cx);
        out.insert(
            name.clone(),
            TlsProfile {
                name,
                certfile,
                keyfile,
                cafile,
                noverify,
            },
        );
    }
    out
}

/// Every `[sasl.NAME]`.
pub(crate) fn sasl_profiles(
    cx: &mut Ctx<'_>,
    sections: Vec<Named<'_>>,
) -> BTreeMap<String, SaslProfile> {
    let mut out = BTreeMap::new();
    for Named { name, mut reader } in sections {
        let username = reader
            .required(cx, "username", r#"username = "warren""#)
            .and_then(|f| f.string(cx));
        let password = reader
            .required(cx, "password", r#"password = "${KAFKA_PASSWORD}""#)
            .and_then(|f| f.string(cx));
        let mut mechanism = SaslMechanism::Plain;
        if let Some(field) = reader.field(cx, "mechanism") {
            let path = field.path.clone();
            match field.string(cx).map(|m| m.to_ascii_uppercase()).as_deref() {
                Some("PLAIN") => mechanism = SaslMechanism::Plain,
                Some("SCRAM-SHA-256") => mechanism = SaslMechanism::ScramSha256,
                Some("SCRAM-SHA-512") => mechanism = SaslMechanism::ScramSha512,
                Some(other) => cx.error_with(
                    &path,
                    format!("unknown mechanism {other:?}; expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"),
                    r#"mechanism = "SCRAM-SHA-512""#,
                ),
                None => {}
            }
        }
        // Burrow defaults this to false, which modern brokers reject; Warren defaults to true.
        let handshake_first = reader.boolean(cx, "handshake-first", true);
        reader.finish(cx);
        out.insert(
            name.clone(),
            SaslProfile {
                name,
                username: username.unwrap_or_default(),
                password: Secret::new(password.unwrap_or_default()),
                mechanism,
                handshake_first,
            },
        );
    }
    out
}

/// Every `[client-profile.NAME]`, plus the implicit `default` unless the file defines it.
pub(crate) fn client_profiles(
    cx: &mut Ctx<'_>,
    sections: Vec<Named<'_>>,
    tls: &BTreeMap<String, TlsProfile>,
    sasl: &BTreeMap<String, SaslProfile>,
) -> BTreeMap<String, ClientProfile> {
    let mut out = BTreeMap::new();
    out.insert(DEFAULT.to_owned(), implicit_default());
    for Named { name, mut reader } in sections {
        let mut client_id = "warren".to_owned();
        if let Some(field) = reader.field(cx, "client-id") {
            let path = field.path.clone();
            match field.string(cx) {
                Some(id) if id.is_empty() => {
                    cx.error_with(&path, "must not be empty", r#"client-id = "warren""#);
                }
                Some(id) => client_id = id,
                None => {}
            }
        }
        let tls_name = reference(cx, &mut reader, "tls", tls.keys());
        let sasl_name = reference(cx, &mut reader, "sasl", sasl.keys());
        reader.ignore(
            cx,
            "kafka-version",
            "Warren negotiates protocol versions itself",
        );
        reader.ignore(
            cx,
            "dial-timeout",
            "Warren uses its Kafka client's own timeouts",
        );
        reader.ignore(
            cx,
            "read-timeout",
            "Warren uses its Kafka client's own timeouts",
        );
        reader.reject(cx, "iam", "MSK IAM is not supported yet");
        reader.finish(cx);
        out.insert(
            name.clone(),
            ClientProfile {
                name,
                client_id,
                tls: tls_name,
                sasl: sasl_name,
            },
        );
    }
    out
}

/// Reads a key naming a `[kind.NAME]` section and checks that the section exists.
fn reference<'a>(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    kind: &'static str,
    defined: impl Iterator<Item = &'a String>,
) -> Option<String> {
    let name = r.optional_string(cx, kind)?;
    let defined: Vec<&str> = defined.map(String::as_str).collect();
    if !defined.contains(&name.as_str()) {
        let message = format!("{kind} profile {name:?} is not defined");
        let example = match defined.first() {
            Some(first) => format!("{kind} = {first:?}"),
            None => format!("a [{kind}.{name}] section"),
        };
        cx.error_with(&r.key_path(kind), message, &example);
    }
    Some(name)
}

/// Resolves the profile a cluster or consumer names (the default when `name` is `None`),
/// reporting at `path` an undefined name or a profile needing TLS/SASL, which Warren cannot do
/// yet.
pub(crate) fn use_profile(
    cx: &mut Ctx<'_>,
    path: &str,
    name: Option<&str>,
    profiles: &BTreeMap<String, ClientProfile>,
) -> ClientProfile {
    let name = name.unwrap_or(DEFAULT);
    let Some(profile) = profiles.get(name) else {
        let known: Vec<String> = profiles.keys().map(|k| format!("{k:?}")).collect();
        cx.error_with(
            path,
            format!(
                "client profile {name:?} is not defined (defined: {})",
                known.join(", ")
            ),
            &format!("client-profile = {DEFAULT:?}"),
        );
        return default_of(profiles);
    };
    if let Some(tls) = &profile.tls {
        cx.error(
            path,
            format!(
                "client-profile {name:?} uses tls profile {tls:?}: TLS connections to Kafka are \
                 not supported yet (Warren never falls back to plaintext)"
            ),
        );
    }
    if let Some(sasl) = &profile.sasl {
        cx.error(
            path,
            format!(
                "client-profile {name:?} uses sasl profile {sasl:?}: SASL authentication to \
                 Kafka is not supported yet (Warren never falls back to unauthenticated \
                 connections)"
            ),
        );
    }
    profile.clone()
}
