//! Shared vocabulary of the core: statuses in Burrow's order and the plain values that flow from
//! the collectors into storage. Times are epoch milliseconds (`i64`, suffix `_ms`) everywhere, as
//! in Kafka's records and Burrow's JSON, so nothing converts on the hot path.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};

/// A status of a group or a partition, in Burrow's numeric order (the order matters: a group's
/// status is the worst of its partitions', and Prometheus exposes the number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// The group is unknown (or expired).
    #[serde(rename = "NOTFOUND")]
    NotFound = 0,
    /// Healthy.
    Ok = 1,
    /// Lag is growing.
    Warn = 2,
    /// Group-level error: some partition is STOP, STALL or REWIND.
    Err = 3,
    /// The consumer stopped committing while behind.
    Stop = 4,
    /// The consumer commits the same offset while behind.
    Stall = 5,
    /// The committed offset went backwards.
    Rewind = 6,
}

impl Status {
    /// Burrow's JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotFound => "NOTFOUND",
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Err => "ERR",
            Status::Stop => "STOP",
            Status::Stall => "STALL",
            Status::Rewind => "REWIND",
        }
    }

    /// Burrow's numeric code (what `burrow_kafka_consumer_status` exports).
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One consumer-group offset commit, as a collector hands it to storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commit<'a> {
    /// Consumer group.
    pub group: &'a str,
    /// Consumed topic.
    pub topic: &'a str,
    /// Partition of `topic`.
    pub partition: i32,
    /// The committed offset (the next record the group will read).
    pub offset: i64,
    /// When the commit happened: the broker's commit timestamp (offsets topic) or the time
    /// Warren observed the change (Admin API).
    pub timestamp_ms: i64,
    /// Position of the commit in its source: the record offset in `__consumer_offsets`, or a
    /// poll sequence number for the Admin API. Storage keeps commits in this order and drops
    /// replays (an order at or below the group's newest).
    pub order: i64,
}

/// A member of a consumer group and the partitions assigned to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's client host, as Kafka reports it (e.g. `/10.0.0.1`); Burrow's `owner`.
    pub host: String,
    /// The member's `client.id`.
    pub client_id: String,
    /// Assigned partitions, by topic.
    pub assignment: Vec<(String, Vec<i32>)>,
}

/// What a group-metadata record (or a DescribeGroups answer) says about a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMembership {
    /// Group state as Kafka names it (`Stable`, `Empty`, `PreparingRebalance`, ...), when known.
    pub state: Option<String>,
    /// Current members; empty means the group has no active consumer.
    pub members: Vec<Member>,
}

/// A Kafka topic id (a UUID). KIP-848 group records name topics by id, not by name, so
/// storage maps ids to names with what the cluster's metadata says.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicId(pub [u8; 16]);

impl TopicId {
    /// The id from the two 64-bit halves Kafka's `Uuid` (and librdkafka's) is made of.
    pub fn from_halves(most: i64, least: i64) -> Self {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&most.to_be_bytes());
        bytes[8..].copy_from_slice(&least.to_be_bytes());
        TopicId(bytes)
    }
}

/// Kafka's own spelling (unpadded URL-safe base64, e.g. `N4KWVZJ6SLejdmZWroD92g`), so ids in
/// Warren's logs can be searched for in broker logs and `kafka-topics --describe`.
impl std::fmt::Display for TopicId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = [0u8; 22];
        let text = Base64UrlUnpadded::encode(&self.0, &mut out).map_err(|_| std::fmt::Error)?;
        f.write_str(text)
    }
}

/// Reads Kafka's spelling back (see `Display`).
impl std::str::FromStr for TopicId {
    type Err = base64ct::Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0u8; 16];
        if Base64UrlUnpadded::decode(text, &mut bytes)?.len() != 16 {
            return Err(base64ct::Error::InvalidLength);
        }
        Ok(TopicId(bytes))
    }
}

impl std::fmt::Debug for TopicId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TopicId({self})")
    }
}
