//! When to notify: the pure half of notifications, and the vocabulary every part of the
//! notification path shares ([`IncidentKind`], as the WIT `incident-kind` spells it).
//!
//! The incident state machine of one notifier for one group: opened when the group reaches
//! the notifier's threshold, updated while it stays bad (a status change, or a reminder every
//! `send-interval` unless `send-once`), resolved when it is back to OK or gone. Pure: the
//! evaluation and the time come in, the event to deliver (if any) comes out, so every rule
//! (threshold, send-interval, send-once, send-close, disappearing groups) is a unit test.
//!
//! The rest of the path: the daemon's `notify` module runs, per `[notifier.NAME]`, a scheduler
//! task that calls [`step`] every `interval` and a delivery task with the retries;
//! `warren-store` persists open incidents and pending deliveries; `warren-runtime` hands each
//! event to the notifier plugin as an `IncidentEvent`, which only renders and sends.

use serde::{Deserialize, Serialize};

use crate::model::Status;

/// What a notifier is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentKind {
    /// The group reached the threshold.
    Opened,
    /// Still bad: its status changed, or a reminder.
    Updated,
    /// Back to OK, or the group disappeared (deleted, expired).
    Resolved,
}

impl IncidentKind {
    /// Lower-case name, as in the WIT enum.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::Opened => "opened",
            IncidentKind::Updated => "updated",
            IncidentKind::Resolved => "resolved",
        }
    }
}

/// When a notifier speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Lowest group status that opens an incident (WARN or ERR).
    pub threshold: Status,
    /// Least time between two messages about the same open incident.
    pub send_interval_ms: i64,
    /// Only the opening message; no reminders or status changes.
    pub send_once: bool,
    /// Send a message when the incident resolves.
    pub send_close: bool,
}

/// An open incident, as persisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// Deterministic from (cluster, group, start): see [`incident_id`].
    pub id: String,
    /// When the group reached the threshold, epoch ms.
    pub started_ms: i64,
    /// The status last reported.
    pub last_status: Status,
    /// When the last message was queued, epoch ms.
    pub last_sent_ms: i64,
}

/// What one evaluation does to a group's incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The incident after the step (`None`: no incident open).
    pub incident: Option<Incident>,
    /// The message to deliver, if any, with the incident it is about.
    pub event: Option<(IncidentKind, Incident)>,
}

/// One evaluation of a group by a notifier. `status` is NOTFOUND when the group is gone.
pub fn step(
    policy: &Policy,
    cluster: &str,
    group: &str,
    current: Option<&Incident>,
    status: Status,
    now_ms: i64,
) -> Step {
    // STOP/STALL/REWIND only exist on partitions; a group's worst is ERR.
    let status = status.min(Status::Err);
    let bad = status >= policy.threshold;
    match current {
        None if bad => {
            let incident = Incident {
                id: incident_id(cluster, group, now_ms),
                started_ms: now_ms,
                last_status: status,
                last_sent_ms: now_ms,
            };
            Step {
                event: Some((IncidentKind::Opened, incident.clone())),
                incident: Some(incident),
            }
        }
        None => Step {
            incident: None,
            event: None,
        },
        Some(open) if status == Status::Ok || status == Status::NotFound => {
            let mut closed = open.clone();
            closed.last_status = status;
            Step {
                incident: None,
                event: policy
                    .send_close
                    .then_some((IncidentKind::Resolved, closed)),
            }
        }
        // Still bad, or better but not yet OK (a WARN under an ERR threshold): the incident
        // stays open; only a bad status is worth a message.
        Some(open) => {
            let mut next = open.clone();
            let due = now_ms.saturating_sub(open.last_sent_ms) >= policy.send_interval_ms;
            let changed = bad && status != open.last_status;
            if bad && !policy.send_once && (due || changed) {
                next.last_status = status;
                next.last_sent_ms = now_ms;
                return Step {
                    event: Some((IncidentKind::Updated, next.clone())),
                    incident: Some(next),
                };
            }
            if bad {
                next.last_status = status;
            }
            Step {
                incident: Some(next),
                event: None,
            }
        }
    }
}

