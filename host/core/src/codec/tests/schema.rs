//! Schema conformance: hand-written records of every key and value version, and what the
//! decoder must make of them.

use super::{
    ASSIGNMENT_A, GROUP_KEY, Wire, expected_group, group_value_classic, group_value_v4, offset_key,
};
use crate::codec::{GroupMetadataValue, MemberMetadata, OffsetCommitValue, Record, decode};

const TS: i64 = 1_700_000_000_123;
const EXPIRE: i64 = 1_700_086_400_123;

/// 200 bytes of two-byte UTF-8, so its compact length (201) needs a 2-byte varint.
fn long_metadata() -> &'static str {
    Box::leak("é".repeat(100).into_boxed_str())
}

fn commit(version: i16, epoch: Option<i32>, metadata: &'static str) -> OffsetCommitValue<'static> {
    OffsetCommitValue {
        version,
        offset: 42,
        leader_epoch: epoch,
        metadata,
        commit_timestamp: TS,
        expire_timestamp: (version == 1).then_some(EXPIRE),
    }
}

/// Named `OffsetCommitValue` fixtures: (name, bytes, expected decode).
pub(in crate::codec) fn offset_values() -> Vec<(&'static str, Vec<u8>, OffsetCommitValue<'static>)>
{
    let long = long_metadata();
    vec![
        (
            "v0",
            Wire::new().i16(0).i64(42).str("meta").i64(TS).build(),
            commit(0, None, "meta"),
        ),
        (
            "v1",
            Wire::new()
                .i16(1)
                .i64(42)
                .str("meta")
                .i64(TS)
                .i64(EXPIRE)
                .build(),
            commit(1, None, "meta"),
        ),
        (
            "v2",
            Wire::new().i16(2).i64(42).str("").i64(TS).build(),
            commit(2, None, ""),
        ),
        (
            "v3",
            Wire::new()
                .i16(3)
                .i64(42)
                .i32(5)
                .str("meta")
                .i64(TS)
                .build(),
            commit(3, Some(5), "meta"),
        ),
        (
            "v3 without leader epoch",
            Wire::new()
                .i16(3)
                .i64(42)
                .i32(-1)
                .str("meta")
                .i64(TS)
                .build(),
            commit(3, None, "meta"),
        ),
        (
            "v4",
            Wire::new()
                .i16(4)
                .i64(42)
                .i32(5)
                .compact(b"meta")
                .i64(TS)
                .raw(&[0x00])
                .build(),
            commit(4, Some(5), "meta"),
        ),
        (
            "v4 long metadata",
            Wire::new()
                .i16(4)
                .i64(42)
                .i32(5)
                .raw(&[0xc9, 0x01]) // 201 = 200 + 1 as an unsigned varint
                .raw(long.as_bytes())
                .i64(TS)
                .raw(&[0x00])
                .build(),
            commit(4, Some(5), long),
        ),
        (
            "v4 tagged fields",
            Wire::new()
                .i16(4)
                .i64(42)
                .i32(5)
                .compact(b"meta")
                .i64(TS)
                .raw(&[0x02]) // 2 tagged fields
                .raw(&[0x00, 0x03, 0x01, 0x02, 0x03]) // tag 0, 3 bytes
                .raw(&[0x81, 0x01, 0x01, 0xff]) // tag 129 (2-byte varint), 1 byte
                .build(),
            commit(4, Some(5), "meta"),
        ),
    ]
}

fn assert_offset_fixture(name: &str) {
    let (_, bytes, expected) = offset_values()
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .expect("fixture exists");
    let key = offset_key(1);
    assert_eq!(
        decode(&key, Some(&bytes)),
        Ok(Record::OffsetCommit {
            group: "g1",
            topic: "orders",
            partition: 3,
            value: Some(expected),
        }),
        "fixture {name}"
    );
}

#[test]
fn decodes_offset_commit_value_v0() {
    assert_offset_fixture("v0");
}

#[test]
fn decodes_offset_commit_value_v1_with_expire_timestamp() {
    assert_offset_fixture("v1");
}

#[test]
fn decodes_offset_commit_value_v2_with_empty_metadata() {
    assert_offset_fixture("v2");
}

#[test]
fn decodes_offset_commit_value_v3_with_leader_epoch() {
    assert_offset_fixture("v3");
}

#[test]
fn leader_epoch_minus_one_decodes_as_none() {
    assert_offset_fixture("v3 without leader epoch");
}

#[test]
fn decodes_offset_commit_value_v4() {
    assert_offset_fixture("v4");
}

#[test]
fn decodes_offset_commit_value_v4_with_long_metadata() {
    assert_offset_fixture("v4 long metadata");
}

#[test]
fn decodes_offset_commit_value_v4_skipping_tagged_fields() {
    assert_offset_fixture("v4 tagged fields");
}

#[test]
fn offset_commit_keys_v0_and_v1_decode_with_tombstone_value() {
    for version in [0, 1] {
        let expected = Record::OffsetCommit {
            group: "g1",
            topic: "orders",
            partition: 3,
            value: None,
        };
        assert_eq!(decode(&offset_key(version), None), Ok(expected.clone()));
        assert_eq!(decode(&offset_key(version), Some(&[])), Ok(expected));
    }
}

#[test]
fn group_metadata_key_v2_with_tombstone_value() {
    let expected = Record::GroupMetadata {
        group: "g1",
        value: None,
    };
    assert_eq!(decode(GROUP_KEY, None), Ok(expected.clone()));
    assert_eq!(decode(GROUP_KEY, Some(&[])), Ok(expected));
}

#[test]
fn share_streams_and_later_key_versions_are_skipped_without_reading_the_value() {
    // 7: a KIP-848 member's target assignment; 9..=14 share groups, 15 regular expressions,
    // 16..=21 streams groups; anything later is from a future broker.
    for version in [7i16, 9, 10, 11, 15, 16, 21, 22, i16::MAX] {
        let key = Wire::new().i16(version).str("anything").build();
        let garbage = [0xff; 7];
        assert_eq!(
            decode(&key, Some(&garbage)),
            Ok(Record::Skipped {
                key_version: version
            })
        );
    }
}

fn assert_group(value: &[u8], expected: GroupMetadataValue<'static>) {
    assert_eq!(
        decode(GROUP_KEY, Some(value)),
        Ok(Record::GroupMetadata {
            group: "g1",
            value: Some(expected),
        })
    );
}

#[test]
fn decodes_group_metadata_value_v0_with_two_members() {
    assert_group(&group_value_classic(0), expected_group(0));
}

#[test]
fn decodes_group_metadata_value_v1_with_rebalance_timeout() {
    assert_group(&group_value_classic(1), expected_group(1));
}

#[test]
fn decodes_group_metadata_value_v2_with_state_timestamp() {
    assert_group(&group_value_classic(2), expected_group(2));
}

#[test]
fn decodes_group_metadata_value_v3_with_static_member() {
    assert_group(&group_value_classic(3), expected_group(3));
}

#[test]
fn decodes_flexible_group_metadata_value_v4() {
    assert_group(&group_value_v4(), expected_group(4));
}

/// A Connect group: v3, one member whose assignment is in Connect's own format.
pub(in crate::codec) fn connect_group_value() -> Vec<u8> {
    Wire::new()
        .i16(3)
        .str("connect")
        .i32(12)
        .str("sessioned")
        .str("w1")
        .i64(-1) // current_state_timestamp unset
        .i32(1)
        .str("w1")
        .i16(-1)
        .str("connect-1")
        .str("/10.0.0.9")
        .i32(60_000)
        .i32(10_000)
        .bytes(&[0x00, 0x01])
        .bytes(&[0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x7f]) // not a consumer assignment
        .build()
}

#[test]
fn connect_group_assignment_is_not_interpreted() {
    assert_group(
        &connect_group_value(),
        GroupMetadataValue {
            version: 3,
            protocol_type: "connect",
            generation: 12,
            protocol: Some("sessioned"),
            leader: Some("w1"),
            current_state_timestamp: None,
            members: vec![MemberMetadata {
                member_id: "w1",
                group_instance_id: None,
                client_id: "connect-1",
                client_host: "/10.0.0.9",
                rebalance_timeout: Some(60_000),
                session_timeout: 10_000,
                assignment: Vec::new(),
            }],
        },
    );
}

#[test]
fn empty_group_has_zero_members_and_null_protocol() {
    let value = Wire::new()
        .i16(2)
        .str("consumer")
        .i32(9)
        .i16(-1) // protocol: null
        .i16(-1) // leader: null
        .i64(STATE)
        .i32(0)
        .build();
    assert_group(
        &value,
        GroupMetadataValue {
            version: 2,
            protocol_type: "consumer",
            generation: 9,
            protocol: None,
            leader: None,
            current_state_timestamp: Some(STATE),
            members: Vec::new(),
        },
    );
}

const STATE: i64 = 1_700_000_000_999;

/// A v1 consumer group with one member holding the given assignment bytes.
pub(in crate::codec) fn one_member_group(assignment: &[u8]) -> Vec<u8> {
    Wire::new()
        .i16(1)
        .str("consumer")
        .i32(1)
        .str("range")
        .str("m")
        .i32(1)
        .str("m")
        .str("c")
        .str("h")
        .i32(1_000)
        .i32(2_000)
        .bytes(&[])
        .bytes(assignment)
        .build()
}

fn decoded_assignment(assignment: &[u8]) -> Vec<(String, Vec<i32>)> {
    match decode(GROUP_KEY, Some(&one_member_group(assignment))) {
        Ok(Record::GroupMetadata {
            value: Some(value), ..
        }) => value
            .members
            .iter()
            .flat_map(|m| &m.assignment)
            .map(|t| (t.topic.to_owned(), t.partitions.clone()))
            .collect(),
        other => panic!("unexpected decode result {other:?}"),
    }
}

#[test]
fn empty_assignment_bytes_mean_no_partitions() {
    assert!(decoded_assignment(&[]).is_empty());
}

#[test]
fn assignment_user_data_may_be_missing_or_truncated() {
    let expected = vec![
        ("orders".to_owned(), vec![0, 1]),
        ("payments".to_owned(), vec![2]),
    ];
    let without_user_data = ASSIGNMENT_A.get(..ASSIGNMENT_A.len() - 4).expect("len");
    assert_eq!(decoded_assignment(without_user_data), expected);
    let truncated_user_data = [without_user_data, &[0x00, 0x00, 0x00, 0x0a, 0x01]].concat();
    assert_eq!(decoded_assignment(&truncated_user_data), expected);
}

#[test]
fn future_assignment_versions_are_read_with_the_known_layout() {
    let mut future = ASSIGNMENT_A.to_vec();
    if let Some(version) = future.get_mut(1) {
        *version = 9;
    }
    assert_eq!(decoded_assignment(&future).len(), 2);
}

#[test]
fn trailing_bytes_after_known_fields_are_ignored() {
    let key = offset_key(1);
    for (name, bytes, expected) in offset_values() {
        let padded = [bytes.as_slice(), &[0xde, 0xad]].concat();
        let decoded = decode(&key, Some(&padded));
        assert!(
            matches!(decoded, Ok(Record::OffsetCommit { value: Some(v), .. }) if v == expected),
            "fixture {name}"
        );
    }
    let padded_key = [offset_key(1).as_slice(), &[0x00]].concat();
    assert!(decode(&padded_key, None).is_ok());
    let padded_group = [group_value_v4().as_slice(), &[0x01, 0x02]].concat();
    assert_group(&padded_group, expected_group(4));
}
