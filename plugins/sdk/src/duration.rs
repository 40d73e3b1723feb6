//! Durations in a plugin's config, written the way the rest of Warren's config writes them
//! (`offset-refresh = "10s"`), since a plugin's `config` table sits in the same TOML file: a
//! string of numbers with units, `"500ms"`, `"90s"`, `"5m"`, `"1h"`, `"7d"`, combined as in
//! `"1h30m"`; a bare number (or a string of digits) means seconds, as in Burrow. Read them with
//! [`Object::optional_duration`](crate::config::Object::optional_duration); [`format`] writes
//! one back the same way, for messages an operator can copy from. The grammar and the bound are
//! [`warren_common::duration`]'s, the host's own, so a key means the same on both sides.
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

use warren_common::duration::Invalid;
pub use warren_common::duration::{MAX, format};

/// Parses `"10s"`, `"1h30m"`, `"500ms"` or a bare number of seconds, as the host does (both
/// call [`warren_common::duration`]); `Err` says what is wrong, as the end of a sentence
/// (`"expected a duration ..."`).
pub fn parse(text: &str) -> Result<Duration, String> {
    warren_common::duration::parse(text).map_err(|why| match why {
        Invalid::Malformed => format!(
            "expected a duration (\"90s\", \"5m\", \"1h30m\"; a bare number is seconds), got {text:?}"
        ),
        Invalid::Negative => format!("must not be negative, got {text:?}"),
        Invalid::TooLarge => format!("{text:?} is too large (at most \"{}\")", format(MAX)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_durations_say_what_is_wrong_in_a_plugins_words() {
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
}
