//! The KIP-848 consumer-group records (`group.protocol=consumer`, Kafka 4.x): what a group
//! coordinator writes to `__consumer_offsets` for new-protocol groups instead of one
//! `GroupMetadataValue`. The state of such a group is spread over several record types, each
//! keyed by group (and member), so a member joining or a rebalance step rewrites only the
//! records that changed:
//!
//! | type | record | key | decoded as |
//! |---|---|---|---|
//! | 3 | `ConsumerGroupMetadata` | group | group epoch; tombstone = group deleted |
//! | 4 | `ConsumerGroupPartitionMetadata` | group | subscribed topic ids and names (Kafka 4.0 only) |
//! | 5 | `ConsumerGroupMemberMetadata` | group, member | client id and host; tombstone = member left |
//! | 6 | `ConsumerGroupTargetAssignmentMetadata` | group | epoch of the target assignment |
//! | 7 | `ConsumerGroupTargetAssignmentMember` | group, member | skipped (where a member is headed) |
//! | 8 | `ConsumerGroupCurrentMemberAssignment` | group, member | member epoch and owned partitions |
//!
//! Every value is a flexible version (compact strings and arrays, tagged fields) and only
//! version 0 exists; a later version is a `ValueVersion` error rather than a guess at its
//! layout. Assignments name topics by [`TopicId`]; mapping ids to names is storage's business.
//! Fields Warren does not use (subscriptions, racks, assignors, the metadata hash, assignment
//! epochs per partition) are read to keep the cursor right, then dropped.

use super::Record;
use super::error::DecodeError;
use super::reader::Reader;
use crate::model::TopicId;

/// The only value version of every KIP-848 record in Kafka 4.0 to 4.4.
const MAX_VALUE_VERSION: i16 = 0;

/// Smallest encoded topic in an assignment: UUID, empty partition array, no tags.
const MIN_TOPIC_PARTITIONS_SIZE: usize = 18;

/// Smallest encoded topic in `ConsumerGroupPartitionMetadata`: UUID, empty name, int32, empty
/// partition array, no tags.
const MIN_TOPIC_METADATA_SIZE: usize = 23;

/// A KIP-848 group's epoch (`ConsumerGroupMetadataValue`): bumped by the coordinator whenever
/// membership or subscriptions change, which starts a new target assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerGroupValue {
    /// The group epoch.
    pub epoch: i32,
}

/// The epoch of a KIP-848 group's target assignment
/// (`ConsumerGroupTargetAssignmentMetadataValue`). While it is below the group epoch the
/// coordinator is still computing the assignment (Kafka's `Assigning` state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetAssignmentValue {
    /// The group epoch the target assignment was computed for.
    pub assignment_epoch: i32,
}

/// One member of a KIP-848 group (`ConsumerGroupMemberMetadataValue`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerMemberValue<'a> {
    /// Static membership id, if the member configured `group.instance.id`.
    pub instance_id: Option<&'a str>,
    /// The member's `client.rack`, if any.
    pub rack_id: Option<&'a str>,
    /// The client's `client.id`.
    pub client_id: &'a str,
    /// Host the member connected from, as seen by the broker (e.g. `/10.0.0.7`).
    pub client_host: &'a str,
    /// Rebalance timeout in milliseconds.
    pub rebalance_timeout_ms: i32,
}

/// What a KIP-848 member currently owns (`ConsumerGroupCurrentMemberAssignmentValue`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAssignmentValue {
    /// The member's epoch: the group epoch it has reconciled to.
    pub member_epoch: i32,
    /// The member epoch before the last change.
    pub previous_member_epoch: i32,
    /// Kafka's `MemberState`: 0 stable, 1 unrevoked partitions, 2 unreleased partitions
    /// (anything but 0 means the member is still reconciling).
    pub state: i8,
    /// Partitions the member owns, by topic id (what Kafka's DescribeConsumerGroups reports).
    pub assigned: Vec<TopicIdPartitions>,
    /// Partitions the member still owns but has been asked to give up.
    pub pending_revocation: Vec<TopicIdPartitions>,
}

/// Partitions of one topic, named by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicIdPartitions {
    /// The topic's id.
    pub topic_id: TopicId,
    /// Partition numbers, in wire order.
    pub partitions: Vec<i32>,
}

/// One subscribed topic as Kafka 4.0 recorded it in `ConsumerGroupPartitionMetadataValue`.
/// Later brokers keep a hash instead and no longer write this record (they only tombstone it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicMetadata<'a> {
    /// The topic's id.
    pub topic_id: TopicId,
    /// The topic's name.
    pub topic_name: &'a str,
    /// Partition count when the record was written.
    pub partitions: i32,
}

/// Decodes the key (after its record type) and value of record types 3 to 8. `None` for a
/// type this module does not interpret, which the caller reports as skipped.
pub(super) fn decode<'a>(
    record_type: i16,
    key: &mut Reader<'a>,
    value: Option<&'a [u8]>,
) -> Result<Option<Record<'a>>, DecodeError> {
    let record = match record_type {
        3 => Record::ConsumerGroup {
            group: key.string("key group")?,
            value: value.map(group_value).transpose()?,
        },
        4 => Record::ConsumerGroupTopics {
            group: key.string("key group")?,
            value: value.map(partition_metadata_value).transpose()?,
        },
        5 => Record::ConsumerGroupMember {
            group: key.string("key group")?,
            member_id: key.string("key member_id")?,
            value: value.map(member_value).transpose()?,
        },
        6 => Record::ConsumerGroupTargetAssignment {
            group: key.string("key group")?,
            value: value.map(target_assignment_value).transpose()?,
        },
        8 => Record::ConsumerGroupMemberAssignment {
            group: key.string("key group")?,
            member_id: key.string("key member_id")?,
            value: value.map(member_assignment_value).transpose()?,
        },
        _ => return Ok(None),
    };
    Ok(Some(record))
}

