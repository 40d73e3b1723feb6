//! Records a real Apache Kafka broker wrote to `__consumer_offsets`, decoded with
//! `warren_core::codec::decode` and checked against what the capture chose. The fixtures and
//! their `manifest.json` come from `scripts/capture-offsets-fixtures` (real Kafka clients: a
//! classic and a KIP-848 consumer group, commit metadata, Admin API commits, a deleted group, a
//! Connect-style group, a share group); the manifest's expected values are the offsets,
//! metadata, client ids and clock readings the capture program chose or took, never anything
//! Warren's encoder produced, so encoder and decoder cannot share a mistake here.

use std::path::{Path, PathBuf};

use serde_json::Value;
use warren_core::codec::{GroupMetadataValue, Record, decode};

/// One captured record: its manifest entry and its bytes (`value` is `None` for a tombstone).
struct Fixture {
    entry: Value,
    key: Vec<u8>,
    value: Option<Vec<u8>>,
}

impl Fixture {
    fn str(&self, field: &str) -> &str {
        self.entry[field]
            .as_str()
            .unwrap_or_else(|| panic!("manifest field {field} of {}", self.entry))
    }

    fn int(&self, field: &str) -> i64 {
        self.entry[field]
            .as_i64()
            .unwrap_or_else(|| panic!("manifest field {field} of {}", self.entry))
    }

    fn tombstone(&self) -> bool {
        self.entry["tombstone"] == Value::Bool(true)
    }

    fn decoded(&self) -> Record<'_> {
        decode(&self.key, self.value.as_deref()).unwrap_or_else(|e| {
            panic!(
                "record {} a real broker wrote does not decode: {e}",
                self.str("file")
            )
        })
    }
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/consumer-offsets")
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(dir().join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest is JSON")
}

fn fixtures() -> Vec<Fixture> {
    let manifest = manifest();
    let records = manifest["records"].as_array().expect("records");
    records
        .iter()
        .map(|entry| {
            let name = entry["file"].as_str().expect("file");
            let key = std::fs::read(dir().join(format!("{name}.key"))).expect("key file");
            let value = std::fs::read(dir().join(format!("{name}.value"))).ok();
            let fixture = Fixture {
                entry: entry.clone(),
                key,
                value,
            };
            assert_eq!(
                fixture.value.is_none(),
                fixture.tombstone(),
                "record {name}: a value file exactly when it is no tombstone"
            );
            fixture
        })
        .collect()
}

fn of_kind(kind: &str) -> Vec<Fixture> {
    let found: Vec<Fixture> = fixtures()
        .into_iter()
        .filter(|f| f.str("kind") == kind)
        .collect();
    assert!(!found.is_empty(), "the capture holds {kind} records");
    found
}

#[test]
fn every_captured_record_decodes_and_none_goes_unchecked() {
    let fixtures = fixtures();
    let files = std::fs::read_dir(dir()).expect("fixtures dir").count();
    let values = fixtures.iter().filter(|f| f.value.is_some()).count();
    assert_eq!(
        files,
        1 + fixtures.len() + values,
        "every file is in the manifest"
    );
    for f in &fixtures {
        let _ = f.decoded();
        assert_ne!(f.entry["unexpected"], Value::Bool(true), "{}", f.entry);
    }
}

#[test]
fn broker_offset_commits_carry_the_chosen_offset_metadata_and_commit_time() {
    for f in of_kind("offset-commit")
        .into_iter()
        .filter(|f| !f.tombstone())
    {
        let Record::OffsetCommit {
            group,
            topic,
            partition,
            value: Some(v),
        } = f.decoded()
        else {
            panic!("record {} is an offset commit with a value", f.str("file"));
        };
        assert_eq!(group, f.str("group"));
        assert_eq!(topic, f.str("topic"));
        assert_eq!(i64::from(partition), f.int("partition"));
        assert_eq!(v.offset, f.int("offset"), "record {}", f.str("file"));
        assert_eq!(v.metadata, f.str("metadata"), "record {}", f.str("file"));
        assert!(
            (f.int("committed_after_ms")..=f.int("committed_before_ms"))
                .contains(&v.commit_timestamp),
            "record {}: commit time {} outside the capture's clock readings",
            f.str("file"),
            v.commit_timestamp
        );
        assert_eq!(v.expire_timestamp, None, "Kafka 4 sets no expiry");
    }
}

