//! Notifications in the daemon: for each `[notifier.NAME]`, a scheduler task that evaluates
//! the groups of its clusters every `interval` and runs the incident state machine
//! (`warren_core::incident`), and a delivery task that hands each decided event to the
//! notifier plugin, retrying transient failures with exponential backoff and jitter (never
//! sooner than a receiver's `Retry-After`). Decisions and deliveries go through the
//! ledger first (the embedded store, or with `[ha]` the state topic shared by the instances),
//! so a restart or a failover loses neither an open incident nor a pending open or close. Each
//! notifier has its own tasks: a slow or dead receiver delays only its own messages.

mod deliver;
mod schedule;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use warren_core::config::Config;
use warren_core::evaluator::EvaluatorHandle;
use warren_core::health::Health;
use warren_core::ledger::Ledger;
use warren_core::storage::StorageHandle;
use warren_http::{NotifierAdmin, NotifierInfo, OpenIncident, PendingDelivery};

use crate::plugins::PluginManager;

/// Counters of one notifier, for `/v3/admin/notifiers`.
#[derive(Default)]
pub struct Counters {
    /// Events decided (opened, updated, resolved).
    pub decided: AtomicU64,
    /// Deliveries the receiver accepted.
    pub delivered: AtomicU64,
    /// Attempts that failed and will be retried.
    pub retried: AtomicU64,
    /// Deliveries dropped for good (permanent failure).
    pub failed: AtomicU64,
}

/// What the tasks of one notifier share.
pub(crate) struct Shared {
    pub(crate) name: String,
    pub(crate) ledger: Arc<dyn Ledger>,
    pub(crate) plugins: Arc<PluginManager>,
    pub(crate) counters: Counters,
    /// Wakes the delivery task when the scheduler queued something.
    pub(crate) queued: Notify,
    pub(crate) last_error: Mutex<Option<String>>,
}

/// The running notifiers.
#[derive(Clone, Default)]
pub struct Notifications {
    notifiers: Arc<BTreeMap<String, Arc<Shared>>>,
}

/// Everything the tasks read.
pub struct Inputs {
    /// The resolved configuration.
    pub config: Config,
    /// Plugins (notifiers and filters are looked up by name at each use, so a reload applies).
    pub plugins: Arc<PluginManager>,
    /// The evaluator the API uses (same cache, same plugin bindings).
    pub evaluator: EvaluatorHandle,
    /// Storage.
    pub storage: StorageHandle,
    /// Collector health: a cluster is evaluated only once its consumer has caught up.
    pub health: Health,
    /// Where incidents and deliveries are kept: the embedded store, or the `[ha]` state topic.
    pub ledger: Arc<dyn Ledger>,
}

/// Incidents and deliveries of notifiers that are no longer configured cannot be delivered (no
/// plugin is bound to them): they are dropped, loudly, rather than kept for ever.
fn forget_removed_notifiers(inputs: &Inputs) {
    let configured = &inputs.config.notifiers;
    for (key, incident) in inputs.ledger.incidents().unwrap_or_default() {
        if !configured.contains_key(&key.notifier) {
            tracing::warn!(notifier = %key.notifier, cluster = %key.cluster, group = %key.group,
                incident = %incident.id, "notifier removed from the config: its open incident is dropped");
            let _ = inputs.ledger.record(&key, None, None);
        }
    }
    for name in inputs.ledger.notifier_names().unwrap_or_default() {
        if configured.contains_key(&name) {
            continue;
        }
        for (seq, d) in inputs.ledger.deliveries(&name).unwrap_or_default() {
            tracing::warn!(notifier = %name, group = %d.key.group, incident = %d.incident.id,
                kind = d.kind.as_str(), "notifier removed from the config: pending delivery dropped");
            let _ = inputs.ledger.finish_delivery(seq);
        }
    }
}

/// Runs [`forget_removed_notifiers`] each time this instance gains the lead (at once without
/// `[ha]`): only the leader writes the ledger.
async fn forget_on_lead(inputs: Arc<Inputs>, cancel: CancellationToken) {
    let mut last = None;
    loop {
        let term = inputs.ledger.leading();
        if term.is_some() && term != last {
            forget_removed_notifiers(&inputs);
            last = term;
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
        }
    }
}

impl NotifierAdmin for Notifications {
    fn notifiers(&self) -> Vec<NotifierInfo> {
        self.report()
    }
}

impl Notifications {
    /// Starts a scheduler and a delivery task per notifier on `runtime`, tracked by `tracker`.
    pub fn start(
        inputs: Inputs,
        tracker: &TaskTracker,
        runtime: &tokio::runtime::Handle,
        cancel: &CancellationToken,
    ) -> Self {
        let inputs = Arc::new(inputs);
        tracker.spawn_on(forget_on_lead(inputs.clone(), cancel.clone()), runtime);
        let mut notifiers = BTreeMap::new();
        for (name, n) in &inputs.config.notifiers {
            let shared = Arc::new(Shared {
                name: name.clone(),
                ledger: inputs.ledger.clone(),
                plugins: inputs.plugins.clone(),
                counters: Counters::default(),
                queued: Notify::new(),
                last_error: Mutex::new(None),
            });
            tracker.spawn_on(
                schedule::run(n.clone(), inputs.clone(), shared.clone(), cancel.clone()),
                runtime,
            );
            tracker.spawn_on(
                deliver::run(n.plugin.clone(), shared.clone(), cancel.clone()),
                runtime,
            );
            notifiers.insert(name.clone(), shared);
        }
        Notifications {
            notifiers: Arc::new(notifiers),
        }
    }

    /// Every notifier with its counters, open incidents and pending deliveries.
    pub fn report(&self) -> Vec<NotifierInfo> {
        let mut out = Vec::new();
        for (name, n) in self.notifiers.iter() {
            let open_incidents = n
                .ledger
                .incidents()
                .unwrap_or_default()
                .into_iter()
                .filter(|(k, _)| &k.notifier == name)
                .map(|(k, i)| OpenIncident {
                    cluster: k.cluster,
                    group: k.group,
                    id: i.id,
                    started: i.started_ms,
                    status: i.last_status.as_str().to_owned(),
                })
                .collect();
            let pending = n
                .ledger
                .deliveries(name)
                .unwrap_or_default()
                .into_iter()
                .map(|(seq, d)| PendingDelivery {
                    seq,
                    cluster: d.key.cluster,
                    group: d.key.group,
                    id: d.incident.id,
                    kind: d.kind.as_str().to_owned(),
                    attempts: d.attempts,
                    next_attempt: d.next_attempt_ms,
                    last_error: d.last_error,
                })
                .collect();
            let c = &n.counters;
            out.push(NotifierInfo {
                name: name.clone(),
                decided: c.decided.load(Ordering::Relaxed),
                delivered: c.delivered.load(Ordering::Relaxed),
                retried: c.retried.load(Ordering::Relaxed),
                failed: c.failed.load(Ordering::Relaxed),
                last_error: n
                    .last_error
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone(),
                open_incidents,
                pending,
            });
        }
        out
    }
}
