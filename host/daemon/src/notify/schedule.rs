//! The scheduler of one notifier: every `interval`, for each cluster it watches whose consumer
//! has caught up (a restart must not report a STOP that is only Warren warming up), every
//! group that is stored or has an open incident is judged and stepped through the incident
//! state machine. A group that is gone, or that the notifier's filters no longer keep, counts
//! as resolved, so a deleted group never alerts forever. It decides only while this instance
//! leads (always, without `[ha]`), re-reading the open incidents each time it gains the lead.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio_util::sync::CancellationToken;
use warren_core::clock::now_ms;
use warren_core::config::NotifierConfig;
use warren_core::evaluator::GroupStatus;
use warren_core::incident::{Incident, IncidentKind, Policy, step};
use warren_core::ledger::{Delivery, IncidentKey};
use warren_core::storage::ClusterStore;
use warren_runtime::{Instance, PluginSet};

use super::{Inputs, Shared};

pub(crate) async fn run(
    notifier: NotifierConfig,
    inputs: Arc<Inputs>,
    shared: Arc<Shared>,
    cancel: CancellationToken,
) {
    let policy = Policy {
        threshold: notifier.threshold,
        send_interval_ms: notifier.send_interval.as_millis().min(i64::MAX as u128) as i64,
        send_once: notifier.send_once,
        send_close: notifier.send_close,
    };
    let mut open = BTreeMap::new();
    // The lead `open` was read under; `None` while another instance leads.
    let mut term = None;
    let mut ticker = tokio::time::interval(notifier.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = ticker.tick() => {}
        }
        let Some(now_term) = shared.ledger.leading() else {
            term = None;
            continue;
        };
        if term != Some(now_term) {
            // Starting, or (re)gaining the lead: what the ledger holds is the truth now,
            // including what another instance decided meanwhile. A ledger that cannot be
            // read is asked again next tick: deciding without it would forget open incidents.
            let Some(restored) = restore(&notifier, &policy, &inputs, &shared) else {
                continue;
            };
            open = restored;
            term = Some(now_term);
        }
        let now = now_ms();
        // Once per tick: the set a reload may replace, not a copy per group.
        let plugins = inputs.plugins.plugins();
        for cluster in inputs.config.clusters.keys() {
            if !notifier.applies_to(cluster) || !inputs.health.cluster_ready(cluster) {
                continue;
            }
            let Some(store) = inputs.storage.cluster(cluster) else {
                continue;
            };
            let mut groups: BTreeSet<String> = store.group_names().into_iter().collect();
            groups.extend(
                open.keys()
                    .filter(|k| &k.cluster == cluster)
                    .map(|k| k.group.clone()),
            );
            for group in groups {
                let key = IncidentKey {
                    notifier: notifier.name.clone(),
                    cluster: cluster.clone(),
                    group: group.clone(),
                };
                let current = open.get(&key);
                let watched = watches(&notifier, &inputs, &plugins, store, &group, now);
                if !watched && current.is_none() {
                    continue;
                }
                let status = if watched {
                    inputs.evaluator.group(store, &group, now).only_problems()
                } else {
                    GroupStatus::not_found(cluster, &group)
                };
                let next = step(&policy, cluster, &group, current, status.status, now);
                if next.incident.as_ref() == current && next.event.is_none() {
                    continue;
                }
                // The cluster's evaluator plugin failed and Burrow's rules answered. Their
                // verdict may open or update an incident (a broken plugin must not hide an
                // outage) but never closes one: the plugin may see a problem they do not.
                let fallback = status
                    .evaluator
                    .as_ref()
                    .is_some_and(|e| e.fallback.is_some());
                if fallback && current.is_some() && next.incident.is_none() {
                    continue;
                }
                let delivery = first_attempt(&key, &next, &status, now);
                if let Some((IncidentKind::Updated, incident)) = &next.event {
                    supersede_updates(&shared, &key, &incident.id);
                }
                match shared
                    .ledger
                    .record(&key, next.incident.as_ref(), delivery.as_ref())
                {
                    Ok(_) => {}
                    Err(e) => {
                        // Not recorded means not decided: the next tick tries again.
                        tracing::error!(notifier = %notifier.name, error = %e,
                            "cannot record an incident; retried next interval");
                        continue;
                    }
                }
                if let Some((kind, incident)) = &next.event {
                    tracing::info!(notifier = %notifier.name, cluster = %cluster, group = %group,
                        incident = %incident.id, kind = kind.as_str(), status = %status.status,
                        "notification queued");
                    shared.counters.decided.fetch_add(1, Ordering::Relaxed);
                    shared.queued.notify_one();
                }
                match next.incident {
                    Some(i) => {
                        open.insert(key, i);
                    }
                    None => {
                        open.remove(&key);
                    }
                }
            }
        }
    }
}

