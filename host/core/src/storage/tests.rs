//! Storage rules, one behaviour per test (Burrow's in-memory storage rules, its
//! [`storage/inmemory.go`](https://github.com/linkedin/Burrow/blob/master/core/internal/storage/inmemory.go)).

mod consumer_group;

use super::*;
use crate::model::{Commit, GroupMembership, Member};

const NOW: i64 = 1_700_000_000_000;

fn store_with(settings: StorageSettings) -> StorageHandle {
    let s = StorageHandle::new(["local".to_string()], settings);
    {
        let mut w = s.cluster("local").unwrap().writer();
        w.set_topics(&[("t".into(), 2), ("u".into(), 1)]);
        w.record_heads("t", &[(0, 100), (1, 50)], NOW);
        w.record_heads("u", &[(0, 10)], NOW);
    }
    s
}

fn store() -> StorageHandle {
    store_with(StorageSettings::burrow_defaults())
}

fn commit<'a>(
    group: &'a str,
    topic: &'a str,
    partition: i32,
    offset: i64,
    ts: i64,
    order: i64,
) -> Commit<'a> {
    Commit {
        group,
        topic,
        partition,
        offset,
        timestamp_ms: ts,
        order,
    }
}

fn put(s: &StorageHandle, c: Commit<'_>) -> CommitOutcome {
    s.cluster("local")
        .unwrap()
        .writer()
        .commit(&c, CommitSource::OffsetsTopic, NOW)
}

/// The topics `group` is shown with, in order.
fn topic_names(c: &ClusterStore, group: &str) -> Vec<String> {
    c.group(group)
        .unwrap()
        .topics
        .into_iter()
        .map(|t| t.topic)
        .collect()
}

fn offsets(s: &StorageHandle, group: &str, topic: &str, p: usize) -> Vec<(i64, Option<u64>)> {
    let g = s.cluster("local").unwrap().group(group).unwrap();
    let t = g.topics.iter().find(|t| t.topic == topic).unwrap();
    t.partitions[p]
        .commits
        .iter()
        .map(|c| (c.offset, c.lag))
        .collect()
}

#[test]
fn lag_at_commit_is_head_minus_offset_and_never_negative() {
    let s = store();
    assert_eq!(
        put(&s, commit("g", "t", 0, 60, NOW, 1)),
        CommitOutcome::Stored
    );
    assert_eq!(
        put(&s, commit("g", "t", 1, 70, NOW + 1000, 2)),
        CommitOutcome::Stored
    );
    assert_eq!(offsets(&s, "g", "t", 0), vec![(60, Some(40))]);
    assert_eq!(offsets(&s, "g", "t", 1), vec![(70, Some(0))]);
}

#[test]
fn every_partition_of_a_consumed_topic_gets_a_window() {
    let s = store();
    put(&s, commit("g", "t", 1, 10, NOW, 1));
    let g = s.cluster("local").unwrap().group("g").unwrap();
    assert_eq!(g.topics.len(), 1);
    assert_eq!(g.topics[0].partitions.len(), 2);
    assert!(g.topics[0].partitions[0].commits.is_empty());
    assert_eq!(g.topics[0].partitions[1].current_lag, 40);
}

#[test]
fn commits_without_a_known_head_are_dropped_with_their_reason() {
    let s = store();
    assert_eq!(
        put(&s, commit("g", "nope", 0, 1, NOW, 1)),
        CommitOutcome::Dropped(DropReason::UnknownTopic)
    );
    assert_eq!(
        put(&s, commit("g", "t", 2, 1, NOW, 2)),
        CommitOutcome::Dropped(DropReason::UnknownPartition)
    );
    assert_eq!(
        put(&s, commit("g", "t", -1, 1, NOW, 3)),
        CommitOutcome::Dropped(DropReason::UnknownPartition)
    );
    s.cluster("local")
        .unwrap()
        .writer()
        .set_topics(&[("t".into(), 3), ("u".into(), 1)]);
    assert_eq!(
        put(&s, commit("g", "t", 2, 1, NOW, 4)),
        CommitOutcome::Dropped(DropReason::NoHeadOffset)
    );
    assert!(s.cluster("local").unwrap().group("g").is_none());
    let counts = s.cluster("local").unwrap().commit_outcomes();
    let unknown_partition = counts
        .iter()
        .find(|(o, _)| o.as_str() == "unknown_partition")
        .unwrap()
        .1;
    assert_eq!(unknown_partition, 2);
}

