//! The store as the scheduler uses it: incidents and deliveries survive reopening, a delivery
//! is written atomically with its incident, and an unusable file is moved aside, not lost.

use warren_core::evaluator::GroupStatus;
use warren_core::incident::{Incident, IncidentKind};
use warren_core::model::Status;

use super::*;

fn key(group: &str) -> IncidentKey {
    IncidentKey {
        notifier: "slack".into(),
        cluster: "prod".into(),
        group: group.into(),
    }
}

fn incident() -> Incident {
    Incident {
        id: "0b5f-id".into(),
        started_ms: 1_700_000_000_000,
        last_status: Status::Err,
        last_sent_ms: 1_700_000_000_000,
    }
}

fn delivery(group: &str, kind: IncidentKind) -> Delivery {
    Delivery {
        key: key(group),
        kind,
        incident: incident(),
        status: GroupStatus::not_found("prod", group),
        event_ms: 1_700_000_000_000,
        attempts: 0,
        next_attempt_ms: 0,
        last_error: None,
    }
}

#[test]
fn incidents_and_pending_deliveries_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, opened) = Store::open(dir.path()).unwrap();
        assert_eq!(opened, Opened::Created);
        let seq = store
            .record(
                &key("g1"),
                Some(&incident()),
                Some(&delivery("g1", IncidentKind::Opened)),
            )
            .unwrap();
        assert_eq!(seq, Some(1));
        store
            .record(
                &key("g2"),
                Some(&incident()),
                Some(&delivery("g2", IncidentKind::Opened)),
            )
            .unwrap();
        store.finish_delivery(1).unwrap();
    }
    let (store, opened) = Store::open(dir.path()).unwrap();
    assert_eq!(opened, Opened::Existing);
    let incidents = store.incidents().unwrap();
    assert_eq!(incidents.len(), 2);
    assert_eq!(incidents[0], (key("g1"), incident()));
    let pending = store.deliveries("slack").unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].0, 2);
    assert_eq!(pending[0].1.key.group, "g2");
    assert!(store.deliveries("pagerduty").unwrap().is_empty());
    // Sequence numbers keep growing across restarts: order is decision order.
    let seq = store
        .record(
            &key("g1"),
            None,
            Some(&delivery("g1", IncidentKind::Resolved)),
        )
        .unwrap();
    assert_eq!(seq, Some(3));
    assert_eq!(store.incidents().unwrap().len(), 1);
}

#[test]
fn a_group_id_holding_the_key_separator_keeps_its_incident_whole() {
    // Kafka accepts any string as a group id, U+001F included; only section names are limited.
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path()).unwrap();
    let odd = "team\u{1f}a\u{1f}b";
    store.record(&key(odd), Some(&incident()), None).unwrap();
    assert_eq!(store.incidents().unwrap(), vec![(key(odd), incident())]);
    store.record(&key(odd), None, None).unwrap();
    assert_eq!(store.incidents().unwrap(), vec![]);
}

#[test]
fn retry_state_is_saved_with_the_delivery() {
    let store = Store::in_memory().unwrap();
    let seq = store
        .record(
            &key("g"),
            Some(&incident()),
            Some(&delivery("g", IncidentKind::Opened)),
        )
        .unwrap()
        .unwrap();
    let mut d = delivery("g", IncidentKind::Opened);
    d.attempts = 3;
    d.next_attempt_ms = 42;
    d.last_error = Some("HTTP 500".into());
    store.update_delivery(seq, &d).unwrap();
    assert_eq!(store.deliveries("slack").unwrap(), vec![(seq, d)]);
}

#[test]
fn a_corrupt_file_is_moved_aside_and_a_fresh_store_created() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("warren.redb"),
        b"this is not a redb file at all",
    )
    .unwrap();
    let (store, opened) = Store::open(dir.path()).unwrap();
    let Opened::Replaced { aside, reason } = opened else {
        panic!("expected Replaced, got {opened:?}");
    };
    assert!(!reason.is_empty());
    assert_eq!(
        std::fs::read(&aside).unwrap(),
        b"this is not a redb file at all"
    );
    assert!(store.incidents().unwrap().is_empty());
}

#[test]
fn a_store_of_another_schema_version_is_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = redb::Database::create(dir.path().join("warren.redb")).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(META).unwrap().insert("schema", 99).unwrap();
        tx.commit().unwrap();
    }
    let (_, opened) = Store::open(dir.path()).unwrap();
    let Opened::Replaced { reason, .. } = opened else {
        panic!("expected Replaced, got {opened:?}");
    };
    assert!(reason.contains("schema version 99"), "{reason}");
}

#[test]
fn a_delivery_removed_while_it_was_being_sent_is_not_resurrected_by_its_retry_state() {
    let store = Store::in_memory().unwrap();
    let seq = store
        .record(
            &key("g"),
            Some(&incident()),
            Some(&delivery("g", IncidentKind::Updated)),
        )
        .unwrap()
        .unwrap();
    store.finish_delivery(seq).unwrap();
    let mut d = delivery("g", IncidentKind::Updated);
    d.attempts = 1;
    store.update_delivery(seq, &d).unwrap();
    assert!(store.deliveries("slack").unwrap().is_empty());
}