/// A stable incident id from (cluster, group, start): the same inputs give the same id on
/// every instance and after a restart, so a PagerDuty `dedup_key` or an email thread opened
/// before a restart is closed by the same id. Formatted like a UUID (version 8, RFC 9562's
/// "custom" layout) from the first 16 bytes of a SHA-256.
pub fn incident_id(cluster: &str, group: &str, started_ms: i64) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(cluster.as_bytes());
    h.update([0]);
    h.update(group.as_bytes());
    h.update([0]);
    h.update(started_ms.to_be_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;
    const MIN: i64 = 60_000;

    fn policy() -> Policy {
        Policy {
            threshold: Status::Warn,
            send_interval_ms: 10 * MIN,
            send_once: false,
            send_close: true,
        }
    }

    /// Runs a sequence of (minute, status) evaluations; returns the events as (minute, kind).
    fn run(policy: &Policy, steps: &[(i64, Status)]) -> Vec<(i64, IncidentKind)> {
        let mut open = None;
        let mut events = Vec::new();
        for &(minute, status) in steps {
            let s = step(policy, "c", "g", open.as_ref(), status, T0 + minute * MIN);
            if let Some((kind, _)) = s.event {
                events.push((minute, kind));
            }
            open = s.incident;
        }
        events
    }

    #[test]
    fn a_bad_group_opens_once_reminds_every_send_interval_and_resolves_once() {
        let steps: Vec<(i64, Status)> = (0..25)
            .map(|m| (m, Status::Err))
            .chain([(25, Status::Ok), (26, Status::Ok)])
            .collect();
        assert_eq!(
            run(&policy(), &steps),
            [
                (0, IncidentKind::Opened),
                (10, IncidentKind::Updated),
                (20, IncidentKind::Updated),
                (25, IncidentKind::Resolved)
            ]
        );
    }

    #[test]
    fn a_status_change_while_open_is_reported_at_once() {
        let steps = [
            (0, Status::Warn),
            (1, Status::Warn),
            (2, Status::Err),
            (3, Status::Err),
        ];
        assert_eq!(
            run(&policy(), &steps),
            [(0, IncidentKind::Opened), (2, IncidentKind::Updated)]
        );
    }

    #[test]
    fn send_once_sends_only_the_opening_and_the_close() {
        let p = Policy {
            send_once: true,
            ..policy()
        };
        let steps = [
            (0, Status::Warn),
            (2, Status::Err),
            (30, Status::Err),
            (31, Status::Ok),
        ];
        assert_eq!(
            run(&p, &steps),
            [(0, IncidentKind::Opened), (31, IncidentKind::Resolved)]
        );
    }

    #[test]
    fn without_send_close_the_incident_ends_silently_and_a_new_one_gets_a_new_id() {
        let p = Policy {
            send_close: false,
            ..policy()
        };
        let first = step(&p, "c", "g", None, Status::Err, T0);
        let open = first.incident.clone().unwrap();
        let closed = step(&p, "c", "g", Some(&open), Status::Ok, T0 + MIN);
        assert_eq!((closed.incident, closed.event), (None, None));
        let again = step(&p, "c", "g", None, Status::Err, T0 + 2 * MIN);
        assert_ne!(again.incident.unwrap().id, open.id);
    }

    #[test]
    fn an_err_threshold_ignores_warn_and_keeps_an_open_incident_through_it() {
        let p = Policy {
            threshold: Status::Err,
            ..policy()
        };
        let steps = [
            (0, Status::Warn),
            (1, Status::Err),
            (2, Status::Warn),
            (15, Status::Warn),
            (16, Status::Ok),
        ];
        assert_eq!(
            run(&p, &steps),
            [(1, IncidentKind::Opened), (16, IncidentKind::Resolved)]
        );
    }

    #[test]
    fn a_group_that_disappears_resolves_its_incident() {
        let steps = [(0, Status::Err), (1, Status::NotFound)];
        assert_eq!(
            run(&policy(), &steps),
            [(0, IncidentKind::Opened), (1, IncidentKind::Resolved)]
        );
    }

    #[test]
    fn partition_level_statuses_count_as_err() {
        let s = step(&policy(), "c", "g", None, Status::Stop, T0);
        assert_eq!(s.incident.unwrap().last_status, Status::Err);
    }

    #[test]
    fn the_close_carries_the_opening_id_and_start() {
        let open = step(&policy(), "c", "g", None, Status::Err, T0)
            .incident
            .unwrap();
        let close = step(&policy(), "c", "g", Some(&open), Status::Ok, T0 + 5 * MIN);
        let (kind, incident) = close.event.unwrap();
        assert_eq!(kind, IncidentKind::Resolved);
        assert_eq!((incident.id, incident.started_ms), (open.id, T0));
    }

    #[test]
    fn incident_ids_are_stable_and_distinct_per_cluster_group_and_start() {
        let id = incident_id("prod", "billing", T0);
        assert_eq!(id, incident_id("prod", "billing", T0));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "8", "version 8");
        assert_ne!(id, incident_id("prod", "billing", T0 + 1));
        assert_ne!(id, incident_id("prod", "billin", T0));
        assert_ne!(incident_id("a", "bc", T0), incident_id("ab", "c", T0));
    }
}
