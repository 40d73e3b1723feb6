//! Bootstrap progress in the daemon's log: while a consumer reads its source from the start
//! (minutes for a big `__consumer_offsets`), a line every few seconds says how far it is, how
//! fast it goes and when it should be done; the reader itself logs the moment it catches up.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use warren_core::health::Health;

/// How often a progress line is written.
const EVERY: Duration = Duration::from_secs(5);

/// Logs progress until every consumer is ready (or shutdown).
pub async fn report(health: Health, cancel: CancellationToken) {
    let mut last: std::collections::BTreeMap<String, (u64, Instant)> = Default::default();
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
        if health.is_ready() {
            return;
        }
        for (name, c) in health.consumers() {
            if c.is_ready() {
                continue;
            }
            let (position, target) = c.progress();
            let now = Instant::now();
            let (before, at) = last.get(name).copied().unwrap_or((position, now));
            last.insert(name.clone(), (position, now));
            let line = describe(position, target, position.saturating_sub(before), now - at);
            tracing::info!(consumer = %name, position, target, "{line}");
        }
    }
}

/// "reading the offsets topic: 42% (420000 of 1000000 records), 35000 records/s, about 17s
/// left"; the rate and the ETA only once there is a rate to speak of.
pub fn describe(position: u64, target: u64, read: u64, over: Duration) -> String {
    if target == 0 {
        return "waiting for the source's end offsets".to_string();
    }
    let percent = (position.min(target) * 100) / target;
    let mut line =
        format!("reading the offsets topic: {percent}% ({position} of {target} records)");
    let secs = over.as_secs_f64();
    if read > 0 && secs > 0.0 {
        let rate = read as f64 / secs;
        let left = (target.saturating_sub(position)) as f64 / rate;
        line.push_str(&format!(
            ", {:.0} records/s, about {} left",
            rate,
            human(Duration::from_secs_f64(left.min(1e7)))
        ));
    }
    line
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_give_percent_rate_and_time_left() {
        assert_eq!(
            describe(420_000, 1_000_000, 175_000, Duration::from_secs(5)),
            "reading the offsets topic: 42% (420000 of 1000000 records), 35000 records/s, about 16s left"
        );
        assert_eq!(
            describe(0, 1_000, 0, Duration::ZERO),
            "reading the offsets topic: 0% (0 of 1000 records)",
            "no rate before anything was read"
        );
        assert_eq!(
            describe(0, 0, 0, Duration::ZERO),
            "waiting for the source's end offsets"
        );
        assert!(
            describe(1, 10_000_000, 1, Duration::from_secs(5)).ends_with("about 2777h46m left")
        );
    }
}
