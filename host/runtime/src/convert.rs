//! Conversions between Warren's model and the WIT types, and the checks that an evaluator's
//! answer makes sense before anyone relies on it; the group a filter sees; the incident events
//! notifiers receive.

use std::collections::{HashMap, HashSet};

use warren_core::evaluator::{GroupStatus, LagEstimate, PartitionStatus, TimeLag, timelag};
use warren_core::incident::IncidentKind;
use warren_core::model::Status;
use warren_core::storage::{CommitEntry, GroupSnapshot};

use crate::bindings::types as wit;
use crate::incident::IncidentEvent;

fn status_from_wit(s: wit::Status) -> Status {
    match s {
        wit::Status::NotFound => Status::NotFound,
        wit::Status::Ok => Status::Ok,
        wit::Status::Warn => Status::Warn,
        wit::Status::Err => Status::Err,
        wit::Status::Stop => Status::Stop,
        wit::Status::Stall => Status::Stall,
        wit::Status::Rewind => Status::Rewind,
    }
}

fn commit_to_wit(c: &CommitEntry) -> wit::Commit {
    wit::Commit {
        offset: c.offset,
        timestamp_ms: c.timestamp_ms,
        observed_ms: c.observed_ms,
        lag: c.lag,
    }
}

fn commit_from_wit(c: &wit::Commit) -> CommitEntry {
    CommitEntry {
        offset: c.offset,
        timestamp_ms: c.timestamp_ms,
        observed_ms: c.observed_ms,
        lag: c.lag,
    }
}

/// The evaluator input for a stored group.
pub fn group_window(cluster: &str, snapshot: &GroupSnapshot, now_ms: i64) -> wit::GroupWindow {
    let partitions = snapshot
        .topics
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .enumerate()
                .map(move |(id, p)| wit::PartitionWindow {
                    topic: t.topic.clone(),
                    partition: id as i32,
                    commits: p.commits.iter().map(commit_to_wit).collect(),
                    heads: p
                        .heads
                        .iter()
                        .map(|h| wit::HeadSample {
                            offset: h.offset,
                            observed_ms: h.observed_ms,
                        })
                        .collect(),
                    current_lag: p.current_lag,
                    owner: p.owner.clone(),
                    client_id: p.client_id.clone(),
                    time_lag: p
                        .commits
                        .last()
                        .and_then(|c| timelag::time_lag(&p.timeline, c.offset, now_ms))
                        .map(time_lag_to_wit),
                    catchup_eta_ms: timelag::catchup_eta(
                        &p.commits,
                        &p.timeline,
                        p.current_lag,
                        now_ms,
                    ),
                })
        })
        .collect();
    wit::GroupWindow {
        cluster: cluster.to_string(),
        group: snapshot.group.clone(),
        now_ms,
        intervals: snapshot.intervals,
        partitions,
    }
}

/// Checks an evaluator's answer against its input and converts it; `Err` says what is wrong.
pub fn group_status(
    input: &wit::GroupWindow,
    answer: &wit::GroupStatus,
) -> Result<GroupStatus, String> {
    if answer.cluster != input.cluster || answer.group != input.group {
        return Err(format!(
            "answered for {}/{}, asked about {}/{}",
            answer.cluster, answer.group, input.cluster, input.group
        ));
    }
    if !matches!(
        answer.status,
        wit::Status::Ok | wit::Status::Warn | wit::Status::Err
    ) {
        return Err(format!(
            "group status must be ok, warn or err, got {:?}",
            answer.status
        ));
    }
    if !(0.0..=1.0).contains(&answer.complete) {
        return Err(format!(
            "complete must be within 0..1, got {}",
            answer.complete
        ));
    }
    // The host's own time figures, which replace whatever the plugin answered (WIT: the host
    // fills in its estimate).
    let known: HostTimes<'_> = input
        .partitions
        .iter()
        .map(|p| {
            let time = (p.time_lag.map(time_lag_from_wit), p.catchup_eta_ms);
            ((p.topic.as_str(), p.partition), time)
        })
        .collect();
    let mut seen = HashSet::new();
    let mut partitions = Vec::with_capacity(answer.partitions.len());
    for p in answer.partitions.iter().chain(answer.maxlag.iter()) {
        if !known.contains_key(&(p.topic.as_str(), p.partition)) {
            return Err(format!("unknown partition {}/{}", p.topic, p.partition));
        }
        if matches!(p.status, wit::Status::NotFound | wit::Status::Err) {
            return Err(format!(
                "partition {}/{} has group-only status {:?}",
                p.topic, p.partition, p.status
            ));
        }
        if !(0.0..=1.0).contains(&p.complete) {
            return Err(format!(
                "partition {}/{} complete must be within 0..1, got {}",
                p.topic, p.partition, p.complete
            ));
        }
    }
    for p in &answer.partitions {
        if !seen.insert((p.topic.as_str(), p.partition)) {
            return Err(format!(
                "partition {}/{} answered twice",
                p.topic, p.partition
            ));
        }
        partitions.push(partition_from_wit(p, &known));
    }
    partitions.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    let mut status = GroupStatus {
        cluster: answer.cluster.clone(),
        group: answer.group.clone(),
        status: status_from_wit(answer.status),
        complete: answer.complete,
        partitions,
        partition_count: answer.partition_count as usize,
        maxlag: answer
            .maxlag
            .as_ref()
            .map(|p| partition_from_wit(p, &known)),
        total_lag: answer.total_lag,
        max_time_lag_ms: None,
        catchup_eta_ms: None,
        // Who judged is the caller's to say (it knows the plugin and any fallback).
        evaluator: None,
    };
    status.roll_up_time_lag();
    Ok(status)
}

