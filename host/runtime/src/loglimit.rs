//! The rate limit on plugin log lines the WIT promises: a token bucket per plugin name, shared
//! by all its stores (a notifier gets a fresh store per event, so a per-store limit would not
//! hold), refilling at `PER_SECOND` up to `BURST`. Dropped lines are counted and reported in
//! the next line that gets through, so a flood is visible without filling the disk.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

const PER_SECOND: f64 = 50.0;
const BURST: f64 = 200.0;

struct Bucket {
    tokens: f64,
    at: Instant,
    dropped: u64,
}

fn buckets() -> &'static Mutex<HashMap<String, Bucket>> {
    static B: OnceLock<Mutex<HashMap<String, Bucket>>> = OnceLock::new();
    B.get_or_init(Mutex::default)
}

/// `Some(dropped since the last line let through)` when `plugin` may log now, `None` when the
/// line is dropped.
pub(crate) fn admit(plugin: &str, now: Instant) -> Option<u64> {
    let mut all = buckets().lock().unwrap_or_else(|e| e.into_inner());
    let b = all.entry(plugin.to_string()).or_insert(Bucket {
        tokens: BURST,
        at: now,
        dropped: 0,
    });
    let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
    b.tokens = (b.tokens + elapsed * PER_SECOND).min(BURST);
    b.at = now;
    if b.tokens >= 1.0 {
        b.tokens -= 1.0;
        Some(std::mem::take(&mut b.dropped))
    } else {
        b.dropped += 1;
        None
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_flood_is_cut_at_the_burst_and_the_dropped_count_reported_when_it_refills() {
        let t = Instant::now();
        let name = "loglimit-test-flood";
        let admitted = (0..1000).filter(|_| admit(name, t).is_some()).count();
        assert_eq!(admitted, BURST as usize);
        assert_eq!(admit(name, t + Duration::from_millis(100)), Some(800));
        assert_eq!(admit("loglimit-test-other", t), Some(0), "per plugin");
    }
}
