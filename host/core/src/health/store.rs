//! The embedded store's condition. After an I/O error (disk full, a read-only remount, a
//! failing device) redb refuses every later transaction until the file is opened again, so
//! the store reports itself failing here, reopens at most every [`REOPEN_EVERY_MS`] while it
//! is, and is well again once a reopen succeeds. Readiness, `/metrics` and
//! `/v3/admin/notifiers` read this; the notification schedulers keep their open incidents in
//! memory and retry each decision meanwhile.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Shortest time between two attempts to reopen a failing store.
pub const REOPEN_EVERY_MS: i64 = 2_000;

/// Why the store is failing, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct StoreFailure {
    /// The first error of the current run of failures.
    pub error: String,
    /// When it happened, epoch ms.
    pub since: i64,
}

/// Shared by the store, which records failures and reopens, and the API, which reports them.
#[derive(Debug, Default)]
pub struct StoreHealth {
    state: Mutex<State>,
    io_errors: AtomicU64,
    reopens: AtomicU64,
}

#[derive(Debug, Default)]
struct State {
    failing: Option<StoreFailure>,
    last_reopen_ms: Option<i64>,
}

impl StoreHealth {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An operation failed with an I/O error at `now_ms`.
    pub fn failed(&self, error: &str, now_ms: i64) {
        self.io_errors.fetch_add(1, Ordering::Relaxed);
        let mut state = self.state();
        if state.failing.is_none() {
            state.failing = Some(StoreFailure {
                error: error.to_owned(),
                since: now_ms,
            });
        }
    }

    /// Whether a reopen should be tried at `now_ms` (failing, and none tried for
    /// [`REOPEN_EVERY_MS`]); a yes counts as the attempt.
    pub fn reopen_due(&self, now_ms: i64) -> bool {
        let mut state = self.state();
        let due = state.failing.is_some()
            && state
                .last_reopen_ms
                .is_none_or(|at| now_ms - at >= REOPEN_EVERY_MS);
        if due {
            state.last_reopen_ms = Some(now_ms);
        }
        due
    }

    /// A reopen succeeded: the store works again.
    pub fn reopened(&self) {
        self.reopens.fetch_add(1, Ordering::Relaxed);
        self.state().failing = None;
    }

    /// The current failure, if any.
    pub fn failing(&self) -> Option<StoreFailure> {
        self.state().failing.clone()
    }

    /// I/O errors since start.
    pub fn io_errors(&self) -> u64 {
        self.io_errors.load(Ordering::Relaxed)
    }

    /// Successful reopens since start.
    pub fn reopens(&self) -> u64 {
        self.reopens.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_kept_from_its_first_error_until_a_reopen_and_reopens_are_spaced() {
        let h = StoreHealth::default();
        assert!(!h.reopen_due(0), "a healthy store is never reopened");
        h.failed("No space left on device", 1_000);
        h.failed("previous I/O error", 1_500);
        assert_eq!(
            h.failing(),
            Some(StoreFailure {
                error: "No space left on device".into(),
                since: 1_000
            })
        );
        assert!(h.reopen_due(1_600));
        assert!(!h.reopen_due(1_600 + REOPEN_EVERY_MS - 1));
        assert!(h.reopen_due(1_600 + REOPEN_EVERY_MS));
        h.reopened();
        assert_eq!((h.failing(), h.io_errors(), h.reopens()), (None, 2, 1));
    }
}
