//! Durations in config values. Burrow writes plain integers meaning seconds (`offset-refresh=10`),
//! so an integer (or a string of digits, as `${VAR}` produces) means seconds; a string may also
//! carry units, `"500ms"`, `"10s"`, `"5m"`, `"1h"`, `"7d"`, combined as in `"1h30m"`. This file
//! owns parsing, the canonical formatting used in examples and JSON dumps, and the [`Field`]
//! conversion that reports bad values with an example.

use std::time::Duration;

use serde::Serializer;
use toml::Value;

use super::reader::{Ctx, Field, Reader, type_name};

/// Units accepted after a number, with their length in milliseconds. `ms` precedes `m` so the
/// longest unit wins.
const UNITS: &[(&str, u64)] = &[
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
];

/// The longest duration accepted (about ten years): far beyond any sensible setting, and small
/// enough that adding it to an `Instant` can never overflow.
pub(crate) const MAX: Duration = Duration::from_secs(3650 * 86_400);

/// Why a duration was rejected.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Invalid {
    Malformed,
    Negative,
    TooLarge,
}

/// Parses `"10s"`, `"1h30m"`, `"500ms"` or a bare number of seconds.
pub(crate) fn parse(text: &str) -> Result<Duration, Invalid> {
    let text = text.trim();
    if text.starts_with('-') {
        return Err(Invalid::Negative);
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| Invalid::TooLarge);
    }
    let mut rest = text;
    let mut total_ms: u64 = 0;
    if rest.is_empty() {
        return Err(Invalid::Malformed);
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(Invalid::Malformed);
        }
        let number: u64 = rest[..digits].parse().map_err(|_| Invalid::TooLarge)?;
        rest = &rest[digits..];
        let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..letters];
        let (_, scale) = UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .ok_or(Invalid::Malformed)?;
        let part = number.checked_mul(*scale).ok_or(Invalid::TooLarge)?;
        total_ms = total_ms.checked_add(part).ok_or(Invalid::TooLarge)?;
        rest = rest[letters..].trim_start();
    }
    Ok(Duration::from_millis(total_ms))
}

/// Formats a duration the way it is best written in the file: `"7d"`, `"1h30m"`, `"500ms"`,
/// `"0s"`. Sub-millisecond parts cannot come from [`parse`] and are dropped.
pub(crate) fn format(duration: Duration) -> String {
    let mut ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (name, scale) in UNITS.iter().rev() {
        let count = ms / scale;
        if count > 0 {
            out.push_str(&format!("{count}{name}"));
            ms -= count * scale;
        }
    }
    out
}

/// serde hook: durations appear in JSON dumps as their canonical string, e.g. `"10s"`.
pub(crate) fn serialize<S: Serializer>(
    duration: &Duration,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(*duration))
}

/// Rejects durations above [`MAX`].
fn bounded(duration: Duration) -> Result<Duration, Invalid> {
    if duration > MAX {
        Err(Invalid::TooLarge)
    } else {
        Ok(duration)
    }
}

impl Field {
    /// Interprets the value as a duration; `example` is shown when it is not one.
    pub(crate) fn duration(self, cx: &mut Ctx<'_>, example: Duration) -> Option<Duration> {
        let hint = format!("{} = \"{}\"", self.key, format(example));
        let parsed = match &self.value {
            Value::Integer(n) => u64::try_from(*n)
                .map(Duration::from_secs)
                .map_err(|_| Invalid::Negative),
            Value::String(s) => parse(s),
            other => {
                let message = format!("expected a duration, got {}", type_name(other));
                cx.error_with(&self.path, message, &hint);
                return None;
            }
        };
        let shown = match &self.value {
            Value::String(s) => format!("{s:?}"),
            other => other.to_string(),
        };
        let message = match parsed.and_then(bounded) {
            Ok(duration) => return Some(duration),
            Err(Invalid::Malformed) => format!("expected a duration, got {shown}"),
            Err(Invalid::Negative) => format!("a duration must not be negative, got {shown}"),
            Err(Invalid::TooLarge) => format!(
                "duration {shown} is too large (at most \"{}\")",
                format(MAX)
            ),
        };
        cx.error_with(&self.path, message, &hint);
        None
    }
}

impl Reader<'_> {
    /// An optional duration key, `default` when absent or bad (bad values are reported).
    pub(crate) fn duration(
        &mut self,
        cx: &mut Ctx<'_>,
        key: &'static str,
        default: Duration,
    ) -> Duration {
        let example = if default.is_zero() {
            Duration::from_secs(1)
        } else {
            default
        };
        self.field(cx, key)
            .and_then(|f| f.duration(cx, example))
            .unwrap_or(default)
    }

    /// Like [`Reader::duration`], but zero is rejected: these drive timers that must tick.
    pub(crate) fn positive_duration(
        &mut self,
        cx: &mut Ctx<'_>,
        key: &'static str,
        default: Duration,
    ) -> Duration {
        let duration = self.duration(cx, key, default);
        if duration.is_zero() {
            let hint = format!("{key} = \"{}\"", format(default));
            cx.error_with(&self.key_path(key), "must be greater than 0", &hint);
            return default;
        }
        duration
    }
}
