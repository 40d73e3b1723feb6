//! The wall clock, read in one place. Rules and state machines never read it: they take `now`
//! as a parameter, so tests pass any instant they like. The collectors, the notification
//! scheduler, the HTTP handlers and the store call [`now_ms`] where time enters.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, now (0 if the system clock is set before 1970).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
