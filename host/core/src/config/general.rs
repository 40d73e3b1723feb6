//! Process-level sections: `[general]`, `[logging]` and `[httpserver.NAME]`. Burrow's `pidfile`
//! and `[logging] filename` work as in Burrow; its in-process log rotation does not: the
//! rotation keys are accepted with a warning that says how to rotate with logrotate, which
//! Warren supports by reopening the file on SIGUSR1. A listener's security and limits live in
//! its own section: `tls`, timeouts, size caps, `metrics-public`, `anonymous-admin`.
//! `metrics-granularity` chooses per family of `/metrics` names whether per-partition series
//! are exported; it replaced the all-or-nothing `metrics-partitions`, which still works.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use toml::Value;

use super::reader::{Ctx, Reader, join, type_name};
use super::root::Named;
use super::{
    GeneralConfig, Granularity, HttpServerConfig, LogFormat, LogLevel, LoggingConfig,
    MetricsGranularity, TlsProfile,
};

/// `[general]`; `None` when the section is absent.
pub(crate) fn general(cx: &mut Ctx<'_>, reader: Option<Reader<'_>>) -> GeneralConfig {
    let Some(mut r) = reader else {
        return GeneralConfig {
            access_control_allow_origin: None,
            plugin_cache_dir: None,
            metrics_refresh: std::time::Duration::from_secs(10),
            metrics_granularity: MetricsGranularity {
                burrow: Granularity::Partition,
                lag_exporter: Granularity::Partition,
            },
            instance_id: None,
            pidfile: None,
        };
    };
    let origin = r.optional_string(cx, "access-control-allow-origin");
    let plugin_cache_dir = r
        .optional_string(cx, "plugin-cache-dir")
        .map(std::path::PathBuf::from);
    let metrics_refresh =
        r.positive_duration(cx, "metrics-refresh", std::time::Duration::from_secs(10));
    let metrics_granularity = metrics_granularity(cx, &mut r);
    let instance_id = r.optional_string(cx, "instance-id");
    let pidfile = r
        .optional_string(cx, "pidfile")
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from);
    r.ignore(cx, "stdout-logfile", "Warren logs to stderr");
    // Read before the sections are (`overrides.rs`); reading it here checks its type.
    let _ = r.optional_string(cx, "env-var-prefix");
    r.finish(cx);
    GeneralConfig {
        access_control_allow_origin: origin,
        plugin_cache_dir,
        metrics_refresh,
        metrics_granularity,
        instance_id,
        pidfile,
    }
}

const GRANULARITY_EXAMPLE: &str =
    r#"metrics-granularity = { burrow = "partition", lag-exporter = "topic" }"#;

