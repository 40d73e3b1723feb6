//! The `__consumer_offsets` record codec: the first step of Warren's data flow, between the
//! Kafka consumer (which hands over raw key and value bytes) and `storage` (which wants typed
//! commits and group membership).
//!
//! This module owns the wire format of Kafka's group coordinator records: `OffsetCommitKey`
//! (key versions 0 and 1), `GroupMetadataKey` (key version 2), `OffsetCommitValue` v0..=4,
//! `GroupMetadataValue` v0..=4 and the `ConsumerProtocolAssignment` carried inside member
//! metadata; and the KIP-848 consumer-group records of Kafka 4.x (key versions 3 to 8, see
//! `consumer_group.rs`). Other key versions (share groups, streams groups, the target
//! assignment of each member) are recognised and reported as [`Record::Skipped`] rather than
//! decoded.
//!
//! The decoder is a bounds-checked cursor over the borrowed record bytes: it never panics,
//! never sizes an allocation from a wire count alone, and decoding an offset commit allocates
//! nothing. Trailing bytes after the last field of a known version are ignored, as Kafka's own
//! readers do: a future broker may append fields without bumping a version we understand.
//!
//! The encoder writes the same format so tests, `warren demo` and benchmarks can produce
//! synthetic records that are byte-for-byte what a broker would write.

mod consumer_group;
mod decode;
mod encode;
mod error;
mod partition;
mod reader;

#[cfg(test)]
mod tests;

pub use consumer_group::{
    ConsumerGroupValue, ConsumerMemberValue, MemberAssignmentValue, TargetAssignmentValue,
    TopicIdPartitions, TopicMetadata,
};
pub use decode::{decode, decode_assignment};
pub use encode::{
    encode_assignment, encode_group_metadata_key, encode_group_metadata_value,
    encode_offset_commit_key, encode_offset_commit_value, write_offset_commit_key,
    write_offset_commit_value,
};
pub use error::{DecodeError, DecodeErrorKind};
pub use partition::offsets_partition;

/// One decoded `__consumer_offsets` record, borrowing strings from the record bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record<'a> {
    /// A committed offset for one partition (key versions 0 and 1).
    OffsetCommit {
        /// Consumer group id.
        group: &'a str,
        /// Topic the offset was committed for.
        topic: &'a str,
        /// Partition the offset was committed for.
        partition: i32,
        /// The commit, or `None` for a tombstone (the offset was deleted or expired).
        value: Option<OffsetCommitValue<'a>>,
    },
    /// Group membership and assignment (key version 2).
    GroupMetadata {
        /// Consumer group id.
        group: &'a str,
        /// The group state, or `None` for a tombstone (the group was deleted).
        value: Option<GroupMetadataValue<'a>>,
    },
    /// A KIP-848 group's epoch (key version 3, `ConsumerGroupMetadata`).
    ConsumerGroup {
        /// Consumer group id.
        group: &'a str,
        /// The epoch, or `None` for a tombstone (the group was deleted).
        value: Option<ConsumerGroupValue>,
    },
    /// The topics a KIP-848 group subscribes to, by id and name (key version 4,
    /// `ConsumerGroupPartitionMetadata`; written by Kafka 4.0, only tombstoned later).
    ConsumerGroupTopics {
        /// Consumer group id.
        group: &'a str,
        /// The topics, or `None` for a tombstone.
        value: Option<Vec<TopicMetadata<'a>>>,
    },
    /// One member of a KIP-848 group (key version 5, `ConsumerGroupMemberMetadata`).
    ConsumerGroupMember {
        /// Consumer group id.
        group: &'a str,
        /// Coordinator-assigned member id.
        member_id: &'a str,
        /// The member, or `None` for a tombstone (the member left or was fenced).
        value: Option<ConsumerMemberValue<'a>>,
    },
    /// The epoch of a KIP-848 group's target assignment (key version 6,
    /// `ConsumerGroupTargetAssignmentMetadata`).
    ConsumerGroupTargetAssignment {
        /// Consumer group id.
        group: &'a str,
        /// The epoch, or `None` for a tombstone.
        value: Option<TargetAssignmentValue>,
    },
    /// What one member of a KIP-848 group currently owns (key version 8,
    /// `ConsumerGroupCurrentMemberAssignment`).
    ConsumerGroupMemberAssignment {
        /// Consumer group id.
        group: &'a str,
        /// Coordinator-assigned member id.
        member_id: &'a str,
        /// The assignment, or `None` for a tombstone (the member is gone).
        value: Option<MemberAssignmentValue>,
    },
    /// A coordinator record Warren does not interpret: key version 7 (a KIP-848 member's
    /// target assignment) and 9 and up, such as the share-group, streams-group and regular
    /// expression records of Kafka 4.x.
    Skipped {
        /// The key version that was read, for metrics and debug logging.
        key_version: i16,
    },
}

