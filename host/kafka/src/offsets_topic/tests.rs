//! What the offsets-topic reader does with each kind of record, given the bytes a coordinator
//! writes (encoded here with the codec's encoders; `warren-core`'s fixtures check the decoder
//! against records a real broker wrote): commits and tombstones in source order, groups of
//! other protocols skipped and counted, the consumer's allow/deny lists, malformed records
//! counted by kind, and where each partition starts reading.

use std::sync::Arc;

use rdkafka::Offset;
use tokio_util::sync::CancellationToken;
use warren_core::codec::{
    self, GroupMetadataValue, MemberMetadata, OffsetCommitValue, TopicAssignment,
};
use warren_core::config::load;
use warren_core::storage::{StorageHandle, StorageSettings};

use super::{Reader, start_at};

const NOW: i64 = 1_700_000_000_000;

fn reader(consumer_keys: &str) -> Reader {
    let text = format!(
        "[cluster.local]\nservers = [\"127.0.0.1:9\"]\n[consumer.local]\nclass-name = \"kafka\"\ncluster = \"local\"\n{consumer_keys}\n"
    );
    let config = load(&text, &|_| None).expect("config loads").config;
    let storage = StorageHandle::new(["local".to_string()], StorageSettings::burrow_defaults());
    let store = storage.cluster("local").unwrap().clone();
    {
        let mut w = store.writer();
        w.set_topics(&[("orders".into(), 2)]);
        w.record_heads("orders", &[(0, 1_000), (1, 1_000)], NOW);
    }
    Reader {
        consumer: config.consumers["local"].clone(),
        topic: "__consumer_offsets".into(),
        start_latest: false,
        store,
        cluster_health: Arc::default(),
        progress: Arc::default(),
        cancel: CancellationToken::new(),
    }
}

/// Feeds records as (key, value) at consecutive offsets of the offsets topic from `first`.
fn feed(r: &Reader, first: i64, records: &[(Vec<u8>, Option<Vec<u8>>)]) {
    let mut w = r.store.writer();
    for (i, (key, value)) in records.iter().enumerate() {
        r.apply(&mut w, Some(key), value.as_deref(), first + i as i64, NOW);
    }
}

fn commit(group: &str, partition: i32, offset: i64) -> (Vec<u8>, Option<Vec<u8>>) {
    let value = codec::encode_offset_commit_value(&OffsetCommitValue {
        version: 3,
        offset,
        leader_epoch: Some(-1),
        metadata: "",
        commit_timestamp: NOW - 1_000 + offset,
        expire_timestamp: None,
    });
    (
        codec::encode_offset_commit_key(group, "orders", partition),
        Some(value),
    )
}

fn offset_tombstone(group: &str, partition: i32) -> (Vec<u8>, Option<Vec<u8>>) {
    (
        codec::encode_offset_commit_key(group, "orders", partition),
        None,
    )
}

fn group_metadata(group: &str, protocol_type: &str) -> (Vec<u8>, Option<Vec<u8>>) {
    let value = codec::encode_group_metadata_value(&GroupMetadataValue {
        version: 3,
        protocol_type,
        generation: 1,
        protocol: Some("range"),
        leader: Some("m-1"),
        current_state_timestamp: Some(NOW),
        members: vec![MemberMetadata {
            member_id: "m-1",
            group_instance_id: None,
            client_id: "worker-1",
            client_host: "/10.0.0.9",
            rebalance_timeout: Some(30_000),
            session_timeout: 10_000,
            assignment: if protocol_type == "consumer" {
                vec![TopicAssignment {
                    topic: "orders",
                    partitions: vec![0, 1],
                }]
            } else {
                Vec::new()
            },
        }],
    });
    (codec::encode_group_metadata_key(group), Some(value))
}

/// The offsets of `group`'s window on partition `p` of `orders`.
fn window(r: &Reader, group: &str, p: usize) -> Vec<i64> {
    r.store.group(group).map_or_else(Vec::new, |g| {
        g.topics
            .iter()
            .find(|t| t.topic == "orders")
            .map_or_else(Vec::new, |t| {
                t.partitions[p].commits.iter().map(|c| c.offset).collect()
            })
    })
}

#[test]
fn commits_are_stored_and_an_offset_tombstone_forgets_the_partition_then_the_group() {
    let r = reader("");
    feed(
        &r,
        100,
        &[
            commit("billing", 0, 10),
            commit("billing", 1, 20),
            commit("billing", 0, 11),
        ],
    );
    assert_eq!(
        (window(&r, "billing", 0), window(&r, "billing", 1)),
        (vec![10, 11], vec![20])
    );
    feed(&r, 103, &[offset_tombstone("billing", 0)]);
    assert_eq!(
        (window(&r, "billing", 0), window(&r, "billing", 1)),
        (vec![], vec![20])
    );
    feed(&r, 104, &[offset_tombstone("billing", 1)]);
    assert!(r.store.group("billing").is_none());
}

