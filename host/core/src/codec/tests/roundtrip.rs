//! Encoder/decoder agreement: the encoder reproduces the hand-written schema bytes, and
//! decode(encode(x)) == x for every version of every record type.

use super::{ASSIGNMENT_A, GROUP_KEY, expected_group, offset_key, schema};
use crate::codec::encode::floor_char_boundary;
use crate::codec::{
    GroupMetadataValue, MemberMetadata, OffsetCommitValue, Record, TopicAssignment, decode,
    decode_assignment, encode_assignment, encode_group_metadata_key, encode_group_metadata_value,
    encode_offset_commit_key, encode_offset_commit_value, write_offset_commit_key,
    write_offset_commit_value,
};

#[test]
fn encoded_keys_match_the_hand_written_schema_bytes() {
    assert_eq!(encode_offset_commit_key("g1", "orders", 3), offset_key(1));
    assert_eq!(encode_group_metadata_key("g1"), GROUP_KEY);
}

#[test]
fn encoded_offset_values_match_the_hand_written_schema_bytes() {
    for (name, bytes, value) in schema::offset_values() {
        // The encoder never invents tagged fields, so that fixture cannot match byte-for-byte.
        if name != "v4 tagged fields" {
            assert_eq!(encode_offset_commit_value(&value), bytes, "fixture {name}");
        }
    }
}

#[test]
fn encoded_assignment_matches_consumer_protocol_v0_bytes() {
    let assignment = [
        TopicAssignment {
            topic: "orders",
            partitions: vec![0, 1],
        },
        TopicAssignment {
            topic: "payments",
            partitions: vec![2],
        },
    ];
    assert_eq!(encode_assignment(&assignment), ASSIGNMENT_A);
    assert_eq!(decode_assignment(ASSIGNMENT_A), Ok(assignment.to_vec()));
    assert_eq!(decode_assignment(&encode_assignment(&[])), Ok(Vec::new()));
}

fn round_trip_offset(value: OffsetCommitValue<'_>) {
    let key = encode_offset_commit_key("group-ü", "topic.with-dots", 17);
    let bytes = encode_offset_commit_value(&value);
    assert_eq!(
        decode(&key, Some(&bytes)),
        Ok(Record::OffsetCommit {
            group: "group-ü",
            topic: "topic.with-dots",
            partition: 17,
            value: Some(value),
        }),
        "version {}",
        value.version
    );
}

#[test]
fn offset_commit_values_round_trip_in_every_version() {
    let max_metadata = "m".repeat(0x7fff);
    for version in 0..=4 {
        for metadata in ["", "ünïcødé {\"k\":1}", &"x".repeat(300), &max_metadata] {
            for (offset, timestamp) in [(0, 0), (i64::MAX, i64::MIN), (1_234_567, 1_700_000_000)] {
                round_trip_offset(OffsetCommitValue {
                    version,
                    offset,
                    leader_epoch: (version >= 3).then_some(i32::MAX),
                    metadata,
                    commit_timestamp: timestamp,
                    expire_timestamp: (version == 1).then_some(timestamp.wrapping_add(1)),
                });
            }
        }
    }
}

fn round_trip_group(value: &GroupMetadataValue<'_>) {
    let bytes = encode_group_metadata_value(value);
    let key = encode_group_metadata_key("g");
    assert_eq!(
        decode(&key, Some(&bytes)),
        Ok(Record::GroupMetadata {
            group: "g",
            value: Some(value.clone()),
        }),
        "version {}",
        value.version
    );
}

#[test]
fn group_metadata_values_round_trip_in_every_version() {
    for version in 0..=4 {
        round_trip_group(&expected_group(version));
        round_trip_group(&GroupMetadataValue {
            protocol: None,
            leader: None,
            members: Vec::new(),
            ..expected_group(version)
        });
        round_trip_group(&GroupMetadataValue {
            protocol_type: "connect",
            members: expected_group(version)
                .members
                .into_iter()
                .map(|m| MemberMetadata {
                    assignment: Vec::new(),
                    ..m
                })
                .collect(),
            ..expected_group(version)
        });
    }
}

