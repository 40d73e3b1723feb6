//! What the notification scheduler hands a notifier (an incident event about one group) and
//! what it gets back: delivered, a failure worth retrying (with the receiver's requested
//! pause), a failure retrying cannot fix, or a plugin that misbehaved.

use std::time::Duration;

use warren_core::evaluator::GroupStatus;

use crate::error::PluginError;

/// Where an incident is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncidentKind {
    /// The group crossed the notifier's threshold.
    Opened,
    /// Still bad: a reminder or a change of status.
    Updated,
    /// Back to OK (or the group disappeared).
    Resolved,
}

/// One event for a notifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Stable id from (cluster, group, incident start); receivers use it to deduplicate.
    pub id: String,
    /// Opened, updated or resolved.
    pub kind: IncidentKind,
    /// When the incident started, epoch ms.
    pub started_ms: i64,
    /// The time of this event, epoch ms.
    pub now_ms: i64,
    /// The group's status now.
    pub status: GroupStatus,
}

/// Why an event was not delivered. Messages never contain secret values.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// Worth retrying (receiver down, 5xx, 429, network timeout); not sooner than
    /// `retry_after` when the receiver asked for a pause.
    #[error("delivery failed, will retry: {message}")]
    Transient {
        /// What happened.
        message: String,
        /// The receiver's requested pause (e.g. a 429's `Retry-After`).
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help (rejected payload, revoked token, destination denied).
    #[error("delivery failed for good: {0}")]
    Permanent(String),
    /// The plugin trapped, timed out, ran out of memory, is disabled by its circuit breaker, or
    /// answered nonsense.
    #[error(transparent)]
    Plugin(PluginError),
}

impl NotifyError {
    /// Whether the scheduler should try the event again (a misbehaving plugin is retried too:
    /// the next call gets a fresh instance, and the breaker stops a plugin that keeps failing).
    pub fn is_retryable(&self) -> bool {
        !matches!(self, NotifyError::Permanent(_))
    }
}
