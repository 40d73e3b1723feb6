//! `[plugin.NAME]` sections and the cluster keys that bind them (`evaluator`, `group-filters`).
//! A plugin section says what the component is (kind, file or built-in, optional pinned
//! SHA-256), where it may be used (`clusters` globs), the `config` table handed to it as JSON,
//! and, for notifiers only, the capabilities it is granted (`secrets`,
//! `allowed-outbound-hosts`, `allow-private-addresses`). Whether a built-in exists, whether a
//! file loads and what the plugin's own `validate-config` says are checked by the runtime's
//! loader, which reports at the same key paths.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use toml::Value;
use warren_common::glob::Glob;

use super::reader::{Ctx, Field, Reader, join, type_name};
use super::root::Named;
use super::{
    ClusterConfig, MailConfig, MailSecurity, PluginConfig, PluginKind, PluginLimits, PluginSource,
    SecretRef, SecretSource,
};

const KINDS: &str = "evaluator, group-filter or notifier";

/// Every `[plugin.NAME]`.
pub(crate) fn plugins(
    cx: &mut Ctx<'_>,
    sections: Vec<Named<'_>>,
    clusters: &BTreeMap<String, ClusterConfig>,
) -> BTreeMap<String, PluginConfig> {
    let mut out = BTreeMap::new();
    for Named { name, mut reader } in sections {
        let kind = kind(cx, &mut reader);
        let source = source(cx, &mut reader);
        let sha256 = sha256(cx, &mut reader);
        let clusters_globs = cluster_globs(cx, &mut reader, clusters);
        let settings = settings(cx, &mut reader);
        let notifier = kind == Some(PluginKind::Notifier);
        let secrets = capability(cx, &mut reader, "secrets", notifier, secrets);
        let hosts = capability(cx, &mut reader, "allowed-outbound-hosts", notifier, hosts);
        let allow_private = match reader.field(cx, "allow-private-addresses") {
            Some(f) if !notifier => {
                only_notifiers(cx, &f.path);
                false
            }
            Some(f) => f.boolean(cx).unwrap_or(false),
            None => false,
        };
        let mail = capability(cx, &mut reader, "mail", notifier, mail);
        let limits = limits(cx, &mut reader, kind.unwrap_or(PluginKind::Evaluator));
        reader.finish(cx);
        let (Some(kind), Some(source)) = (kind, source) else {
            continue;
        };
        out.insert(
            name.clone(),
            PluginConfig {
                name,
                kind,
                source,
                sha256,
                clusters: clusters_globs,
                settings,
                secrets: secrets.unwrap_or_default(),
                allowed_outbound_hosts: hosts.unwrap_or_default(),
                allow_private_addresses: allow_private,
                mail,
                limits,
            },
        );
    }
    out
}

