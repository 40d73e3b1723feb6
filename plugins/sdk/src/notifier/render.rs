//! Small pieces every notifier's message is made of: the kind's name, times (a plugin has no
//! clock and no date library, but the event carries epoch ms), durations, lags with thousands
//! separators, the worst partitions, the link to Warren's API, and cutting text to a target's
//! length limit without splitting a character.
//!
//! ```
//! use warren_plugin_sdk::notifier::render;
//! assert_eq!(render::rfc3339(1_763_633_051_000), "2025-11-20T10:04:11Z");
//! assert_eq!(render::thousands(1_204_331), "1,204,331");
//! assert_eq!(render::duration(3_900_000), "1 h 5 min");
//! assert_eq!(
//!     render::lag_url("https://warren.example.com/", "prod eu", "payments"),
//!     "https://warren.example.com/v3/kafka/prod%20eu/consumer/payments/lag"
//! );
//! ```

use crate::types::{GroupStatus, IncidentKind, PartitionStatus};

/// `opened`, `updated` or `resolved`, as the WIT spells them.
pub fn kind_name(kind: IncidentKind) -> &'static str {
    match kind {
        IncidentKind::Opened => "opened",
        IncidentKind::Updated => "updated",
        IncidentKind::Resolved => "resolved",
    }
}

/// Epoch ms as RFC 3339 / ISO 8601 in UTC, `2025-11-20T10:04:11Z` (with `.123` when the ms
/// are not zero).
pub fn rfc3339(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(ms);
    let millis = ms.rem_euclid(1000);
    if millis == 0 {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{millis:03}Z")
    }
}

/// Epoch ms as `2025-11-20 10:04 UTC`, for people.
pub fn human_time(ms: i64) -> String {
    let (y, mo, d, h, mi, _) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
}

/// Epoch ms as Go's `Jan 02, 2006 15:04:05 UTC` layout, which Burrow's default HTTP template
/// uses for an incident's start (always UTC here).
pub fn burrow_time(ms: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s) = civil(ms);
    let month = MONTHS[(mo - 1) as usize];
    format!("{month} {d:02}, {y:04} {h:02}:{mi:02}:{s:02} UTC")
}

/// (year, month, day, hour, minute, second) of epoch ms, UTC, proleptic Gregorian (Howard
/// Hinnant's `civil_from_days`).
pub(crate) fn civil(ms: i64) -> (i64, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, mi, s) = (tod / 3600, tod / 60 % 60, tod % 60);
    (year, month, day, h as u32, mi as u32, s as u32)
}

/// A duration in ms, to the two largest units: `45 s`, `12 min`, `1 h 5 min`, `2 d 4 h`.
/// Negative durations (a clock step between instances) count as zero.
pub fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86_400, s / 3600 % 24, s / 60 % 60);
    match () {
        _ if d > 0 && h > 0 => format!("{d} d {h} h"),
        _ if d > 0 => format!("{d} d"),
        _ if h > 0 && m > 0 => format!("{h} h {m} min"),
        _ if h > 0 => format!("{h} h"),
        _ if m > 0 => format!("{m} min"),
        _ => format!("{s} s"),
    }
}

/// `1204331` as `1,204,331`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Warren's (and Burrow's) lag endpoint for a group under the operator's `link` base URL:
/// `{link}/v3/kafka/{cluster}/consumer/{group}/lag`, names percent-encoded (from an
/// [`inert_event`](super::inert_event) too: a URL needs no marks, `$` is encoded anyway).
pub fn lag_url(link: &str, cluster: &str, group: &str) -> String {
    format!(
        "{}/v3/kafka/{}/consumer/{}/lag",
        link.trim_end_matches('/'),
        warren_common::percent::encode(&super::inert::unmark(cluster)),
        warren_common::percent::encode(&super::inert::unmark(group))
    )
}

/// The `n` partitions with the greatest current lag, ties to the lowest (topic, partition).
/// A group's `partitions` in an event are the non-OK ones, so these are the worst offenders.
pub fn worst_partitions(status: &GroupStatus, n: usize) -> Vec<&PartitionStatus> {
    let mut ps: Vec<&PartitionStatus> = status.partitions.iter().collect();
    ps.sort_by(|a, b| {
        b.current_lag
            .cmp(&a.current_lag)
            .then_with(|| a.topic.cmp(&b.topic))
            .then_with(|| a.partition.cmp(&b.partition))
    });
    ps.truncate(n);
    ps
}

/// `text` cut to at most `max` characters, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(1);
    let mut out: String = text.chars().take(keep).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifier::fixture;

    #[test]
    fn times_are_utc_calendar_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339(-1000), "1969-12-31T23:59:59Z");
        assert_eq!(human_time(1_763_633_051_000), "2025-11-20 10:04 UTC");
        assert_eq!(burrow_time(1_136_214_245_000), "Jan 02, 2006 15:04:05 UTC");
    }

    #[test]
    fn durations_keep_the_two_largest_units() {
        assert_eq!(duration(-5), "0 s");
        assert_eq!(duration(45_999), "45 s");
        assert_eq!(duration(12 * 60_000), "12 min");
        assert_eq!(duration(3_600_000), "1 h");
        assert_eq!(duration(2 * 86_400_000 + 4 * 3_600_000 + 60_000), "2 d 4 h");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn link_names_are_encoded_so_they_stay_one_path_segment() {
        assert_eq!(
            lag_url("https://w", "c/1", "g?x=ü"),
            "https://w/v3/kafka/c%2F1/consumer/g%3Fx%3D%C3%BC/lag"
        );
    }

    #[test]
    fn the_worst_partitions_come_first_ties_by_name() {
        let mut e = fixture::event(IncidentKind::Opened);
        e.status.partitions = vec![
            fixture::partition("b", 0, crate::types::Status::Warn, 5),
            fixture::partition("a", 1, crate::types::Status::Warn, 5),
            fixture::partition("a", 0, crate::types::Status::Stall, 9),
        ];
        let worst: Vec<_> = worst_partitions(&e.status, 2)
            .iter()
            .map(|p| (p.topic.as_str(), p.partition))
            .collect();
        assert_eq!(worst, [("a", 0), ("a", 1)]);
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo", 3), "hé…");
        assert_eq!(truncate("ééé", 1).chars().count(), 1);
    }
}
