//! Hostile input: truncations, lying lengths and counts, bad varints, bad UTF-8, unknown
//! versions, and a deterministic fuzz loop. Every case must be a `DecodeError` of the right
//! kind, never a panic.

use super::schema::one_member_group;
use super::{ASSIGNMENT_A, GROUP_KEY, Wire, offset_key, valid_records};
use crate::codec::reader::Reader;
use crate::codec::{
    DecodeError, DecodeErrorKind, Record, decode, decode_assignment, encode_group_metadata_key,
    encode_group_metadata_value, encode_offset_commit_key, encode_offset_commit_value,
};

fn kind(result: Result<Record<'_>, DecodeError>) -> Option<DecodeErrorKind> {
    result.err().map(|e| e.kind())
}

fn offset_value_v4_with(metadata_prefix: &[u8]) -> Vec<u8> {
    Wire::new()
        .i16(4)
        .i64(1)
        .i32(0)
        .raw(metadata_prefix)
        .build()
}

#[test]
fn every_strict_prefix_of_a_valid_record_is_a_truncation_error_not_a_panic() {
    for (key, value) in valid_records() {
        let value = value.as_deref();
        let full = decode(&key, value);
        assert!(full.is_ok(), "fixture must decode: {full:?}");
        let skipped = matches!(full, Ok(Record::Skipped { .. }));
        for n in 0..key.len() {
            let prefix = key.get(..n).expect("n < len");
            let result = decode(prefix, value);
            if skipped && n >= 2 {
                assert!(result.is_ok());
            } else {
                assert_eq!(kind(result), Some(DecodeErrorKind::Truncated), "key[..{n}]");
            }
        }
        if let Some(value) = value
            && !skipped
        {
            for n in 1..value.len() {
                let prefix = value.get(..n).expect("n < len");
                let result = decode(&key, Some(prefix));
                assert_eq!(
                    kind(result),
                    Some(DecodeErrorKind::Truncated),
                    "value[..{n}]"
                );
            }
        }
    }
}

#[test]
fn negative_and_null_lengths_are_invalid_length_errors() {
    let invalid = Some(DecodeErrorKind::InvalidLength);
    let key_negative_group = Wire::new().i16(1).i16(-2).build();
    assert_eq!(kind(decode(&key_negative_group, None)), invalid);
    let key_null_group = Wire::new().i16(2).i16(-1).build();
    assert_eq!(kind(decode(&key_null_group, None)), invalid);

    let group_prefix = || Wire::new().i16(0).str("consumer").i32(1);
    let bad_protocol = group_prefix().i16(-2).build();
    assert_eq!(kind(decode(GROUP_KEY, Some(&bad_protocol))), invalid);
    for count in [-1, -2, i32::MIN] {
        let members = group_prefix().i16(-1).i16(-1).i32(count).build();
        assert_eq!(kind(decode(GROUP_KEY, Some(&members))), invalid);
    }
    let negative_bytes = group_prefix()
        .i16(-1)
        .i16(-1)
        .i32(1)
        .str("m")
        .str("c")
        .str("h")
        .i32(1)
        .i32(-7)
        .build();
    assert_eq!(kind(decode(GROUP_KEY, Some(&negative_bytes))), invalid);

    // v4 metadata is a non-nullable compact string: length byte 0 means null.
    let null_metadata = offset_value_v4_with(&[0x00]);
    assert_eq!(kind(decode(&offset_key(1), Some(&null_metadata))), invalid);
}

#[test]
fn member_count_of_i32_max_with_10_bytes_left_is_truncated_without_preallocating() {
    let value = Wire::new()
        .i16(0)
        .str("consumer")
        .i32(1)
        .i16(-1)
        .i16(-1)
        .i32(i32::MAX)
        .raw(&[0x00, 0x01, b'm', 0x00, 0x01, b'c', 0x00, 0x01, b'h', 0x00])
        .build();
    let error = decode(GROUP_KEY, Some(&value)).expect_err("truncated");
    assert_eq!(error.kind(), DecodeErrorKind::Truncated);
    let reader = Reader::new(&[0; 10]);
    assert_eq!(reader.capacity_for(i32::MAX as usize, 15), 0);
    assert_eq!(reader.capacity_for(usize::MAX, 4), 2);
}

