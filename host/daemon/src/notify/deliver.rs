//! The delivery task of one notifier: takes the oldest due delivery from the ledger (one at a
//! time per group, so a close never overtakes its open), hands it to the plugin, and
//! removes it only when the receiver accepted it or refused it for good. Transient failures
//! (5xx, 429, timeouts, a misbehaving plugin) are retried with exponential backoff and jitter,
//! never sooner than the receiver's `Retry-After`; nothing is dropped for being late. Only
//! the leader delivers, and it proves it still leads right before each message leaves.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use warren_core::backoff::Backoff;
use warren_core::clock::now_ms;
use warren_core::ledger::{Delivery, NextDue};
use warren_runtime::{IncidentEvent, NotifyError};

use super::Shared;

/// Longest sleep between looks at the queue (covers a wake-up lost to a race).
const IDLE: Duration = Duration::from_secs(5);
/// How often a follower looks whether it leads now.
const FOLLOWING: Duration = Duration::from_millis(250);
/// How long shutdown waits for a request in flight.
const DRAIN: Duration = Duration::from_secs(12);

pub(crate) async fn run(plugin: String, shared: Arc<Shared>, cancel: CancellationToken) {
    loop {
        if shared.ledger.leading().is_none() {
            // Another instance leads: it delivers.
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(FOLLOWING) => {}
            }
            continue;
        }
        // The head of each group's queue that is due first: a close is never overtaken by its
        // open, nor by the open of the group's next incident.
        let now = now_ms();
        let next = shared
            .ledger
            .next_due(&shared.name, now)
            .unwrap_or_else(|e| {
                tracing::error!(notifier = %shared.name, error = %e, "cannot read deliveries");
                NextDue::Nothing
            });
        let wait = match next {
            NextDue::Now(..) => Duration::ZERO,
            NextDue::At(at) => Duration::from_millis((at - now).max(0) as u64).min(IDLE),
            NextDue::Nothing => IDLE,
        };
        let NextDue::Now(seq, delivery) = next else {
            idle(&shared, &cancel, wait).await;
            if cancel.is_cancelled() {
                return;
            }
            continue;
        };
        let delivery = *delivery;
        // Proves the lead right before the message leaves: a leader that was replaced while
        // paused learns it here and sends nothing.
        if let Err(e) = shared.ledger.confirm() {
            tracing::warn!(notifier = %shared.name, error = %e, "not sending: cannot confirm the lead");
            continue;
        }
        let outcome = {
            let send = attempt(&plugin, &shared, &delivery);
            tokio::pin!(send);
            tokio::select! {
                outcome = &mut send => outcome,
                _ = cancel.cancelled() => {
                    // Shutting down mid-request: let it finish (bounded) and record its
                    // outcome, so neither the next start nor the next leader sends it again.
                    match tokio::time::timeout(DRAIN, send).await {
                        Ok(outcome) => outcome,
                        Err(_) => return,
                    }
                }
            }
        };
        finish(&shared, seq, delivery, outcome);
        if cancel.is_cancelled() {
            return;
        }
    }
}

/// Waits `wait`, or less when something is queued or shutdown begins.
async fn idle(shared: &Shared, cancel: &CancellationToken, wait: Duration) {
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = shared.queued.notified() => {}
        _ = tokio::time::sleep(wait) => {}
    }
}

async fn attempt(plugin: &str, shared: &Shared, d: &Delivery) -> Result<(), NotifyError> {
    let Some(notifier) = shared.plugins.plugins().notifier(plugin) else {
        return Err(NotifyError::Transient {
            message: format!("notifier plugin {plugin:?} is not loaded"),
            retry_after: None,
        });
    };
    let event = IncidentEvent {
        id: d.incident.id.clone(),
        kind: d.kind,
        started_ms: d.incident.started_ms,
        now_ms: d.event_ms,
        status: d.status.clone(),
    };
    notifier.notify(&event).await
}

fn finish(shared: &Shared, seq: u64, mut d: Delivery, outcome: Result<(), NotifyError>) {
    let name = &shared.name;
    let (cluster, group, id, kind) = (&d.key.cluster, &d.key.group, &d.incident.id, d.kind);
    let done = match outcome.as_ref().map_err(|e| (e, e.retry())) {
        Ok(()) => {
            shared.counters.delivered.fetch_add(1, Ordering::Relaxed);
            tracing::info!(notifier = %name, cluster = %cluster, group = %group, incident = %id,
                kind = kind.as_str(), attempts = d.attempts + 1, "notification delivered");
            true
        }
        Err((e, None)) => {
            // The receiver's own words, without the "failed for good" that the log line says.
            let reason = match e {
                NotifyError::Permanent(reason) => reason.clone(),
                other => other.to_string(),
            };
            shared.counters.failed.fetch_add(1, Ordering::Relaxed);
            tracing::error!(notifier = %name, cluster = %cluster, group = %group, incident = %id,
                kind = kind.as_str(), error = %reason, "notification refused for good; dropped");
            set_error(shared, reason);
            true
        }
        Err((e, Some(retry))) => {
            let wait = Backoff::DELIVERY
                .delay(d.attempts, seq ^ u64::from(d.attempts) << 32)
                .max(retry.not_before.unwrap_or_default());
            d.attempts += 1;
            d.next_attempt_ms = now_ms() + wait.as_millis() as i64;
            d.last_error = Some(e.to_string());
            shared.counters.retried.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(notifier = %name, cluster = %cluster, group = %group, incident = %id,
                kind = kind.as_str(), attempts = d.attempts, retry_in_ms = wait.as_millis() as u64,
                error = %e, "notification failed; will retry");
            set_error(shared, e.to_string());
            false
        }
    };
    let saved = if done {
        shared.ledger.finish_delivery(seq)
    } else {
        shared.ledger.update_delivery(seq, &d)
    };
    if let Err(e) = saved {
        tracing::error!(notifier = %name, error = %e, "cannot save a delivery's state");
    }
}

fn set_error(shared: &Shared, error: String) {
    *shared.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
}