#[test]
fn a_group_tombstone_deletes_the_group_and_a_replayed_one_does_not() {
    let r = reader("");
    feed(
        &r,
        100,
        &[
            commit("billing", 0, 10),
            group_metadata("billing", "consumer"),
        ],
    );
    let g = r.store.group("billing").expect("stored");
    assert_eq!(
        g.topics[0].partitions[0].client_id.as_deref(),
        Some("worker-1")
    );
    let tombstone = (codec::encode_group_metadata_key("billing"), None);
    // Read again after a restart from an older position, after a newer commit.
    feed(&r, 105, &[commit("billing", 0, 12)]);
    feed(&r, 102, std::slice::from_ref(&tombstone));
    assert_eq!(window(&r, "billing", 0), vec![10, 12]);
    feed(&r, 106, &[tombstone]);
    assert!(r.store.group("billing").is_none());
}

#[test]
fn groups_of_other_protocol_types_are_skipped_and_counted() {
    let r = reader("");
    feed(
        &r,
        100,
        &[
            group_metadata("connect-cluster", "connect"),
            group_metadata("schemas", "sr"),
            group_metadata("billing", "consumer"),
        ],
    );
    let (read, skipped, errors) = r.progress.counters();
    assert_eq!((read, skipped, errors.len()), (3, 2, 0));
    assert!(r.store.group("connect-cluster").is_none());
    assert!(r.store.group("schemas").is_none());
    assert!(r.store.group("billing").is_some());
}

#[test]
fn the_consumers_allow_and_deny_lists_keep_groups_out() {
    let r = reader("group-allowlist = \"^app-\"\ngroup-denylist = \"-canary$\"");
    feed(
        &r,
        100,
        &[
            commit("app-billing", 0, 10),
            commit("app-billing-canary", 0, 10),
            commit("console-consumer-1", 0, 10),
            group_metadata("console-consumer-1", "consumer"),
        ],
    );
    assert_eq!(window(&r, "app-billing", 0), vec![10]);
    assert!(r.store.group("app-billing-canary").is_none());
    assert!(r.store.group("console-consumer-1").is_none());
}

#[test]
fn the_consumers_topic_lists_keep_commits_and_assignments_of_other_topics_out() {
    let r = reader("topic-denylist = \"^orders$\"");
    let storage_accepts = r.store.settings().accepts_topic("orders");
    feed(&r, 100, &[commit("billing", 0, 10)]);
    assert!(storage_accepts, "storage itself keeps the topic");
    assert!(r.store.group("billing").is_none());
    // The member's assignment of orders is dropped too: the group has members, no topic.
    feed(&r, 101, &[group_metadata("billing", "consumer")]);
    let g = r
        .store
        .group("billing")
        .expect("the group's membership is kept");
    assert_eq!(g.state.as_deref(), Some("Stable"));
    assert!(g.topics.is_empty(), "{:?}", g.topics.len());

    let r = reader("topic-allowlist = \"^ord\"");
    feed(&r, 100, &[commit("billing", 0, 10)]);
    assert_eq!(window(&r, "billing", 0), vec![10]);
}

#[test]
fn malformed_records_are_counted_by_kind_and_change_nothing() {
    let r = reader("");
    let mut w = r.store.writer();
    r.apply(&mut w, None, Some(b"x"), 100, NOW);
    r.apply(&mut w, Some(&[0, 1, 0]), Some(b"x"), 101, NOW);
    let (key, _) = commit("billing", 0, 10);
    r.apply(&mut w, Some(&key), Some(&[0, 3, 1]), 102, NOW);
    drop(w);
    let (read, _, errors) = r.progress.counters();
    assert_eq!(read, 3);
    assert_eq!(errors.values().sum::<u64>(), 3, "{errors:?}");
    assert_eq!(errors.get("missing_key"), Some(&1), "{errors:?}");
    assert!(r.store.group("billing").is_none());
}

#[test]
fn a_partition_starts_at_its_stored_position_else_at_the_end_with_start_latest() {
    // Stored: from there, counting catch-up from the earliest offset retention kept.
    assert_eq!(
        start_at(Some(500), true, 900, 100),
        (Offset::Offset(500), 500)
    );
    assert_eq!(
        start_at(Some(50), false, 900, 100),
        (Offset::Offset(50), 100)
    );
    // Nothing stored: the end with `start-latest`, else the beginning.
    assert_eq!(start_at(None, true, 900, 100), (Offset::End, 900));
    assert_eq!(start_at(None, false, 900, 100), (Offset::Beginning, 100));
}