/// `metrics-granularity`: one granularity for every family (`"topic"`), or a table per family.
/// Families it does not name take the older all-or-nothing `metrics-partitions` (false means
/// `"topic"`), which still works, with a warning that it was replaced.
fn metrics_granularity(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> MetricsGranularity {
    let mut default = Granularity::Partition;
    if let Some(field) = r.hidden_field(cx, "metrics-partitions") {
        let path = field.path.clone();
        if let Some(partitions) = field.boolean(cx) {
            let instead = if partitions { "partition" } else { "topic" };
            cx.warn(
                &path,
                format!(
                    "replaced by metrics-granularity; accepted as metrics-granularity = \
                     {instead:?} for the families metrics-granularity does not name"
                ),
            );
            if !partitions {
                default = Granularity::Topic;
            }
        }
    }
    let mut result = MetricsGranularity {
        burrow: default,
        lag_exporter: default,
    };
    let Some(field) = r.field(cx, "metrics-granularity") else {
        return result;
    };
    match &field.value {
        Value::String(_) => {
            if let Some(g) = granularity(cx, &field.path, &field.value) {
                result = MetricsGranularity {
                    burrow: g,
                    lag_exporter: g,
                };
            }
        }
        Value::Table(table) => {
            for (family, value) in table {
                let path = join(&field.path, family);
                let slot = match family.as_str() {
                    "burrow" => &mut result.burrow,
                    "lag-exporter" => &mut result.lag_exporter,
                    _ => {
                        let message = format!(
                            "unknown family {family:?}; expected \"burrow\" or \"lag-exporter\""
                        );
                        cx.error_with(&path, message, GRANULARITY_EXAMPLE);
                        continue;
                    }
                };
                if let Some(g) = granularity(cx, &path, value) {
                    *slot = g;
                }
            }
        }
        other => {
            let message = format!(
                "expected \"partition\", \"topic\" or a table per family, got {}",
                type_name(other)
            );
            cx.error_with(&field.path, message, GRANULARITY_EXAMPLE);
        }
    }
    result
}

/// One granularity value: `"partition"` or `"topic"`.
fn granularity(cx: &mut Ctx<'_>, path: &str, value: &Value) -> Option<Granularity> {
    match value {
        Value::String(s) if s == "partition" => Some(Granularity::Partition),
        Value::String(s) if s == "topic" => Some(Granularity::Topic),
        other => {
            let got = match other {
                Value::String(s) => format!("{s:?}"),
                other => type_name(other).to_owned(),
            };
            let message = format!("expected \"partition\" or \"topic\", got {got}");
            cx.error_with(path, message, GRANULARITY_EXAMPLE);
            None
        }
    }
}

/// `[logging]`; `None` when the section is absent.
pub(crate) fn logging(cx: &mut Ctx<'_>, reader: Option<Reader<'_>>) -> LoggingConfig {
    let mut config = LoggingConfig {
        level: LogLevel::Info,
        format: LogFormat::Text,
        filename: None,
    };
    let Some(mut r) = reader else { return config };
    if let Some(field) = r.field(cx, "level") {
        let path = field.path.clone();
        if let Some(level) = field.string(cx) {
            match level.to_ascii_lowercase().as_str() {
                "trace" => config.level = LogLevel::Trace,
                "debug" => config.level = LogLevel::Debug,
                "info" => config.level = LogLevel::Info,
                "warn" => config.level = LogLevel::Warn,
                "error" => config.level = LogLevel::Error,
                // Burrow's zap levels above error; Warren never exits from a log call.
                "panic" | "fatal" => {
                    config.level = LogLevel::Error;
                    cx.warn(&path, format!("level {level:?} is treated as \"error\""));
                }
                _ => cx.error_with(
                    &path,
                    format!("unknown level {level:?}; expected trace, debug, info, warn or error"),
                    r#"level = "info""#,
                ),
            }
        }
    }
    if let Some(field) = r.field(cx, "format") {
        let path = field.path.clone();
        if let Some(format) = field.string(cx) {
            match format.to_ascii_lowercase().as_str() {
                "text" => config.format = LogFormat::Text,
                "json" => config.format = LogFormat::Json,
                _ => cx.error_with(
                    &path,
                    format!("unknown format {format:?}; expected text or json"),
                    r#"format = "text""#,
                ),
            }
        }
    }
    config.filename = r
        .optional_string(cx, "filename")
        .filter(|f| !f.is_empty())
        .map(std::path::PathBuf::from);
    // Burrow's sample spells them without dashes, its docs with them.
    for key in [
        "maxsize",
        "max-size",
        "maxbackups",
        "max-backups",
        "maxage",
        "max-age",
        "use-localtime",
        "use-local-time",
        "use-compression",
    ] {
        r.ignore(
            cx,
            key,
            "Warren does not rotate its log file itself: rotate it with logrotate (size, \
             rotate, maxage, compress) and a postrotate of `kill -USR1 $(cat PIDFILE)`, on \
             which Warren reopens `filename`",
        );
    }
    r.finish(cx);
    config
}

/// Every `[httpserver.NAME]`; without any, one `default` listener on 127.0.0.1:8000 (Burrow
/// would pick a random port, which nobody can scrape). `tls` names one of `tls_profiles`.
pub(crate) fn http_servers(
    cx: &mut Ctx<'_>,
    sections: Vec<Named<'_>>,
    tls_profiles: &BTreeMap<String, TlsProfile>,
) -> BTreeMap<String, HttpServerConfig> {
    let mut servers = BTreeMap::new();
    if sections.is_empty() {
        let address = SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 8000);
        servers.insert(
            "default".to_owned(),
            defaults("default".to_owned(), address),
        );
        return servers;
    }
    let mut taken: BTreeMap<SocketAddr, String> = BTreeMap::new();
    for Named { name, mut reader } in sections {
        let address = reader.listen_address(cx, "address");
        let tls = tls_profile(cx, &mut reader, tls_profiles);
        if let Some(address) = address {
            // Port 0 asks the OS for a free port, so two of them never clash.
            if address.port() != 0 {
                if let Some(first) = taken.get(&address) {
                    let message =
                        format!("address {address} is already used by httpserver {first:?}");
                    cx.error(&reader.key_path("address"), message);
                } else {
                    taken.insert(address, name.clone());
                }
            }
        }
        let address = address.unwrap_or_else(|| SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 8000));
        let d = defaults(name.clone(), address);
        let r = &mut reader;
        let config = HttpServerConfig {
            tls,
            timeout: r.positive_duration(cx, "timeout", d.timeout),
            header_timeout: r.positive_duration(cx, "header-timeout", d.header_timeout),
            idle_timeout: r.positive_duration(cx, "idle-timeout", d.idle_timeout),
            max_header_bytes: size(cx, r, "max-header-bytes", d.max_header_bytes, 8192),
            max_body_bytes: size(cx, r, "max-body-bytes", d.max_body_bytes, 1),
            max_connections: size(cx, r, "max-connections", d.max_connections, 1),
            metrics_public: r.boolean(cx, "metrics-public", false),
            anonymous_admin: r.boolean(cx, "anonymous-admin", false),
            ..d
        };
        reader.finish(cx);
        servers.insert(name, config);
    }
    servers
}

