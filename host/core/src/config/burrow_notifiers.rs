//! Burrow's own notifier sections, run as they are: a `[notifier.NAME]` without `plugin` and
//! with `class-name = "http"` or `"email"` becomes a `[plugin.NAME]` of the built-in webhook or
//! email notifier with Burrow's settings, so alerting carries on after the switch. The hosts of
//! `url-open` / `url-close` (or the mail server) are the plugin's allow-list, private addresses
//! included, since Burrow users post to internal services. Burrow's template files are read here
//! (plugins cannot read files) and handed to the plugin as text; a missing file named like one
//! of Burrow's shipped defaults means the plugin's built-in copy of that default. `null` sends
//! nothing. Each translation is kept as the Warren config that says the same, which
//! `check-config` prints so users can switch at their own pace.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value as Json, json};
use toml::Value;

use super::reader::{Ctx, Reader, type_name};
use super::{
    MailConfig, MailSecurity, NotifierConfig, PluginConfig, PluginKind, PluginLimits, PluginSource,
    Secret, SecretSource, Translation, duration, plugins::parse_secret_ref,
};

/// Burrow's shipped templates the built-in plugins carry their own copy of: the HTTP ones are
/// the webhook's `burrow` format, the email one the email notifier's default message.
const BURROW_DEFAULTS: &[&str] = &[
    "default-http-post.tmpl",
    "default-http-delete.tmpl",
    "default-email.tmpl",
];

/// Why TLS settings of Burrow's notifiers fail the load instead of being dropped.
const TRUST_STORE_FIX: &str = "Warren's notifiers trust the system's CA store and never skip \
     verification: install the receiver's CA there (cp ca.pem \
     /usr/local/share/ca-certificates/receiver.crt && update-ca-certificates) and remove this key";

