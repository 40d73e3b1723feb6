//! Value parsers shared by several sections: Kafka server lists, the HTTP listen address, group
//! and topic regexes and section names. Each is a pure function returning a reason on failure, plus a
//! [`Field`]/[`Reader`] wrapper that reports the reason at the key path with a valid example.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use regex::Regex;
use serde::Serializer;
use toml::Value;

use super::reader::{Ctx, Field, Reader, type_name};

const SERVERS_EXAMPLE: &str = r#"servers = ["kafka-1:9092", "kafka-2:9092"]"#;
const ADDRESS_EXAMPLE: &str = r#"address = "127.0.0.1:8000""#;

/// Checks one `host:port` bootstrap entry and returns it trimmed.
pub(crate) fn parse_server(entry: &str) -> Result<String, String> {
    let entry = entry.trim();
    if entry.is_empty() {
        return Err("empty server entry".to_owned());
    }
    let fail = |why: &str| Err(format!("invalid server {entry:?}: {why}"));
    let (host, port) = if let Some(bracketed) = entry.strip_prefix('[') {
        let Some((host, after)) = bracketed.split_once(']') else {
            return fail("missing ']' after the IPv6 address");
        };
        if host.parse::<Ipv6Addr>().is_err() {
            return fail("not a valid IPv6 address inside [...]");
        }
        let Some(port) = after.strip_prefix(':') else {
            return fail("missing :port");
        };
        (host, port)
    } else {
        let Some((host, port)) = entry.rsplit_once(':') else {
            return fail("missing :port");
        };
        if host.contains(':') {
            return fail("IPv6 addresses need brackets, as in [::1]:9092");
        }
        (host, port)
    };
    if host.is_empty() {
        return fail("missing host");
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
    {
        return fail("the host may contain only letters, digits, '.', '-' and '_'");
    }
    match port.parse::<u16>() {
        Ok(1..) => Ok(entry.to_owned()),
        _ => fail("the port must be a number from 1 to 65535"),
    }
}

/// Resolves an HTTP listen address. A blank host means all interfaces, as in Burrow (`:8000`).
pub(crate) fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let Some((host, port)) = text.rsplit_once(':') else {
        return Err(format!("invalid address {text:?}: missing :port"));
    };
    let Ok(port) = port.parse::<u16>() else {
        return Err(format!(
            "invalid address {text:?}: the port must be a number from 0 to 65535"
        ));
    };
    let ip = match host {
        "" => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
        _ => {
            return Err(format!(
                "invalid address {text:?}: the host must be an IP address, \"localhost\", \
                 or empty for all interfaces"
            ));
        }
    };
    Ok(SocketAddr::new(ip, port))
}

/// Compiles a group or topic regex; `""` means "not set" (Burrow's samples write `group-blacklist=""`).
pub(crate) fn compile_regex(pattern: &str) -> Result<Option<Regex>, String> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(pattern).map(Some).map_err(|error| {
        // The crate's message is a multi-line caret diagram ending in "error: <why>"; keep just
        // the reason so each problem stays on one line.
        let text = error.to_string();
        let reason = text
            .lines()
            .rev()
            .find_map(|line| line.trim().strip_prefix("error: "))
            .map_or_else(
                || text.split_whitespace().collect::<Vec<_>>().join(" "),
                str::to_owned,
            );
        format!("invalid regex {pattern:?}: {reason}")
    })
}

/// Section names appear in URLs, so they are limited to `[A-Za-z0-9._-]`.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the section name must not be empty".to_owned());
    }
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        Ok(())
    } else {
        Err(format!(
            "invalid section name {name:?}: use only letters, digits, '.', '_' and '-' \
             (names appear in URLs)"
        ))
    }
}

/// serde hook: a regex appears in JSON dumps as its pattern (or `null`).
pub(crate) fn serialize_regex<S: Serializer>(
    regex: &Option<Regex>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match regex {
        Some(regex) => serializer.serialize_str(regex.as_str()),
        None => serializer.serialize_none(),
    }
}

impl Field {
    /// A server list: an array of `host:port` strings, or one comma-separated string (handy with
    /// `${KAFKA_SERVERS}`). Every bad entry is reported; an empty list is an error.
    pub(crate) fn servers(self, cx: &mut Ctx<'_>) -> Option<Vec<String>> {
        let mut servers = Vec::new();
        let mut ok = true;
        match &self.value {
            Value::String(list) => {
                for entry in list.split(',') {
                    match parse_server(entry) {
                        Ok(server) => servers.push(server),
                        Err(why) => {
                            cx.error_with(&self.path, why, SERVERS_EXAMPLE);
                            ok = false;
                        }
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("{}[{i}]", self.path);
                    let result = match item {
                        Value::String(entry) => parse_server(entry),
                        other => Err(format!("expected a string, got {}", type_name(other))),
                    };
                    match result {
                        Ok(server) => servers.push(server),
                        Err(why) => {
                            cx.error_with(&path, why, SERVERS_EXAMPLE);
                            ok = false;
                        }
                    }
                }
            }
            other => {
                let message = format!(
                    "expected an array of \"host:port\" strings, got {}",
                    type_name(other)
                );
                cx.error_with(&self.path, message, SERVERS_EXAMPLE);
                return None;
            }
        }
        if ok && servers.is_empty() {
            cx.error_with(
                &self.path,
                "the server list must not be empty",
                SERVERS_EXAMPLE,
            );
            return None;
        }
        ok.then_some(servers)
    }
}

impl Reader<'_> {
    /// A required HTTP listen address.
    pub(crate) fn listen_address(
        &mut self,
        cx: &mut Ctx<'_>,
        key: &'static str,
    ) -> Option<SocketAddr> {
        let field = self.required(cx, key, ADDRESS_EXAMPLE)?;
        let path = field.path.clone();
        let text = field.string(cx)?;
        parse_listen(&text)
            .map_err(|why| cx.error_with(&path, why, ADDRESS_EXAMPLE))
            .ok()
    }

    /// An optional group or topic regex (`""` = not set); `example` is shown with an error.
    pub(crate) fn regex(
        &mut self,
        cx: &mut Ctx<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Regex> {
        let field = self.field(cx, key)?;
        Self::compile_field(cx, field, example)
    }

    /// Compiles a regex from a field already read (used for the legacy spellings too).
    pub(crate) fn compile_field(cx: &mut Ctx<'_>, field: Field, example: &str) -> Option<Regex> {
        let path = field.path.clone();
        let pattern = field.string(cx)?;
        compile_regex(&pattern)
            .map_err(|why| cx.error_with(&path, why, example))
            .ok()
            .flatten()
    }
}
