//! Storage's persisted form, as the daemon reads it back from its store at start-up: the first
//! two bytes (little-endian) are the length of topic `t`'s HEAD-history record, which follows;
//! the rest is group `g`'s record. Restoring never panics (a damaged record is reported and
//! skipped), and what restores is a fixed point: snapshotting it and restoring that gives the
//! same group again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warren_core::storage::{StorageHandle, StorageSettings};

fn store() -> StorageHandle {
    StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults())
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let len = usize::from(u16::from_le_bytes([data[0], data[1]]));
    let (topic, group) = data[2..].split_at(len.min(data.len() - 2));
    let first = store();
    let cluster = first.cluster("c").expect("cluster c");
    let report = cluster.restore([("t", topic)], [("g", group)], []);
    let _ = format!("{:?}", report.damaged);
    let Some(restored) = cluster.group("g") else {
        return;
    };
    let delta = cluster.take_delta(true);
    let second = store();
    let again = second.cluster("c").expect("cluster c");
    let report = again.restore(
        delta.topics.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
        delta.groups.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
        delta.positions.iter().map(|(n, p)| (n.as_str(), p.clone())),
    );
    assert!(
        report.damaged.is_empty(),
        "own snapshot damaged: {:?}",
        report.damaged
    );
    assert_eq!(
        again.group("g"),
        Some(restored),
        "group changed through a snapshot"
    );
});
