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
    /// Names of the notifiers that have pending deliveries.
    fn notifier_names(&self) -> Result<Vec<String>, LedgerError>;
    /// Saves a delivery's retry state; a delivery removed meanwhile stays removed.
    fn update_delivery(&self, seq: u64, delivery: &Delivery) -> Result<(), LedgerError>;
    /// Removes a delivery that is done (accepted, or refused for good).
    fn finish_delivery(&self, seq: u64) -> Result<(), LedgerError>;
}

#[cfg(test)]
mod tests {
    use super::IncidentKey;

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