/// A Burrow section's delivery part, resolved.
pub(crate) struct Burrow {
    /// The plugin that delivers it; `None` for `class-name = "null"`.
    pub(crate) plugin: Option<PluginConfig>,
    /// Its settings as the file wrote them (`${VAR}`s not substituted), for the Warren form.
    written: Json,
    /// Environment variables to export when switching to the printed Warren form, per secret.
    secret_vars: Vec<(String, String, &'static str)>,
    notes: Vec<String>,
}

/// Reads the class-specific keys of the Burrow section `[notifier.NAME]`.
pub(crate) fn delivery(cx: &mut Ctx<'_>, name: &str, r: &mut Reader<'_>) -> Option<Burrow> {
    let example = "class-name = \"http\" (or plugin = \"NAME\" naming a [plugin.NAME])";
    let field = r.required(cx, "class-name", example)?;
    let path = field.path.clone();
    match field.string(cx)?.as_str() {
        "http" => http(cx, name, r),
        "email" => email(cx, name, r),
        "null" => {
            for key in ["template-open", "template-close", "extras"] {
                r.ignore(cx, key, "the null notifier sends nothing");
            }
            Some(Burrow {
                plugin: None,
                written: Json::Null,
                secret_vars: Vec::new(),
                notes: vec!["class-name \"null\" sends nothing: delete the section".into()],
            })
        }
        other => {
            cx.error_with(
                &path,
                format!("unknown notifier class-name {other:?}; Burrow's are http, email and null"),
                example,
            );
            None
        }
    }
}

/// `class-name = "http"`: the built-in webhook notifier.
fn http(cx: &mut Ctx<'_>, name: &str, r: &mut Reader<'_>) -> Option<Burrow> {
    let example = "url-open = \"https://alerts.example.com/v1/event\"";
    let url_open = r
        .required(cx, "url-open", example)
        .and_then(|f| f.string(cx));
    let url_close = r.optional_string(cx, "url-close");
    let mut hosts = Vec::new();
    for (key, url) in [("url-open", &url_open), ("url-close", &url_close)] {
        if let Some(url) = url
            && let Some(host) = url_host(cx, &r.key_path(key), url)
            && !hosts.contains(&host)
        {
            hosts.push(host);
        }
    }
    let mut settings = Map::new();
    settings.insert("url".into(), json!(url_open.clone().unwrap_or_default()));
    if let Some(url) = url_close {
        settings.insert("url-close".into(), json!(url));
    }
    // Burrow's methods each default to POST; the webhook's close would default to the open's.
    for (key, setting) in [("method-open", "method"), ("method-close", "method-close")] {
        let method = r.optional_string(cx, key).unwrap_or_else(|| "POST".into());
        settings.insert(setting.into(), json!(method.to_ascii_uppercase()));
    }
    let mut headers = string_table(cx, r, "headers");
    let mut secrets = BTreeMap::new();
    let mut secret_vars = Vec::new();
    let username = r
        .hidden_field(cx, "basic-auth-username")
        .or_else(|| r.field(cx, "username"))
        .and_then(|f| f.string(cx));
    let password = r
        .hidden_field(cx, "basic-auth-password")
        .or_else(|| r.field(cx, "password"))
        .and_then(|f| f.string(cx));
    match (username, password) {
        (Some(user), Some(password)) => {
            // Burrow sent these as Basic credentials; the webhook sends headers, with the whole
            // value kept as a secret so it never shows in a config dump or a log.
            let token = <base64ct::Base64 as base64ct::Encoding>::encode_string(
                format!("{user}:{password}").as_bytes(),
            );
            secrets.insert(
                "basic-auth".to_owned(),
                SecretSource::Inline(Secret::new(format!("Basic {token}"))),
            );
            headers.insert("Authorization".into(), "${secret:basic-auth}".into());
            secret_vars.push((
                "basic-auth".to_owned(),
                secret_var(name, "basic-auth"),
                "\"Basic \" followed by the base64 of USER:PASSWORD",
            ));
        }
        (None, None) => {}
        _ => cx.error(
            &r.key_path("password"),
            "username and password go together: give both, or neither",
        ),
    }
    if !headers.is_empty() {
        settings.insert("headers".into(), json!(headers));
    }
    let extras = string_table(cx, r, "extras");
    if !extras.is_empty() {
        settings.insert("extras".into(), json!(extras));
    }
    templates(
        cx,
        r,
        &mut settings,
        &[
            ("template-open", "template-open"),
            ("template-close", "template-close"),
        ],
    );
    let mut written = settings.clone();
    for (key, setting) in [("url-open", "url"), ("url-close", "url-close")] {
        if let Some(Value::String(text)) = r.written(cx, key) {
            written.insert(setting.into(), json!(text));
        }
    }
    for key in ["extras", "headers"] {
        as_written(cx, r, &mut written, key);
    }
    // Burrow's HTTP notifier gave a request 5 s unless told otherwise.
    let limits = call_limits(cx, r, Duration::from_secs(5));
    for key in ["keepalive", "disable-http-keepalive"] {
        r.ignore(
            cx,
            key,
            "Warren's HTTP client keeps connections alive itself",
        );
    }
    tls_keys(cx, r);
    let plugin = plugin(name, "webhook", Json::Object(settings), limits);
    Some(Burrow {
        plugin: Some(PluginConfig {
            secrets,
            allowed_outbound_hosts: hosts,
            ..plugin
        }),
        written: Json::Object(written),
        secret_vars,
        notes: Vec::new(),
    })
}

/// `class-name = "email"`: the built-in email notifier, with the host's mail capability.
fn email(cx: &mut Ctx<'_>, name: &str, r: &mut Reader<'_>) -> Option<Burrow> {
    let server = r
        .required(cx, "server", "server = \"smtp.example.com\"")
        .and_then(|f| f.string(cx));
    let port = r
        .field(cx, "port")
        .and_then(|f| f.integer(cx, 1..=65535, 25))
        .map_or(25, |p| p as u16);
    let from = r
        .required(cx, "from", "from = \"burrow@example.com\"")
        .and_then(|f| f.string(cx));
    let to = recipients(cx, r);
    if let Some(field) = r.field(cx, "auth-type") {
        let path = field.path.clone();
        match field.string(cx).as_deref() {
            None | Some("" | "plain") => {}
            Some("crammd5") => cx.error_with(
                &path,
                "CRAM-MD5 is not offered by Warren's SMTP client (PLAIN and LOGIN are, over TLS)",
                "auth-type = \"plain\"",
            ),
            Some(other) => cx.error_with(
                &path,
                format!("unknown auth-type {other:?}; Burrow's are plain and crammd5"),
                "auth-type = \"plain\"",
            ),
        }
    }
    let username = r.optional_string(cx, "username");
    let password = r.field(cx, "password").and_then(|f| f.string(cx));
    if username.is_some() != password.is_some() {
        cx.error(
            &r.key_path("password"),
            "username and password go together: give both, or neither",
        );
    }
    let mut secret_vars = Vec::new();
    let password = password.map(|text| match parse_secret_ref(&text) {
        Ok(reference) => SecretSource::Ref(reference),
        Err(_) => {
            secret_vars.push((
                "mail.password".to_owned(),
                secret_var(name, "smtp-password"),
                "the SMTP password",
            ));
            SecretSource::Inline(Secret::new(text))
        }
    });
    // Burrow's mailer used SMTPS on 465 and STARTTLS whenever the server offered it; Warren
    // insists on STARTTLS once a password would cross the network.
    let security = match port {
        465 => MailSecurity::Tls,
        _ if password.is_some() => MailSecurity::StartTls,
        _ => MailSecurity::Opportunistic,
    };
    let mut settings = Map::new();
    // Burrow 1.x calls the mail's template template-open; older files say template.
    templates(
        cx,
        r,
        &mut settings,
        &[
            ("template-open", "template"),
            ("template", "template"),
            ("template-close", "template-close"),
        ],
    );
    let extras = string_table(cx, r, "extras");
    if !extras.is_empty() {
        settings.insert("extras".into(), json!(extras));
    }
    let mut written = settings.clone();
    as_written(cx, r, &mut written, "extras");
    let limits = call_limits(
        cx,
        r,
        PluginLimits::default_for(PluginKind::Notifier).timeout,
    );
    tls_keys(cx, r);
    let (Some(server), Some(from)) = (server, from) else {
        return None;
    };
    let mail = MailConfig {
        server,
        port,
        security,
        username,
        password,
        from,
        to,
        allowed_recipients: Vec::new(),
        timeout: limits.timeout,
    };
    let plugin = plugin(name, "email", Json::Object(settings), limits);
    Some(Burrow {
        plugin: Some(PluginConfig {
            mail: Some(mail),
            ..plugin
        }),
        written: Json::Object(written),
        secret_vars,
        notes: Vec::new(),
    })
}

/// Puts back the strings of the table `key` as the file wrote them (`${VAR}` unsubstituted).
fn as_written(cx: &Ctx<'_>, r: &Reader<'_>, settings: &mut Map<String, Json>, key: &str) {
    if let (Some(Value::Table(table)), Some(Json::Object(out))) =
        (r.written(cx, key), settings.get_mut(key))
    {
        for (k, v) in &table {
            if let Some(text) = v.as_str() {
                out.insert(k.clone(), json!(text));
            }
        }
    }
}

/// The plugin section every translation starts from: every cluster, private receivers allowed.
fn plugin(name: &str, builtin: &str, settings: Json, limits: PluginLimits) -> PluginConfig {
    PluginConfig {
        name: name.to_owned(),
        kind: PluginKind::Notifier,
        source: PluginSource::Builtin(builtin.to_owned()),
        sha256: None,
        clusters: vec!["*".to_owned()],
        settings,
        secrets: BTreeMap::new(),
        allowed_outbound_hosts: Vec::new(),
        allow_private_addresses: true,
        mail: None,
        limits,
    }
}

/// Burrow's `timeout` (seconds; `default` when absent) bounds the whole call, request included.
fn call_limits(cx: &mut Ctx<'_>, r: &mut Reader<'_>, default: Duration) -> PluginLimits {
    let mut limits = PluginLimits::default_for(PluginKind::Notifier);
    limits.timeout = r.positive_duration(cx, "timeout", default);
    limits
}

/// `noverify` and `extra-ca`: Warren will not skip verification, and trusts the system store.
fn tls_keys(cx: &mut Ctx<'_>, r: &mut Reader<'_>) {
    if r.boolean(cx, "noverify", false) {
        cx.error(&r.key_path("noverify"), TRUST_STORE_FIX);
    }
    if r.optional_string(cx, "extra-ca").is_some() {
        cx.error(&r.key_path("extra-ca"), TRUST_STORE_FIX);
    }
}

/// The host (without port: any port of it) a URL posts to, for the allow-list.
fn url_host(cx: &mut Ctx<'_>, path: &str, text: &str) -> Option<String> {
    let parsed = url::Url::parse(text).ok().filter(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.contains('{'))
    });
    let Some(host) = parsed.as_ref().and_then(url::Url::host_str) else {
        cx.error_with(
            path,
            "expected an http:// or https:// URL whose host is written out (a template may \
             fill its path and query only: the host becomes the notifier's allow-list)",
            "url-open = \"https://alerts.example.com/v1/event?cluster={{.Cluster}}\"",
        );
        return None;
    };
    Some(host.to_ascii_lowercase())
}