#[test]
fn a_deleted_group_leaves_tombstones_that_decode_as_deletions() {
    let deleted: Vec<Fixture> = fixtures()
        .into_iter()
        .filter(|f| f.tombstone() && f.entry["deleted"] == Value::Bool(true))
        .collect();
    assert!(deleted.iter().any(|f| f.str("kind") == "offset-commit"));
    assert!(deleted.iter().any(|f| f.str("kind") == "group-metadata"));
    for f in &deleted {
        match f.decoded() {
            Record::OffsetCommit {
                group,
                topic,
                partition,
                value: None,
            } => {
                assert_eq!(
                    (group, topic, i64::from(partition)),
                    (f.str("group"), f.str("topic"), f.int("partition"))
                );
            }
            Record::GroupMetadata { group, value: None } => assert_eq!(group, f.str("group")),
            other => panic!("record {}: not a deletion: {other:?}", f.str("file")),
        }
    }
}

/// Decodes every group-metadata record of `protocol_type` that has a value, checks its group,
/// protocol type and protocol against the manifest, and hands it to `check`; returns how many.
fn each_group_metadata(
    protocol_type: &str,
    mut check: impl FnMut(&Fixture, &GroupMetadataValue<'_>),
) -> usize {
    let records: Vec<Fixture> = of_kind("group-metadata")
        .into_iter()
        .filter(|f| !f.tombstone() && f.str("protocol_type") == protocol_type)
        .collect();
    for f in &records {
        let Record::GroupMetadata {
            group,
            value: Some(v),
        } = f.decoded()
        else {
            panic!("record {} is group metadata with a value", f.str("file"));
        };
        assert_eq!(group, f.str("group"));
        assert_eq!(v.protocol_type, protocol_type);
        has_protocol_exactly_with_members(f, &v);
        check(f, &v);
    }
    records.len()
}

/// A group with members names the protocol they chose and a leader among them; an empty group
/// (everyone left) names neither.
fn has_protocol_exactly_with_members(f: &Fixture, v: &GroupMetadataValue<'_>) {
    if v.members.is_empty() {
        assert_eq!((v.protocol, v.leader), (None, None), "{}", f.str("file"));
    } else {
        assert_eq!(v.protocol, Some(f.str("protocol")), "{}", f.str("file"));
        let leader = v.leader.expect("a group with members has a leader");
        assert!(v.members.iter().any(|m| m.member_id == leader));
    }
}

#[test]
fn a_group_the_coordinator_just_created_has_no_protocol_generation_or_members() {
    let created: Vec<Fixture> = of_kind("group-metadata")
        .into_iter()
        .filter(|f| f.entry["created"] == Value::Bool(true))
        .collect();
    assert!(created.len() >= 2, "the classic and the Connect group");
    for f in &created {
        let Record::GroupMetadata {
            group,
            value: Some(v),
        } = f.decoded()
        else {
            panic!("record {} is group metadata with a value", f.str("file"));
        };
        assert_eq!(group, f.str("group"));
        assert_eq!(v.protocol_type, f.str("protocol_type"));
        assert_eq!(v.generation, 0);
        assert_eq!((v.protocol, v.leader), (None, None));
        assert!(v.members.is_empty());
    }
}

#[test]
fn classic_group_metadata_names_the_chosen_client_and_assignor() {
    let manifest = manifest();
    let topic = manifest["topic"].as_str().expect("topic");
    let mut synced = false;
    let mut last_members = None;
    each_group_metadata("consumer", |f, v| {
        // The only member holds every partition once synced, none before.
        let all: Vec<i32> = (0..i32::try_from(f.int("assigned")).expect("count")).collect();
        for m in &v.members {
            assert_eq!(m.client_id, f.str("client_id"));
            assert_eq!(m.client_host, "/127.0.0.1");
            assert_eq!(m.rebalance_timeout, Some(120_000));
            match m.assignment.as_slice() {
                [] => {}
                [a] if a.topic == topic && a.partitions == all => synced = true,
                other => panic!("record {}: assignment {other:?}", f.str("file")),
            }
        }
        last_members = Some(v.members.len());
    });
    assert!(synced, "a record holds the synced assignment");
    assert_eq!(
        last_members,
        Some(0),
        "the consumer closed: the group ends empty"
    );
}

#[test]
fn connect_group_metadata_decodes_without_reading_its_assignment() {
    let mut members = 0;
    let records = each_group_metadata("connect", |f, v| {
        for m in &v.members {
            assert_eq!(m.client_id, f.str("client_id"));
            assert_eq!(m.session_timeout, 10_000);
            assert!(m.assignment.is_empty(), "Connect assignments are not read");
            members += 1;
        }
    });
    assert!(records > 0, "the capture holds a Connect-style group");
    assert!(members > 0, "the worker is seen as a member");
}

#[test]
fn kip848_records_name_the_chosen_client_and_topic_id() {
    let manifest = manifest();
    let partitions = manifest["topic_partitions"].as_i64().expect("count");
    for f in of_kind("consumer-group-member") {
        match f.decoded() {
            Record::ConsumerGroupMember {
                group,
                member_id,
                value,
            } => {
                assert_eq!((group, member_id), (f.str("group"), f.str("member_id")));
                if let Some(v) = value {
                    assert_eq!(v.client_id, f.str("client_id"));
                    assert_eq!(v.client_host, "/127.0.0.1");
                    assert_eq!(
                        i64::from(v.rebalance_timeout_ms),
                        f.int("rebalance_timeout_ms")
                    );
                } else {
                    assert!(f.tombstone());
                }
            }
            other => panic!("record {}: {other:?}", f.str("file")),
        }
    }
    let mut owned = Vec::new();
    for f in of_kind("consumer-group-member-assignment") {
        match f.decoded() {
            Record::ConsumerGroupMemberAssignment {
                group,
                member_id,
                value,
            } => {
                assert_eq!((group, member_id), (f.str("group"), f.str("member_id")));
                for t in value.iter().flat_map(|v| &v.assigned) {
                    assert_eq!(t.topic_id.to_string(), f.str("topic_id"));
                    owned.extend(t.partitions.iter().copied().map(i64::from));
                }
            }
            other => panic!("record {}: {other:?}", f.str("file")),
        }
    }
    owned.sort_unstable();
    assert_eq!(
        owned,
        (0..partitions).collect::<Vec<_>>(),
        "the member owned all"
    );
    for f in of_kind("consumer-group") {
        match f.decoded() {
            Record::ConsumerGroup { group, value } => {
                assert_eq!(group, f.str("group"));
                assert!(value.is_none_or(|v| v.epoch >= 1), "{value:?}");
            }
            other => panic!("record {}: {other:?}", f.str("file")),
        }
    }
    for f in of_kind("consumer-group-target-assignment") {
        match f.decoded() {
            Record::ConsumerGroupTargetAssignment { group, value } => {
                assert_eq!(group, f.str("group"));
                assert!(value.is_none_or(|v| v.assignment_epoch >= 1), "{value:?}");
            }
            other => panic!("record {}: {other:?}", f.str("file")),
        }
    }
}

#[test]
fn records_warren_does_not_interpret_are_skipped_with_their_key_version() {
    let skipped = of_kind("skipped");
    // A KIP-848 member's target assignment (7) and the share group's records (10 and up).
    assert!(skipped.iter().any(|f| f.int("key_type") == 7));
    assert!(skipped.iter().any(|f| f.int("key_type") >= 10));
    for f in &skipped {
        assert_eq!(
            f.decoded(),
            Record::Skipped {
                key_version: i16::try_from(f.int("key_type")).expect("i16")
            },
            "record {}",
            f.str("file")
        );
    }
}

#[test]
fn every_truncation_of_a_broker_record_is_an_error_or_a_record_never_a_panic() {
    for f in fixtures() {
        for cut in 0..f.key.len() {
            let _ = decode(&f.key[..cut], f.value.as_deref());
        }
        if let Some(value) = &f.value {
            for cut in 0..value.len() {
                let _ = decode(&f.key, Some(&value[..cut]));
            }
        }
    }
}
