//! The layout ZooKeeper-committing consumers (Kafka's old Scala consumer, and clients that
//! imitate it) write under `<zookeeper-path>/consumers`:
//! `GROUP/offsets/TOPIC/PARTITION`, each partition's znode holding the committed offset as
//! decimal text. Only that branch is read; `ids` and `owners` are the consumers' own
//! bookkeeping.

/// What a changed znode is, relative to the consumers root.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Node<'a> {
    /// The root itself, or a group, its `offsets` folder or a topic: something that may hold
    /// partitions to be read.
    Branch,
    /// One partition's committed offset.
    Offset(Key<'a>),
    /// Anything else under the root (`ids`, `owners`, ...).
    Other,
}

/// One partition of one group's offsets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Key<'a> {
    pub(crate) group: &'a str,
    pub(crate) topic: &'a str,
    pub(crate) partition: i32,
}

/// Classifies `path` (absolute) against `root` (the consumers path); `None` when it lies
/// outside the root.
pub(crate) fn classify<'a>(root: &str, path: &'a str) -> Option<Node<'a>> {
    let rest = path.strip_prefix(root)?;
    if rest.is_empty() {
        return Some(Node::Branch);
    }
    let rest = rest.strip_prefix('/')?;
    let parts: Vec<&str> = rest.split('/').collect();
    Some(match parts.as_slice() {
        [_group] | [_group, "offsets"] | [_group, "offsets", _] => Node::Branch,
        [group, "offsets", topic, partition] => match partition.parse::<i32>() {
            Ok(partition) if partition >= 0 => Node::Offset(Key {
                group,
                topic,
                partition,
            }),
            _ => Node::Other,
        },
        _ => Node::Other,
    })
}

/// The offset a partition's znode holds: decimal text, maybe with surrounding whitespace.
/// `None` for anything else (logged by the caller, never a panic).
pub(crate) fn offset(data: &[u8]) -> Option<i64> {
    std::str::from_utf8(data)
        .ok()?
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|o| *o >= 0)
}

pub(crate) fn join(parent: &str, child: &str) -> String {
    format!("{parent}/{child}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partition_znode_names_its_group_topic_and_partition() {
        let root = "/kafka-cluster/consumers";
        assert_eq!(
            classify(root, "/kafka-cluster/consumers/payments/offsets/orders/3"),
            Some(Node::Offset(Key {
                group: "payments",
                topic: "orders",
                partition: 3
            }))
        );
        for branch in [
            "",
            "/payments",
            "/payments/offsets",
            "/payments/offsets/orders",
        ] {
            assert_eq!(
                classify(root, &format!("{root}{branch}")),
                Some(Node::Branch),
                "{branch}"
            );
        }
        for other in [
            "/payments/ids/c1",
            "/payments/owners/orders/3",
            "/g/offsets/t/x",
        ] {
            assert_eq!(
                classify(root, &format!("{root}{other}")),
                Some(Node::Other),
                "{other}"
            );
        }
        assert_eq!(classify(root, "/consumers/g"), None);
        assert_eq!(classify(root, "/kafka-cluster/consumersX"), None);
    }

    #[test]
    fn offsets_are_decimal_text_and_anything_else_is_refused() {
        assert_eq!(offset(b"42"), Some(42));
        assert_eq!(offset(b" 7\n"), Some(7));
        for bad in [&b""[..], b"-1", b"12a", b"\xff", b"99999999999999999999"] {
            assert_eq!(offset(bad), None, "{bad:?}");
        }
    }
}
