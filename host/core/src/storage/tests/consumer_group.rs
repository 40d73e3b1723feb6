//! KIP-848 groups: membership assembled from per-group and per-member records, topic ids
//! named once known, tombstones, Kafka's state rules, and persistence of the pieces.

use super::{NOW, commit, put, store};
use crate::model::TopicId;
use crate::storage::{
    ClusterStore, ConsumerGroupUpdate, MemberAssignment, MemberClient, StorageHandle,
};

const T: TopicId = TopicId([1; 16]);
const U: TopicId = TopicId([2; 16]);

fn cluster(s: &StorageHandle) -> &ClusterStore {
    s.cluster("local").unwrap()
}

fn apply(s: &StorageHandle, updates: &[ConsumerGroupUpdate<'_>]) {
    let mut w = cluster(s).writer();
    for u in updates {
        w.update_consumer_group("g", u.clone(), NOW);
    }
}

fn member<'a>(id: &'a str, client_id: &'a str, host: &'a str) -> ConsumerGroupUpdate<'a> {
    ConsumerGroupUpdate::Member {
        id,
        client: Some(MemberClient { client_id, host }),
    }
}

fn owns(id: &str, epoch: i32, topics: &[(TopicId, &[i32])]) -> ConsumerGroupUpdate<'static> {
    ConsumerGroupUpdate::Assignment {
        id: Box::leak(id.into()),
        assignment: Some(MemberAssignment {
            epoch,
            reconciling: false,
            topics: topics.iter().map(|(t, p)| (*t, p.to_vec())).collect(),
        }),
    }
}

/// (partition owner, client id) of each partition of topic `t`.
fn owners(s: &StorageHandle) -> Vec<(Option<String>, Option<String>)> {
    let g = cluster(s).group("g").unwrap();
    let t = g.topics.iter().find(|t| t.topic == "t").unwrap();
    t.partitions
        .iter()
        .map(|p| (p.owner.clone(), p.client_id.clone()))
        .collect()
}

fn state(s: &StorageHandle) -> Option<String> {
    cluster(s).group("g").and_then(|g| g.state)
}

fn named(s: &StorageHandle) {
    cluster(s)
        .writer()
        .learn_topic_ids([(T, "t"), (U, "u")], NOW);
}

fn stable_two_member_group(s: &StorageHandle) {
    apply(
        s,
        &[
            member("m1", "app-1", "/10.0.0.1"),
            ConsumerGroupUpdate::Epoch(Some(2)),
            ConsumerGroupUpdate::TargetEpoch(Some(2)),
            owns("m1", 2, &[(T, &[0])]),
            member("m2", "app-2", "/10.0.0.2"),
            owns("m2", 2, &[(T, &[1]), (U, &[0])]),
        ],
    );
}

fn some(host: &str, client: &str) -> (Option<String>, Option<String>) {
    (Some(host.into()), Some(client.into()))
}

#[test]
fn members_and_assignments_arriving_separately_make_the_groups_membership() {
    let s = store();
    named(&s);
    stable_two_member_group(&s);
    assert_eq!(state(&s).as_deref(), Some("Stable"));
    assert_eq!(
        owners(&s),
        vec![some("/10.0.0.1", "app-1"), some("/10.0.0.2", "app-2")]
    );
}

#[test]
fn an_unknown_topic_id_is_kept_until_its_name_is_learned() {
    let s = store();
    stable_two_member_group(&s);
    assert!(cluster(&s).group("g").unwrap().topics.is_empty());
    named(&s);
    assert_eq!(
        owners(&s),
        vec![some("/10.0.0.1", "app-1"), some("/10.0.0.2", "app-2")]
    );
}

#[test]
fn a_member_tombstone_removes_the_member_and_frees_its_partitions() {
    let s = store();
    named(&s);
    stable_two_member_group(&s);
    apply(
        &s,
        &[
            ConsumerGroupUpdate::Assignment {
                id: "m2",
                assignment: None,
            },
            ConsumerGroupUpdate::Member {
                id: "m2",
                client: None,
            },
        ],
    );
    assert_eq!(owners(&s), vec![some("/10.0.0.1", "app-1"), (None, None)]);
}

#[test]
fn state_follows_the_coordinators_rules() {
    let s = store();
    named(&s);
    apply(&s, &[ConsumerGroupUpdate::Epoch(Some(1))]);
    assert_eq!(state(&s).as_deref(), Some("Empty"));
    apply(&s, &[member("m1", "app-1", "/h")]);
    assert_eq!(state(&s).as_deref(), Some("Assigning"));
    apply(&s, &[ConsumerGroupUpdate::TargetEpoch(Some(1))]);
    assert_eq!(state(&s).as_deref(), Some("Reconciling"));
    apply(&s, &[owns("m1", 1, &[(T, &[0, 1])])]);
    assert_eq!(state(&s).as_deref(), Some("Stable"));
    apply(
        &s,
        &[ConsumerGroupUpdate::Assignment {
            id: "m1",
            assignment: Some(MemberAssignment {
                epoch: 1,
                reconciling: true,
                topics: vec![(T, vec![0])],
            }),
        }],
    );
    assert_eq!(state(&s).as_deref(), Some("Reconciling"));
}

#[test]
fn a_group_tombstone_drops_membership_but_not_committed_offsets() {
    let s = store();
    named(&s);
    put(&s, commit("g", "t", 0, 10, NOW, 1));
    stable_two_member_group(&s);
    apply(&s, &[ConsumerGroupUpdate::Epoch(None)]);
    let g = cluster(&s).group("g").expect("offsets keep the group");
    assert_eq!(g.state, None);
    assert_eq!(owners(&s), vec![(None, None), (None, None)]);
    assert_eq!(g.topics[0].partitions[0].commits.len(), 1);
}

#[test]
fn a_group_tombstone_deletes_a_group_that_has_no_offsets() {
    let s = store();
    apply(&s, &[ConsumerGroupUpdate::Epoch(Some(3))]);
    assert!(cluster(&s).group("g").is_some());
    apply(&s, &[ConsumerGroupUpdate::Epoch(None)]);
    assert!(cluster(&s).group("g").is_none());
}

#[test]
fn pieces_survive_a_restart_so_later_records_keep_the_other_members() {
    let s = store();
    named(&s);
    stable_two_member_group(&s);
    let delta = cluster(&s).take_delta(true);
    let copy = store();
    named(&copy);
    let report = cluster(&copy).restore(
        delta.topics.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
        delta.groups.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
        delta.positions.iter().map(|(n, p)| (n.as_str(), p.clone())),
    );
    assert!(report.damaged.is_empty(), "{:?}", report.damaged);
    assert_eq!(cluster(&copy).group("g"), cluster(&s).group("g"));
    // Only m2 changes after the restart; m1 must still own partition 0.
    apply(&copy, &[member("m2", "app-2b", "/10.0.0.3")]);
    assert_eq!(
        owners(&copy),
        vec![some("/10.0.0.1", "app-1"), some("/10.0.0.3", "app-2b")]
    );
}
