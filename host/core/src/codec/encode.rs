//! Record encoding: the inverse of [`super::decode`], producing keys and values byte-for-byte
//! as Kafka's group coordinator writes them to `__consumer_offsets`.
//!
//! Used by tests, `warren demo` and benchmarks to synthesise records, never on the ingest
//! path. Fields absent from the requested schema version are not written; `None` for a field
//! the version does have is written as Kafka's default (documented on each struct field).
//!
//! Limits: Kafka refuses strings over 32767 bytes (`i16::MAX`) and bytes/arrays over
//! `i32::MAX` elements. Exceeding them is a caller bug, not a data condition, so rather than
//! burden every caller with a `Result` the encoder `debug_assert!`s (tests fail loudly) and in
//! release builds clamps: a string is cut at the last UTF-8 character boundary within 32767
//! bytes, an array or byte string keeps its first `i32::MAX` elements. The output is therefore
//! always a well-formed record that Kafka and our decoder accept, never one whose length
//! prefix disagrees with its contents.

use super::{GroupMetadataValue, OffsetCommitValue, TopicAssignment};

const MAX_STRING_LEN: usize = 0x7fff;
const MAX_ARRAY_LEN: usize = 0x7fff_ffff;
const OFFSET_COMMIT_KEY_VERSION: i16 = 1;
const GROUP_METADATA_KEY_VERSION: i16 = 2;
const ASSIGNMENT_VERSION: i16 = 0;
const UNSET: i64 = -1;

/// Encodes an `OffsetCommitKey` with key version 1 (the version current brokers write).
///
/// Strings over 32767 bytes are clamped (see the module docs).
pub fn encode_offset_commit_key(group: &str, topic: &str, partition: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(10 + group.len() + topic.len());
    write_offset_commit_key(&mut out, group, topic, partition);
    out
}

/// Appends instead of allocating, for hot benchmark loops (same bytes as
/// [`encode_offset_commit_key`]).
pub fn write_offset_commit_key(out: &mut Vec<u8>, group: &str, topic: &str, partition: i32) {
    let mut w = Writer::new(out, false);
    w.i16(OFFSET_COMMIT_KEY_VERSION);
    w.string(group);
    w.string(topic);
    w.i32(partition);
}

/// Encodes a `GroupMetadataKey` (key version 2).
///
/// Strings over 32767 bytes are clamped (see the module docs).
pub fn encode_group_metadata_key(group: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + group.len());
    let mut w = Writer::new(&mut out, false);
    w.i16(GROUP_METADATA_KEY_VERSION);
    w.string(group);
    out
}

/// Encodes an `OffsetCommitValue` in `value.version` (0..=4; v4 is flexible).
///
/// A version outside 0..=4 is written as given with the layout of the nearest known version,
/// which is how tests build "unknown version" records. Strings over 32767 bytes are clamped
/// (see the module docs).
pub fn encode_offset_commit_value(value: &OffsetCommitValue<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(40 + value.metadata.len());
    write_offset_commit_value(&mut out, value);
    out
}

/// Appends instead of allocating, for hot benchmark loops (same bytes as
/// [`encode_offset_commit_value`]).
pub fn write_offset_commit_value(out: &mut Vec<u8>, value: &OffsetCommitValue<'_>) {
    let version = value.version;
    let mut w = Writer::new(out, version >= 4);
    w.i16(version);
    w.i64(value.offset);
    if version >= 3 {
        w.i32(value.leader_epoch.unwrap_or(-1));
    }
    w.string(value.metadata);
    w.i64(value.commit_timestamp);
    if version == 1 {
        w.i64(value.expire_timestamp.unwrap_or(UNSET));
    }
    w.empty_tagged_fields();
}

