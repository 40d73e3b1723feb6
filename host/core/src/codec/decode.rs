//! Record decoding: turns one `__consumer_offsets` key/value pair, as handed over by the Kafka
//! consumer, into a typed [`Record`] for `storage`.
//!
//! This file owns the field order of each schema version (`OffsetCommitKey`, `GroupMetadataKey`,
//! `OffsetCommitValue` v0..=4, `GroupMetadataValue` v0..=4, `ConsumerProtocolAssignment`) and
//! dispatches on the key's record type; the KIP-848 records are in [`super::consumer_group`],
//! the byte-level rules live in [`super::reader`]. Field names passed to the reader are the
//! schema's, so an error message points at the exact field that was short or malformed.
//!
//! Trailing bytes after the last known field are ignored, matching Kafka's generated readers,
//! which never check for them: a newer broker may append (tagged or ignorable) fields.

use super::consumer_group;
use super::error::{DecodeError, DecodeErrorKind};
use super::reader::Reader;
use super::{GroupMetadataValue, MemberMetadata, OffsetCommitValue, Record, TopicAssignment};

/// Highest `OffsetCommitValue` and `GroupMetadataValue` version this codec understands.
const MAX_VALUE_VERSION: i16 = 4;

/// First flexible (compact strings, tagged fields) version of both value schemas.
const FIRST_FLEXIBLE_VERSION: i16 = 4;

/// Smallest possible encoded member (v4: six one-byte compact length prefixes, two int32
/// timeouts and an empty tagged-field section), used to cap preallocation.
const MIN_MEMBER_SIZE: usize = 15;

/// Smallest possible encoded assigned topic: empty string (2) + empty partition array (4).
const MIN_TOPIC_ASSIGNMENT_SIZE: usize = 6;

/// Kafka's "no leader epoch" / "timestamp not set" value.
const UNSET: i64 = -1;

/// Decodes one record. `key` is the record key, `value` the record value (None or empty =
/// tombstone).
///
/// Key versions 0 and 1 are offset commits, 2 is group metadata, 3 to 8 the KIP-848
/// consumer-group records (see [`super::consumer_group`]; 7 among them is skipped), and
/// anything else (share groups, streams groups, regular expressions) is returned as
/// [`Record::Skipped`] without looking at the value; a negative key version is an error. For
/// skipped records the value is not validated.
pub fn decode<'a>(key: &'a [u8], value: Option<&'a [u8]>) -> Result<Record<'a>, DecodeError> {
    let mut key = Reader::new(key);
    let key_version = key.i16("key version")?;
    // Kafka's compaction tombstones are null values, but an empty value carries no
    // information either, so both mean "deleted".
    let value = value.filter(|bytes| !bytes.is_empty());
    match key_version {
        0 | 1 => {
            let group = key.string("key group")?;
            let topic = key.string("key topic")?;
            let partition = key.i32("key partition")?;
            let value = value.map(decode_offset_commit_value).transpose()?;
            Ok(Record::OffsetCommit {
                group,
                topic,
                partition,
                value,
            })
        }
        2 => {
            let group = key.string("key group")?;
            let value = value.map(decode_group_metadata_value).transpose()?;
            Ok(Record::GroupMetadata { group, value })
        }
        v if v < 0 => Err(DecodeError::version(
            DecodeErrorKind::KeyVersion,
            "key version",
            v,
        )),
        v => Ok(consumer_group::decode(v, &mut key, value)?
            .unwrap_or(Record::Skipped { key_version: v })),
    }
}

/// Reads a value version and checks it is one we know, switching the reader to compact
/// encodings for flexible versions.
fn value_version(r: &mut Reader<'_>, field: &'static str) -> Result<i16, DecodeError> {
    let version = r.i16(field)?;
    if !(0..=MAX_VALUE_VERSION).contains(&version) {
        return Err(DecodeError::value_version(
            field,
            version,
            MAX_VALUE_VERSION,
        ));
    }
    r.set_flexible(version >= FIRST_FLEXIBLE_VERSION);
    Ok(version)
}

fn unset_to_none<T: Into<i64> + Copy>(raw: T) -> Option<T> {
    (raw.into() != UNSET).then_some(raw)
}