/// The value of an offset commit record (`OffsetCommitValue`, versions 0..=4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetCommitValue<'a> {
    /// Schema version of the value; the encoder honours it, so fields absent from that
    /// version are not written.
    pub version: i16,
    /// The committed offset: the next offset the group will consume.
    pub offset: i64,
    /// Leader epoch of the committed offset (v3+). Kafka writes -1 for "unknown", which
    /// decodes as `None`, the same mapping Kafka applies when it loads the record; the
    /// encoder writes -1 for `None`.
    pub leader_epoch: Option<i32>,
    /// Free-form metadata the client attached to the commit (often empty).
    pub metadata: &'a str,
    /// When the coordinator accepted the commit, in milliseconds since the Unix epoch.
    pub commit_timestamp: i64,
    /// Explicit expiry time (v1 only, decoded verbatim); `None` in every other version. The
    /// encoder writes -1, Kafka's default, for `None` in v1.
    pub expire_timestamp: Option<i64>,
}

/// The value of a group metadata record (`GroupMetadataValue`, versions 0..=4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMetadataValue<'a> {
    /// Schema version of the value; v4 is the flexible (compact, tagged-field) encoding.
    pub version: i16,
    /// Group protocol type: `"consumer"` for Kafka consumers, `"connect"` for Connect workers.
    pub protocol_type: &'a str,
    /// Generation id of the group.
    pub generation: i32,
    /// Selected protocol, e.g. the assignor name (`"range"`, `"cooperative-sticky"`).
    pub protocol: Option<&'a str>,
    /// Member id of the group leader.
    pub leader: Option<&'a str>,
    /// When the group last changed state (v2+), in milliseconds since the Unix epoch. Kafka's
    /// "unset" value -1 decodes as `None`; the encoder writes -1 for `None`.
    pub current_state_timestamp: Option<i64>,
    /// Current members of the group.
    pub members: Vec<MemberMetadata<'a>>,
}

/// One member of a classic-protocol group, as stored in `GroupMetadataValue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberMetadata<'a> {
    /// Coordinator-assigned member id.
    pub member_id: &'a str,
    /// Static membership id (v3+), if the member configured `group.instance.id`.
    pub group_instance_id: Option<&'a str>,
    /// The client's `client.id`.
    pub client_id: &'a str,
    /// Host the member connected from, as seen by the broker (e.g. `/10.0.0.7`).
    pub client_host: &'a str,
    /// Rebalance timeout in milliseconds (v1+). For `None` in v1+ the encoder writes the
    /// session timeout, which is what Kafka assumes for v0 members.
    pub rebalance_timeout: Option<i32>,
    /// Session timeout in milliseconds.
    pub session_timeout: i32,
    /// Partitions assigned to the member. Only interpreted for `protocol_type == "consumer"`;
    /// for other protocol types (e.g. Connect) this is always empty.
    pub assignment: Vec<TopicAssignment<'a>>,
}

/// The partitions of one topic assigned to a group member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicAssignment<'a> {
    /// Topic name.
    pub topic: &'a str,
    /// Assigned partition numbers, in wire order.
    pub partitions: Vec<i32>,
}
