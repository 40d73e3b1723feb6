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
    ClientProfile, Kerberos, MskIam, OidcClient, RawProperties, SaslCredentials, SaslMechanism,
    SaslProfile, Secret, SecretSource, TlsProfile,
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

/// Every `[sasl.NAME]`: the mechanism first, then the keys its credentials take.
pub(crate) fn sasl_profiles(
    cx: &mut Ctx<'_>,
    sections: Vec<Named<'_>>,
) -> BTreeMap<String, SaslProfile> {
    let mut out = BTreeMap::new();
    for Named { name, mut reader } in sections {
        let mut mechanism = SaslMechanism::Plain;
        if let Some(field) = reader.field(cx, "mechanism") {
            let path = field.path.clone();
            match field.string(cx).map(|m| m.to_ascii_uppercase()).as_deref() {
                Some("PLAIN") => mechanism = SaslMechanism::Plain,
                Some("SCRAM-SHA-256") => mechanism = SaslMechanism::ScramSha256,
                Some("SCRAM-SHA-512") => mechanism = SaslMechanism::ScramSha512,
                Some("OAUTHBEARER") => mechanism = SaslMechanism::OAuthBearer,
                Some("AWS_MSK_IAM") => mechanism = SaslMechanism::AwsMskIam,
                Some("GSSAPI") => mechanism = SaslMechanism::Gssapi,
                Some(other) => cx.error_with(
                    &path,
                    format!(
                        "unknown mechanism {other:?}; expected PLAIN, SCRAM-SHA-256, \
                         SCRAM-SHA-512, OAUTHBEARER, AWS_MSK_IAM or GSSAPI"
                    ),
                    r#"mechanism = "SCRAM-SHA-512""#,
                ),
                None => {}
            }
        }
        let (username, credentials) = match mechanism {
            SaslMechanism::Plain | SaslMechanism::ScramSha256 | SaslMechanism::ScramSha512 => {
                password_credentials(cx, &mut reader)
            }
            SaslMechanism::OAuthBearer => oidc_client(cx, &mut reader),
            SaslMechanism::AwsMskIam => (String::new(), msk_iam(cx, &mut reader)),
            SaslMechanism::Gssapi => kerberos(cx, &mut reader),
        };
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
                username,
                credentials,
                mechanism,
                handshake_first,
            },
        );
    }
    out
}

/// PLAIN and SCRAM: `username` and `password`.
fn password_credentials(cx: &mut Ctx<'_>, reader: &mut Reader<'_>) -> (String, SaslCredentials) {
    let username = reader
        .required(cx, "username", r#"username = "warren""#)
        .and_then(|f| f.string(cx));
    let password = secret(
        cx,
        reader,
        "password",
        r#"password = "env:KAFKA_PASSWORD""#,
        true,
    );
    let password = password.unwrap_or_else(|| SecretSource::Inline(Secret::new("")));
    (
        username.unwrap_or_default(),
        SaslCredentials::Password { password },
    )
}

/// OAUTHBEARER: `token-endpoint`, `client-id`, `client-secret`, optional `scope`.
fn oidc_client(cx: &mut Ctx<'_>, reader: &mut Reader<'_>) -> (String, SaslCredentials) {
    let example = r#"token-endpoint = "https://login.example.com/oauth2/token""#;
    let token_endpoint = reader
        .required(cx, "token-endpoint", example)
        .and_then(|f| {
            let path = f.path.clone();
            let url = f.string(cx)?;
            check_token_endpoint(&url)
                .map_err(|why| cx.error_with(&path, why, example))
                .ok()
                .map(|()| url)
        });
    let client_id = reader
        .required(cx, "client-id", r#"client-id = "warren""#)
        .and_then(|f| f.string(cx));
    let example = r#"client-secret = "env:KAFKA_CLIENT_SECRET""#;
    let client_secret = secret(cx, reader, "client-secret", example, true);
    let scope = reader.optional_string(cx, "scope");
    reader.reject(
        cx,
        "extensions",
        "SASL extensions are not supported yet (Warren's Kafka client cannot send them with \
         a token it fetched)",
    );
    let client = OidcClient {
        token_endpoint: token_endpoint.unwrap_or_default(),
        client_secret: client_secret.unwrap_or_else(|| SecretSource::Inline(Secret::new(""))),
        scope,
    };
    (client_id.unwrap_or_default(), SaslCredentials::Oidc(client))
}

/// The token endpoint receives the client secret: `https://`, or `http://` to this machine
/// only (a local identity proxy, the tests' endpoint).
pub(crate) fn check_token_endpoint(url: &str) -> Result<(), String> {
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
        };
        if !matches!(host, "127.0.0.1" | "localhost" | "::1") {
            return Err(format!(
                "{url:?} would send the client secret unencrypted; use https:// (http:// is \
                 accepted for 127.0.0.1, ::1 and localhost only)"
            ));
        }
        rest
    } else {
        return Err(format!("{url:?} is not an https:// URL"));
    };
    if rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .is_empty()
    {
        return Err(format!("{url:?} has no host"));
    }
    Ok(())
}