/// `to`: Burrow's comma-separated string, or a list.
fn recipients(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> Vec<String> {
    let Some(field) = r.field(cx, "to") else {
        cx.error_with(
            &r.key_path("to"),
            "missing required key",
            "to = \"ops@example.com,oncall@example.com\"",
        );
        return Vec::new();
    };
    let items: Vec<String> = match &field.value {
        Value::String(s) => s.split(',').map(|a| a.trim().to_owned()).collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        other => {
            cx.error(
                &field.path,
                format!(
                    "expected a comma-separated string, got {}",
                    type_name(other)
                ),
            );
            return Vec::new();
        }
    };
    let out: Vec<String> = items.into_iter().filter(|a| !a.is_empty()).collect();
    if out.is_empty() {
        cx.error(&field.path, "no recipient");
    }
    out
}

/// A table of strings (`extras`, `headers`), in key order.
fn string_table(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    key: &'static str,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(field) = r.field(cx, key) else {
        return out;
    };
    let Value::Table(table) = &field.value else {
        field.wrong_type(cx, "a table of strings");
        return out;
    };
    for (k, v) in table {
        match v {
            Value::String(s) => {
                out.insert(k.clone(), s.clone());
            }
            other => cx.error(
                &format!("{}.{k}", field.path),
                format!("expected a string, got {}", type_name(other)),
            ),
        }
    }
    out
}

