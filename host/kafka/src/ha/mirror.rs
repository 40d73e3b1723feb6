//! The in-memory copy of the state topic: open incidents, pending deliveries and the last
//! leader announcement, rebuilt by reading the topic from its start. Records are keyed so that
//! compaction keeps exactly the live state: `incident␟NOTIFIER␟CLUSTER␟GROUP` holds an
//! incident (a tombstone closes it), `delivery␟SEQ` a pending delivery (a tombstone finishes
//! it), `leader` who leads since when. Values are JSON; a record this build cannot read is
//! counted and skipped, never fatal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use warren_core::incident::Incident;
use warren_core::ledger::{IncidentKey, Pending};

const INCIDENT: &str = "incident\u{1f}";
const DELIVERY: &str = "delivery\u{1f}";
pub(crate) const LEADER: &str = "leader";

/// Who leads, as the leader announced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Announcement {
    /// The leading instance.
    pub(crate) instance: String,
    /// When it took the lead, epoch ms.
    pub(crate) since: i64,
    /// Unique per acquisition: the new leader waits to read its own announcement back, which
    /// proves it has read everything written before.
    pub(crate) nonce: String,
}

/// One record to write: a key and a JSON value, or a tombstone.
pub(crate) type Record = (String, Option<Vec<u8>>);

#[derive(Debug, Default)]
pub(crate) struct Mirror {
    pub(crate) incidents: BTreeMap<IncidentKey, Incident>,
    pub(crate) deliveries: Pending,
    /// The highest delivery sequence ever seen, tombstones included, so a new leader never
    /// reuses one.
    pub(crate) max_seq: u64,
    pub(crate) leader: Option<Announcement>,
}

impl Mirror {
    /// Applies one record read from the topic.
    pub(crate) fn apply(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), String> {
        let key = std::str::from_utf8(key).map_err(|_| "a key that is not UTF-8".to_owned())?;
        if let Some(rest) = key.strip_prefix(INCIDENT) {
            let key = IncidentKey::decode(rest).ok_or("a malformed incident key")?;
            match value {
                Some(v) => {
                    let incident = serde_json::from_slice(v).map_err(|e| e.to_string())?;
                    self.incidents.insert(key, incident);
                }
                None => {
                    self.incidents.remove(&key);
                }
            }
        } else if let Some(rest) = key.strip_prefix(DELIVERY) {
            let seq: u64 = rest.parse().map_err(|_| "a malformed delivery key")?;
            self.max_seq = self.max_seq.max(seq);
            match value {
                Some(v) => {
                    let delivery = serde_json::from_slice(v).map_err(|e| e.to_string())?;
                    self.deliveries.insert(seq, delivery);
                }
                None => {
                    self.deliveries.remove(seq);
                }
            }
        } else if key == LEADER {
            if let Some(v) = value {
                self.leader = Some(serde_json::from_slice(v).map_err(|e| e.to_string())?);
            }
        } else {
            return Err(format!("an unknown key {key:?}"));
        }
        Ok(())
    }
}

pub(crate) fn incident_record(key: &IncidentKey, incident: Option<&Incident>) -> Record {
    (format!("{INCIDENT}{}", key.encode()), incident.map(json))
}

pub(crate) fn delivery_record(
    seq: u64,
    delivery: Option<&warren_core::ledger::Delivery>,
) -> Record {
    // Zero-padded so the keys sort like the numbers in any tool that lists them.
    (format!("{DELIVERY}{seq:020}"), delivery.map(json))
}

pub(crate) fn leader_record(a: &Announcement) -> Record {
    (LEADER.to_owned(), Some(json(a)))
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // These types hold strings, numbers and enums only: serialising them cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use warren_core::evaluator::GroupStatus;
    use warren_core::incident::{Incident, IncidentKind};
    use warren_core::ledger::{Delivery, IncidentKey};
    use warren_core::model::Status;

    use super::*;

    fn key() -> IncidentKey {
        IncidentKey {
            notifier: "ops".into(),
            cluster: "prod".into(),
            group: "a\u{1f}b".into(),
        }
    }

    fn incident() -> Incident {
        Incident {
            id: "id-1".into(),
            started_ms: 5,
            last_status: Status::Warn,
            last_sent_ms: 5,
        }
    }

    fn apply(m: &mut Mirror, (k, v): Record) {
        m.apply(k.as_bytes(), v.as_deref()).expect("applies");
    }

    #[test]
    fn replaying_the_records_rebuilds_incidents_deliveries_and_the_leader() {
        let mut m = Mirror::default();
        let d = Delivery {
            key: key(),
            kind: IncidentKind::Opened,
            incident: incident(),
            status: GroupStatus::not_found("prod", "a\u{1f}b"),
            event_ms: 5,
            attempts: 0,
            next_attempt_ms: 5,
            last_error: None,
        };
        apply(&mut m, incident_record(&key(), Some(&incident())));
        apply(&mut m, delivery_record(7, Some(&d)));
        let a = Announcement {
            instance: "w1".into(),
            since: 9,
            nonce: "n".into(),
        };
        apply(&mut m, leader_record(&a));
        assert_eq!(m.incidents.get(&key()), Some(&incident()));
        assert_eq!(m.deliveries.get(7), Some(&d));
        assert_eq!(m.leader, Some(a));
        apply(&mut m, delivery_record(7, None));
        apply(&mut m, incident_record(&key(), None));
        assert!(m.incidents.is_empty() && m.deliveries.is_empty());
        assert_eq!(
            m.max_seq, 7,
            "a finished sequence is never handed out again"
        );
    }

    #[test]
    fn a_malformed_record_is_refused_and_changes_nothing() {
        let mut m = Mirror::default();
        assert!(m.apply(b"delivery\x1fseven", Some(b"{}")).is_err());
        assert!(m.apply(b"incident\x1fops", Some(b"{}")).is_err());
        assert!(m.apply(b"leader", Some(b"not json")).is_err());
        assert!(m.apply(b"something", None).is_err());
        assert!(m.incidents.is_empty() && m.deliveries.is_empty() && m.leader.is_none());
    }
}
