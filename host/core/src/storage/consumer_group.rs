//! KIP-848 groups (`group.protocol=consumer`): the coordinator writes their state as separate
//! records per group and per member (epoch, member, member's current assignment), where a
//! classic group gets one `GroupMetadata` record with everything. Storage keeps those pieces
//! per group ([`ConsumerGroup`]) and, after every piece, derives the same [`GroupMembership`]
//! a classic group's record gives, so owners, states and the API work alike for both.
//!
//! Assignments name topics by id. The cluster's id → name map is filled from metadata (and
//! from Kafka 4.0's `ConsumerGroupPartitionMetadata` records); an id not in it yet is kept,
//! and the group's membership is derived again once the name is learned.
//!
//! The group's state is Kafka's, derived as its coordinator does: `Empty` without members,
//! `Assigning` while the target assignment lags the group epoch, `Reconciling` while some
//! member has not reached it, else `Stable`.

use super::cluster::{ClusterWriter, Group};
use super::persist::{Dec, Enc};
use crate::model::{GroupMembership, Member, TopicId};

/// One piece of a KIP-848 group's state, as one `__consumer_offsets` record carries it. `None`
/// is the record's tombstone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsumerGroupUpdate<'a> {
    /// The group epoch (`ConsumerGroupMetadata`); a tombstone deletes the group's membership.
    Epoch(Option<i32>),
    /// The target assignment's epoch (`ConsumerGroupTargetAssignmentMetadata`).
    TargetEpoch(Option<i32>),
    /// A member's client (`ConsumerGroupMemberMetadata`); a tombstone removes the member.
    Member {
        /// Coordinator-assigned member id.
        id: &'a str,
        /// The member's `client.id` and host, or `None` when it left.
        client: Option<MemberClient<'a>>,
    },
    /// What a member owns (`ConsumerGroupCurrentMemberAssignment`).
    Assignment {
        /// Coordinator-assigned member id.
        id: &'a str,
        /// The assignment, or `None` when the member is gone.
        assignment: Option<MemberAssignment>,
    },
}

/// Who a KIP-848 member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberClient<'a> {
    /// The client's `client.id`.
    pub client_id: &'a str,
    /// The client's host, as Kafka reports it (e.g. `/10.0.0.1`).
    pub host: &'a str,
}

/// What a KIP-848 member owns, and whether it has caught up with the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAssignment {
    /// The member epoch.
    pub epoch: i32,
    /// Kafka's member state is not `STABLE`: it still has partitions to revoke or receive.
    pub reconciling: bool,
    /// Owned partitions by topic id.
    pub topics: Vec<(TopicId, Vec<i32>)>,
}

/// The pieces of one KIP-848 group that storage keeps.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ConsumerGroup {
    epoch: Option<i32>,
    target_epoch: Option<i32>,
    /// Sorted by member id.
    members: Vec<GroupMember>,
    /// Some assigned topic id had no known name when membership was last derived.
    unresolved: bool,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct GroupMember {
    id: Box<str>,
    client_id: Box<str>,
    host: Box<str>,
    /// `None` until the member's assignment record is read.
    assignment: Option<MemberAssignment>,
}

impl ConsumerGroup {
    fn member_mut(&mut self, id: &str) -> &mut GroupMember {
        let i = match self.members.binary_search_by(|m| (*m.id).cmp(id)) {
            Ok(i) => i,
            Err(i) => {
                self.members.insert(
                    i,
                    GroupMember {
                        id: id.into(),
                        ..GroupMember::default()
                    },
                );
                i
            }
        };
        &mut self.members[i]
    }

    fn remove_member(&mut self, id: &str) {
        if let Ok(i) = self.members.binary_search_by(|m| (*m.id).cmp(id)) {
            self.members.remove(i);
        }
    }