/// A listener's settings when its section only gives the address.
fn defaults(name: String, address: SocketAddr) -> HttpServerConfig {
    HttpServerConfig {
        name,
        address,
        tls: None,
        timeout: Duration::from_secs(30),
        header_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(60),
        max_header_bytes: 16 * 1024,
        max_body_bytes: 64 * 1024,
        max_connections: 512,
        metrics_public: false,
        anonymous_admin: false,
    }
}

/// `tls = "PROFILE"`: a `[tls.PROFILE]` with a certificate and key (the server's own). Burrow's
/// samples may carry `tls = ""`, which means no TLS.
fn tls_profile(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    profiles: &BTreeMap<String, TlsProfile>,
) -> Option<String> {
    let field = r.field(cx, "tls")?;
    let path = field.path.clone();
    let name = field.string(cx).filter(|n| !n.is_empty())?;
    let Some(profile) = profiles.get(&name) else {
        let message = format!("no [tls.{name}] section");
        cx.error_with(
            &path,
            message,
            "tls = \"web\" with [tls.web] certfile and keyfile",
        );
        return None;
    };
    if profile.certfile.is_none() {
        let message = format!("[tls.{name}] has no certfile and keyfile to serve HTTPS with");
        cx.error_with(
            &path,
            message,
            "[tls.web] certfile = \"/etc/warren/tls.crt\"",
        );
        return None;
    }
    Some(name)
}

/// A byte count or connection count of at least `min`.
fn size(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    key: &'static str,
    default: usize,
    min: i64,
) -> usize {
    let max = i64::from(u32::MAX);
    r.field(cx, key)
        .and_then(|f| f.integer(cx, min..=max, default as i64))
        .map_or(default, |n| n as usize)
}