fn delta(
    groups: &[(&str, &[u8])],
    removed: &[&str],
    topics: &[&str],
) -> warren_core::storage::Delta {
    warren_core::storage::Delta {
        groups: groups
            .iter()
            .map(|(g, b)| (g.to_string(), b.to_vec()))
            .collect(),
        removed: removed.iter().map(|g| g.to_string()).collect(),
        topics: topics.iter().map(|t| (t.to_string(), vec![1, 2])).collect(),
        positions: vec![("reader".into(), vec![5, -1, 7])],
        origin: Some("offsets-topic __consumer_offsets cluster=k1".into()),
    }
}

#[test]
fn snapshots_accumulate_per_cluster_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, _) = Store::open(dir.path()).unwrap();
        store
            .write_snapshot(
                "prod",
                &delta(&[("a", b"1"), ("b\u{1f}x", b"2")], &[], &["t", "u"]),
                10,
            )
            .unwrap();
        store
            .write_snapshot("other", &delta(&[("a", b"9")], &[], &["t"]), 11)
            .unwrap();
        // Next delta: b changed, a removed, topic u deleted.
        store
            .write_snapshot("prod", &delta(&[("b\u{1f}x", b"3")], &["a"], &["t"]), 20)
            .unwrap();
    }
    let (store, opened) = Store::open(dir.path()).unwrap();
    assert_eq!(opened, Opened::Existing);
    let prod = store.load_cluster("prod").unwrap();
    assert_eq!(prod.groups, vec![("b\u{1f}x".to_string(), b"3".to_vec())]);
    let topics: Vec<&str> = prod.topics.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(topics, vec!["t"]);
    assert_eq!(prod.positions, vec![("reader".to_string(), vec![5, -1, 7])]);
    assert_eq!(prod.snapshot_ms, Some(20));
    assert_eq!(
        prod.origin.as_deref(),
        Some("offsets-topic __consumer_offsets cluster=k1")
    );
    let other = store.load_cluster("other").unwrap();
    assert_eq!(other.groups.len(), 1);
    assert_eq!(store.load_cluster("none").unwrap().snapshot_ms, None);
}

#[test]
fn a_store_in_use_is_an_error_and_is_not_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let (_held, _) = Store::open(dir.path()).unwrap();
    let err = Store::open(dir.path()).err().expect("second open refused");
    assert!(
        err.to_string().contains("in use by another process"),
        "{err}"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["warren.redb".to_string()]);
}

/// The file names in `dir`, sorted.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_store_written_in_redbs_older_format_opens_with_everything_in_it() {
    // What Warren wrote before it moved to redb 4: redb 2's default file format (v2), which
    // redb 3 and later refuse; it must be upgraded, not moved aside.
    let dir = tempfile::tempdir().unwrap();
    {
        let db = redb2::Database::create(dir.path().join("warren.redb")).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let meta: redb2::TableDefinition<&str, u64> = redb2::TableDefinition::new("meta");
            tx.open_table(meta)
                .unwrap()
                .insert("schema", SCHEMA_VERSION)
                .unwrap();
            let incidents: redb2::TableDefinition<&str, &[u8]> =
                redb2::TableDefinition::new("incidents");
            let record = serde_json::to_vec(&incident()).unwrap();
            tx.open_table(incidents)
                .unwrap()
                .insert("slack\u{1f}prod\u{1f}orders", record.as_slice())
                .unwrap();
        }
        tx.commit().unwrap();
    }
    let (store, opened) = Store::open(dir.path()).unwrap();
    assert_eq!(opened, Opened::Existing);
    assert_eq!(
        store.incidents().unwrap(),
        vec![(key("orders"), incident())]
    );
    drop(store);
    // Upgraded once: the next open is an ordinary one.
    let (store, opened) = Store::open(dir.path()).unwrap();
    assert_eq!(opened, Opened::Existing);
    assert_eq!(store.incidents().unwrap().len(), 1);
    assert_eq!(names_in(dir.path()), ["warren.redb"]);
}

#[test]
fn a_file_that_cannot_be_read_for_reasons_outside_it_is_an_error_and_stays_where_it_is() {
    // A directory where the file should be stands in for any I/O failure of the surroundings
    // (permissions, a full disk, a read-only mount): nothing says the state in it is damaged.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("warren.redb")).unwrap();
    std::fs::write(dir.path().join("warren.redb").join("keep"), b"x").unwrap();
    let err = Store::open(dir.path()).err().expect("refused");
    assert!(
        err.to_string().contains("the file was left as it is"),
        "{err}"
    );
    assert_eq!(names_in(dir.path()), ["warren.redb"]);
}

mod disk_faults;