#[test]
fn commits_older_than_expire_group_are_dropped() {
    let s = store();
    let old = NOW - 604_800_001;
    assert_eq!(
        put(&s, commit("g", "t", 0, 1, old, 1)),
        CommitOutcome::Dropped(DropReason::TooOld)
    );
}

#[test]
fn replayed_records_are_dropped_by_source_order() {
    let s = store();
    assert_eq!(
        put(&s, commit("g", "t", 0, 10, NOW, 5)),
        CommitOutcome::Stored
    );
    assert_eq!(
        put(&s, commit("g", "t", 0, 10, NOW, 5)),
        CommitOutcome::Dropped(DropReason::Replayed)
    );
    assert_eq!(
        put(&s, commit("g", "t", 1, 10, NOW, 4)),
        CommitOutcome::Dropped(DropReason::Replayed)
    );
    assert_eq!(
        put(&s, commit("g", "t", 1, 10, NOW, 6)),
        CommitOutcome::Stored
    );
}

#[test]
fn unordered_commits_land_after_any_and_leave_the_order_to_the_ordered_source() {
    // ZooKeeper beside an offsets-topic reader: a group committing to both.
    let s = store();
    let unordered = |offset, source| {
        s.cluster("local").unwrap().writer().commit_unordered(
            &commit("g", "t", 0, offset, NOW, i64::MIN),
            source,
            NOW,
        )
    };
    assert_eq!(
        put(&s, commit("g", "t", 0, 10, NOW, 7)),
        CommitOutcome::Stored
    );
    assert_eq!(
        unordered(20, CommitSource::OffsetsTopic),
        CommitOutcome::Stored
    );
    // The reader's next record follows at once, though its position is only one further.
    assert_eq!(
        put(&s, commit("g", "t", 0, 30, NOW, 8)),
        CommitOutcome::Stored
    );
    assert_eq!(
        put(&s, commit("g", "t", 0, 5, NOW, 8)),
        CommitOutcome::Dropped(DropReason::Replayed)
    );
    assert_eq!(unordered(30, CommitSource::Poll), CommitOutcome::Unchanged);
    assert_eq!(
        unordered(40, CommitSource::OffsetsTopic),
        CommitOutcome::Stored
    );
    assert_eq!(
        offsets(&s, "g", "t", 0),
        vec![
            (10, Some(90)),
            (20, Some(80)),
            (30, Some(70)),
            (40, Some(60))
        ]
    );
}

#[test]
fn window_keeps_only_the_last_intervals_commits() {
    let s = store_with(StorageSettings {
        intervals: 3,
        ..StorageSettings::burrow_defaults()
    });
    for i in 0..5 {
        put(&s, commit("g", "t", 0, 10 + i, NOW + i * 1000, i));
    }
    let got: Vec<i64> = offsets(&s, "g", "t", 0)
        .into_iter()
        .map(|(o, _)| o)
        .collect();
    assert_eq!(got, vec![12, 13, 14]);
}

#[test]
fn min_distance_merges_into_the_previous_commit_and_keeps_its_timestamp() {
    let s = store_with(StorageSettings {
        min_distance_ms: 1000,
        ..StorageSettings::burrow_defaults()
    });
    put(&s, commit("g", "t", 0, 10, NOW, 1));
    assert_eq!(
        put(&s, commit("g", "t", 0, 20, NOW + 400, 2)),
        CommitOutcome::Merged
    );
    assert_eq!(
        put(&s, commit("g", "t", 0, 30, NOW + 900, 3)),
        CommitOutcome::Merged
    );
    assert_eq!(
        put(&s, commit("g", "t", 0, 40, NOW + 1000, 4)),
        CommitOutcome::Stored
    );
    let g = s.cluster("local").unwrap().group("g").unwrap();
    let c = &g.topics[0].partitions[0].commits;
    assert_eq!(
        c.iter()
            .map(|c| (c.offset, c.timestamp_ms))
            .collect::<Vec<_>>(),
        vec![(30, NOW), (40, NOW + 1000)]
    );
}

