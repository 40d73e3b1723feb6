//! The notification ledger: where a notifier's decisions live between "decided" and
//! "delivered". Each notifier's open incidents (one per cluster and group) and its deliveries
//! in the order they were decided, each with a sequence number. The scheduler writes an
//! incident change and the delivery it causes in one atomic step; the delivery task removes a
//! delivery only once the receiver accepted it (or refused it for good).
//!
//! Two homes implement it: the embedded store of a single instance, and a compacted Kafka
//! topic shared by several instances, of which one leads. [`Ledger::leading`] says whether
//! this instance may decide and deliver now, and [`Ledger::confirm`] proves it again right
//! before a message leaves, so an instance that was replaced while paused sends nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::evaluator::GroupStatus;
use crate::incident::{Incident, IncidentKind};

/// Which incident: one per (notifier, cluster, group).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IncidentKey {
    /// `[notifier.NAME]`.
    pub notifier: String,
    /// Cluster.
    pub cluster: String,
    /// Group.
    pub group: String,
}

impl IncidentKey {
    /// The key as one string: fields joined by the unit separator. It cannot appear in
    /// section names (notifier, cluster); a Kafka group id may hold anything, so it comes last
    /// and [`IncidentKey::decode`] splits off two fields only.
    pub fn encode(&self) -> String {
        format!(
            "{}\u{1f}{}\u{1f}{}",
            self.notifier, self.cluster, self.group
        )
    }

    /// The key [`IncidentKey::encode`] wrote, or `None` for a malformed one.
    pub fn decode(text: &str) -> Option<IncidentKey> {
        let mut parts = text.splitn(3, '\u{1f}');
        let (Some(notifier), Some(cluster), Some(group)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        Some(IncidentKey {
            notifier: notifier.to_owned(),
            cluster: cluster.to_owned(),
            group: group.to_owned(),
        })
    }
}

/// One message to deliver, with its retry state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Who delivers it and about what.
    pub key: IncidentKey,
    /// Opened, updated or resolved.
    pub kind: IncidentKind,
    /// The incident (id and start).
    pub incident: Incident,
    /// The group's status when the event was decided.
    pub status: GroupStatus,
    /// When it was decided, epoch ms.
    pub event_ms: i64,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Not before this time, epoch ms.
    pub next_attempt_ms: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// Why a ledger operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// Another instance took the lead: this one must neither decide nor send any more.
    #[error("no longer the leader: {0}")]
    Fenced(String),
    /// The write or read failed; nothing was recorded.
    #[error("{0}")]
    Failed(String),
}

/// Where notification state lives; see the module documentation.
pub trait Ledger: Send + Sync {
    /// `Some(term)` while this instance decides and delivers; the term changes each time it
    /// (re)gains the lead, so a scheduler knows to re-read what the previous leader left.
    fn leading(&self) -> Option<u64>;
    /// Proves, right before a message leaves, that this instance still leads.
    fn confirm(&self) -> Result<(), LedgerError>;
    /// Every open incident.
    fn incidents(&self) -> Result<Vec<(IncidentKey, Incident)>, LedgerError>;
    /// Stores the incident after a step (`None` removes it) and, atomically with it, the
    /// delivery it caused; returns the delivery's sequence number.
    fn record(
        &self,
        key: &IncidentKey,
        incident: Option<&Incident>,
        delivery: Option<&Delivery>,
    ) -> Result<Option<u64>, LedgerError>;
    /// A notifier's pending deliveries, oldest decision first.
    fn deliveries(&self, notifier: &str) -> Result<Vec<(u64, Delivery)>, LedgerError>;
    /// What a notifier's delivery task does next ([`Pending::next_due`]).
    fn next_due(&self, notifier: &str, now_ms: i64) -> Result<NextDue, LedgerError>;
    /// The pending `updated` deliveries of this incident (a newer one supersedes them).
    fn pending_updates(&self, key: &IncidentKey, incident: &str) -> Result<Vec<u64>, LedgerError>;
    /// Names of the notifiers that have pending deliveries.
    fn notifier_names(&self) -> Result<Vec<String>, LedgerError>;
    /// Saves a delivery's retry state; a delivery removed meanwhile stays removed.
    fn update_delivery(&self, seq: u64, delivery: &Delivery) -> Result<(), LedgerError>;
    /// Removes a delivery that is done (accepted, or refused for good).
    fn finish_delivery(&self, seq: u64) -> Result<(), LedgerError>;
}