/// Encodes a `GroupMetadataValue` in `value.version` (0..=4; v4 is flexible).
///
/// Each member's subscription is written as empty bytes and its assignment as a
/// `ConsumerProtocolAssignment` v0 (see [`encode_assignment`]), whatever the protocol type; the
/// decoder only interprets it for `"consumer"` groups. Versions outside 0..=4 and over-long
/// strings are handled as in [`encode_offset_commit_value`].
pub fn encode_group_metadata_value(value: &GroupMetadataValue<'_>) -> Vec<u8> {
    let version = value.version;
    let mut out = Vec::with_capacity(64 + 96 * value.members.len());
    let mut w = Writer::new(&mut out, version >= 4);
    w.i16(version);
    w.string(value.protocol_type);
    w.i32(value.generation);
    w.nullable_string(value.protocol);
    w.nullable_string(value.leader);
    if version >= 2 {
        w.i64(value.current_state_timestamp.unwrap_or(UNSET));
    }
    let members = clamp_slice(&value.members);
    w.array_len(members.len());
    let mut assignment = Vec::new();
    for member in members {
        w.string(member.member_id);
        if version >= 3 {
            w.nullable_string(member.group_instance_id);
        }
        w.string(member.client_id);
        w.string(member.client_host);
        if version >= 1 {
            w.i32(member.rebalance_timeout.unwrap_or(member.session_timeout));
        }
        w.i32(member.session_timeout);
        w.bytes(&[]);
        assignment.clear();
        write_assignment(&mut assignment, &member.assignment);
        w.bytes(&assignment);
        w.empty_tagged_fields();
    }
    w.empty_tagged_fields();
    out
}

/// Encodes a `ConsumerProtocolAssignment` v0 with null user data, as a Kafka consumer leader
/// would for these partitions.
///
/// Strings over 32767 bytes are clamped (see the module docs).
pub fn encode_assignment(assignment: &[TopicAssignment<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    write_assignment(&mut out, assignment);
    out
}

fn write_assignment(out: &mut Vec<u8>, assignment: &[TopicAssignment<'_>]) {
    let mut w = Writer::new(out, false);
    w.i16(ASSIGNMENT_VERSION);
    let topics = clamp_slice(assignment);
    w.array_len(topics.len());
    for topic in topics {
        w.string(topic.topic);
        let partitions = clamp_slice(&topic.partitions);
        w.array_len(partitions.len());
        for &partition in partitions {
            w.i32(partition);
        }
    }
    // Null user data: what the built-in assignors send.
    w.i32(-1);
}

/// Longest prefix of `s` that is at most `max` bytes and ends on a character boundary.
pub(super) fn floor_char_boundary(s: &str, max: usize) -> &str {
    let end = (0..=max.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0);
    s.get(..end).unwrap_or("")
}

fn clamp_str(s: &str) -> &str {
    debug_assert!(
        s.len() <= MAX_STRING_LEN,
        "Kafka strings are at most {MAX_STRING_LEN} bytes; got {} (caller bug)",
        s.len()
    );
    floor_char_boundary(s, MAX_STRING_LEN)
}

fn clamp_slice<T>(items: &[T]) -> &[T] {
    debug_assert!(
        items.len() <= MAX_ARRAY_LEN,
        "Kafka arrays and bytes hold at most i32::MAX elements (caller bug)"
    );
    items.get(..MAX_ARRAY_LEN).unwrap_or(items)
}

/// Mirror of the decoder's reader: classic or compact encodings chosen once per value.
struct Writer<'o> {
    out: &'o mut Vec<u8>,
    flexible: bool,
}

impl<'o> Writer<'o> {
    fn new(out: &'o mut Vec<u8>, flexible: bool) -> Self {
        Self { out, flexible }
    }

    fn i16(&mut self, v: i16) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn i32(&mut self, v: i32) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn uvarint(&mut self, mut v: u32) {
        while v >= 0x80 {
            self.out.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    /// Length prefix of a string, bytes or array; `len` is already clamped, so the
    /// conversions cannot fail and the fallbacks are unreachable.
    fn length(&mut self, len: usize, short: bool) {
        if self.flexible {
            let len = u32::try_from(len).unwrap_or(u32::MAX - 1);
            self.uvarint(len.saturating_add(1));
        } else if short {
            self.i16(i16::try_from(len).unwrap_or(i16::MAX));
        } else {
            self.i32(i32::try_from(len).unwrap_or(i32::MAX));
        }
    }

    fn string(&mut self, s: &str) {
        let s = clamp_str(s);
        self.length(s.len(), true);
        self.out.extend_from_slice(s.as_bytes());
    }

    fn nullable_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None if self.flexible => self.uvarint(0),
            None => self.i16(-1),
        }
    }

    fn bytes(&mut self, b: &[u8]) {
        let b = clamp_slice(b);
        self.length(b.len(), false);
        self.out.extend_from_slice(b);
    }

    fn array_len(&mut self, len: usize) {
        self.length(len, false);
    }

    /// An empty tagged-field section; nothing in classic encodings.
    fn empty_tagged_fields(&mut self) {
        if self.flexible {
            self.uvarint(0);
        }
    }
}
