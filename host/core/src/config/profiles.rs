//! How Warren talks to Kafka: `[tls.NAME]`, `[sasl.NAME]` and the `[client-profile.NAME]` that
//! ties them together, resolved here into one [`ClientProfile`] per name (the TLS and SASL
//! settings copied in) so the Kafka side maps a single struct to librdkafka. The profile's
//! `librdkafka` table is the escape hatch for anything without a typed key; the properties
//! Warren's own readers depend on are refused by name, and so are the ones a typed key already
//! sets, so each setting has one place and a raw property can never quietly undo `tls` (Warren
//! never falls back to plaintext).

use std::collections::BTreeMap;
use std::path::PathBuf;

use toml::Value;

use super::plugins::parse_secret_ref;
use super::reader::{Ctx, Reader, join, type_name};
use super::root::Named;
use super::{
    ClientProfile, RawProperties, SaslMechanism, SaslProfile, Secret, SecretSource, TlsProfile,
};

/// The profile used when a cluster names none; `[client-profile.default]` overrides it.
pub(crate) const DEFAULT: &str = "default";

/// The profile in force when no `[client-profile.default]` is written.
pub(crate) fn implicit_default() -> ClientProfile {
    ClientProfile::plaintext("warren")
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
            .required(cx, "password", r#"password = "env:KAFKA_PASSWORD""#)
            .and_then(|f| {
                let path = f.path.clone();
                let text = f.string(cx)?;
                password(cx, &path, text)
            });
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
        if !handshake_first {
            cx.warn(
                &reader.key_path("handshake-first"),
                "ignored: Warren's Kafka client always sends the SASL handshake first",
            );
        }
        reader.finish(cx);
        out.insert(
            name.clone(),
            SaslProfile {
                name,
                username: username.unwrap_or_default(),
                password: password.unwrap_or_else(|| SecretSource::Inline(Secret::new(""))),
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
        let tls_settings = tls_name.as_ref().and_then(|n| tls.get(n)).cloned();
        let sasl_settings = sasl_name.as_ref().and_then(|n| sasl.get(n)).cloned();
        if let Some(s) = &sasl_settings
            && tls_settings.is_none()
            && s.mechanism == SaslMechanism::Plain
        {
            cx.warn(
                &reader.key_path("sasl"),
                format!(
                    "sasl profile {:?} uses PLAIN without tls: the password crosses the network \
                     unencrypted",
                    s.name
                ),
            );
        }
        let librdkafka = match reader.field(cx, "librdkafka") {
            Some(field) => {
                raw_properties(cx, field, tls_settings.is_some(), sasl_settings.is_some())
            }
            None => RawProperties::default(),
        };
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
                tls_settings,
                sasl_settings,
                librdkafka,
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
/// reporting an undefined name at `path`.
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
    profile.clone()
}

/// `password = "env:VAR"`, `"file:PATH"` (read when connecting) or the password itself, as
/// Burrow takes it (usually `"${VAR}"`).
fn password(cx: &mut Ctx<'_>, path: &str, text: String) -> Option<SecretSource> {
    if !(text.starts_with("env:") || text.starts_with("file:")) {
        return Some(SecretSource::Inline(Secret::new(text)));
    }
    match parse_secret_ref(&text) {
        Ok(reference) => Some(SecretSource::Ref(reference)),
        Err(message) => {
            cx.error_with(path, message, r#"password = "env:KAFKA_PASSWORD""#);
            None
        }
    }
}

/// Properties Warren's clients depend on, refused whatever the profile: the reason is shown.
const OWNED: &[(&str, &str)] = &[
    ("bootstrap.servers", "set by the cluster's `servers`"),
    ("metadata.broker.list", "set by the cluster's `servers`"),
    ("client.id", "set by the profile's `client-id`"),
    (
        "group.id",
        "Warren names its own readers; they never join a group",
    ),
    ("group.instance.id", "Warren's readers never join a group"),
    ("group.protocol", "Warren's readers never join a group"),
    ("enable.auto.commit", "Warren must never commit offsets"),
    (
        "auto.commit.interval.ms",
        "Warren must never commit offsets",
    ),
    (
        "enable.auto.offset.store",
        "Warren must never commit offsets",
    ),
    (
        "isolation.level",
        "the offsets-topic reader must read committed records only (aborted transactional \
         commits must not count)",
    ),
    (
        "enable.partition.eof",
        "the offsets-topic reader learns it caught up from end-of-partition events",
    ),
    (
        "auto.offset.reset",
        "the offsets-topic reader must start from the oldest offset retention kept",
    ),
];

/// Properties a `[tls.NAME]` sets: refused in a profile with `tls`, allowed without one (for a
/// setup no typed key covers).
const TLS_KEYS: &[&str] = &[
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
    "enable.ssl.certificate.verification",
    "ssl.endpoint.identification.algorithm",
];

/// Properties a `[sasl.NAME]` sets: refused in a profile with `sasl`, allowed without one (a
/// mechanism Warren has no typed keys for, such as OAUTHBEARER, can be configured by hand).
const SASL_KEYS: &[&str] = &[
    "sasl.mechanism",
    "sasl.mechanisms",
    "sasl.username",
    "sasl.password",
];

/// `[client-profile.NAME.librdkafka]`: string (or number/boolean) values, each name checked
/// against the lists above.
fn raw_properties(
    cx: &mut Ctx<'_>,
    field: super::reader::Field,
    tls: bool,
    sasl: bool,
) -> RawProperties {
    let example = r#"[client-profile.NAME.librdkafka] "socket.timeout.ms" = "30000""#;
    let Value::Table(table) = &field.value else {
        field.wrong_type(cx, "a table of librdkafka properties");
        return RawProperties::default();
    };
    let mut out = BTreeMap::new();
    for (name, value) in table {
        let path = join(&field.path, name);
        if let Some((_, why)) = OWNED.iter().find(|(k, _)| k == name) {
            cx.error(&path, format!("refused: {why}"));
            continue;
        }
        if name == "security.protocol" && (tls || sasl) {
            cx.error(
                &path,
                "refused: set by the profile's `tls`/`sasl` (Warren never falls back to plaintext)",
            );
            continue;
        }
        if tls && TLS_KEYS.contains(&name.as_str()) {
            cx.error(&path, "refused: set by the profile's [tls.NAME] section");
            continue;
        }
        if sasl && SASL_KEYS.contains(&name.as_str()) {
            cx.error(&path, "refused: set by the profile's [sasl.NAME] section");
            continue;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Integer(n) => n.to_string(),
            Value::Boolean(b) => b.to_string(),
            Value::Float(f) => f.to_string(),
            other => {
                let message = format!("expected a string, got {}", type_name(other));
                cx.error_with(&path, message, example);
                continue;
            }
        };
        out.insert(name.clone(), text);
    }
    RawProperties(out)
}