#[test]
fn polled_sources_store_only_changed_offsets() {
    let s = store();
    let w = || s.cluster("local").unwrap().writer();
    assert_eq!(
        w().commit(&commit("g", "t", 0, 10, NOW, 1), CommitSource::Poll, NOW),
        CommitOutcome::Stored
    );
    assert_eq!(
        w().commit(
            &commit("g", "t", 0, 10, NOW + 9, 2),
            CommitSource::Poll,
            NOW
        ),
        CommitOutcome::Unchanged
    );
    assert_eq!(
        w().commit(
            &commit("g", "t", 0, 11, NOW + 9, 3),
            CommitSource::Poll,
            NOW
        ),
        CommitOutcome::Stored
    );
}

#[test]
fn allow_and_deny_lists_filter_groups() {
    let s = store_with(StorageSettings {
        allow: Some(regex::Regex::new("^pay").unwrap()),
        deny: Some(regex::Regex::new("test$").unwrap()),
        ..StorageSettings::burrow_defaults()
    });
    assert_eq!(
        put(&s, commit("payments", "t", 0, 1, NOW, 1)),
        CommitOutcome::Stored
    );
    assert_eq!(
        put(&s, commit("payments-test", "t", 0, 1, NOW, 1)),
        CommitOutcome::Dropped(DropReason::Filtered)
    );
    assert_eq!(
        put(&s, commit("orders", "t", 0, 1, NOW, 1)),
        CommitOutcome::Dropped(DropReason::Filtered)
    );
}

#[test]
fn deleted_topics_disappear_from_every_group_and_empty_groups_go() {
    let s = store();
    put(&s, commit("both", "t", 0, 1, NOW, 1));
    put(&s, commit("both", "u", 0, 1, NOW, 2));
    put(&s, commit("only-u", "u", 0, 1, NOW, 1));
    let removed = s
        .cluster("local")
        .unwrap()
        .writer()
        .set_topics(&[("t".into(), 2)]);
    assert_eq!(removed, vec!["u".to_string()]);
    let c = s.cluster("local").unwrap();
    assert_eq!(c.topic_names(), vec!["t"]);
    assert_eq!(c.group_names(), vec!["both"]);
    assert_eq!(c.group("both").unwrap().topics.len(), 1);
    assert_eq!(c.topic_consumers("u"), None);
}

#[test]
fn partitions_added_later_are_picked_up() {
    let s = store();
    put(&s, commit("g", "t", 0, 1, NOW, 1));
    {
        let mut w = s.cluster("local").unwrap().writer();
        w.set_topics(&[("t".into(), 4), ("u".into(), 1)]);
        w.record_heads("t", &[(3, 9)], NOW);
    }
    assert_eq!(
        put(&s, commit("g", "t", 3, 5, NOW, 2)),
        CommitOutcome::Stored
    );
    let g = s.cluster("local").unwrap().group("g").unwrap();
    assert_eq!(g.topics[0].partitions.len(), 4);
    assert_eq!(g.topics[0].partitions[3].current_lag, 4);
    assert_eq!(
        s.cluster("local").unwrap().topic_heads("t"),
        Some(vec![100, 50, 9])
    );
}