/// Reads and checks the value version; every KIP-848 value is flexible from version 0.
fn flexible_value<'a>(bytes: &'a [u8], field: &'static str) -> Result<Reader<'a>, DecodeError> {
    let mut r = Reader::new(bytes);
    let version = r.i16(field)?;
    if !(0..=MAX_VALUE_VERSION).contains(&version) {
        return Err(DecodeError::value_version(
            field,
            version,
            MAX_VALUE_VERSION,
        ));
    }
    r.set_flexible(true);
    Ok(r)
}

fn group_value(bytes: &[u8]) -> Result<ConsumerGroupValue, DecodeError> {
    let mut r = flexible_value(bytes, "consumer group value version")?;
    let epoch = r.i32("consumer group epoch")?;
    // Tag 0 is the subscription metadata hash (Kafka 4.1+).
    r.skip_tagged_fields("consumer group tagged fields")?;
    Ok(ConsumerGroupValue { epoch })
}

fn target_assignment_value(bytes: &[u8]) -> Result<TargetAssignmentValue, DecodeError> {
    let mut r = flexible_value(bytes, "target assignment value version")?;
    let assignment_epoch = r.i32("target assignment epoch")?;
    // Tag 0 is the assignment timestamp (Kafka 4.1+).
    r.skip_tagged_fields("target assignment tagged fields")?;
    Ok(TargetAssignmentValue { assignment_epoch })
}

fn member_value(bytes: &[u8]) -> Result<ConsumerMemberValue<'_>, DecodeError> {
    let mut r = flexible_value(bytes, "consumer member value version")?;
    let instance_id = r.nullable_string("consumer member instance_id")?;
    let rack_id = r.nullable_string("consumer member rack_id")?;
    let client_id = r.string("consumer member client_id")?;
    let client_host = r.string("consumer member client_host")?;
    let topics = r.array_len("consumer member subscribed_topic_names")?;
    for _ in 0..topics {
        r.string("consumer member subscribed_topic_name")?;
    }
    r.nullable_string("consumer member subscribed_topic_regex")?;
    let rebalance_timeout_ms = r.i32("consumer member rebalance_timeout_ms")?;
    r.nullable_string("consumer member server_assignor")?;
    // Tag 0 is the classic-protocol metadata of a member that joined with the old protocol.
    r.skip_tagged_fields("consumer member tagged fields")?;
    Ok(ConsumerMemberValue {
        instance_id,
        rack_id,
        client_id,
        client_host,
        rebalance_timeout_ms,
    })
}

fn member_assignment_value(bytes: &[u8]) -> Result<MemberAssignmentValue, DecodeError> {
    let mut r = flexible_value(bytes, "member assignment value version")?;
    let member_epoch = r.i32("member assignment member_epoch")?;
    let previous_member_epoch = r.i32("member assignment previous_member_epoch")?;
    let state = r.i8("member assignment state")?;
    let assigned = topic_partitions(&mut r, "member assignment assigned_partitions")?;
    let pending_revocation =
        topic_partitions(&mut r, "member assignment partitions_pending_revocation")?;
    r.skip_tagged_fields("member assignment tagged fields")?;
    Ok(MemberAssignmentValue {
        member_epoch,
        previous_member_epoch,
        state,
        assigned,
        pending_revocation,
    })
}

fn topic_partitions(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<Vec<TopicIdPartitions>, DecodeError> {
    let count = r.array_len(field)?;
    let mut topics = Vec::with_capacity(r.capacity_for(count, MIN_TOPIC_PARTITIONS_SIZE));
    for _ in 0..count {
        let topic_id = r.uuid("assigned topic_id")?;
        let n = r.array_len("assigned partitions")?;
        let mut partitions = Vec::with_capacity(r.capacity_for(n, 4));
        for _ in 0..n {
            partitions.push(r.i32("assigned partition")?);
        }
        // Tag 0 is the assignment epoch of each partition (Kafka 4.1+).
        r.skip_tagged_fields("assigned topic tagged fields")?;
        topics.push(TopicIdPartitions {
            topic_id,
            partitions,
        });
    }
    Ok(topics)
}

fn partition_metadata_value(bytes: &[u8]) -> Result<Vec<TopicMetadata<'_>>, DecodeError> {
    let mut r = flexible_value(bytes, "partition metadata value version")?;
    let count = r.array_len("partition metadata topics")?;
    let mut topics = Vec::with_capacity(r.capacity_for(count, MIN_TOPIC_METADATA_SIZE));
    for _ in 0..count {
        let topic_id = r.uuid("partition metadata topic_id")?;
        let topic_name = r.string("partition metadata topic_name")?;
        let partitions = r.i32("partition metadata num_partitions")?;
        let n = r.array_len("partition metadata partitions")?;
        for _ in 0..n {
            r.i32("partition metadata partition")?;
            let racks = r.array_len("partition metadata racks")?;
            for _ in 0..racks {
                r.string("partition metadata rack")?;
            }
            r.skip_tagged_fields("partition metadata partition tagged fields")?;
        }
        r.skip_tagged_fields("partition metadata topic tagged fields")?;
        topics.push(TopicMetadata {
            topic_id,
            topic_name,
            partitions,
        });
    }
    r.skip_tagged_fields("partition metadata tagged fields")?;
    Ok(topics)
}
