//! Tests of the `__consumer_offsets` codec, the entry point of Warren's data flow.
//!
//! This file owns the shared fixtures: records written byte by byte from Kafka's JSON schemas
//! with [`Wire`], a deliberately dumb builder that shares no code with the encoder, so the
//! decoder is checked against the schema rather than against ourselves. `schema` asserts what
//! each fixture decodes to, `roundtrip` checks encode/decode agreement, `malformed` feeds
//! truncated, lying and random input. `kafka44` holds records captured from a real broker.

mod kafka44;
mod malformed;
mod roundtrip;
mod schema;

use super::{GroupMetadataValue, MemberMetadata, TopicAssignment};

/// Test-only byte builder writing schema primitives literally (big-endian, one-byte compact
/// lengths), independent of the encoder under test.
#[derive(Default)]
pub(super) struct Wire(Vec<u8>);

impl Wire {
    pub(super) fn new() -> Self {
        Self::default()
    }
    pub(super) fn raw(mut self, bytes: &[u8]) -> Self {
        self.0.extend_from_slice(bytes);
        self
    }
    pub(super) fn i16(self, v: i16) -> Self {
        self.raw(&v.to_be_bytes())
    }
    pub(super) fn i32(self, v: i32) -> Self {
        self.raw(&v.to_be_bytes())
    }
    pub(super) fn i64(self, v: i64) -> Self {
        self.raw(&v.to_be_bytes())
    }
    /// Classic string: int16 length + bytes.
    pub(super) fn str(self, s: &str) -> Self {
        let len = i16::try_from(s.len()).expect("test string fits i16");
        self.i16(len).raw(s.as_bytes())
    }
    /// Classic bytes: int32 length + bytes.
    pub(super) fn bytes(self, b: &[u8]) -> Self {
        let len = i32::try_from(b.len()).expect("test bytes fit i32");
        self.i32(len).raw(b)
    }
    /// Compact string or bytes whose varint length + 1 fits in one byte.
    pub(super) fn compact(self, b: &[u8]) -> Self {
        let len = u8::try_from(b.len() + 1).expect("short compact field");
        assert!(len < 0x80, "one-byte varint only");
        self.raw(&[len]).raw(b)
    }
    pub(super) fn build(self) -> Vec<u8> {
        self.0
    }
}

/// Assignment v0, null user data: orders [0, 1], payments [2].
pub(super) const ASSIGNMENT_A: &[u8] = &[
    0x00, 0x00, // version 0
    0x00, 0x00, 0x00, 0x02, // 2 topics
    0x00, 0x06, b'o', b'r', b'd', b'e', b'r', b's', // topic
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // [0, 1]
    0x00, 0x08, b'p', b'a', b'y', b'm', b'e', b'n', b't', b's', // topic
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // [2]
    0xff, 0xff, 0xff, 0xff, // user_data: null
];

/// Assignment v3 with 3 bytes of user data: orders [2], audit [0, 1, 2].
pub(super) const ASSIGNMENT_B: &[u8] = &[
    0x00, 0x03, // version 3
    0x00, 0x00, 0x00, 0x02, // 2 topics
    0x00, 0x06, b'o', b'r', b'd', b'e', b'r', b's', // topic
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // [2]
    0x00, 0x05, b'a', b'u', b'd', b'i', b't', // topic
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x02, // [0, 1, 2]
    0x00, 0x00, 0x00, 0x03, 0xca, 0xfe, 0x01, // user_data: 3 bytes
];

/// An opaque subscription blob; the decoder must skip it without interpreting it.
const SUBSCRIPTION: &[u8] = &[0x00, 0x01, 0xab, 0xcd];

pub(super) const STATE_TS: i64 = 1_700_000_000_000;

/// `GroupMetadataValue` v0..=3 for group "g1": consumer protocol, two members.
pub(super) fn group_value_classic(version: i16) -> Vec<u8> {
    let mut w = Wire::new()
        .i16(version)
        .str("consumer") // protocol_type
        .i32(7) // generation
        .str("range") // protocol
        .str("m1"); // leader
    if version >= 2 {
        w = w.i64(STATE_TS);
    }
    w = w.i32(2).str("m1"); // members count, member_id
    if version >= 3 {
        w = w.str("static-1");
    }
    w = w.str("app").str("/10.0.0.1");
    if version >= 1 {
        w = w.i32(300_000);
    }
    w = w
        .i32(45_000)
        .bytes(SUBSCRIPTION)
        .bytes(ASSIGNMENT_A)
        .str("m2");
    if version >= 3 {
        w = w.i16(-1); // group_instance_id: null
    }
    w = w.str("app").str("/10.0.0.2");
    if version >= 1 {
        w = w.i32(300_000);
    }
    w.i32(45_000)
        .bytes(SUBSCRIPTION)
        .bytes(ASSIGNMENT_B)
        .build()
}

