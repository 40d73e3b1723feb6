//! Conversions between Warren's model and the WIT types, and the checks that an evaluator's
//! answer makes sense before anyone relies on it.

use std::collections::HashSet;

use warren_core::evaluator::{GroupStatus, PartitionStatus};
use warren_core::model::Status;
use warren_core::storage::{CommitEntry, GroupSnapshot};

use crate::bindings::types as wit;

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
    let known: HashSet<(&str, i32)> = input
        .partitions
        .iter()
        .map(|p| (p.topic.as_str(), p.partition))
        .collect();
    let mut seen = HashSet::new();
    let mut partitions = Vec::with_capacity(answer.partitions.len());
    for p in answer.partitions.iter().chain(answer.maxlag.iter()) {
        if !known.contains(&(p.topic.as_str(), p.partition)) {
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
        partitions.push(partition_from_wit(p));
    }
    partitions.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(GroupStatus {
        cluster: answer.cluster.clone(),
        group: answer.group.clone(),
        status: status_from_wit(answer.status),
        complete: answer.complete,
        partitions,
        partition_count: answer.partition_count as usize,
        maxlag: answer.maxlag.as_ref().map(partition_from_wit),
        total_lag: answer.total_lag,
    })
}

fn partition_from_wit(p: &wit::PartitionStatus) -> PartitionStatus {
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
    }
}