fn decode_offset_commit_value(bytes: &[u8]) -> Result<OffsetCommitValue<'_>, DecodeError> {
    let mut r = Reader::new(bytes);
    let version = value_version(&mut r, "offset commit value version")?;
    let offset = r.i64("offset commit offset")?;
    let leader_epoch = if version >= 3 {
        unset_to_none(r.i32("offset commit leader_epoch")?)
    } else {
        None
    };
    let metadata = r.string("offset commit metadata")?;
    let commit_timestamp = r.i64("offset commit commit_timestamp")?;
    let expire_timestamp = if version == 1 {
        Some(r.i64("offset commit expire_timestamp")?)
    } else {
        None
    };
    r.skip_tagged_fields("offset commit tagged fields")?;
    Ok(OffsetCommitValue {
        version,
        offset,
        leader_epoch,
        metadata,
        commit_timestamp,
        expire_timestamp,
    })
}

fn decode_group_metadata_value(bytes: &[u8]) -> Result<GroupMetadataValue<'_>, DecodeError> {
    let mut r = Reader::new(bytes);
    let version = value_version(&mut r, "group metadata value version")?;
    let protocol_type = r.string("group protocol_type")?;
    let generation = r.i32("group generation")?;
    let protocol = r.nullable_string("group protocol")?;
    let leader = r.nullable_string("group leader")?;
    let current_state_timestamp = if version >= 2 {
        unset_to_none(r.i64("group current_state_timestamp")?)
    } else {
        None
    };
    // Only the consumer protocol's assignment format is known; Connect and others use their
    // own, which Warren does not need.
    let consumer = protocol_type == "consumer";
    let count = r.array_len("group members")?;
    let mut members = Vec::with_capacity(r.capacity_for(count, MIN_MEMBER_SIZE));
    for _ in 0..count {
        members.push(decode_member(&mut r, version, consumer)?);
    }
    r.skip_tagged_fields("group tagged fields")?;
    Ok(GroupMetadataValue {
        version,
        protocol_type,
        generation,
        protocol,
        leader,
        current_state_timestamp,
        members,
    })
}

fn decode_member<'a>(
    r: &mut Reader<'a>,
    version: i16,
    consumer: bool,
) -> Result<MemberMetadata<'a>, DecodeError> {
    let member_id = r.string("member member_id")?;
    let group_instance_id = if version >= 3 {
        r.nullable_string("member group_instance_id")?
    } else {
        None
    };
    let client_id = r.string("member client_id")?;
    let client_host = r.string("member client_host")?;
    let rebalance_timeout = if version >= 1 {
        Some(r.i32("member rebalance_timeout")?)
    } else {
        None
    };
    let session_timeout = r.i32("member session_timeout")?;
    r.bytes("member subscription")?;
    let assignment_bytes = r.bytes("member assignment")?;
    r.skip_tagged_fields("member tagged fields")?;
    let assignment = if consumer {
        decode_assignment(assignment_bytes)?
    } else {
        Vec::new()
    };
    Ok(MemberMetadata {
        member_id,
        group_instance_id,
        client_id,
        client_host,
        rebalance_timeout,
        session_timeout,
        assignment,
    })
}

/// Decodes consumer-protocol assignment bytes (`ConsumerProtocolAssignment`), as found in
/// `GroupMetadataValue` members and in admin-API `DescribeGroups` member assignments.
///
/// Empty bytes mean "no partitions". Versions 0..=3 share one layout and, like Kafka's
/// client, newer versions are read with it too (the schema promises append-only evolution).
/// `user_data` and anything after it is ignored, so a missing or truncated tail is harmless.
/// Every failure has kind [`DecodeErrorKind::Assignment`]; the message keeps the cause.
pub fn decode_assignment(bytes: &[u8]) -> Result<Vec<TopicAssignment<'_>>, DecodeError> {
    read_assignment(bytes).map_err(DecodeError::into_assignment)
}

fn read_assignment(bytes: &[u8]) -> Result<Vec<TopicAssignment<'_>>, DecodeError> {
    // Members that have joined but not yet synced carry no assignment at all.
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = Reader::new(bytes);
    let version = r.i16("assignment version")?;
    if version < 0 {
        return Err(DecodeError::version(
            DecodeErrorKind::Assignment,
            "assignment version",
            version,
        ));
    }
    let count = r.array_len("assignment topics")?;
    let mut topics = Vec::with_capacity(r.capacity_for(count, MIN_TOPIC_ASSIGNMENT_SIZE));
    for _ in 0..count {
        let topic = r.string("assignment topic")?;
        let n = r.array_len("assignment partitions")?;
        let mut partitions = Vec::with_capacity(r.capacity_for(n, 4));
        for _ in 0..n {
            partitions.push(r.i32("assignment partition")?);
        }
        topics.push(TopicAssignment { topic, partitions });
    }
    Ok(topics)
}
