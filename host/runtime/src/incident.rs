//! What the delivery task hands a notifier plugin (an [`IncidentEvent`] about one group, the
//! WIT `incident-event`) and what it gets back: delivered, a failure worth retrying (with the
//! receiver's requested pause), a failure retrying cannot fix, or a plugin that misbehaved.
//! [`NotifyError::retry`] is the one place that decides whether a failure is retried.

use std::time::Duration;

use warren_core::evaluator::GroupStatus;
use warren_core::incident::IncidentKind;

use crate::error::PluginError;

/// One event for a notifier plugin: an incident of one group opened, updated or resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentEvent {
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
    /// Whether the event is tried again, and not sooner than what: `None` for a permanent
    /// failure; otherwise the receiver's requested pause, if it asked for one. A misbehaving
    /// plugin is retried too: the next call gets a fresh instance, and the circuit breaker
    /// stops a plugin that keeps failing.
    pub fn retry(&self) -> Option<Retry> {
        match self {
            NotifyError::Permanent(_) => None,
            NotifyError::Transient { retry_after, .. } => Some(Retry {
                not_before: *retry_after,
            }),
            NotifyError::Plugin(_) => Some(Retry { not_before: None }),
        }
    }
}

/// A failed delivery that is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// The receiver's requested pause (a 429's `Retry-After`): the next attempt waits at least
    /// this long, whatever the backoff says.
    pub not_before: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_permanent_failures_are_not_retried_and_a_requested_pause_is_kept() {
        assert_eq!(NotifyError::Permanent("401".into()).retry(), None);
        let pause = Some(Duration::from_secs(3));
        let transient = NotifyError::Transient {
            message: "429".into(),
            retry_after: pause,
        };
        assert_eq!(transient.retry(), Some(Retry { not_before: pause }));
    }
}
