//! Durations in config values. Burrow writes plain integers meaning seconds (`offset-refresh=10`),
//! so an integer (or a string of digits, as `${VAR}` produces) means seconds; a string may also
//! carry units, `"500ms"`, `"10s"`, `"5m"`, `"1h"`, `"7d"`, combined as in `"1h30m"`. Parsing
//! and the canonical formatting live in [`warren_common::duration`], shared with the plugin SDK
//! so a plugin's `config` table reads durations as the host does; this file holds the serde hook
//! for JSON dumps and the [`Field`] conversion that reports bad values with an example.

use std::time::Duration;

use serde::Serializer;
use toml::Value;
pub(crate) use warren_common::duration::{Invalid, MAX, format, parse};

use super::reader::{Ctx, Field, Reader, type_name};

/// serde hook: durations appear in JSON dumps as their canonical string, e.g. `"10s"`.
pub(crate) fn serialize<S: Serializer>(
    duration: &Duration,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(*duration))
}

impl Field {
    /// Interprets the value as a duration; `example` is shown when it is not one.
    pub(crate) fn duration(self, cx: &mut Ctx<'_>, example: Duration) -> Option<Duration> {
        let hint = format!("{} = \"{}\"", self.key, format(example));
        let parsed = match &self.value {
            Value::Integer(n) => warren_common::duration::from_secs(*n),
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
        let message = match parsed {
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
