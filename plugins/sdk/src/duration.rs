//! Durations in a plugin's config, written the way the rest of Warren's config writes them
//! (`offset-refresh = "10s"`), since a plugin's `config` table sits in the same TOML file: a
//! string of numbers with units, `"500ms"`, `"90s"`, `"5m"`, `"1h"`, `"7d"`, combined as in
//! `"1h30m"`; a bare number (or a string of digits) means seconds, as in Burrow. Read them with
//! [`Object::optional_duration`](crate::config::Object::optional_duration); [`format`] writes
//! one back the same way, for messages an operator can copy from.
//!
//! ```
//! use std::time::Duration;
//! use warren_plugin_sdk::duration;
//!
//! assert_eq!(duration::parse("1h30m"), Ok(Duration::from_secs(5400)));
//! assert_eq!(duration::parse("60"), Ok(Duration::from_secs(60)));
//! assert_eq!(duration::format(Duration::from_millis(90_500)), "1m30s500ms");
//! ```

use std::time::Duration;

/// Units accepted after a number, with their length in milliseconds. `ms` precedes `m` so the
/// longest unit wins.
const UNITS: &[(&str, u64)] = &[
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
];

/// The longest duration accepted (ten years, as the host's config): beyond any sensible
/// setting, and small enough that no arithmetic on it overflows.
pub const MAX: Duration = Duration::from_secs(3650 * 86_400);

/// Parses `"10s"`, `"1h30m"`, `"500ms"` or a bare number of seconds; `Err` says what is wrong,
/// as the end of a sentence (`"expected a duration ..."`).
pub fn parse(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let malformed = || {
        Err(format!(
            "expected a duration (\"90s\", \"5m\", \"1h30m\"; a bare number is seconds), got {text:?}"
        ))
    };
    if trimmed.starts_with('-') {
        return Err(format!("must not be negative, got {text:?}"));
    }
    if trimmed.is_empty() {
        return malformed();
    }
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return match trimmed.parse::<u64>() {
            Ok(secs) => bounded(Duration::from_secs(secs.min(MAX.as_secs() + 1)), text),
            Err(_) => bounded(Duration::MAX, text),
        };
    }
    let mut rest = trimmed;
    let mut total_ms: u64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return malformed();
        }
        let number = rest[..digits].parse::<u64>().unwrap_or(u64::MAX);
        rest = &rest[digits..];
        let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let Some((_, scale)) = UNITS.iter().find(|(name, _)| *name == &rest[..letters]) else {
            return malformed();
        };
        total_ms = number.saturating_mul(*scale).saturating_add(total_ms);
        rest = rest[letters..].trim_start();
    }
    bounded(Duration::from_millis(total_ms), text)
}

/// `duration` as it is best written in a config: `"7d"`, `"1h30m"`, `"500ms"`, `"0s"`.
/// Sub-millisecond parts cannot come from [`parse`] and are dropped.
pub fn format(duration: Duration) -> String {
    let mut ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (name, scale) in UNITS.iter().rev() {
        let count = ms / scale;
        if count > 0 {
            out.push_str(&count.to_string());
            out.push_str(name);
            ms -= count * scale;
        }
    }
    out
}

fn bounded(duration: Duration, text: &str) -> Result<Duration, String> {
    if duration > MAX {
        Err(format!(
            "{text:?} is too large (at most \"{}\")",
            format(MAX)
        ))
    } else {
        Ok(duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn units_combine_and_bare_numbers_are_seconds() {
        for (text, expected) in [
            ("500ms", Duration::from_millis(500)),
            ("90s", secs(90)),
            ("5m", secs(300)),
            ("1h", secs(3600)),
            ("7d", secs(7 * 86_400)),
            ("1h30m", secs(5400)),
            (" 1m 30s ", secs(90)),
            ("60", secs(60)),
            ("0", secs(0)),
            ("0s", secs(0)),
        ] {
            assert_eq!(parse(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn bad_durations_say_what_is_wrong() {
        for (text, problem) in [
            ("", "expected a duration"),
            ("5 minutes", "expected a duration"),
            ("m5", "expected a duration"),
            ("1.5h", "expected a duration"),
            ("-5s", "must not be negative"),
            ("3651d", "too large (at most \"3650d\")"),
            ("99999999999999999999", "too large"),
            ("99999999999999999999h", "too large"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(problem), "{text:?}: {err}");
        }
    }

    #[test]
    fn durations_are_formatted_as_a_config_writes_them() {
        assert_eq!(format(secs(0)), "0s");
        assert_eq!(format(secs(5400)), "1h30m");
        assert_eq!(format(Duration::from_millis(1500)), "1s500ms");
        assert_eq!(format(MAX), "3650d");
        assert_eq!(parse(&format(secs(93_784))), Ok(secs(93_784)));
    }
}