/// The template keys (Burrow's, the plugin's): each file's text goes to the plugin, unless the
/// file is missing and named like one of Burrow's defaults, which the plugin carries itself.
fn templates(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    settings: &mut Map<String, Json>,
    keys: &[(&'static str, &'static str)],
) {
    for &(key, setting) in keys {
        let Some(field) = r.field(cx, key) else {
            continue;
        };
        let path = field.path.clone();
        let Some(file) = field.string(cx).filter(|f| !f.is_empty()) else {
            continue;
        };
        match read_template(cx.dir, Path::new(&file)) {
            Ok(text) => {
                settings.insert(setting.into(), json!(text));
            }
            Err(_) if is_burrow_default(&file) => {}
            Err(looked) => cx.error_with(
                &path,
                format!(
                    "cannot read the template {file:?} (looked at {})",
                    looked
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
                "template-open = \"/etc/burrow/default-http-post.tmpl\"",
            ),
        }
    }
}

/// Reads `file`: as given when absolute; else beside the config file, then in the working
/// directory (where Burrow looked). On failure, the paths tried.
fn read_template(dir: Option<&Path>, file: &Path) -> Result<String, Vec<PathBuf>> {
    let mut tried = Vec::new();
    if file.is_absolute() {
        tried.push(file.to_path_buf());
    } else {
        if let Some(dir) = dir {
            tried.push(dir.join(file));
        }
        tried.push(file.to_path_buf());
    }
    for path in &tried {
        if let Ok(text) = std::fs::read_to_string(path) {
            return Ok(text);
        }
    }
    Err(tried)
}

fn is_burrow_default(file: &str) -> bool {
    Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| BURROW_DEFAULTS.contains(&n))
}