/// The notifier's open incidents as the ledger holds them, after resolving those of clusters
/// it no longer watches (the config changed while they were open): they would never be
/// visited again. `None` when the ledger cannot be read.
fn restore(
    notifier: &NotifierConfig,
    policy: &Policy,
    inputs: &Inputs,
    shared: &Shared,
) -> Option<BTreeMap<IncidentKey, Incident>> {
    let mut open: BTreeMap<IncidentKey, Incident> = match shared.ledger.incidents() {
        Ok(all) => all
            .into_iter()
            .filter(|(k, _)| k.notifier == notifier.name)
            .collect(),
        Err(e) => {
            tracing::error!(notifier = %notifier.name, error = %e, "cannot read open incidents; trying again next interval");
            return None;
        }
    };
    if !open.is_empty() {
        tracing::info!(notifier = %notifier.name, open = open.len(), "open incidents restored");
    }
    let now = now_ms();
    let orphans: Vec<IncidentKey> = open
        .keys()
        .filter(|k| {
            !inputs.config.clusters.contains_key(&k.cluster) || !notifier.applies_to(&k.cluster)
        })
        .cloned()
        .collect();
    for key in orphans {
        let Some(incident) = open.remove(&key) else {
            continue;
        };
        let status = GroupStatus::not_found(&key.cluster, &key.group);
        let next = step(
            policy,
            &key.cluster,
            &key.group,
            Some(&incident),
            status.status,
            now,
        );
        let delivery = first_attempt(&key, &next, &status, now);
        tracing::warn!(notifier = %notifier.name, cluster = %key.cluster, group = %key.group,
            incident = %incident.id, "the notifier no longer watches this cluster: incident resolved");
        match shared.ledger.record(&key, None, delivery.as_ref()) {
            Ok(_) if delivery.is_some() => shared.queued.notify_one(),
            Ok(_) => {}
            // Still in the ledger: resolved when the restore is tried again.
            Err(e) => {
                tracing::error!(notifier = %notifier.name, error = %e, "cannot resolve an incident; trying again next interval");
                return None;
            }
        }
    }
    Some(open)
}

/// The delivery a step decided, due at once.
fn first_attempt(
    key: &IncidentKey,
    next: &warren_core::incident::Step,
    status: &GroupStatus,
    now: i64,
) -> Option<Delivery> {
    next.event.as_ref().map(|(kind, incident)| Delivery {
        key: key.clone(),
        kind: *kind,
        incident: incident.clone(),
        status: status.clone(),
        event_ms: now,
        attempts: 0,
        next_attempt_ms: now,
        last_error: None,
    })
}

/// Drops an `updated` of the same incident that is still waiting (its receiver is down): the
/// new one says more, and an outage must not end in a burst of stale reminders.
fn supersede_updates(shared: &Shared, key: &IncidentKey, incident: &str) {
    for seq in shared
        .ledger
        .pending_updates(key, incident)
        .unwrap_or_default()
    {
        let _ = shared.ledger.finish_delivery(seq);
    }
}

/// Whether the notifier watches the group: it exists, passes the notifier's allow/deny
/// regexes, the cluster's group filters and the notifier's own (filters fail open).
fn watches(
    notifier: &NotifierConfig,
    inputs: &Inputs,
    plugins: &PluginSet,
    store: &ClusterStore,
    group: &str,
    now: i64,
) -> bool {
    if !notifier.groups.accepts(group) || !inputs.evaluator.monitored(store, group, now) {
        return false;
    }
    let Some(snapshot) = store.group(group) else {
        return false;
    };
    if notifier.group_filters.is_empty() {
        return true;
    }
    notifier.group_filters.iter().all(
        |name| match plugins.plugins.get(name).map(|p| &p.instance) {
            Some(Instance::Filter(f)) => f.accept(store.name(), &snapshot, now).unwrap_or(true),
            _ => true,
        },
    )
}