fn kind(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> Option<PluginKind> {
    let example = "kind = \"evaluator\"";
    let field = r.required(cx, "kind", example)?;
    let path = field.path.clone();
    let kind = match field.string(cx)?.as_str() {
        "evaluator" => PluginKind::Evaluator,
        "group-filter" => PluginKind::GroupFilter,
        "notifier" => PluginKind::Notifier,
        other => {
            let message = format!("unknown plugin kind {other:?}; expected {KINDS}");
            cx.error_with(&path, message, example);
            return None;
        }
    };
    Some(kind)
}

fn source(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> Option<PluginSource> {
    let example =
        "path = \"/etc/warren/plugins/my-filter.wasm\" or path = \"builtin:lag-threshold\"";
    let field = r.required(cx, "path", example)?;
    let path = field.path.clone();
    let text = field.string(cx)?;
    if let Some(name) = text.strip_prefix("builtin:") {
        if name.is_empty() {
            cx.error_with(&path, "empty built-in plugin name", example);
            return None;
        }
        return Some(PluginSource::Builtin(name.to_owned()));
    }
    if text.is_empty() {
        cx.error_with(&path, "must not be empty", example);
        return None;
    }
    if !text.ends_with(".wasm") {
        cx.warn(&path, format!("{text:?} does not end in .wasm"));
    }
    Some(PluginSource::File(PathBuf::from(text)))
}

fn sha256(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> Option<String> {
    let field = r.field(cx, "sha256")?;
    let path = field.path.clone();
    let text = field.string(cx)?;
    if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        Some(text.to_ascii_lowercase())
    } else {
        cx.error_with(
            &path,
            "expected 64 hexadecimal digits (the output of sha256sum)",
            "sha256 = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"",
        );
        None
    }
}

/// `clusters`: globs over cluster names; default every cluster. A glob matching no configured
/// cluster is a warning (a plugin loaded nowhere is likely a typo).
fn cluster_globs(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    clusters: &BTreeMap<String, ClusterConfig>,
) -> Vec<String> {
    let Some(field) = r.field(cx, "clusters") else {
        return vec!["*".to_owned()];
    };
    let path = field.path.clone();
    let Some(globs) = string_list(cx, field, "clusters = [\"prod-*\", \"staging\"]") else {
        return Vec::new();
    };
    if globs.is_empty() {
        cx.warn(&path, "an empty list: the plugin is loaded for no cluster");
    }
    for (i, glob) in globs.iter().enumerate() {
        if let Err(problem) = Glob::cluster(glob) {
            cx.error(&format!("{path}[{i}]"), problem);
        } else if !clusters.is_empty() && !clusters.keys().any(|c| glob_match(glob, c)) {
            cx.warn(
                &format!("{path}[{i}]"),
                format!("{glob:?} matches no configured cluster"),
            );
        }
    }
    globs
}

/// The `config` table, converted to the JSON object the plugin receives.
fn settings(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> serde_json::Value {
    let empty = serde_json::Value::Object(Default::default());
    let Some(field) = r.field(cx, "config") else {
        return empty;
    };
    match &field.value {
        Value::Table(_) => serde_json::to_value(&field.value).unwrap_or(empty),
        other => {
            let message = format!("expected a table, got {}", type_name(other));
            cx.error_with(
                &field.path,
                message,
                "config = { warn = 1000, err = 10000 }",
            );
            empty
        }
    }
}

fn only_notifiers(cx: &mut Ctx<'_>, path: &str) {
    cx.error(
        path,
        "only notifier plugins are granted capabilities; filters and evaluators get none",
    );
}

/// A capability key: parsed for notifiers, an error for every other kind.
fn capability<T>(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    key: &'static str,
    notifier: bool,
    parse: fn(&mut Ctx<'_>, Field) -> Option<T>,
) -> Option<T> {
    let field = r.field(cx, key)?;
    if !notifier {
        only_notifiers(cx, &field.path);
        return None;
    }
    parse(cx, field)
}

/// `secrets = { token = "env:SLACK_TOKEN", key = "file:/run/secrets/pd" }`.
fn secrets(cx: &mut Ctx<'_>, field: Field) -> Option<BTreeMap<String, SecretSource>> {
    let example = "secrets = { webhook = \"env:SLACK_WEBHOOK\" }";
    let Value::Table(table) = &field.value else {
        field.wrong_type(cx, "a table of NAME = \"env:VAR\" or \"file:PATH\"");
        return None;
    };
    let mut out = BTreeMap::new();
    for (name, value) in table {
        let path = join(&field.path, name);
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        {
            cx.error(
                &path,
                "a secret name may contain only letters, digits, '-' and '_'",
            );
            continue;
        }
        let parsed = match value {
            Value::String(s) => parse_secret_ref(s),
            other => Err(format!("expected a string, got {}", type_name(other))),
        };
        match parsed {
            Ok(r) => {
                out.insert(name.clone(), SecretSource::Ref(r));
            }
            Err(message) => cx.error_with(&path, message, example),
        }
    }
    Some(out)
}

/// `env:NAME` or `file:PATH`; the value itself is read by the plugin host at load time.
pub(crate) fn parse_secret_ref(text: &str) -> Result<SecretRef, String> {
    if let Some(var) = text.strip_prefix("env:") {
        if var.is_empty() {
            return Err("env: needs a variable name".to_owned());
        }
        return Ok(SecretRef::Env(var.to_owned()));
    }
    if let Some(file) = text.strip_prefix("file:") {
        if file.is_empty() {
            return Err("file: needs a path".to_owned());
        }
        return Ok(SecretRef::File(PathBuf::from(file)));
    }
    // Never echo the value: someone may have pasted the secret itself here.
    Err("expected \"env:VARIABLE\" or \"file:/path/to/secret\" (the value is not shown)".to_owned())
}

/// `allowed-outbound-hosts = ["hooks.slack.com", "*.pagerduty.com", "127.0.0.1:8099"]`.
fn hosts(cx: &mut Ctx<'_>, field: Field) -> Option<Vec<String>> {
    let path = field.path.clone();
    let hosts = string_list(cx, field, "allowed-outbound-hosts = [\"hooks.slack.com\"]")?;
    let mut ok = Vec::new();
    for (i, host) in hosts.into_iter().enumerate() {
        match check_host_pattern(&host) {
            Ok(()) => ok.push(host.to_ascii_lowercase()),
            Err(why) => cx.error_with(
                &format!("{path}[{i}]"),
                why,
                "\"hooks.slack.com\", \"*.example.com\" or \"10.0.0.5:8080\"",
            ),
        }
    }
    Some(ok)
}

/// A host name, `*.` plus a domain, or an IP, each with an optional `:port`; no scheme or path.
pub(crate) fn check_host_pattern(text: &str) -> Result<(), String> {
    if text.contains("://") || text.contains('/') {
        return Err(format!(
            "{text:?}: give the host only, without scheme or path"
        ));
    }
    let host = match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') || host.ends_with(']') => {
            if port.parse::<u16>().map_or(true, |p| p == 0) {
                return Err(format!(
                    "{text:?}: the port must be a number from 1 to 65535"
                ));
            }
            host
        }
        _ => text,
    };
    let bare = host.strip_prefix("*.").unwrap_or(host);
    let bare = bare.trim_start_matches('[').trim_end_matches(']');
    if bare.is_empty()
        || bare.contains('*')
        || !bare
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
    {
        return Err(format!(
            "{text:?}: expected a host name, \"*.\" followed by a domain, or an IP address"
        ));
    }
    Ok(())
}

/// `[plugin.NAME.mail]`: the SMTP server the host delivers this notifier's mail through.
fn mail(cx: &mut Ctx<'_>, field: Field) -> Option<MailConfig> {
    let Value::Table(table) = &field.value else {
        field.wrong_type(cx, "a table");
        return None;
    };
    let mut r = Reader::new(field.path.clone(), table);
    let server = r
        .required(cx, "server", "server = \"smtp.example.com\"")
        .and_then(|f| f.string(cx));
    let security = match r.field(cx, "security") {
        None => Some(MailSecurity::StartTls),
        Some(f) => {
            let path = f.path.clone();
            match f.string(cx).as_deref() {
                Some("starttls") => Some(MailSecurity::StartTls),
                Some("tls") => Some(MailSecurity::Tls),
                Some("opportunistic") => Some(MailSecurity::Opportunistic),
                Some("none") => Some(MailSecurity::None),
                Some(other) => {
                    cx.error_with(
                        &path,
                        format!(
                            "unknown security {other:?}; expected starttls, tls, opportunistic \
                             or none"
                        ),
                        "security = \"starttls\"",
                    );
                    None
                }
                None => None,
            }
        }
    };
    let default_port = match security {
        Some(MailSecurity::Tls) => 465,
        Some(MailSecurity::None | MailSecurity::Opportunistic) => 25,
        _ => 587,
    };
    let port = r
        .field(cx, "port")
        .and_then(|f| f.integer(cx, 1..=65535, default_port))
        .map_or(default_port as u16, |p| p as u16);
    let username = r.optional_string(cx, "username");
    let password = match r.field(cx, "password") {
        None => None,
        Some(f) => {
            let path = f.path.clone();
            match f.string(cx).map(|s| parse_secret_ref(&s)) {
                Some(Ok(reference)) => Some(SecretSource::Ref(reference)),
                Some(Err(message)) => {
                    cx.error_with(&path, message, "password = \"env:SMTP_PASSWORD\"");
                    None
                }
                None => None,
            }
        }
    };
    if username.is_some() != password.is_some() {
        cx.error(
            &field.path,
            "username and password go together: give both, or neither",
        );
    }
    // Without TLS the password crosses the network readable by anyone on the path; only an
    // operator who knows the relay sits on a trusted network may say so.
    let plaintext_ok = r.boolean(cx, "allow-plaintext-credentials", false);
    let plaintext = matches!(
        security,
        Some(MailSecurity::None | MailSecurity::Opportunistic)
    );
    if plaintext && password.is_some() && !plaintext_ok {
        cx.error_with(
            &r.key_path("security"),
            "\"none\" and \"opportunistic\" could send the SMTP password unencrypted; use \
             starttls or tls, or set allow-plaintext-credentials = true for a relay on a trusted \
             network",
            "security = \"starttls\"",
        );
    }
    let from = r
        .required(cx, "from", "from = \"warren@example.com\"")
        .and_then(|f| f.string(cx));
    let to = match r.field(cx, "to") {
        Some(f) => string_list(cx, f, "to = [\"ops@example.com\"]").unwrap_or_default(),
        None => Vec::new(),
    };
    for (i, address) in to.iter().chain(from.iter()).enumerate() {
        if !looks_like_address(address) {
            let at = if i < to.len() {
                format!("{}.to[{i}]", field.path)
            } else {
                format!("{}.from", field.path)
            };
            cx.error(&at, format!("{address:?} is not an email address"));
        }
    }
    let allowed_recipients = match r.field(cx, "allowed-recipients") {
        Some(f) => {
            string_list(cx, f, "allowed-recipients = [\"@example.com\"]").unwrap_or_default()
        }
        None => Vec::new(),
    };
    let timeout = r.positive_duration(cx, "timeout", Duration::from_secs(10));
    r.finish(cx);
    Some(MailConfig {
        allowed_recipients,
        server: server?,
        port,
        security: security?,
        username,
        password,
        from: from?,
        to,
        timeout,
    })
}

/// `local@domain` with an optional `Name <...>`: enough to catch typos at start-up; the SMTP
/// library checks the rest when it sends.
fn looks_like_address(text: &str) -> bool {
    let addr = match (text.find('<'), text.rfind('>')) {
        (Some(a), Some(b)) if a < b => &text[a + 1..b],
        _ => text,
    };
    match addr.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && (domain.contains('.') || domain == "localhost")
        }
        None => false,
    }
}