#[test]
fn unsigned_varints_longer_than_5_bytes_or_overflowing_u32_are_rejected() {
    let read = |bytes: &[u8]| Reader::new(bytes).uvarint("test").map_err(|e| e.kind());
    assert_eq!(read(&[0x00]), Ok(0));
    assert_eq!(read(&[0x7f]), Ok(127));
    assert_eq!(read(&[0x80, 0x01]), Ok(128));
    assert_eq!(read(&[0xc9, 0x01]), Ok(201));
    assert_eq!(read(&[0x80, 0x00]), Ok(0));
    assert_eq!(read(&[0xff, 0xff, 0xff, 0xff, 0x0f]), Ok(u32::MAX));
    let invalid = Err(DecodeErrorKind::InvalidLength);
    assert_eq!(read(&[0xff, 0xff, 0xff, 0xff, 0x1f]), invalid);
    assert_eq!(read(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), invalid);
    assert_eq!(read(&[0x80, 0x80]), Err(DecodeErrorKind::Truncated));

    let six_byte_length = offset_value_v4_with(&[0x81, 0x80, 0x80, 0x80, 0x80, 0x00]);
    let error = decode(&offset_key(1), Some(&six_byte_length)).expect_err("bad varint");
    assert_eq!(error.kind(), DecodeErrorKind::InvalidLength);
    assert_eq!(error.field(), "offset commit metadata");
}

#[test]
fn compact_string_longer_than_kafka_allows_is_rejected_before_reading_it() {
    let huge = offset_value_v4_with(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    assert_eq!(
        kind(decode(&offset_key(1), Some(&huge))),
        Some(DecodeErrorKind::InvalidLength)
    );
}

#[test]
fn tagged_field_with_lying_size_or_count_is_truncated() {
    for tags in [
        &[0x01, 0x00, 0xe8, 0x07, 0x01][..],
        &[0xff, 0xff, 0xff, 0xff, 0x0f],
    ] {
        let value = Wire::new()
            .i16(4)
            .i64(1)
            .i32(0)
            .compact(b"")
            .i64(2)
            .raw(tags)
            .build();
        let key = offset_key(1);
        let result = decode(&key, Some(&value));
        assert_eq!(kind(result), Some(DecodeErrorKind::Truncated));
    }
}

#[test]
fn invalid_utf8_in_group_name_is_an_error() {
    let key = Wire::new()
        .i16(1)
        .raw(&[0x00, 0x03, b'g', 0xff, 0xfe])
        .str("t")
        .i32(0)
        .build();
    let error = decode(&key, None).expect_err("bad utf-8");
    assert_eq!(error.kind(), DecodeErrorKind::InvalidUtf8);
    assert_eq!(
        error.to_string(),
        "invalid UTF-8 in key group after 1 valid bytes"
    );
}

#[test]
fn unknown_value_versions_are_value_version_errors() {
    for version in [5, 6, i16::MAX, -1, i16::MIN] {
        let value = Wire::new().i16(version).raw(&[0; 64]).build();
        let key = offset_key(1);
        let offset = decode(&key, Some(&value));
        assert_eq!(kind(offset), Some(DecodeErrorKind::ValueVersion));
        let group = decode(GROUP_KEY, Some(&value));
        assert_eq!(kind(group), Some(DecodeErrorKind::ValueVersion));
    }
    let error = decode(GROUP_KEY, Some(&[0x00, 0x05])).expect_err("v5");
    assert_eq!(
        error.to_string(),
        "unsupported group metadata value version 5 (known: 0..=4)"
    );
}

#[test]
fn negative_key_version_is_a_key_version_error() {
    for version in [-1i16, i16::MIN] {
        let key = Wire::new().i16(version).str("g").build();
        assert_eq!(kind(decode(&key, None)), Some(DecodeErrorKind::KeyVersion));
    }
}

#[test]
fn truncated_member_list_is_a_decode_error_not_a_panic() {
    let value = Wire::new()
        .i16(0)
        .str("consumer")
        .i32(1)
        .i16(-1)
        .i16(-1)
        .i32(1)
        .str("member-1")
        .i16(12)
        .raw(b"app")
        .build();
    let error = decode(GROUP_KEY, Some(&value)).expect_err("truncated");
    assert_eq!(
        error.to_string(),
        "truncated reading member client_id (need 12 bytes, 3 left)"
    );
}

#[test]
fn malformed_consumer_assignment_rejects_the_whole_record() {
    let truncated = ASSIGNMENT_A.get(..10).expect("len");
    let negative_version = [0xff, 0xff, 0x00, 0x00, 0x00, 0x00];
    let lying_topic_count = [0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0x00];
    let negative_partitions = Wire::new().i16(0).i32(1).str("t").i32(-3).build();
    for assignment in [
        truncated,
        &negative_version,
        &lying_topic_count,
        &negative_partitions,
    ] {
        let value = one_member_group(assignment);
        let result = decode(GROUP_KEY, Some(&value));
        assert_eq!(kind(result), Some(DecodeErrorKind::Assignment));
    }
    let error = decode(GROUP_KEY, Some(&one_member_group(&negative_version))).expect_err("bad");
    assert_eq!(
        error.to_string(),
        "malformed consumer assignment: negative assignment version -1"
    );
}

#[test]
fn standalone_assignment_decoding_reports_every_failure_as_an_assignment_error() {
    assert_eq!(decode_assignment(&[]), Ok(Vec::new()));
    for bad in [
        &[0x00][..],
        &[0xff, 0xff],
        &[0x00, 0x00, 0xff, 0xff, 0xff, 0xfe],
    ] {
        let kind = decode_assignment(bad).map_err(|e| e.kind());
        assert_eq!(kind, Err(DecodeErrorKind::Assignment), "{bad:?}");
    }
}

#[test]
fn error_kinds_have_unique_stable_labels() {
    let labels: Vec<&str> = DecodeErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        labels,
        [
            "truncated",
            "invalid_length",
            "invalid_utf8",
            "key_version",
            "value_version",
            "assignment"
        ]
    );
}