#[test]
fn membership_sets_owners_and_an_empty_group_clears_them() {
    let s = store();
    put(&s, commit("g", "t", 0, 1, NOW, 1));
    let member = |host: &str, id: &str, parts: Vec<i32>| Member {
        host: host.into(),
        client_id: id.into(),
        assignment: vec![("t".into(), parts)],
    };
    let c = s.cluster("local").unwrap();
    c.writer().set_membership(
        "g",
        &GroupMembership {
            state: Some("Stable".into()),
            members: vec![
                member("/10.0.0.1", "c1", vec![0]),
                member("/10.0.0.2", "c2", vec![1]),
            ],
        },
        NOW,
    );
    let g = c.group("g").unwrap();
    assert_eq!(g.state.as_deref(), Some("Stable"));
    assert_eq!(
        g.topics[0].partitions[0].owner.as_deref(),
        Some("/10.0.0.1")
    );
    assert_eq!(g.topics[0].partitions[1].client_id.as_deref(), Some("c2"));

    c.writer().set_membership(
        "g",
        &GroupMembership {
            state: Some("Empty".into()),
            members: vec![],
        },
        NOW,
    );
    let g = c.group("g").unwrap();
    assert!(g.topics[0].partitions.iter().all(|p| p.owner.is_none()));
}

#[test]
fn memberships_report_state_and_member_count_of_described_groups_only() {
    let s = store();
    put(&s, commit("described", "t", 0, 1, NOW, 1));
    put(&s, commit("committed-only", "t", 0, 1, NOW, 2));
    let c = s.cluster("local").unwrap();
    let member = |id: &str| Member {
        host: "/10.0.0.1".into(),
        client_id: id.into(),
        assignment: vec![],
    };
    c.writer().set_membership(
        "described",
        &GroupMembership {
            state: Some("PreparingRebalance".into()),
            members: vec![member("c1"), member("c2"), member("c3")],
        },
        NOW,
    );
    let m = c.memberships();
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m["described"], (Some("PreparingRebalance".to_string()), 3));
    c.writer().set_membership(
        "described",
        &GroupMembership {
            state: Some("Empty".into()),
            members: vec![],
        },
        NOW,
    );
    assert_eq!(c.memberships()["described"], (Some("Empty".to_string()), 0));
}

#[test]
fn offset_tombstones_forget_windows_and_then_the_group() {
    let s = store();
    put(&s, commit("g", "t", 0, 1, NOW, 1));
    put(&s, commit("g", "u", 0, 1, NOW, 2));
    let c = s.cluster("local").unwrap();
    c.writer().forget_offset("g", "u", 0, 3);
    assert_eq!(c.group("g").unwrap().topics.len(), 1);
    c.writer().forget_offset("g", "t", 0, 4);
    assert!(c.group("g").is_none());
}

#[test]
fn tombstones_replayed_after_a_restart_keep_what_was_committed_after_them() {
    // Positions are persisted before some groups' windows (see persist.rs), so a restart may
    // re-read an offset tombstone or a group tombstone the group has since moved past.
    let s = store();
    let c = s.cluster("local").unwrap();
    put(&s, commit("g", "t", 0, 5, NOW, 10));
    c.writer().forget_offset("g", "t", 0, 20);
    put(&s, commit("g", "t", 0, 8, NOW, 30));
    put(&s, commit("g", "t", 1, 9, NOW, 31));

    c.writer().forget_offset("g", "t", 0, 20);
    assert!(!c.writer().forget_group("g", 25));
    assert_eq!(
        put(&s, commit("g", "t", 0, 8, NOW, 30)),
        CommitOutcome::Dropped(DropReason::Replayed)
    );
    assert_eq!(offsets(&s, "g", "t", 0), vec![(8, Some(92))]);
    assert_eq!(offsets(&s, "g", "t", 1), vec![(9, Some(41))]);

    // A tombstone after the newest commit still applies.
    c.writer().forget_offset("g", "t", 1, 32);
    assert!(offsets(&s, "g", "t", 1).is_empty());
    assert!(c.writer().forget_group("g", 33));
    assert!(c.group("g").is_none());
}

fn origin(offsets_topic: Option<&str>, cluster: &str) -> Origin {
    Origin {
        offsets_topic: offsets_topic.map(Into::into),
        cluster_id: Some(cluster.into()),
        topic_id: None,
    }
}

