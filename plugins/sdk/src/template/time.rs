//! Times in templates: `strftime` over epoch ms (always UTC: a plugin has no time zone
//! database, and Warren's times are UTC everywhere), and Go's reference-time layouts
//! (`Jan 02, 2006 15:04:05 MST`), which Burrow's templates pass to `.Start.Format` and
//! `formattimestamp`, turned into `strftime` patterns.
//!
//! ```
//! use warren_plugin_sdk::template::time::{go_layout, strftime};
//! let pattern = go_layout("Jan 02, 2006 15:04:05 MST").unwrap();
//! assert_eq!(pattern, "%b %d, %Y %H:%M:%S %Z");
//! assert_eq!(strftime(1_763_633_051_000, &pattern).unwrap(), "Nov 20, 2025 10:04:11 UTC");
//! ```

use crate::notifier::render::civil;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Epoch ms formatted with `pattern`: `%Y %y %m %-m %B %b %d %-d %e %H %-H %I %-I %M %-M %S
/// %-S %p %P %A %a %j %f` (milliseconds, 3 digits) `%s` (epoch seconds) `%Z` (`UTC`) `%z`
/// (`+0000`) `%:z` (`+00:00`) `%F` `%T` `%%`; anything else is an error naming it.
pub fn strftime(ms: i64, pattern: &str) -> Result<String, String> {
    let (y, mo, d, h, mi, s) = civil(ms);
    let days = ms.div_euclid(86_400_000);
    // 1970-01-01 was a Thursday.
    let weekday = DAYS[(days + 4).rem_euclid(7) as usize];
    let month = MONTHS[(mo - 1) as usize];
    let hour12 = if h % 12 == 0 { 12 } else { h % 12 };
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        for next in chars.by_ref() {
            spec.push(next);
            if next != '-' && next != ':' {
                break;
            }
        }
        let text = match spec.as_str() {
            "Y" => format!("{y:04}"),
            "y" => format!("{:02}", y.rem_euclid(100)),
            "m" => format!("{mo:02}"),
            "-m" => mo.to_string(),
            "B" => month.to_string(),
            "b" => month[..3].to_string(),
            "d" => format!("{d:02}"),
            "-d" => d.to_string(),
            "e" => format!("{d:>2}"),
            "H" => format!("{h:02}"),
            "-H" => h.to_string(),
            "I" => format!("{hour12:02}"),
            "-I" => hour12.to_string(),
            "M" => format!("{mi:02}"),
            "-M" => mi.to_string(),
            "S" => format!("{s:02}"),
            "-S" => s.to_string(),
            "p" => (if h < 12 { "AM" } else { "PM" }).to_string(),
            "P" => (if h < 12 { "am" } else { "pm" }).to_string(),
            "A" => weekday.to_string(),
            "a" => weekday[..3].to_string(),
            "j" => format!("{:03}", day_of_year(y, mo, d)),
            "f" => format!("{:03}", ms.rem_euclid(1000)),
            "s" => ms.div_euclid(1000).to_string(),
            "Z" => "UTC".to_string(),
            "z" => "+0000".to_string(),
            ":z" => "+00:00".to_string(),
            "F" => format!("{y:04}-{mo:02}-{d:02}"),
            "T" => format!("{h:02}:{mi:02}:{s:02}"),
            "%" => "%".to_string(),
            other => return Err(format!("strftime: unknown directive `%{other}`")),
        };
        out.push_str(&text);
    }
    Ok(out)
}

fn day_of_year(y: i64, mo: u32, d: u32) -> u32 {
    const BEFORE: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    BEFORE[(mo - 1) as usize] + d + u32::from(leap && mo > 2)
}

/// Go's reference-time elements, longest first so `January` wins over `Jan` and `2006`
/// over `2`; each with its `strftime` directive.
const GO_ELEMENTS: &[(&str, &str)] = &[
    ("January", "%B"),
    ("Monday", "%A"),
    ("Z07:00", "Z"),
    ("-07:00", "%:z"),
    ("-0700", "%z"),
    ("2006", "%Y"),
    (".000", ".%f"),
    (",000", ",%f"),
    ("Jan", "%b"),
    ("Mon", "%a"),
    ("MST", "%Z"),
    ("002", "%j"),
    ("01", "%m"),
    ("02", "%d"),
    ("_2", "%e"),
    ("15", "%H"),
    ("03", "%I"),
    ("04", "%M"),
    ("05", "%S"),
    ("06", "%y"),
    ("PM", "%p"),
    ("pm", "%P"),
    ("1", "%-m"),
    ("2", "%-d"),
    ("3", "%-I"),
    ("4", "%-M"),
    ("5", "%-S"),
];

/// A Go layout (`2006-01-02T15:04:05Z07:00`) as a `strftime` pattern; the elements Warren
/// cannot honour (micro- and nanoseconds, `Z0700`) are an error saying what to write instead.
pub fn go_layout(layout: &str) -> Result<String, String> {
    for unsupported in [".000000", ".999", "Z0700"] {
        if layout.contains(unsupported) {
            return Err(format!(
                "Go layout {layout:?}: `{unsupported}` is not supported; use .000 for \
                 milliseconds and MST, -0700 or -07:00 for the zone (always UTC)"
            ));
        }
    }
    let mut out = String::with_capacity(layout.len() + 8);
    let mut rest = layout;
    'scan: while let Some(c) = rest.chars().next() {
        for (go, directive) in GO_ELEMENTS {
            if rest.starts_with(go) {
                out.push_str(directive);
                rest = &rest[go.len()..];
                continue 'scan;
            }
        }
        if c == '%' {
            out.push_str("%%");
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's reference time, Mon Jan 2 15:04:05 UTC 2006, in epoch ms.
    const REFERENCE: i64 = 1_136_214_245_000;

    #[test]
    fn go_layouts_render_the_reference_time_as_themselves() {
        for layout in [
            "Jan 02, 2006 15:04:05 UTC",
            "2006-01-02T15:04:05Z07:00",
            "Monday, January 2 2006 3:04:05 PM",
            "Mon Jan _2 15:04:05 MST 2006",
            "02/01/06 03:04pm -0700 -07:00",
            "2006-01-02 15:04:05.000",
        ] {
            let pattern = go_layout(layout).unwrap();
            let expected = layout.replace("Z07:00", "Z").replace("-0700", "+0000");
            let expected = expected
                .replace("-07:00", "+00:00")
                .replace("MST", "UTC")
                .replace("_2", " 2");
            assert_eq!(strftime(REFERENCE, &pattern).unwrap(), expected, "{layout}");
        }
    }

    #[test]
    fn strftime_covers_afternoons_leap_days_and_milliseconds() {
        // 2024-02-29T23:05:09.042Z, a Thursday.
        let ms = 1_709_247_909_042;
        assert_eq!(
            strftime(ms, "%a %A %j %I:%M %p %P %e %-m/%-d %y %f %%").unwrap(),
            "Thu Thursday 060 11:05 PM pm 29 2/29 24 042 %"
        );
        assert_eq!(
            strftime(ms, "%F %T %s %z %:z").unwrap(),
            "2024-02-29 23:05:09 1709247909 +0000 +00:00"
        );
        assert_eq!(
            strftime(0, "%Q").unwrap_err(),
            "strftime: unknown directive `%Q`"
        );
    }

    #[test]
    fn unsupported_go_layout_elements_say_what_to_write_instead() {
        let err = go_layout("15:04:05.000000").unwrap_err();
        assert!(err.contains("use .000 for milliseconds"), "{err}");
        assert_eq!(go_layout("100%").unwrap(), "%-m00%%");
    }
}