/// `[plugin.NAME.limits]`: `memory` in MiB and the per-call `timeout`.
fn limits(cx: &mut Ctx<'_>, r: &mut Reader<'_>, kind: PluginKind) -> PluginLimits {
    let mut limits = PluginLimits::default_for(kind);
    let Some(field) = r.field(cx, "limits") else {
        return limits;
    };
    let Value::Table(table) = &field.value else {
        field.wrong_type(cx, "a table");
        return limits;
    };
    let mut sub = Reader::new(field.path.clone(), table);
    if let Some(mib) = sub
        .field(cx, "memory-mib")
        .and_then(|f| f.integer(cx, 1..=4096, (limits.memory_bytes >> 20) as i64))
    {
        limits.memory_bytes = (mib as usize) << 20;
    }
    let timeout = sub.duration(cx, "timeout", limits.timeout);
    if timeout < Duration::from_millis(10) {
        cx.error_with(
            &sub.key_path("timeout"),
            "must be at least 10ms (the epoch tick)",
            "timeout = \"100ms\"",
        );
    } else {
        limits.timeout = timeout;
    }
    sub.finish(cx);
    limits
}

fn string_list(cx: &mut Ctx<'_>, field: Field, example: &str) -> Option<Vec<String>> {
    let Value::Array(items) = &field.value else {
        let message = format!(
            "expected an array of strings, got {}",
            type_name(&field.value)
        );
        cx.error_with(&field.path, message, example);
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if !s.is_empty() => out.push(s.clone()),
            other => {
                ok = false;
                let got = if matches!(other, Value::String(_)) {
                    "an empty string"
                } else {
                    type_name(other)
                };
                cx.error_with(
                    &format!("{}[{i}]", field.path),
                    format!("expected a non-empty string, got {got}"),
                    example,
                );
            }
        }
    }
    ok.then_some(out)
}

