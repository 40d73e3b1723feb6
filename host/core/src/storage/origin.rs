//! Where a cluster's commit orders come from. Storage drops a commit whose order (its
//! position in the source) is at or below its group's newest, which is sound only while
//! orders count in one sequence: the offsets-topic reader's are offsets of one topic on one
//! cluster, the Admin API poller's a clock. Switching a cluster's consumer class, recreating
//! its offsets topic or pointing its name at another cluster restarts the count, and every
//! commit would be dropped as a replay until the new count passed the old one. Collectors
//! state their origin when they connect; storage compares it with the one persisted with the
//! windows and, when it changed, forgets the orders and positions
//! (`ClusterWriter::claim_origin`).

use std::fmt;

use crate::model::TopicId;

/// The sequence a collector's commit orders belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The offsets topic read (`class-name = "kafka"`), or `None` for the Admin API poller.
    pub offsets_topic: Option<String>,
    /// The cluster id the brokers report; `None` when they did not say.
    pub cluster_id: Option<String>,
    /// The offsets topic's id, which a recreated topic changes; `None` when unknown (brokers
    /// older than Kafka 2.8, no Describe permission, or the Admin API poller).
    pub topic_id: Option<TopicId>,
}

impl Origin {
    /// Whether commits from `self` are ordered in the same sequence as those from `other`.
    /// An unknown cluster or topic id matches any: only a known difference resets.
    pub fn continues(&self, other: &Origin) -> bool {
        fn same<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
        }
        self.offsets_topic == other.offsets_topic
            && same(&self.cluster_id, &other.cluster_id)
            && same(&self.topic_id, &other.topic_id)
    }

    /// Reads back [`Origin`]'s `Display` form; `None` for text it never wrote.
    pub fn parse(text: &str) -> Option<Origin> {
        let mut origin = Origin {
            offsets_topic: None,
            cluster_id: None,
            topic_id: None,
        };
        let mut words = text.split(' ');
        match words.next()? {
            "admin-api" => {}
            "offsets-topic" => origin.offsets_topic = Some(words.next()?.to_owned()),
            _ => return None,
        }
        for word in words {
            let (key, value) = word.split_once('=')?;
            match key {
                "cluster" => origin.cluster_id = Some(value.to_owned()),
                "topic-id" => origin.topic_id = Some(value.parse().ok()?),
                _ => return None,
            }
        }
        Some(origin)
    }

    /// Fills in what `self` does not know from `known` (an id the brokers did not give
    /// this time is still the one they gave before).
    pub(crate) fn completed_from(mut self, known: &Origin) -> Origin {
        if self.cluster_id.is_none() {
            self.cluster_id.clone_from(&known.cluster_id);
        }
        if self.topic_id.is_none() {
            self.topic_id = known.topic_id;
        }
        self
    }
}

/// `offsets-topic __consumer_offsets cluster=ID topic-id=ID` or `admin-api cluster=ID`: one
/// line for logs, stored as is. Kafka's topic names, cluster ids and topic ids contain no
/// spaces.
impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.offsets_topic {
            Some(topic) => write!(f, "offsets-topic {topic}")?,
            None => f.write_str("admin-api")?,
        }
        if let Some(id) = &self.cluster_id {
            write!(f, " cluster={id}")?;
        }
        if let Some(id) = &self.topic_id {
            write!(f, " topic-id={id}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(cluster: Option<&str>, topic_id: Option<u8>) -> Origin {
        Origin {
            offsets_topic: Some("__consumer_offsets".into()),
            cluster_id: cluster.map(Into::into),
            topic_id: topic_id.map(|b| TopicId([b; 16])),
        }
    }

    #[test]
    fn only_a_known_difference_breaks_the_sequence() {
        let a = reader(Some("c1"), Some(1));
        assert!(a.continues(&reader(Some("c1"), Some(1))));
        assert!(a.continues(&reader(None, None)));
        assert!(!a.continues(&reader(Some("c2"), Some(1))));
        assert!(!a.continues(&reader(Some("c1"), Some(2))));
        let poller = Origin {
            offsets_topic: None,
            ..reader(Some("c1"), None)
        };
        assert!(!a.continues(&poller));
        let other_topic = Origin {
            offsets_topic: Some("offsets".into()),
            ..reader(Some("c1"), Some(1))
        };
        assert!(!a.continues(&other_topic));
    }

    #[test]
    fn the_stored_form_reads_back() {
        for o in [
            reader(Some("MkU3OEVBNTcwNTJENDM2Qk"), Some(7)),
            reader(None, None),
            Origin {
                offsets_topic: None,
                cluster_id: Some("x".into()),
                topic_id: None,
            },
        ] {
            assert_eq!(Origin::parse(&o.to_string()), Some(o));
        }
        assert_eq!(Origin::parse("zookeeper"), None);
        assert_eq!(Origin::parse("admin-api color=red"), None);
    }
}
