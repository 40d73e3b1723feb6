//! Records captured from a real Apache Kafka 4.4.0 broker's `__consumer_offsets` log: a
//! KIP-848 group `g848` on topic `orders` (3 partitions, topic id `N4KWVZJ6SLejdmZWroD92g`)
//! through two members joining, one leaving and the group being deleted, plus a classic group
//! `gclassic`. The expected values are what Kafka's own `DumpLogSegments --offsets-decoder`
//! printed for the same log offsets, so neither side of the comparison is Warren's code.

use crate::codec::{
    ConsumerGroupValue, ConsumerMemberValue, DecodeErrorKind, MemberAssignmentValue, Record,
    TargetAssignmentValue, TopicAssignment, TopicIdPartitions, decode,
};
use crate::model::TopicId;

/// `(log offset, key hex, value hex or "" for a tombstone)`.
pub(in crate::codec) const RECORDS: &[(i64, &str, &str)] = &[
    (
        0,
        "000500046738343800166d4d5547386234695151616c4f584f445f584e4e4241",
        "000000000a6a6176612d673834380b2f3132372e302e302e3102076f726465727301000493e00001000100",
    ),
    (1, "0003000467383438", "000000000002010008440faa9e32d24ea3"),
    (
        2,
        "000700046738343800166d4d5547386234695151616c4f584f445f584e4e4241",
        "00000237829655927a48b7a3766656ae80fdda040000000000000001000000020000",
    ),
    (3, "0006000467383438", "000000000002010008000001a2351ae0eb"),
    (
        4,
        "000800046738343800166d4d5547386234695151616c4f584f445f584e4e4241",
        "00000000000200000000000237829655927a48b7a3766656ae80fdda04000000000000000100000002\
         01000d040000000200000002000000020100",
    ),
    (
        60,
        "0002000867636c6173736963",
        "00030008636f6e73756d657200000001000572616e676500326a6176612d67636c61737369632d613430\
         38373535642d376564352d343532382d386366612d386661333534373537663864000001a2351b0334000000\
         0100326a6176612d67636c61737369632d61343038373535642d376564352d343532382d386366612d3866\
         61333534373537663864ffff000d6a6176612d67636c6173736963000a2f3132372e302e302e31000493e0\
         000017700000001e00030000000100087061796d656e7473ffffffff00000000ffffffffffff00000024\
         00030000000100087061796d656e747300000003000000000000000100000002ffffffff",
    ),
    (
        65,
        "000800046738343800166d4d5547386234695151616c4f584f445f584e4e4241",
        "00000000000200000002010237829655927a48b7a3766656ae80fdda030000000000000001010009030000\
         0002000000020237829655927a48b7a3766656ae80fdda0200000002010005020000000200",
    ),
    (
        480,
        "000800046738343800164e4673385467433451716d4b526851417142536c5267",
        "",
    ),
    (
        482,
        "000500046738343800164e4673385467433451716d4b526851417142536c5267",
        "",
    ),
    (615, "0003000467383438", "00000000000500"),
    (633, "0004000467383438", ""),
    (634, "0003000467383438", ""),
];

const ORDERS: TopicId = TopicId([
    0x37, 0x82, 0x96, 0x55, 0x92, 0x7a, 0x48, 0xb7, 0xa3, 0x76, 0x66, 0x56, 0xae, 0x80, 0xfd, 0xda,
]);
const FIRST_MEMBER: &str = "mMUG8b4iQQalOXOD_XNNBA";
const SECOND_MEMBER: &str = "NFs8TgC4QqmKRhQAqBSlRg";

fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).expect("ascii hex");
            u8::from_str_radix(pair, 16).expect("hex digit pair")
        })
        .collect()
}

/// The captured record at `offset`, as (key, value) bytes.
pub(in crate::codec) fn record(offset: i64) -> (Vec<u8>, Option<Vec<u8>>) {
    let (_, key, value) = RECORDS
        .iter()
        .find(|(o, _, _)| *o == offset)
        .expect("captured offset");
    (hex(key), (!value.is_empty()).then(|| hex(value)))
}

