//! HEAD-offset history of one topic: for every partition, the last few (offset, observed time)
//! pairs the cluster poller saw. The evaluator uses it to tell "stopped" from "caught up
//! recently", and lag in seconds will interpolate over it.

use std::collections::VecDeque;

/// One observation of a partition's HEAD (high watermark).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct HeadSample {
    /// The high watermark: offset of the next record to be written.
    pub offset: i64,
    /// When Warren observed it.
    pub observed_ms: i64,
}

/// HEAD histories of every partition of one topic.
#[derive(Debug, Clone)]
pub(crate) struct TopicHeads {
    partitions: Vec<VecDeque<HeadSample>>,
    capacity: usize,
}

impl TopicHeads {
    pub(crate) fn new(partitions: usize, capacity: u16) -> Self {
        TopicHeads {
            partitions: vec![VecDeque::new(); partitions],
            capacity: usize::from(capacity.max(1)),
        }
    }

    /// Partition count as the last metadata refresh saw it.
    pub(crate) fn partition_count(&self) -> usize {
        self.partitions.len()
    }

    /// Follows the topic's partition count (partitions can only be added in Kafka).
    pub(crate) fn resize(&mut self, partitions: usize) {
        if partitions > self.partitions.len() {
            self.partitions.resize(partitions, VecDeque::new());
        }
    }

    pub(crate) fn record(&mut self, partition: usize, sample: HeadSample) {
        let cap = self.capacity;
        if let Some(ring) = self.partitions.get_mut(partition) {
            if ring.len() == cap {
                ring.pop_front();
            }
            ring.push_back(sample);
        }
    }

    /// Newest HEAD of `partition`, if one was observed.
    pub(crate) fn latest(&self, partition: usize) -> Option<i64> {
        self.partitions.get(partition)?.back().map(|s| s.offset)
    }

    /// History of `partition`, oldest first.
    pub(crate) fn history(&self, partition: usize) -> Vec<HeadSample> {
        self.partitions
            .get(partition)
            .map(|r| r.iter().copied().collect())
            .unwrap_or_default()
    }
}