type HostTimes<'a> = HashMap<(&'a str, i32), (Option<TimeLag>, Option<u64>)>;

fn partition_from_wit(p: &wit::PartitionStatus, host: &HostTimes<'_>) -> PartitionStatus {
    let (time_lag, catchup_eta_ms) = host
        .get(&(p.topic.as_str(), p.partition))
        .copied()
        .unwrap_or_default();
    PartitionStatus {
        topic: p.topic.clone(),
        partition: p.partition,
        owner: p.owner.clone(),
        client_id: p.client_id.clone(),
        status: status_from_wit(p.status),
        start: p.start.as_ref().map(commit_from_wit),
        end: p.end.as_ref().map(commit_from_wit),
        current_lag: p.current_lag,
        complete: p.complete,
        time_lag,
        catchup_eta_ms,
    }
}

fn time_lag_to_wit(t: TimeLag) -> wit::TimeLag {
    wit::TimeLag {
        ms: t.ms,
        estimate: match t.estimate {
            LagEstimate::CaughtUp => wit::LagEstimate::CaughtUp,
            LagEstimate::Interpolated => wit::LagEstimate::Interpolated,
            LagEstimate::Extrapolated => wit::LagEstimate::Extrapolated,
            LagEstimate::AtLeast => wit::LagEstimate::AtLeast,
        },
    }
}

fn time_lag_from_wit(t: wit::TimeLag) -> TimeLag {
    TimeLag {
        ms: t.ms,
        estimate: match t.estimate {
            wit::LagEstimate::CaughtUp => LagEstimate::CaughtUp,
            wit::LagEstimate::Interpolated => LagEstimate::Interpolated,
            wit::LagEstimate::Extrapolated => LagEstimate::Extrapolated,
            wit::LagEstimate::AtLeast => LagEstimate::AtLeast,
        },
    }
}

/// The WIT form of an incident.
pub fn incident_event(incident: &IncidentEvent) -> wit::IncidentEvent {
    wit::IncidentEvent {
        id: incident.id.clone(),
        kind: match incident.kind {
            IncidentKind::Opened => wit::IncidentKind::Opened,
            IncidentKind::Updated => wit::IncidentKind::Updated,
            IncidentKind::Resolved => wit::IncidentKind::Resolved,
        },
        started_ms: incident.started_ms,
        now_ms: incident.now_ms,
        status: group_status_to_wit(&incident.status),
    }
}

fn group_status_to_wit(s: &GroupStatus) -> wit::GroupStatus {
    wit::GroupStatus {
        cluster: s.cluster.clone(),
        group: s.group.clone(),
        status: status_to_wit(s.status),
        complete: s.complete,
        partitions: s.partitions.iter().map(partition_to_wit).collect(),
        partition_count: u32::try_from(s.partition_count).unwrap_or(u32::MAX),
        maxlag: s.maxlag.as_ref().map(partition_to_wit),
        total_lag: s.total_lag,
        max_time_lag_ms: s.max_time_lag_ms,
    }
}