/// The variable the printed Warren form reads a translated secret from.
fn secret_var(notifier: &str, secret: &str) -> String {
    let name: String = format!("WARREN_NOTIFIER_{notifier}_{secret}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    name
}

/// The Warren sections equivalent to the Burrow section `[notifier.NAME]`: none for `null`.
pub(crate) fn translation(
    name: &str,
    burrow: Burrow,
    notifier: Option<&NotifierConfig>,
) -> Translation {
    let section = format!("notifier.{name}");
    let mut notes = burrow.notes;
    let (Some(plugin), Some(notifier)) = (&burrow.plugin, notifier) else {
        return Translation {
            section,
            toml: String::new(),
            notes,
        };
    };
    let mut p = toml::Table::new();
    p.insert("kind".into(), "notifier".into());
    let path = match &plugin.source {
        PluginSource::Builtin(name) => format!("builtin:{name}"),
        PluginSource::File(file) => file.display().to_string(),
    };
    p.insert("path".into(), path.into());
    if let Ok(Value::Table(config)) = Value::try_from(&burrow.written)
        && !config.is_empty()
    {
        p.insert("config".into(), Value::Table(config));
    }
    let var_of = |secret: &str| {
        burrow
            .secret_vars
            .iter()
            .find(|(s, _, _)| s == secret)
            .map(|(_, var, _)| format!("env:{var}"))
    };
    if !plugin.secrets.is_empty() {
        let mut secrets = toml::Table::new();
        for (name, source) in &plugin.secrets {
            let reference = match source {
                SecretSource::Ref(r) => reference_text(r),
                SecretSource::Inline(_) => var_of(name).unwrap_or_default(),
            };
            secrets.insert(name.clone(), reference.into());
        }
        p.insert("secrets".into(), Value::Table(secrets));
    }
    if !plugin.allowed_outbound_hosts.is_empty() {
        let hosts = plugin
            .allowed_outbound_hosts
            .iter()
            .map(|h| Value::from(h.as_str()));
        p.insert(
            "allowed-outbound-hosts".into(),
            Value::Array(hosts.collect()),
        );
        p.insert("allow-private-addresses".into(), true.into());
    }
    if let Some(mail) = &plugin.mail {
        let mut m = toml::Table::new();
        m.insert("server".into(), mail.server.as_str().into());
        m.insert("port".into(), i64::from(mail.port).into());
        let security = match mail.security {
            MailSecurity::StartTls => "starttls",
            MailSecurity::Tls => "tls",
            MailSecurity::Opportunistic => "opportunistic",
            MailSecurity::None => "none",
        };
        m.insert("security".into(), security.into());
        if let Some(user) = &mail.username {
            m.insert("username".into(), user.as_str().into());
        }
        match &mail.password {
            Some(SecretSource::Ref(r)) => {
                m.insert("password".into(), reference_text(r).into());
            }
            Some(SecretSource::Inline(_)) => {
                let var = var_of("mail.password").unwrap_or_default();
                m.insert("password".into(), var.into());
            }
            None => {}
        }
        m.insert("from".into(), mail.from.as_str().into());
        let to = mail.to.iter().map(|a| Value::from(a.as_str()));
        m.insert("to".into(), Value::Array(to.collect()));
        p.insert("mail".into(), Value::Table(m));
    }
    if plugin.limits.timeout != PluginLimits::default_for(PluginKind::Notifier).timeout {
        let mut limits = toml::Table::new();
        limits.insert(
            "timeout".into(),
            duration::format(plugin.limits.timeout).into(),
        );
        p.insert("limits".into(), Value::Table(limits));
    }
    let mut n = toml::Table::new();
    n.insert("plugin".into(), plugin.name.as_str().into());
    if notifier.clusters != ["*"] {
        let clusters = notifier.clusters.iter().map(|c| Value::from(c.as_str()));
        n.insert("clusters".into(), Value::Array(clusters.collect()));
    }
    n.insert(
        "interval".into(),
        duration::format(notifier.interval).into(),
    );
    n.insert("threshold".into(), notifier.threshold.as_str().into());
    n.insert(
        "send-interval".into(),
        duration::format(notifier.send_interval).into(),
    );
    n.insert("send-once".into(), notifier.send_once.into());
    n.insert("send-close".into(), notifier.send_close.into());
    if let Some(allow) = &notifier.groups.allow {
        n.insert("group-allowlist".into(), allow.as_str().into());
    }
    if let Some(deny) = &notifier.groups.deny {
        n.insert("group-denylist".into(), deny.as_str().into());
    }
    let mut root = toml::Table::new();
    let mut plugins = toml::Table::new();
    plugins.insert(plugin.name.clone(), Value::Table(p));
    root.insert("plugin".into(), Value::Table(plugins));
    let mut notifiers = toml::Table::new();
    notifiers.insert(notifier.name.clone(), Value::Table(n));
    root.insert("notifier".into(), Value::Table(notifiers));
    for (_, var, what) in &burrow.secret_vars {
        notes.push(format!(
            "export {var} with {what} (now inline in the Burrow section)"
        ));
    }
    Translation {
        section,
        toml: toml::to_string(&root).unwrap_or_default(),
        notes,
    }
}

fn reference_text(reference: &super::SecretRef) -> String {
    match reference {
        super::SecretRef::Env(var) => format!("env:{var}"),
        super::SecretRef::File(path) => format!("file:{}", path.display()),
    }
}
