//! Durations as Warren's config writes them. Burrow writes plain integers meaning seconds
//! (`offset-refresh=10`), so an integer (or a string of digits, as `${VAR}` produces) means
//! seconds; a string may also carry units, `"500ms"`, `"10s"`, `"5m"`, `"1h"`, `"7d"`, combined
//! as in `"1h30m"`.
//!
//! Anything above [`MAX`] is [`Invalid::TooLarge`], including numbers whose arithmetic would
//! overflow: a value is either the duration written or an error, never a saturated stand-in.
//! Each side words the error for its own readers (the host with the key path and an example,
//! the SDK as the end of a plugin's problem sentence).
//!
//! ```
//! use std::time::Duration;
//! use warren_common::duration;
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

/// The longest duration accepted (ten years): far beyond any sensible setting, and small
/// enough that adding it to an `Instant` or to milliseconds since the epoch never overflows.
pub const MAX: Duration = Duration::from_secs(3650 * 86_400);

/// Why a duration was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Not a number with units, nor a bare number.
    Malformed,
    /// Starts with `-`.
    Negative,
    /// Above [`MAX`] (or too large to compute at all).
    TooLarge,
}

/// Parses `"10s"`, `"1h30m"`, `"500ms"` or a bare number of seconds, at most [`MAX`].
pub fn parse(text: &str) -> Result<Duration, Invalid> {
    let text = text.trim();
    if text.starts_with('-') {
        return Err(Invalid::Negative);
    }
    if text.is_empty() {
        return Err(Invalid::Malformed);
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let secs = text.parse::<u64>().map_err(|_| Invalid::TooLarge)?;
        return bounded(Duration::from_secs(secs));
    }
    let mut rest = text;
    let mut total_ms: u64 = 0;
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
    bounded(Duration::from_millis(total_ms))
}

/// A bare number of seconds (a TOML integer or a JSON number), at most [`MAX`].
pub fn from_secs(secs: i64) -> Result<Duration, Invalid> {
    let secs = u64::try_from(secs).map_err(|_| Invalid::Negative)?;
    bounded(Duration::from_secs(secs))
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

fn bounded(duration: Duration) -> Result<Duration, Invalid> {
    if duration > MAX {
        Err(Invalid::TooLarge)
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
            ("3650d", MAX),
        ] {
            assert_eq!(parse(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn bad_durations_say_why() {
        for (text, why) in [
            ("", Invalid::Malformed),
            ("s", Invalid::Malformed),
            ("10x", Invalid::Malformed),
            ("5 minutes", Invalid::Malformed),
            ("m5", Invalid::Malformed),
            ("1.5h", Invalid::Malformed),
            ("-5s", Invalid::Negative),
            ("3651d", Invalid::TooLarge),
            ("315360001", Invalid::TooLarge),
            ("99999999999999999999", Invalid::TooLarge),
            ("99999999999999999999h", Invalid::TooLarge),
            ("999999999999999999d", Invalid::TooLarge),
            ("18446744073709551615ms 1ms", Invalid::TooLarge),
        ] {
            assert_eq!(parse(text), Err(why), "{text:?}");
        }
    }

    #[test]
    fn bare_numbers_are_bounded_seconds() {
        assert_eq!(from_secs(90), Ok(secs(90)));
        assert_eq!(from_secs(-1), Err(Invalid::Negative));
        assert_eq!(from_secs(i64::MAX), Err(Invalid::TooLarge));
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
