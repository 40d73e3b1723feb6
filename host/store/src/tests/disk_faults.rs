//! The store on a real, small file system that fills up or is read-only (a tmpfs mounted by
//! the test, so these need root, as the suite has): at start it is an error that leaves the
//! file where it is; at run time the store reports itself failing, loses nothing it had
//! recorded, and works again once the cause is gone, without a restart.

use std::time::Duration;

use warren_core::health::REOPEN_EVERY_MS;
use warren_core::incident::IncidentKind;
use warren_testkit::tmpfs::Tmpfs;

use super::{delivery, incident, key, names_in};
use crate::{Opened, Store, StoreError};

/// Records incidents with large group names until one fails; returns how many went in.
fn record_until_failure(store: &Store) -> (usize, StoreError) {
    for i in 0..1_000 {
        let group = format!("{i}-{}", "g".repeat(16 * 1024));
        if let Err(e) = store.record(
            &key(&group),
            Some(&incident()),
            Some(&delivery(&group, IncidentKind::Opened)),
        ) {
            return (i, e);
        }
    }
    panic!("the file system never filled up");
}

fn wait_for_reopen() {
    std::thread::sleep(Duration::from_millis(REOPEN_EVERY_MS as u64 + 100));
}

#[test]
fn a_full_disk_fails_the_store_until_space_is_freed_and_nothing_recorded_is_lost() {
    let fs = Tmpfs::mount("4m");
    let (store, _) = Store::open(fs.path()).unwrap();
    store
        .record(
            &key("before"),
            Some(&incident()),
            Some(&delivery("before", IncidentKind::Opened)),
        )
        .unwrap();
    let filler = fs.fill();
    let (_, error) = record_until_failure(&store);
    assert!(matches!(error, StoreError::Io(_)), "{error}");
    let failure = store
        .health()
        .failing()
        .expect("the store says it is failing");
    assert!(failure.error.contains("space"), "{failure:?}");
    let recorded = store.incidents();

    std::fs::remove_file(filler).unwrap();
    wait_for_reopen();
    store
        .record(
            &key("after"),
            Some(&incident()),
            Some(&delivery("after", IncidentKind::Opened)),
        )
        .expect("the store works again once space is freed");
    let health = store.health();
    assert_eq!((health.failing(), health.reopens()), (None, 1));
    let groups: Vec<String> = store
        .incidents()
        .unwrap()
        .into_iter()
        .map(|(k, _)| k.group)
        .filter(|g| g.len() < 100)
        .collect();
    assert_eq!(groups, vec!["after".to_string(), "before".to_string()]);
    // What was recorded while the disk filled is all still there, pending included.
    let kept = recorded.map(|r| r.len()).unwrap_or_default();
    assert!(store.incidents().unwrap().len() >= kept);
    let pending = store.deliveries("slack").unwrap();
    assert_eq!(pending.len(), store.incidents().unwrap().len());
}

#[test]
fn a_full_disk_at_start_is_an_error_and_the_state_is_not_moved_aside() {
    let fs = Tmpfs::mount("2m");
    let data = fs.path().join("data");
    {
        let (store, _) = Store::open(&data).unwrap();
        store.record(&key("g"), Some(&incident()), None).unwrap();
    }
    let filler = fs.fill();
    match Store::open(&data) {
        // Opening may need no new page; then the state must simply be there.
        Ok((store, opened)) => {
            assert_eq!(opened, Opened::Existing);
            assert_eq!(store.incidents().unwrap().len(), 1);
        }
        Err(err) => {
            assert!(err.to_string().contains("left as it is"), "{err}");
            assert_eq!(names_in(&data), ["warren.redb"]);
            // Once there is room again, everything is there.
            std::fs::remove_file(filler).unwrap();
            let (store, opened) = Store::open(&data).unwrap();
            assert_eq!(opened, Opened::Existing);
            assert_eq!(store.incidents().unwrap().len(), 1);
        }
    }
}

#[test]
fn a_read_only_file_system_at_start_is_an_error_and_the_state_is_not_moved_aside() {
    // A file system cannot be remounted read-only while the store holds its file open for
    // writing (the kernel answers EBUSY); it happens between runs, or by the kernel's own
    // `errors=remount-ro`, whose writes then fail with I/O errors like a full disk's.
    let fs = Tmpfs::mount("8m");
    {
        let (store, _) = Store::open(fs.path()).unwrap();
        store.record(&key("g"), Some(&incident()), None).unwrap();
    }
    fs.remount("ro");
    let err = Store::open(fs.path()).err().expect("refused");
    assert!(err.to_string().contains("left as it is"), "{err}");
    assert_eq!(names_in(fs.path()), ["warren.redb"]);
    fs.remount("rw");
    let (store, opened) = Store::open(fs.path()).unwrap();
    assert_eq!(opened, Opened::Existing);
    assert_eq!(store.incidents().unwrap().len(), 1);
}