    fn apply(&mut self, update: ConsumerGroupUpdate<'_>) {
        match update {
            ConsumerGroupUpdate::Epoch(epoch) => self.epoch = epoch,
            ConsumerGroupUpdate::TargetEpoch(epoch) => self.target_epoch = epoch,
            ConsumerGroupUpdate::Member { id, client: None } => self.remove_member(id),
            ConsumerGroupUpdate::Member {
                id,
                client: Some(c),
            } => {
                let m = self.member_mut(id);
                if *m.client_id != *c.client_id {
                    m.client_id = c.client_id.into();
                }
                if *m.host != *c.host {
                    m.host = c.host.into();
                }
            }
            // The member's metadata tombstone follows and removes it; until then it owns
            // nothing.
            ConsumerGroupUpdate::Assignment { id, assignment } => {
                self.member_mut(id).assignment = assignment;
            }
        }
    }

    /// Kafka's group state, by the coordinator's rules.
    fn state(&self) -> &'static str {
        if self.members.is_empty() {
            return "Empty";
        }
        if self.target_epoch.unwrap_or(-1) < self.epoch.unwrap_or(-1) {
            return "Assigning";
        }
        let caught_up = |m: &GroupMember| {
            m.assignment
                .as_ref()
                .is_some_and(|a| !a.reconciling && Some(a.epoch) == self.target_epoch)
        };
        if self.members.iter().all(caught_up) {
            "Stable"
        } else {
            "Reconciling"
        }
    }

    /// The membership to store, naming topics through `name_of`; notes whether any id was
    /// left unnamed.
    fn membership(&mut self, name_of: impl Fn(&TopicId) -> Option<String>) -> GroupMembership {
        let mut unresolved = false;
        let members = self
            .members
            .iter()
            .map(|m| Member {
                host: m.host.to_string(),
                client_id: m.client_id.to_string(),
                assignment: m
                    .assignment
                    .iter()
                    .flat_map(|a| &a.topics)
                    .filter_map(|(id, partitions)| {
                        let name = name_of(id);
                        unresolved |= name.is_none();
                        Some((name?, partitions.clone()))
                    })
                    .collect(),
            })
            .collect();
        self.unresolved = unresolved;
        GroupMembership {
            state: Some(self.state().into()),
            members,
        }
    }
}

impl ClusterWriter<'_> {
    /// Applies one KIP-848 record of `group` and derives the group's membership again.
    pub fn update_consumer_group(
        &mut self,
        group: &str,
        update: ConsumerGroupUpdate<'_>,
        now_ms: i64,
    ) {
        if !self.store.settings().accepts(group) {
            return;
        }
        if update == ConsumerGroupUpdate::Epoch(None) {
            // The group was deleted. Its offsets are tombstoned separately, and a group left
            // without offsets goes with the last of them.
            if let Some(g) = self.state.groups.get_mut(group) {
                g.consumer = None;
                g.dirty = true;
                let empty = GroupMembership {
                    state: None,
                    members: Vec::new(),
                };
                self.set_membership(group, &empty, now_ms);
                if self
                    .state
                    .groups
                    .get(group)
                    .is_some_and(|g| g.topics.is_empty())
                {
                    self.delete_group(group);
                }
            }
            return;
        }
        let g = self.group_mut(group, now_ms);
        g.consumer.get_or_insert_default().apply(update);
        self.derive_membership(group, now_ms);
    }

    /// Learns topic names for ids (from metadata, or Kafka 4.0's partition-metadata records),
    /// and derives again the membership of groups that were waiting for one of them.
    pub fn learn_topic_ids<'n>(
        &mut self,
        ids: impl IntoIterator<Item = (TopicId, &'n str)>,
        now_ms: i64,
    ) {
        let mut learned = false;
        for (id, name) in ids {
            self.note_topic_id(id, name);
            if self.state.topic_ids.get(&id).is_none_or(|n| **n != *name) {
                self.state.topic_ids.insert(id, name.into());
                learned = true;
            }
        }
        if !learned {
            return;
        }
        let waiting: Vec<Box<str>> = self
            .state
            .groups
            .iter()
            .filter(|(_, g)| g.consumer.as_ref().is_some_and(|c| c.unresolved))
            .map(|(name, _)| name.clone())
            .collect();
        for group in waiting {
            self.derive_membership(&group, now_ms);
        }
    }

    fn derive_membership(&mut self, group: &str, now_ms: i64) {
        let state = &mut *self.state;
        let Some(consumer) = state
            .groups
            .get_mut(group)
            .and_then(|g| g.consumer.as_mut())
        else {
            return;
        };
        let ids = &state.topic_ids;
        let membership = consumer.membership(|id| ids.get(id).map(|n| n.to_string()));
        self.set_membership(group, &membership, now_ms);
    }
}