/// GSSAPI: `service-name` (kafka), `principal` and `keytab` (together, or neither: the
/// credential cache a `kinit` elsewhere filled).
fn kerberos(cx: &mut Ctx<'_>, reader: &mut Reader<'_>) -> (String, SaslCredentials) {
    let service_name = reader
        .optional_string(cx, "service-name")
        .unwrap_or_else(|| "kafka".to_owned());
    let principal = reader.optional_string(cx, "principal");
    let keytab = reader.optional_string(cx, "keytab").map(PathBuf::from);
    if keytab.is_some() && principal.is_none() {
        cx.error_with(
            &reader.key_path("principal"),
            "keytab needs the principal whose key it holds",
            r#"principal = "warren/host.example.com@EXAMPLE.COM""#,
        );
    }
    if let Some(k) = &keytab
        && !k.is_absolute()
    {
        cx.error_with(
            &reader.key_path("keytab"),
            "must be an absolute path",
            r#"keytab = "/etc/warren/warren.keytab""#,
        );
    }
    (
        principal.clone().unwrap_or_default(),
        SaslCredentials::Kerberos(Kerberos {
            service_name,
            principal,
            keytab,
        }),
    )
}

/// AWS_MSK_IAM: `region`, optional `profile`, optional static keys.
fn msk_iam(cx: &mut Ctx<'_>, reader: &mut Reader<'_>) -> SaslCredentials {
    let example = r#"region = "eu-west-1""#;
    let region = reader.required(cx, "region", example).and_then(|f| {
        let path = f.path.clone();
        let region = f.string(cx)?;
        let valid = !region.is_empty()
            && region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            cx.error_with(&path, format!("{region:?} is not an AWS region"), example);
        }
        valid.then_some(region)
    });
    let profile = reader.optional_string(cx, "profile");
    let key = r#"access-key-id = "env:MSK_ACCESS_KEY_ID""#;
    let access_key_id = secret(cx, reader, "access-key-id", key, false);
    let secret_key = r#"secret-access-key = "file:/run/secrets/msk-secret-key""#;
    let secret_access_key = secret(cx, reader, "secret-access-key", secret_key, false);
    let session_token = secret(
        cx,
        reader,
        "session-token",
        r#"session-token = "env:MSK_SESSION_TOKEN""#,
        false,
    );
    match (&access_key_id, &secret_access_key) {
        (Some(_), None) => cx.error_with(
            &reader.key_path("secret-access-key"),
            "access-key-id needs secret-access-key",
            secret_key,
        ),
        (None, Some(_)) => cx.error_with(
            &reader.key_path("access-key-id"),
            "secret-access-key needs access-key-id",
            key,
        ),
        _ => {}
    }
    if session_token.is_some() && access_key_id.is_none() {
        cx.error(
            &reader.key_path("session-token"),
            "session-token goes with access-key-id and secret-access-key",
        );
    }
    SaslCredentials::MskIam(MskIam {
        region: region.unwrap_or_default(),
        profile,
        access_key_id,
        secret_access_key,
        session_token,
    })
}

/// A credential key: `env:VAR`, `file:PATH` or the value itself.
fn secret(
    cx: &mut Ctx<'_>,
    reader: &mut Reader<'_>,
    key: &'static str,
    example: &str,
    required: bool,
) -> Option<SecretSource> {
    let field = if required {
        reader.required(cx, key, example)
    } else {
        reader.field(cx, key)
    }?;
    let path = field.path.clone();
    let text = field.string(cx)?;
    password(cx, &path, text, example)
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
        {
            let what = match s.mechanism {
                SaslMechanism::Plain => Some("the password crosses"),
                SaslMechanism::OAuthBearer | SaslMechanism::AwsMskIam => Some("tokens cross"),
                SaslMechanism::ScramSha256 | SaslMechanism::ScramSha512 | SaslMechanism::Gssapi => {
                    None
                }
            };
            if let Some(what) = what {
                cx.warn(
                    &reader.key_path("sasl"),
                    format!(
                        "sasl profile {:?} uses {} without tls: {what} the network unencrypted",
                        s.name,
                        s.mechanism.as_str()
                    ),
                );
            }
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
        reader.reject(
            cx,
            "iam",
            "MSK IAM is configured as SASL: sasl = \"NAME\" naming a [sasl.NAME] with \
             mechanism = \"AWS_MSK_IAM\" and region",
        );
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
/// Burrow takes it (usually `"${VAR}"`); the other credential keys the same way.
fn password(cx: &mut Ctx<'_>, path: &str, text: String, example: &str) -> Option<SecretSource> {
    if !(text.starts_with("env:") || text.starts_with("file:")) {
        return Some(SecretSource::Inline(Secret::new(text)));
    }
    match parse_secret_ref(&text) {
        Ok(reference) => Some(SecretSource::Ref(reference)),
        Err(message) => {
            cx.error_with(path, message, example);
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
/// mechanism Warren has no typed keys for can be configured by hand).
const SASL_KEYS: &[&str] = &[
    "sasl.mechanism",
    "sasl.mechanisms",
    "sasl.username",
    "sasl.password",
    "sasl.oauthbearer.config",
    "sasl.oauthbearer.method",
    "enable.sasl.oauthbearer.unsecure.jwt",
    "sasl.kerberos.service.name",
    "sasl.kerberos.principal",
    "sasl.kerberos.keytab",
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