#[test]
fn large_groups_round_trip_with_multi_byte_compact_counts() {
    let names: Vec<String> = (0..300).map(|i| format!("member-{i}")).collect();
    let topics: Vec<String> = (0..200).map(|i| format!("topic-{i}")).collect();
    for version in [0, 4] {
        let members = names
            .iter()
            .map(|name| MemberMetadata {
                member_id: name,
                group_instance_id: (version >= 3).then_some(name.as_str()),
                client_id: "c",
                client_host: "/127.0.0.1",
                rebalance_timeout: (version >= 1).then_some(1),
                session_timeout: 2,
                assignment: topics
                    .iter()
                    .map(|topic| TopicAssignment {
                        topic,
                        partitions: (0..3).collect(),
                    })
                    .collect(),
            })
            .collect();
        round_trip_group(&GroupMetadataValue {
            members,
            ..expected_group(version)
        });
    }
}

#[test]
fn write_functions_append_the_same_bytes_as_encode() {
    let value = OffsetCommitValue {
        version: 4,
        offset: 9,
        leader_epoch: Some(1),
        metadata: "m",
        commit_timestamp: 10,
        expire_timestamp: None,
    };
    let mut out = vec![0xaa];
    write_offset_commit_key(&mut out, "g", "t", 0);
    write_offset_commit_value(&mut out, &value);
    let expected = [
        &[0xaa][..],
        &encode_offset_commit_key("g", "t", 0),
        &encode_offset_commit_value(&value),
    ]
    .concat();
    assert_eq!(out, expected);
}

#[test]
fn absent_optional_fields_are_written_as_kafka_defaults() {
    let value = OffsetCommitValue {
        version: 1,
        offset: 1,
        leader_epoch: None,
        metadata: "",
        commit_timestamp: 2,
        expire_timestamp: None,
    };
    let bytes = encode_offset_commit_value(&value);
    assert_eq!(bytes.get(bytes.len() - 8..), Some(&[0xff; 8][..]));
    let mut group = expected_group(1);
    if let Some(member) = group.members.first_mut() {
        member.rebalance_timeout = None;
    }
    let bytes = encode_group_metadata_value(&group);
    let decoded = decode(GROUP_KEY, Some(&bytes));
    let Ok(Record::GroupMetadata {
        value: Some(decoded),
        ..
    }) = decoded
    else {
        panic!("group did not decode: {decoded:?}");
    };
    let first = decoded.members.first().expect("member");
    assert_eq!(first.rebalance_timeout, Some(first.session_timeout));
}

#[test]
fn string_clamping_never_splits_a_character() {
    assert_eq!(floor_char_boundary("abc", 10), "abc");
    assert_eq!(floor_char_boundary("aé", 2), "a");
    assert_eq!(floor_char_boundary("é", 0), "");
    let long = "€".repeat(20_000);
    let clamped = floor_char_boundary(&long, 0x7fff);
    assert!(clamped.len() <= 0x7fff && clamped.len() > 0x7fff - 3);
}

#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "at most 32767 bytes")]
fn over_long_strings_are_a_caller_bug_caught_in_debug_builds() {
    encode_group_metadata_key(&"g".repeat(0x8000));
}

#[cfg(not(debug_assertions))]
#[test]
fn over_long_strings_are_clamped_to_a_decodable_record_in_release_builds() {
    let long = "é".repeat(20_000);
    let key = encode_offset_commit_key(&long, "t", 0);
    let Ok(Record::OffsetCommit { group, topic, .. }) = decode(&key, None) else {
        panic!("clamped key must decode");
    };
    // 32767 would split a two-byte character, so the cut lands one byte earlier.
    assert_eq!((group.len(), topic), (0x7ffe, "t"));
}