impl Group {
    /// Whether the group has KIP-848 state to persist.
    pub(crate) fn consumer(&self) -> Option<&ConsumerGroup> {
        self.consumer.as_deref()
    }
}

/// Appends a KIP-848 group's pieces to a persisted group (see `persist.rs`).
pub(crate) fn encode(c: &ConsumerGroup, e: &mut Enc) {
    let opt = |e: &mut Enc, v: Option<i32>| e.zig(v.map_or(-2, i64::from));
    opt(e, c.epoch);
    opt(e, c.target_epoch);
    e.var(c.members.len() as u64);
    for m in &c.members {
        e.str(&m.id);
        e.str(&m.client_id);
        e.str(&m.host);
        match &m.assignment {
            None => e.var(0),
            Some(a) => {
                e.var(1 + u64::from(a.reconciling));
                e.zig(a.epoch.into());
                e.var(a.topics.len() as u64);
                for (id, partitions) in &a.topics {
                    e.raw(&id.0);
                    e.var(partitions.len() as u64);
                    for &p in partitions {
                        e.zig(p.into());
                    }
                }
            }
        }
    }
}

/// Reads what [`encode`] wrote; every count is bounded by the bytes left.
pub(crate) fn decode(d: &mut Dec<'_>) -> Result<ConsumerGroup, String> {
    let int = |d: &mut Dec<'_>| -> Result<i32, String> {
        i32::try_from(d.zig()?).map_err(|_| "int32 out of range".to_string())
    };
    let opt =
        |d: &mut Dec<'_>| -> Result<Option<i32>, String> { Ok(Some(int(d)?).filter(|v| *v != -2)) };
    let count = |d: &mut Dec<'_>| -> Result<usize, String> {
        let n = usize::try_from(d.var()?).unwrap_or(usize::MAX);
        if n > d.remaining() {
            return Err(format!("count {n} with {} bytes left", d.remaining()));
        }
        Ok(n)
    };
    let epoch = opt(d)?;
    let target_epoch = opt(d)?;
    let n = count(d)?;
    let mut members = Vec::with_capacity(n);
    for _ in 0..n {
        let id = d.str()?.into();
        let client_id = d.str()?.into();
        let host = d.str()?.into();
        let assignment = match d.var()? {
            0 => None,
            tag @ (1 | 2) => {
                let epoch = int(d)?;
                let topics_n = count(d)?;
                let mut topics = Vec::with_capacity(topics_n);
                for _ in 0..topics_n {
                    let id = TopicId(d.take()?);
                    let partitions_n = count(d)?;
                    let mut partitions = Vec::with_capacity(partitions_n);
                    for _ in 0..partitions_n {
                        partitions.push(int(d)?);
                    }
                    topics.push((id, partitions));
                }
                Some(MemberAssignment {
                    epoch,
                    reconciling: tag == 2,
                    topics,
                })
            }
            tag => return Err(format!("bad assignment tag {tag}")),
        };
        members.push(GroupMember {
            id,
            client_id,
            host,
            assignment,
        });
    }
    members.sort_by(|a, b| a.id.cmp(&b.id));
    members.dedup_by(|a, b| a.id == b.id);
    Ok(ConsumerGroup {
        epoch,
        target_epoch,
        members,
        // Derived again on the next record or name learned; until then owners are as saved.
        unresolved: true,
    })
}