/// Deterministic xorshift64 so fuzz failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).expect("fits")).expect("fits")
    }
    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        (0..self.below(max_len + 1))
            .map(|_| self.next() as u8)
            .collect()
    }
}

fn mutate(rng: &mut XorShift, bytes: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len());
        match rng.below(6) {
            0 => {
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                let interesting = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
                if let (Some(b), Some(&v)) = (bytes.get_mut(at), interesting.get(rng.below(6))) {
                    *b = v;
                }
            }
            2 => bytes.truncate(at),
            3 => bytes.insert(at.min(bytes.len()), rng.next() as u8),
            4 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => {
                let word = if rng.below(2) == 0 { i32::MAX } else { -1 };
                for (i, b) in word.to_be_bytes().into_iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + i) {
                        *slot = b;
                    }
                }
            }
        }
    }
}

/// Whatever decodes must re-encode to the same record: the decoder never produces a value
/// the encoder cannot represent.
fn assert_reencodes(record: &Record<'_>) {
    let (key, value) = match record {
        Record::OffsetCommit {
            group,
            topic,
            partition,
            value,
        } => (
            encode_offset_commit_key(group, topic, *partition),
            value.as_ref().map(encode_offset_commit_value),
        ),
        Record::GroupMetadata { group, value } => (
            encode_group_metadata_key(group),
            value.as_ref().map(encode_group_metadata_value),
        ),
        // The encoder writes only what tests and `warren demo` need: classic records.
        Record::Skipped { .. }
        | Record::ConsumerGroup { .. }
        | Record::ConsumerGroupTopics { .. }
        | Record::ConsumerGroupMember { .. }
        | Record::ConsumerGroupTargetAssignment { .. }
        | Record::ConsumerGroupMemberAssignment { .. } => return,
    };
    assert_eq!(decode(&key, value.as_deref()).as_ref(), Ok(record));
}

#[test]
fn random_bytes_and_mutated_records_never_panic() {
    let fixtures = valid_records();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0;
    for i in 0..20_000 {
        let (mut key, mut value) = if i % 4 == 0 {
            let mut key = rng.bytes(24);
            if let Some(version) = key.get_mut(1) {
                *version %= 4;
            }
            (key, Some(rng.bytes(96)))
        } else {
            fixtures
                .get(rng.below(fixtures.len()))
                .cloned()
                .expect("index below len")
        };
        if rng.below(8) == 0 {
            mutate(&mut rng, &mut key);
        } else if let Some(value) = value.as_mut() {
            mutate(&mut rng, value);
        }
        if let Ok(record) = decode(&key, value.as_deref()) {
            assert_reencodes(&record);
            decoded += 1;
        }
    }
    assert!(decoded > 1_000, "fuzz should also reach successful decodes");
}

#[test]
fn kip_848_assignment_with_a_lying_topic_count_is_truncated_without_preallocating() {
    let key = Wire::new().i16(8).str("g").str("m").build();
    let value = Wire::new()
        .i16(0)
        .i32(2)
        .i32(0)
        .raw(&[0x00])
        .raw(&[0xff, 0xff, 0xff, 0xff, 0x0f]) // u32::MAX - 1 topics
        .raw(&[0; 16]) // one topic id,
        .raw(&[0x01, 0x00]) // no partitions, no tags; then nothing
        .build();
    let error = decode(&key, Some(&value)).expect_err("lying count");
    assert_eq!(error.kind(), DecodeErrorKind::Truncated);
    assert_eq!(error.field(), "assigned topic_id");
}