/// The cluster keys `evaluator` and `group-filters`, read while the cluster section is walked
/// and checked against the plugins once those are parsed.
#[derive(Debug, Default)]
pub(crate) struct ClusterBinding {
    pub(crate) evaluator: Option<(String, String)>,
    pub(crate) filters: Vec<(String, String)>,
}

/// Reads a cluster's plugin choices (name plus the key path to report problems at).
pub(crate) fn cluster_binding(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> ClusterBinding {
    let mut binding = ClusterBinding::default();
    if let Some(f) = r.field(cx, "evaluator") {
        let path = f.path.clone();
        if let Some(name) = f.string(cx).filter(|n| !n.is_empty()) {
            binding.evaluator = Some((name, path));
        }
    }
    if let Some(f) = r.field(cx, "group-filters") {
        let path = f.path.clone();
        if let Some(names) = string_list(cx, f, "group-filters = [\"skip-empty\"]") {
            binding.filters = names
                .into_iter()
                .enumerate()
                .map(|(i, n)| (n, format!("{path}[{i}]")))
                .collect();
        }
    }
    binding
}

/// Checks every cluster's choices: the plugin exists, is of the right kind, and its `clusters`
/// globs include the cluster. Fills `evaluator` / `group_filters` of the cluster configs.
pub(crate) fn bind(
    cx: &mut Ctx<'_>,
    clusters: &mut BTreeMap<String, ClusterConfig>,
    bindings: BTreeMap<String, ClusterBinding>,
    plugins: &BTreeMap<String, PluginConfig>,
) {
    for (cluster, binding) in bindings {
        let Some(config) = clusters.get_mut(&cluster) else {
            continue;
        };
        let mut check = |name: &str, path: &str, want: PluginKind| -> bool {
            let Some(plugin) = plugins.get(name) else {
                let known: Vec<&str> = plugins
                    .values()
                    .filter(|p| p.kind == want)
                    .map(|p| p.name.as_str())
                    .collect();
                let hint = if known.is_empty() {
                    format!(
                        "define it: [plugin.{name}] with kind = \"{}\"",
                        want.as_str()
                    )
                } else {
                    format!("{} plugins: {}", want.as_str(), known.join(", "))
                };
                cx.error_with(path, format!("no [plugin.{name}] section"), &hint);
                return false;
            };
            if plugin.kind != want {
                cx.error(
                    path,
                    format!(
                        "plugin {name:?} is a {}, not a {}",
                        plugin.kind.as_str(),
                        want.as_str()
                    ),
                );
                return false;
            }
            if !plugin.applies_to(&cluster) {
                cx.error_with(
                    path,
                    format!(
                        "plugin {name:?} is not loaded for cluster {cluster:?} (its clusters: {:?})",
                        plugin.clusters
                    ),
                    &format!("clusters = [\"{cluster}\"] in [plugin.{name}]"),
                );
                return false;
            }
            true
        };
        if let Some((name, path)) = &binding.evaluator
            && check(name, path, PluginKind::Evaluator)
        {
            config.evaluator = Some(name.clone());
        }
        for (name, path) in &binding.filters {
            if check(name, path, PluginKind::GroupFilter) && !config.group_filters.contains(name) {
                config.group_filters.push(name.clone());
            }
        }
    }
}

/// Whether the cluster-name glob `pattern` matches the whole of `name` (`*`, `?` and `[a-z]`
/// classes, as [`warren_common::glob`] reads them for plugins too). A malformed pattern matches
/// nothing; the config reader has reported it.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    Glob::cluster(pattern).is_ok_and(|glob| glob.matches(name))
}