fn decoded(offset: i64, check: impl FnOnce(Record<'_>)) {
    let (key, value) = record(offset);
    check(decode(&key, value.as_deref()).expect("a broker's record decodes"));
}

#[test]
fn topic_id_displays_as_kafka_spells_it() {
    assert_eq!(ORDERS.to_string(), "N4KWVZJ6SLejdmZWroD92g");
    assert_eq!(
        TopicId::from_halves(0x3782_9655_927a_48b7, 0xa376_6656_ae80_fddau64 as i64),
        ORDERS
    );
}

#[test]
fn member_metadata_gives_client_id_and_host() {
    decoded(0, |r| {
        assert_eq!(
            r,
            Record::ConsumerGroupMember {
                group: "g848",
                member_id: FIRST_MEMBER,
                value: Some(ConsumerMemberValue {
                    instance_id: None,
                    rack_id: None,
                    client_id: "java-g848",
                    client_host: "/127.0.0.1",
                    rebalance_timeout_ms: 300_000,
                }),
            }
        )
    });
}

#[test]
fn group_metadata_gives_the_epoch_with_or_without_the_tagged_hash() {
    decoded(1, |r| {
        assert_eq!(
            r,
            Record::ConsumerGroup {
                group: "g848",
                value: Some(ConsumerGroupValue { epoch: 2 }),
            }
        )
    });
    decoded(615, |r| {
        assert_eq!(
            r,
            Record::ConsumerGroup {
                group: "g848",
                value: Some(ConsumerGroupValue { epoch: 5 }),
            }
        )
    });
}

#[test]
fn target_assignment_metadata_gives_the_assignment_epoch() {
    decoded(3, |r| {
        assert_eq!(
            r,
            Record::ConsumerGroupTargetAssignment {
                group: "g848",
                value: Some(TargetAssignmentValue {
                    assignment_epoch: 2
                }),
            }
        )
    });
}

#[test]
fn current_assignment_gives_owned_partitions_by_topic_id() {
    decoded(4, |r| {
        assert_eq!(
            r,
            Record::ConsumerGroupMemberAssignment {
                group: "g848",
                member_id: FIRST_MEMBER,
                value: Some(MemberAssignmentValue {
                    member_epoch: 2,
                    previous_member_epoch: 0,
                    state: 0,
                    assigned: vec![TopicIdPartitions {
                        topic_id: ORDERS,
                        partitions: vec![0, 1, 2],
                    }],
                    pending_revocation: vec![],
                }),
            }
        )
    });
}

#[test]
fn current_assignment_keeps_partitions_pending_revocation_apart() {
    decoded(65, |r| {
        assert_eq!(
            r,
            Record::ConsumerGroupMemberAssignment {
                group: "g848",
                member_id: FIRST_MEMBER,
                value: Some(MemberAssignmentValue {
                    member_epoch: 2,
                    previous_member_epoch: 2,
                    state: 1,
                    assigned: vec![TopicIdPartitions {
                        topic_id: ORDERS,
                        partitions: vec![0, 1],
                    }],
                    pending_revocation: vec![TopicIdPartitions {
                        topic_id: ORDERS,
                        partitions: vec![2],
                    }],
                }),
            }
        )
    });
}

#[test]
fn tombstones_of_members_assignments_and_groups_decode_without_values() {
    decoded(480, |r| {
        assert_eq!(
            r,
            Record::ConsumerGroupMemberAssignment {
                group: "g848",
                member_id: SECOND_MEMBER,
                value: None,
            }
        )
    });
    decoded(482, |r| {
        assert_eq!(
            r,
            Record::ConsumerGroupMember {
                group: "g848",
                member_id: SECOND_MEMBER,
                value: None,
            }
        )
    });
    decoded(633, |r| {
        assert_eq!(
            r,
            Record::ConsumerGroupTopics {
                group: "g848",
                value: None,
            }
        )
    });
    decoded(634, |r| {
        assert_eq!(
            r,
            Record::ConsumerGroup {
                group: "g848",
                value: None,
            }
        )
    });
}

#[test]
fn target_assignment_of_a_member_is_skipped() {
    decoded(2, |r| assert_eq!(r, Record::Skipped { key_version: 7 }));
}

#[test]
fn classic_group_written_by_kafka_4_4_still_decodes() {
    decoded(60, |r| {
        let Record::GroupMetadata {
            group: "gclassic",
            value: Some(v),
        } = r
        else {
            panic!("expected gclassic's metadata, got {r:?}");
        };
        assert_eq!(
            (v.version, v.protocol_type, v.generation),
            (3, "consumer", 1)
        );
        assert_eq!(v.protocol, Some("range"));
        let [m] = v.members.as_slice() else {
            panic!("one member expected");
        };
        assert_eq!(
            (m.client_id, m.client_host, m.session_timeout),
            ("java-gclassic", "/127.0.0.1", 6_000)
        );
        assert_eq!(
            m.assignment,
            vec![TopicAssignment {
                topic: "payments",
                partitions: vec![0, 1, 2],
            }]
        );
    });
}

#[test]
fn every_strict_prefix_of_a_broker_value_is_a_decode_error() {
    for &(offset, _, _) in RECORDS {
        let (key, Some(value)) = record(offset) else {
            continue;
        };
        if matches!(decode(&key, Some(&value)), Ok(Record::Skipped { .. })) {
            continue;
        }
        for len in 1..value.len() {
            let result = decode(&key, Some(&value[..len]));
            assert!(
                result.is_err(),
                "offset {offset}: prefix of {len} bytes decoded: {result:?}"
            );
        }
    }
}

#[test]
fn later_value_versions_of_kip_848_records_are_value_version_errors() {
    for offset in [0, 1, 3, 4] {
        let (key, value) = record(offset);
        let mut value = value.expect("a value");
        value[1] = 1;
        let error = decode(&key, Some(&value)).expect_err("version 1 is unknown");
        assert_eq!(error.kind(), DecodeErrorKind::ValueVersion);
        assert!(
            error.to_string().ends_with("version 1 (known: 0..=0)"),
            "{error}"
        );
    }
}