/// `GroupMetadataValue` v4 (flexible), same content as [`group_value_classic`], plus one
/// unknown tagged field on the first member so skipping is exercised.
pub(super) fn group_value_v4() -> Vec<u8> {
    let assignment_a_len = u8::try_from(ASSIGNMENT_A.len() + 1).expect("short");
    let assignment_b_len = u8::try_from(ASSIGNMENT_B.len() + 1).expect("short");
    Wire::new()
        .i16(4)
        .compact(b"consumer")
        .i32(7)
        .compact(b"range")
        .compact(b"m1")
        .i64(STATE_TS)
        .raw(&[0x03]) // members: compact array, 2 + 1
        .compact(b"m1")
        .compact(b"static-1")
        .compact(b"app")
        .compact(b"/10.0.0.1")
        .i32(300_000)
        .i32(45_000)
        .compact(SUBSCRIPTION)
        .raw(&[assignment_a_len])
        .raw(ASSIGNMENT_A)
        .raw(&[0x01, 0x05, 0x02, 0xaa, 0xbb]) // 1 tagged field: tag 5, 2 bytes
        .compact(b"m2")
        .raw(&[0x00]) // group_instance_id: null
        .compact(b"app")
        .compact(b"/10.0.0.2")
        .i32(300_000)
        .i32(45_000)
        .compact(SUBSCRIPTION)
        .raw(&[assignment_b_len])
        .raw(ASSIGNMENT_B)
        .raw(&[0x00]) // member tagged fields: none
        .raw(&[0x00]) // value tagged fields: none
        .build()
}

fn partitions(topic: &'static str, partitions: &[i32]) -> TopicAssignment<'static> {
    TopicAssignment {
        topic,
        partitions: partitions.to_vec(),
    }
}

/// What [`group_value_classic`] and [`group_value_v4`] decode to.
pub(super) fn expected_group(version: i16) -> GroupMetadataValue<'static> {
    let member = |member_id, group_instance_id, client_host, assignment| MemberMetadata {
        member_id,
        group_instance_id,
        client_id: "app",
        client_host,
        rebalance_timeout: (version >= 1).then_some(300_000),
        session_timeout: 45_000,
        assignment,
    };
    GroupMetadataValue {
        version,
        protocol_type: "consumer",
        generation: 7,
        protocol: Some("range"),
        leader: Some("m1"),
        current_state_timestamp: (version >= 2).then_some(STATE_TS),
        members: vec![
            member(
                "m1",
                (version >= 3).then_some("static-1"),
                "/10.0.0.1",
                vec![partitions("orders", &[0, 1]), partitions("payments", &[2])],
            ),
            member(
                "m2",
                None,
                "/10.0.0.2",
                vec![partitions("orders", &[2]), partitions("audit", &[0, 1, 2])],
            ),
        ],
    }
}

/// Offset-commit key v0/v1 for ("g1", "orders", 3), written literally.
pub(super) fn offset_key(version: u8) -> Vec<u8> {
    vec![
        0x00, version, // key version
        0x00, 0x02, b'g', b'1', // group
        0x00, 0x06, b'o', b'r', b'd', b'e', b'r', b's', // topic
        0x00, 0x00, 0x00, 0x03, // partition
    ]
}

/// Group-metadata key v2 for "g1", written literally.
pub(super) const GROUP_KEY: &[u8] = &[0x00, 0x02, 0x00, 0x02, b'g', b'1'];

/// Every valid (key, value) fixture, for the truncation and fuzz tests.
pub(super) fn valid_records() -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    let mut records: Vec<(Vec<u8>, Option<Vec<u8>>)> = schema::offset_values()
        .into_iter()
        .map(|(_, bytes, _)| (offset_key(1), Some(bytes)))
        .collect();
    records.push((offset_key(0), None));
    records.push((GROUP_KEY.to_vec(), None));
    for version in 0..=3 {
        records.push((GROUP_KEY.to_vec(), Some(group_value_classic(version))));
    }
    records.push((GROUP_KEY.to_vec(), Some(group_value_v4())));
    records.push((GROUP_KEY.to_vec(), Some(schema::connect_group_value())));
    records.push((vec![0x00, 0x09, 0x00, 0x01, b'x'], Some(vec![0x00, 0x00])));
    records.extend(
        kafka44::RECORDS
            .iter()
            .map(|(offset, _, _)| kafka44::record(*offset)),
    );
    records
}