fn partition_to_wit(p: &PartitionStatus) -> wit::PartitionStatus {
    wit::PartitionStatus {
        topic: p.topic.clone(),
        partition: p.partition,
        owner: p.owner.clone(),
        client_id: p.client_id.clone(),
        status: status_to_wit(p.status),
        start: p.start.as_ref().map(commit_to_wit),
        end: p.end.as_ref().map(commit_to_wit),
        current_lag: p.current_lag,
        complete: p.complete,
        time_lag_ms: p.time_lag.map(|t| t.ms),
    }
}

fn status_to_wit(s: Status) -> wit::Status {
    match s {
        Status::NotFound => wit::Status::NotFound,
        Status::Ok => wit::Status::Ok,
        Status::Warn => wit::Status::Warn,
        Status::Err => wit::Status::Err,
        Status::Stop => wit::Status::Stop,
        Status::Stall => wit::Status::Stall,
        Status::Rewind => wit::Status::Rewind,
    }
}

/// What a filter sees of a group: members rebuilt from partition owners.
pub fn group_info(cluster: &str, snapshot: &GroupSnapshot, now_ms: i64) -> wit::GroupInfo {
    let mut members: Vec<wit::Member> = Vec::new();
    for t in &snapshot.topics {
        for (id, p) in t.partitions.iter().enumerate() {
            let (Some(host), Some(client_id)) = (&p.owner, &p.client_id) else {
                continue;
            };
            let i = match members
                .iter()
                .position(|m| &m.host == host && &m.client_id == client_id)
            {
                Some(i) => i,
                None => {
                    members.push(wit::Member {
                        client_id: client_id.clone(),
                        host: host.clone(),
                        assignment: Vec::new(),
                    });
                    members.len() - 1
                }
            };
            let assignment = &mut members[i].assignment;
            match assignment.iter_mut().find(|a| a.topic == t.topic) {
                Some(a) => a.partitions.push(id as i32),
                None => assignment.push(wit::TopicPartitions {
                    topic: t.topic.clone(),
                    partitions: vec![id as i32],
                }),
            }
        }
    }
    wit::GroupInfo {
        cluster: cluster.to_string(),
        group: snapshot.group.clone(),
        state: snapshot.state.clone(),
        members,
        topics: snapshot.topics.iter().map(|t| t.topic.clone()).collect(),
        last_commit_ms: snapshot.last_commit_ms,
        now_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_event_carries_the_whole_group_status() {
        let p = PartitionStatus {
            topic: "t".into(),
            partition: 3,
            owner: "/10.0.0.1".into(),
            client_id: "c1".into(),
            status: Status::Stall,
            start: Some(CommitEntry {
                offset: 1,
                timestamp_ms: 10,
                observed_ms: 11,
                lag: Some(5),
            }),
            end: None,
            current_lag: 7,
            complete: 0.5,
            time_lag: Some(TimeLag {
                ms: 9_000,
                estimate: LagEstimate::Interpolated,
            }),
            catchup_eta_ms: None,
        };
        let mut status = GroupStatus::not_found("c", "g");
        status.status = Status::Err;
        status.partitions = vec![p.clone()];
        status.partition_count = 1;
        status.maxlag = Some(p);
        status.total_lag = 7;
        status.roll_up_time_lag();
        let e = incident_event(&IncidentEvent {
            id: "c/g/1".into(),
            kind: IncidentKind::Resolved,
            started_ms: 1,
            now_ms: 2,
            status,
        });
        assert_eq!(
            (e.id.as_str(), e.kind, e.started_ms, e.now_ms),
            ("c/g/1", wit::IncidentKind::Resolved, 1, 2)
        );
        assert_eq!(
            (
                e.status.status,
                e.status.partition_count,
                e.status.total_lag
            ),
            (wit::Status::Err, 1, 7)
        );
        let wp = &e.status.partitions[0];
        assert_eq!(
            (wp.topic.as_str(), wp.partition, wp.status, wp.current_lag),
            ("t", 3, wit::Status::Stall, 7)
        );
        assert_eq!(
            (wp.time_lag_ms, e.status.max_time_lag_ms),
            (Some(9_000), Some(9_000))
        );
        assert_eq!(
            wp.start.as_ref().map(|c| (c.offset, c.lag)),
            Some((1, Some(5)))
        );
        assert_eq!(e.status.maxlag.map(|m| m.client_id), Some("c1".into()));
    }
}