#[test]
fn a_changed_origin_forgets_orders_and_positions_and_keeps_the_windows() {
    let s = store();
    let c = s.cluster("local").unwrap();
    let reader = origin(Some("__consumer_offsets"), "k1");
    assert_eq!(c.writer().claim_origin(origin(None, "k1")), None);
    // The Admin API poller's orders come from the clock (µs).
    put(
        &s,
        commit("g", "t", 0, 5, NOW - 10_000, 1_700_000_000_000_000),
    );
    put(
        &s,
        commit("g", "t", 1, 7, NOW - 10_000, 1_700_000_000_000_001),
    );
    c.writer().set_position("reader", 0, 42);

    assert_eq!(
        c.writer().claim_origin(reader.clone()),
        Some(origin(None, "k1"))
    );
    assert!(c.positions("reader").is_empty());
    // The offsets topic re-read from its start: what the windows already stand for is a
    // replay, what came after is stored.
    assert_eq!(
        put(&s, commit("g", "t", 0, 4, NOW - 20_000, 3)),
        CommitOutcome::Dropped(DropReason::Replayed)
    );
    assert_eq!(
        put(&s, commit("g", "t", 0, 9, NOW, 4)),
        CommitOutcome::Stored
    );
    assert_eq!(
        put(&s, commit("g", "t", 1, 11, NOW, 5)),
        CommitOutcome::Stored
    );
    assert_eq!(offsets(&s, "g", "t", 0), vec![(5, Some(95)), (9, Some(91))]);

    // The same origin again, or with an id the brokers did not give this time, resets nothing.
    c.writer().set_position("reader", 0, 43);
    let unknown = Origin {
        cluster_id: None,
        ..reader.clone()
    };
    assert_eq!(c.writer().claim_origin(unknown), None);
    assert_eq!(c.writer().claim_origin(reader), None);
    assert_eq!(c.positions("reader"), vec![43]);
    assert_eq!(
        put(&s, commit("g", "t", 0, 9, NOW, 4)),
        CommitOutcome::Dropped(DropReason::Replayed)
    );

    // Another cluster behind the same name.
    assert!(
        c.writer()
            .claim_origin(origin(Some("__consumer_offsets"), "k2"))
            .is_some()
    );
    assert!(c.positions("reader").is_empty());
}

#[test]
fn a_group_whose_members_were_read_before_its_commits_stores_its_commits() {
    // The coordinator writes a group's membership before its first commit; Warren may read
    // both long after they were written (catching up), so the group is created at a `now`
    // later than the commits' own times.
    let s = store();
    let c = s.cluster("local").unwrap();
    let membership = GroupMembership {
        state: Some("Stable".into()),
        members: vec![Member {
            host: "/10.0.0.1".into(),
            client_id: "app".into(),
            assignment: vec![("t".into(), vec![0, 1])],
        }],
    };
    c.writer().set_membership("g", &membership, NOW + 60_000);
    assert_eq!(
        put(&s, commit("g", "t", 0, 5, NOW - 10_000, 1)),
        CommitOutcome::Stored
    );
    assert_eq!(
        put(&s, commit("g", "t", 1, 7, NOW - 10_000, 2)),
        CommitOutcome::Stored
    );
}

#[test]
fn a_new_id_of_the_offsets_topic_from_the_brokers_resets_the_marks_and_tells_the_reader() {
    use crate::model::TopicId;
    let s = store();
    let c = s.cluster("local").unwrap();
    c.writer()
        .claim_origin(origin(Some("__consumer_offsets"), "k1"));
    // The first id learned completes the origin; learning it again changes nothing.
    c.writer()
        .learn_topic_ids([(TopicId([1; 16]), "__consumer_offsets")], NOW);
    put(&s, commit("g", "t", 0, 5, NOW - 10_000, 40));
    c.writer().set_position("reader", 0, 41);
    c.writer()
        .learn_topic_ids([(TopicId([1; 16]), "__consumer_offsets")], NOW);
    assert!(!c.take_origin_change());
    assert_eq!(c.positions("reader"), vec![41]);

    c.writer()
        .learn_topic_ids([(TopicId([2; 16]), "__consumer_offsets")], NOW);
    assert!(c.take_origin_change(), "the reader is told");
    assert!(!c.take_origin_change(), "once");
    assert!(c.positions("reader").is_empty());
    assert_eq!(
        put(&s, commit("g", "t", 0, 8, NOW, 0)),
        CommitOutcome::Stored
    );
}