/// What the delivery task of one notifier does next.
#[derive(Debug, Clone, PartialEq)]
pub enum NextDue {
    /// Attempt this delivery now.
    Now(u64, Box<Delivery>),
    /// Nothing is due before this time, epoch ms.
    At(i64),
    /// Nothing is pending.
    Nothing,
}

/// Pending deliveries, indexed so that the delivery task finds the next one without looking
/// at the others: each (notifier, cluster, group) has a queue in decision order, only its head
/// may go (a close never overtakes its open), and the heads are kept ordered by when they are
/// due. An outage with thousands of deliveries waiting costs a logarithm per attempt, not a
/// scan.
#[derive(Debug, Default)]
pub struct Pending {
    all: BTreeMap<u64, Delivery>,
    queues: HashMap<IncidentKey, BTreeSet<u64>>,
    /// The head of every queue: (notifier, due at, sequence).
    heads: BTreeSet<(String, i64, u64)>,
}

impl Pending {
    /// Adds a delivery, or replaces one with the same sequence number (its retry state).
    pub fn insert(&mut self, seq: u64, delivery: Delivery) {
        if self.all.contains_key(&seq) {
            self.remove(seq);
        }
        let queue = self.queues.entry(delivery.key.clone()).or_default();
        queue.insert(seq);
        let head = queue.first().copied();
        if head == Some(seq) {
            // It goes before the previous head (a replaced head keeps its place).
            if let Some(&next) = queue.iter().nth(1)
                && let Some(d) = self.all.get(&next)
            {
                self.heads
                    .remove(&(d.key.notifier.clone(), d.next_attempt_ms, next));
            }
            self.heads
                .insert((delivery.key.notifier.clone(), delivery.next_attempt_ms, seq));
        }
        self.all.insert(seq, delivery);
    }

    /// Removes a delivery; the next of its queue becomes the head.
    pub fn remove(&mut self, seq: u64) -> Option<Delivery> {
        let delivery = self.all.remove(&seq)?;
        let key = &delivery.key;
        self.heads
            .remove(&(key.notifier.clone(), delivery.next_attempt_ms, seq));
        if let Some(queue) = self.queues.get_mut(key) {
            let was_head = queue.first() == Some(&seq);
            queue.remove(&seq);
            match queue.first().copied() {
                Some(next) if was_head => {
                    if let Some(d) = self.all.get(&next) {
                        self.heads
                            .insert((d.key.notifier.clone(), d.next_attempt_ms, next));
                    }
                }
                Some(_) => {}
                None => {
                    self.queues.remove(key);
                }
            }
        }
        Some(delivery)
    }

    /// The delivery with this sequence number.
    pub fn get(&self, seq: u64) -> Option<&Delivery> {
        self.all.get(&seq)
    }

    /// What `notifier`'s delivery task does at `now_ms`: the earliest due head, else when the
    /// next one is due.
    pub fn next_due(&self, notifier: &str, now_ms: i64) -> NextDue {
        let from = (notifier.to_owned(), i64::MIN, 0);
        let Some((owner, at, seq)) = self.heads.range(from..).next() else {
            return NextDue::Nothing;
        };
        if owner != notifier {
            return NextDue::Nothing;
        }
        match self.all.get(seq) {
            Some(d) if *at <= now_ms => NextDue::Now(*seq, Box::new(d.clone())),
            _ => NextDue::At(*at),
        }
    }

    /// The pending `updated` deliveries of one incident (a newer one supersedes them).
    pub fn updates_of(&self, key: &IncidentKey, incident: &str) -> Vec<u64> {
        let Some(queue) = self.queues.get(key) else {
            return Vec::new();
        };
        queue
            .iter()
            .filter(|seq| {
                self.all
                    .get(seq)
                    .is_some_and(|d| d.kind == IncidentKind::Updated && d.incident.id == incident)
            })
            .copied()
            .collect()
    }

