//! Per-plugin health: calls by outcome, consecutive failures, and a circuit breaker that
//! disables a plugin after repeated failures and retries it after a growing pause (30 s,
//! doubling, at most 10 minutes). Time is passed in by the caller.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Consecutive failures that open the breaker.
pub const FAILURES_TO_OPEN: u32 = 5;
const FIRST_PAUSE: Duration = Duration::from_secs(30);
const MAX_PAUSE: Duration = Duration::from_secs(600);

#[derive(Debug, Default)]
struct Inner {
    calls: BTreeMap<&'static str, u64>,
    consecutive_failures: u32,
    open_until: Option<Instant>,
    pause: Option<Duration>,
    last_error: Option<String>,
    call_micros: u64,
}

/// Health of one plugin.
#[derive(Debug, Default)]
pub struct PluginHealth {
    inner: Mutex<Inner>,
}

/// A copy of a plugin's health, for the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthSnapshot {
    /// Calls by outcome (`ok`, `trap`, `timeout`, ...), and for notifiers `transient`,
    /// `permanent` and refused outbound requests (`denied`).
    pub calls: BTreeMap<&'static str, u64>,
    /// Failures since the last success.
    pub consecutive_failures: u32,
    /// Whether the breaker is open (the plugin is skipped).
    pub disabled: bool,
    /// The most recent failure.
    pub last_error: Option<String>,
    /// Time spent in calls that ran (not those skipped by the breaker), in microseconds.
    pub call_micros: u64,
}

impl PluginHealth {
    /// `Some(remaining)` while the breaker is open.
    pub fn open_for(&self, now: Instant) -> Option<Duration> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .open_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// Records a successful call; closes the breaker.
    pub fn success(&self) {
        self.completed("ok");
    }

    /// Records a call in which the plugin behaved, under its outcome (`ok`, or a notifier's
    /// `transient`/`permanent`: the receiver's failure, not the plugin's); closes the breaker.
    pub fn completed(&self, outcome: &'static str) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *inner.calls.entry(outcome).or_default() += 1;
        inner.consecutive_failures = 0;
        inner.open_until = None;
        inner.pause = None;
    }

    /// Records a failed call; opens the breaker after `FAILURES_TO_OPEN` in a row.
    pub fn failure(&self, kind: &'static str, error: String, now: Instant) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *inner.calls.entry(kind).or_default() += 1;
        inner.consecutive_failures += 1;
        inner.last_error = Some(error);
        if inner.consecutive_failures >= FAILURES_TO_OPEN {
            let pause = inner.pause.map_or(FIRST_PAUSE, |p| (p * 2).min(MAX_PAUSE));
            inner.pause = Some(pause);
            inner.open_until = Some(now + pause);
            // One more try when the pause ends; another failure re-opens it for longer.
            inner.consecutive_failures = FAILURES_TO_OPEN - 1;
        }
    }

    /// Counts an event within a call (a notifier's `denied` request) without judging the call.
    pub fn count(&self, event: &'static str) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *inner.calls.entry(event).or_default() += 1;
    }

    /// Adds the time one call took.
    pub fn time(&self, took: Duration) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.call_micros = inner
            .call_micros
            .saturating_add(u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
    }

    /// Counts a call skipped because the breaker is open.
    pub fn skipped(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *inner.calls.entry("disabled").or_default() += 1;
    }

    /// A copy for reporting.
    pub fn snapshot(&self, now: Instant) -> HealthSnapshot {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        HealthSnapshot {
            calls: inner.calls.clone(),
            consecutive_failures: inner.consecutive_failures,
            disabled: inner.open_until.is_some_and(|u| u > now),
            last_error: inner.last_error.clone(),
            call_micros: inner.call_micros,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_opens_after_repeated_failures_and_backs_off() {
        let h = PluginHealth::default();
        let t = Instant::now();
        for _ in 0..FAILURES_TO_OPEN - 1 {
            h.failure("trap", "boom".into(), t);
        }
        assert_eq!(h.open_for(t), None);
        h.failure("trap", "boom".into(), t);
        assert_eq!(h.open_for(t), Some(FIRST_PAUSE));
        let later = t + FIRST_PAUSE;
        assert_eq!(h.open_for(later), None, "retried after the pause");
        h.failure("timeout", "slow".into(), later);
        assert_eq!(
            h.open_for(later),
            Some(FIRST_PAUSE * 2),
            "a failed retry doubles the pause"
        );
        h.success();
        assert_eq!(h.open_for(later), None);
        let s = h.snapshot(later);
        assert_eq!(
            (s.calls["trap"], s.calls["timeout"], s.calls["ok"]),
            (FAILURES_TO_OPEN as u64, 1, 1)
        );
    }
}