#[test]
fn the_origin_is_persisted_with_the_positions() {
    let s = store();
    let c = s.cluster("local").unwrap();
    c.writer()
        .claim_origin(origin(Some("__consumer_offsets"), "k1"));
    let delta = c.take_delta(true);
    let copy = store();
    let restored = copy.cluster("local").unwrap();
    restored.restore_origin(delta.origin.as_deref().unwrap());
    assert!(restored.writer().claim_origin(origin(None, "k1")).is_some());
}

#[test]
fn groups_without_commits_for_expire_group_are_deleted_actively() {
    let s = store();
    put(&s, commit("old", "t", 0, 1, NOW - 600_000_000, 1));
    put(&s, commit("fresh", "t", 0, 1, NOW, 1));
    let expired = s
        .cluster("local")
        .unwrap()
        .writer()
        .expire_groups(NOW + 5_000_000);
    assert_eq!(expired.groups, vec!["old".to_string()]);
    assert_eq!(s.cluster("local").unwrap().group_names(), vec!["fresh"]);
}

#[test]
fn a_topic_the_group_stopped_committing_to_expires_and_the_group_stays() {
    let s = store();
    let c = s.cluster("local").unwrap();
    put(&s, commit("g", "t", 0, 1, NOW - 600_000_000, 1));
    put(&s, commit("g", "t", 1, 1, NOW - 600_000_000, 2));
    put(&s, commit("g", "u", 0, 1, NOW, 3));
    // Five seconds before the cutoff passes t's newest commit: nothing goes yet.
    assert_eq!(c.writer().expire_groups(NOW - 5_000), Expired::default());
    let expired = c.writer().expire_groups(NOW + 5_000_000);
    assert_eq!(
        expired,
        Expired {
            groups: vec![],
            topics: vec![("g".to_string(), "t".to_string())],
        }
    );
    assert_eq!(topic_names(c, "g"), vec!["u"]);
    assert_eq!(c.topic_consumers("t"), Some(vec![]));
}

#[test]
fn a_topic_stays_while_any_of_its_partitions_is_committed_to() {
    let s = store();
    let c = s.cluster("local").unwrap();
    put(&s, commit("g", "t", 0, 1, NOW - 600_000_000, 1));
    put(&s, commit("g", "t", 1, 1, NOW, 2));
    assert_eq!(
        c.writer().expire_groups(NOW + 5_000_000),
        Expired::default()
    );
    assert_eq!(offsets(&s, "g", "t", 0), vec![(1, Some(99))]);
}

#[test]
fn a_stale_topic_a_member_is_still_assigned_does_not_expire() {
    let s = store();
    let c = s.cluster("local").unwrap();
    assert_eq!(
        put(&s, commit("g", "t", 0, 1, NOW - 600_000_000, 1)),
        CommitOutcome::Stored
    );
    assert_eq!(
        put(&s, commit("g", "u", 0, 1, NOW, 2)),
        CommitOutcome::Stored
    );
    let membership = GroupMembership {
        state: Some("Stable".to_string()),
        members: vec![Member {
            host: "/10.0.0.1".to_string(),
            client_id: "c1".to_string(),
            assignment: vec![("t".to_string(), vec![0]), ("u".to_string(), vec![0])],
        }],
    };
    c.writer().set_membership("g", &membership, NOW);
    // t's last commit is a week old, but its consumer still holds it: it may be stuck.
    assert_eq!(
        c.writer().expire_groups(NOW + 5_000_000),
        Expired::default()
    );
    assert_eq!(topic_names(c, "g"), vec!["t", "u"]);
}