    /// A copy of every pending delivery of `notifier`, in decision order (for the admin route
    /// and `/metrics`, which list them all).
    pub fn of(&self, notifier: &str) -> Vec<(u64, Delivery)> {
        self.all
            .iter()
            .filter(|(_, d)| d.key.notifier == notifier)
            .map(|(s, d)| (*s, d.clone()))
            .collect()
    }

    /// The notifiers with something pending.
    pub fn notifiers(&self) -> BTreeSet<String> {
        self.queues.keys().map(|k| k.notifier.clone()).collect()
    }

    /// How many are pending.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{Delivery, IncidentKey, NextDue, Pending};
    use crate::evaluator::GroupStatus;
    use crate::incident::{Incident, IncidentKind};
    use crate::model::Status;

    fn delivery(notifier: &str, group: &str, kind: IncidentKind, due: i64) -> Delivery {
        Delivery {
            key: IncidentKey {
                notifier: notifier.into(),
                cluster: "prod".into(),
                group: group.into(),
            },
            kind,
            incident: Incident {
                id: format!("{group}-1"),
                started_ms: 0,
                last_status: Status::Err,
                last_sent_ms: 0,
            },
            status: GroupStatus::not_found("prod", group),
            event_ms: due,
            attempts: 0,
            next_attempt_ms: due,
            last_error: None,
        }
    }

    fn seq_of(n: NextDue) -> Option<u64> {
        match n {
            NextDue::Now(seq, _) => Some(seq),
            _ => None,
        }
    }

    #[test]
    fn a_close_waits_behind_its_open_even_when_the_open_is_retrying() {
        let mut p = Pending::default();
        p.insert(1, delivery("ops", "a", IncidentKind::Opened, 100));
        p.insert(2, delivery("ops", "a", IncidentKind::Resolved, 100));
        // The open failed: retried at 500. The close is due, but not before its open.
        let mut retry = p.get(1).unwrap().clone();
        retry.next_attempt_ms = 500;
        retry.attempts = 1;
        p.insert(1, retry);
        assert_eq!(p.next_due("ops", 200), NextDue::At(500));
        assert_eq!(seq_of(p.next_due("ops", 500)), Some(1));
        p.remove(1);
        assert_eq!(seq_of(p.next_due("ops", 500)), Some(2));
        p.remove(2);
        assert_eq!(p.next_due("ops", 500), NextDue::Nothing);
        assert!(p.is_empty() && p.notifiers().is_empty());
    }

    #[test]
    fn groups_and_notifiers_do_not_wait_for_each_other() {
        let mut p = Pending::default();
        p.insert(1, delivery("ops", "a", IncidentKind::Opened, 900));
        p.insert(2, delivery("ops", "b", IncidentKind::Opened, 100));
        p.insert(3, delivery("pager", "a", IncidentKind::Opened, 50));
        assert_eq!(seq_of(p.next_due("ops", 200)), Some(2));
        assert_eq!(seq_of(p.next_due("pager", 200)), Some(3));
        assert_eq!(p.next_due("mail", 200), NextDue::Nothing);
        assert_eq!(
            p.of("ops").into_iter().map(|(s, _)| s).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn ten_thousand_waiting_deliveries_drain_in_decision_order_per_group() {
        let mut p = Pending::default();
        for i in 0..10_000u64 {
            let group = format!("g{}", i % 100);
            p.insert(
                i + 1,
                delivery("ops", &group, IncidentKind::Updated, i as i64),
            );
        }
        let mut last_per_group = std::collections::HashMap::new();
        let mut drained = 0;
        while let NextDue::Now(seq, d) = p.next_due("ops", i64::MAX) {
            let previous = last_per_group.insert(d.key.group.clone(), seq);
            assert!(
                previous.is_none_or(|s| s < seq),
                "out of order in {}",
                d.key.group
            );
            p.remove(seq);
            drained += 1;
        }
        assert_eq!(drained, 10_000);
    }

    #[test]
    fn a_group_id_holding_the_separator_survives_the_round_trip() {
        let key = IncidentKey {
            notifier: "ops".into(),
            cluster: "prod".into(),
            group: "a\u{1f}b\u{1f}c".into(),
        };
        assert_eq!(IncidentKey::decode(&key.encode()), Some(key));
        assert_eq!(IncidentKey::decode("ops\u{1f}prod"), None);
    }
}