#[test]
fn an_assigned_topic_without_commits_does_not_expire() {
    let s = store();
    let c = s.cluster("local").unwrap();
    put(&s, commit("g", "t", 0, 1, NOW, 1));
    let membership = GroupMembership {
        state: Some("Stable".to_string()),
        members: vec![Member {
            host: "/10.0.0.1".to_string(),
            client_id: "c1".to_string(),
            assignment: vec![("u".to_string(), vec![0])],
        }],
    };
    c.writer().set_membership("g", &membership, NOW);
    // Long after the topics' HEAD polls, but t was committed at NOW: u has no commit at all.
    let expired = c.writer().expire_groups(NOW + 1_000);
    assert_eq!(expired, Expired::default());
    assert_eq!(topic_names(c, "g"), vec!["t", "u"]);
}

#[test]
fn a_topic_denied_by_the_storage_lists_keeps_neither_heads_nor_commits() {
    let s = store_with(StorageSettings {
        topic_deny: Some(regex::Regex::new("^u$").unwrap()),
        ..StorageSettings::burrow_defaults()
    });
    let c = s.cluster("local").unwrap();
    assert_eq!(c.topic_names(), vec!["t"]);
    assert_eq!(c.head_offsets("u"), None);
    assert_eq!(
        put(&s, commit("g", "u", 0, 1, NOW, 1)),
        CommitOutcome::Dropped(DropReason::Filtered)
    );
    assert_eq!(
        put(&s, commit("g", "t", 0, 1, NOW, 2)),
        CommitOutcome::Stored
    );
}

#[test]
fn only_topics_matching_the_storage_allowlist_are_stored() {
    let s = store_with(StorageSettings {
        topic_allow: Some(regex::Regex::new("^t").unwrap()),
        ..StorageSettings::burrow_defaults()
    });
    let c = s.cluster("local").unwrap();
    assert_eq!(c.topic_names(), vec!["t"]);
    assert_eq!(
        put(&s, commit("g", "u", 0, 1, NOW, 1)),
        CommitOutcome::Dropped(DropReason::Filtered)
    );
    assert_eq!(
        put(&s, commit("g", "t", 0, 1, NOW, 2)),
        CommitOutcome::Stored
    );
    assert_eq!(c.group_names(), vec!["g"]);
}

#[test]
fn head_history_keeps_intervals_samples_per_partition() {
    let s = store_with(StorageSettings {
        intervals: 2,
        ..StorageSettings::burrow_defaults()
    });
    let c = s.cluster("local").unwrap();
    c.writer().record_heads("t", &[(0, 110)], NOW + 1);
    c.writer().record_heads("t", &[(0, 120)], NOW + 2);
    put(&s, commit("g", "t", 0, 1, NOW, 1));
    let heads: Vec<i64> = c.group("g").unwrap().topics[0].partitions[0]
        .heads
        .iter()
        .map(|h| h.offset)
        .collect();
    assert_eq!(heads, vec![110, 120]);
}

#[test]
fn without_snapshots_deleted_expired_and_vanished_group_names_are_not_kept() {
    for snapshots in [true, false] {
        let s = store_with(StorageSettings {
            snapshots,
            ..StorageSettings::burrow_defaults()
        });
        let names: Vec<String> = (0..30).map(|i| format!("g{i}")).collect();
        for (i, g) in names.iter().enumerate() {
            let topic = if i < 20 { "t" } else { "u" };
            put(&s, commit(g, topic, 0, 10, NOW, 1));
        }
        let c = s.cluster("local").unwrap();
        for g in &names[..10] {
            assert!(c.writer().delete_group(g));
        }
        assert_eq!(
            c.writer().expire_groups(NOW + 8 * 86_400_000).groups.len(),
            20
        );
        let kept = c.state.read().unwrap().removed.len();
        assert_eq!(
            kept,
            if snapshots { 30 } else { 0 },
            "snapshots: {snapshots}"
        );
    }
}
