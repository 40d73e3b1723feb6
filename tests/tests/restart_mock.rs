//! A crash, not a clean stop: the daemon runs as a child process with its state under a
//! data-dir, a group is ERR with an incident open at a webhook receiver, and the daemon is
//! killed with SIGKILL. The broker (librdkafka's mock cluster, in this process) and the
//! traffic go on while it is down. After a restart: the group's window is the one from before
//! the crash, the offsets topic is resumed from the stored position (the restarted reader
//! reads only what lies past it), no alarm is raised for the healthy group, no second one for
//! the stuck group, and when the stuck consumer recovers the incident closes once, with the id
//! it was opened with.
//!
//! The child is this test binary itself, re-run on the ignored `daemon_child` test with the
//! config path in `WARREN_CHILD_CONFIG`: the real daemon wiring, in a process that can be
//! killed, or sent SIGHUP (the plugin-reload test below, which proves the reloaded plugin's
//! new config judges). Also here: a corrupt store file is kept aside and the daemon starts
//! fresh.

use std::path::Path;
use std::time::Duration;

use rdkafka::mocking::MockCluster;
use serde_json::Value;
use warren_integration_tests::child::ChildDaemon;
use warren_integration_tests::receiver::Receiver;
use warren_integration_tests::traffic::Traffic;
use warren_integration_tests::{commit_offset, free_port, now_ms, producer, unique, wait_until};

/// The child process of the tests below ([`warren_integration_tests::child`]).
#[test]
#[ignore = "the restart test's child process"]
fn daemon_child() {
    warren_integration_tests::child::run_child();
}

async fn status(d: &ChildDaemon, group: &str) -> String {
    let (_, v) = d.get(&format!("/v3/kafka/prod/consumer/{group}/lag")).await;
    v["status"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn config(bootstrap: &str, port: u16, data: &Path, hook: &Receiver) -> String {
    format!(
        r#"
[general]
metrics-refresh = "200ms"
[cluster.prod]
servers = ["{bootstrap}"]
offset-refresh = "300ms"
topic-refresh = "5s"
[consumer.prod]
class-name = "kafka"
cluster = "prod"
[storage.default]
intervals = 3
data-dir = "{data}"
snapshot-interval = "1s"
[evaluator.default]
expire-cache = "0s"
minimum-complete = 1.0
[httpserver.test]
address = "127.0.0.1:{port}"
[plugin.hook]
kind = "notifier"
path = "builtin:webhook"
allowed-outbound-hosts = ["{authority}"]
allow-private-addresses = true
config = {{ url = "{base}/hook" }}
[notifier.hook]
plugin = "hook"
interval = "300ms"
threshold = "ERR"
send-interval = "1h"
"#,
        data = data.display(),
        authority = hook.authority,
        base = hook.base,
    )
}

/// Offsets-topic records the daemon has read (and skipped), from its `/metrics`.
async fn records_read(d: &ChildDaemon) -> i64 {
    let (_, body) = d.get("/metrics").await;
    let body = body.as_str().unwrap_or_default().to_string();
    body.lines()
        .filter(|l| l.starts_with("warren_consumer_records_total{consumer=\"prod\""))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum::<f64>() as i64
}

/// The end (high watermark) of the offsets topic's only partition.
fn offsets_topic_end(bootstrap: &str) -> i64 {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let c: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("consumer");
    c.fetch_watermarks("__consumer_offsets", 0, Duration::from_secs(5))
        .expect("watermarks")
        .1
}

/// Waits until the store under `data` holds a snapshot written after `after_ms`, and returns
/// the offsets-topic position it stored. The running daemon holds the file, so a copy is read
/// (a copy taken mid-write reads as the last complete commit, or not at all, and is retried).
async fn wait_for_snapshot(data: &Path, after_ms: i64) -> i64 {
    let mut stored = None;
    wait_until(Duration::from_secs(15), "a snapshot on disk", || {
        let copy = tempfile::tempdir().unwrap();
        let _ = std::fs::copy(data.join("warren.redb"), copy.path().join("warren.redb"));
        stored = warren_store::Store::open(copy.path())
            .ok()
            .and_then(|(store, _)| store.load_cluster("prod").ok())
            .filter(|saved| saved.snapshot_ms > Some(after_ms))
            .and_then(|saved| {
                saved
                    .positions
                    .iter()
                    .find(|(consumer, _)| consumer == "prod")
                    .and_then(|(_, p)| p.first().copied())
            });
        let found = stored.is_some();
        async move { found }
    })
    .await;
    stored.unwrap()
}

/// (kind, group, incident id) of every request the webhook received, in order.
fn events(hook: &Receiver) -> Vec<(String, String, String)> {
    hook.requests("/hook")
        .into_iter()
        .map(|r| {
            let b = r.body;
            if let Some(e) = b["events"].get(0) {
                let group = e["event"]["group"].as_str().unwrap_or_default().to_string();
                (
                    "open".into(),
                    group,
                    e["id"].as_str().unwrap_or_default().to_string(),
                )
            } else {
                let id = b["ids"][0].as_str().unwrap_or_default().to_string();
                ("close".into(), String::new(), id)
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_sigkill_the_restarted_daemon_keeps_history_raises_no_false_alarm_and_closes_the_open_incident_once()
 {
    let mock = MockCluster::new(1).expect("mock cluster");
    let (fine_topic, stuck_topic) = (unique("orders"), unique("payments"));
    for t in [&fine_topic, &stuck_topic] {
        mock.create_topic(t, 1, 1).expect("topic");
    }
    mock.create_topic("__consumer_offsets", 1, 1)
        .expect("offsets topic");
    let (fine, stuck) = (unique("fine"), unique("stuck"));
    // Pair 0 is the healthy group, pair 1 the one that gets stuck.
    let traffic = Traffic::start(
        &mock.bootstrap_servers(),
        &[(&fine_topic, &fine), (&stuck_topic, &stuck)],
    );
    let hook = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let file = dir.path().join("warren.toml");
    std::fs::write(
        &file,
        config(
            &mock.bootstrap_servers(),
            port,
            &dir.path().join("data"),
            &hook,
        ),
    )
    .unwrap();

    let first = ChildDaemon::start(&file, port, &dir.path().join("first.log")).await;
    for g in [&fine, &stuck] {
        wait_until(
            Duration::from_secs(40),
            &format!("{g} OK, window full"),
            || async {
                let (_, v) = first.get(&format!("/v3/kafka/prod/consumer/{g}/lag")).await;
                v["status"]["status"] == "OK" && v["status"]["complete"] == 1.0
            },
        )
        .await;
    }
    traffic.commits(1, false);
    let waited = tokio::time::timeout(Duration::from_secs(30), async {
        while events(&hook).is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    if waited.is_err() {
        let log = std::fs::read_to_string(dir.path().join("first.log")).unwrap_or_default();
        let (_, lag) = first
            .get(&format!("/v3/kafka/prod/consumer/{stuck}/lag"))
            .await;
        let (_, n) = first.get("/v3/admin/notifiers").await;
        panic!("no incident opened\nlag: {lag}\nnotifiers: {n}\nlog:\n{log}");
    }
    let opened = events(&hook);
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert_eq!(
        (opened[0].0.as_str(), opened[0].1.as_str()),
        ("open", stuck.as_str())
    );
    let incident_id = opened[0].2.clone();
    assert_eq!(status(&first, &stuck).await, "ERR");
    let (_, before) = first
        .get(&format!("/v3/kafka/prod/consumer/{stuck}/lag"))
        .await;
    let window_before = before["status"]["partitions"][0].clone();
    // The stopped window on disk: a snapshot written after it was read, whose stored
    // offsets-topic position is past every record read by then.
    let read_then = records_read(&first).await;
    let seen_at = now_ms();
    let stored = wait_for_snapshot(&dir.path().join("data"), seen_at).await;
    assert!(
        stored >= read_then,
        "stored position {stored}, read {read_then}"
    );
    first.kill();

    // Down for a while: the healthy group goes on committing into the offsets topic.
    let at_kill = offsets_topic_end(&mock.bootstrap_servers());
    wait_until(Duration::from_secs(10), "commits while down", || async {
        offsets_topic_end(&mock.bootstrap_servers()) >= at_kill + 10
    })
    .await;
    let second = ChildDaemon::start(&file, port, &dir.path().join("second.log")).await;
    wait_until(
        Duration::from_secs(30),
        "READY after the restart",
        || async { second.get("/burrow/admin/ready").await.0 == 200 },
    )
    .await;
    // Resumed, not re-read: the restarted reader read at most what lies past the stored
    // position (read first, the end after, so the end can only have grown).
    wait_until(
        Duration::from_secs(10),
        "a render after the catch-up",
        || async { records_read(&second).await > 0 },
    )
    .await;
    let read_again = records_read(&second).await;
    let end = offsets_topic_end(&mock.bootstrap_servers());
    assert!(
        read_again > 0 && read_again <= end - stored,
        "read {read_again} records after the restart; {} were past the stored position {stored}",
        end - stored
    );

    // The history survived: the stuck group's window is the one from before the crash.
    let (_, after) = second
        .get(&format!("/v3/kafka/prod/consumer/{stuck}/lag"))
        .await;
    let window_after = &after["status"]["partitions"][0];
    assert_eq!(window_after["start"], window_before["start"], "{after}");
    assert_eq!(window_after["end"], window_before["end"], "{after}");
    assert_eq!(after["status"]["status"], "ERR", "{after}");
    assert_eq!(status(&second, &fine).await, "OK");

    // A few notifier ticks: nothing for the healthy group, no second open for the stuck one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(events(&hook).len(), 1, "{:?}", events(&hook));
    assert_eq!(status(&second, &fine).await, "OK");

    // Recovery closes the incident opened before the crash, once.
    traffic.commits(1, true);
    wait_until(Duration::from_secs(30), "the incident closed", || async {
        events(&hook).len() >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all = events(&hook);
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(
        (all[1].0.as_str(), all[1].2.as_str()),
        ("close", incident_id.as_str())
    );
    assert_eq!(status(&second, &stuck).await, "OK");
    drop(second);
    drop(traffic);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_store_is_kept_aside_and_the_daemon_starts_fresh() {
    let mock = MockCluster::new(1).expect("mock cluster");
    let topic = unique("orders");
    mock.create_topic(&topic, 1, 1).expect("topic");
    mock.create_topic("__consumer_offsets", 1, 1)
        .expect("offsets topic");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let garbage = b"this is not a redb file, whatever a disk did to it".repeat(100);
    std::fs::write(data.join("warren.redb"), &garbage).unwrap();
    let p = producer(&mock.bootstrap_servers());
    let group = unique("billing");
    warren_integration_tests::produce(&p, &topic, 1, 10);
    commit_offset(&p, &group, &topic, 0, 10, now_ms());
    rdkafka::producer::Producer::flush(&p, Duration::from_secs(5)).unwrap();

    let d = warren_integration_tests::Daemon::start(&format!(
        r#"
[cluster.prod]
servers = ["{}"]
offset-refresh = "300ms"
[consumer.prod]
class-name = "kafka"
cluster = "prod"
[storage.default]
data-dir = "{}"
snapshot-interval = "300ms"
"#,
        mock.bootstrap_servers(),
        data.display()
    ))
    .await;
    wait_until(Duration::from_secs(30), "the group is judged", || async {
        d.get(&format!("/v3/kafka/prod/consumer/{group}/lag"))
            .await
            .0
            == 200
    })
    .await;
    d.stop().await;

    // The damaged file is kept, byte for byte, beside a new store that holds the group.
    let aside: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("warren.redb.unusable-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(aside[0].path()).unwrap(), garbage);
    let (store, opened) = warren_store::Store::open(&data).expect("the new store opens");
    assert_eq!(opened, warren_store::Opened::Existing);
    let saved = store.load_cluster("prod").unwrap();
    assert!(
        saved.groups.iter().any(|(g, _)| *g == group),
        "{:?}",
        saved.groups.len()
    );
}

/// `[plugin.skip]` on `builtin:skip-empty` with `empty-for-secs`, filtering cluster `prod`'s
/// groups.
fn reload_config(bootstrap: &str, port: u16, empty_for_secs: &str) -> String {
    format!(
        r#"
[cluster.prod]
servers = ["{bootstrap}"]
offset-refresh = "300ms"
group-filters = ["skip"]
[consumer.prod]
class-name = "kafka"
cluster = "prod"
[httpserver.test]
address = "127.0.0.1:{port}"
[plugin.skip]
kind = "group-filter"
path = "builtin:skip-empty"
config = {{ empty-for-secs = {empty_for_secs} }}
"#
    )
}

async fn plugin_entry(d: &ChildDaemon) -> Value {
    let (_, v) = d.get("/v3/admin/plugins").await;
    v["plugins"]
        .as_array()
        .and_then(|list| list.iter().find(|p| p["name"] == "skip").cloned())
        .unwrap_or(Value::Null)
}

/// Whether cluster `prod` lists `group` (the group filter hides the groups it leaves out).
async fn listed(d: &ChildDaemon, group: &str) -> bool {
    let (_, v) = d.get("/v3/kafka/prod/consumer").await;
    v["consumers"]
        .as_array()
        .is_some_and(|a| a.iter().any(|g| g == group))
}

fn hangup(d: &ChildDaemon) {
    d.signal(libc::SIGHUP);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_a_changed_plugin_and_keeps_the_old_one_when_the_new_config_is_bad() {
    // A group without members whose last commit was ten minutes ago: skip-empty keeps it
    // under a one-hour limit and leaves it out under a one-minute one.
    let mock = MockCluster::new(1).expect("mock cluster");
    let topic = unique("orders");
    mock.create_topic(&topic, 1, 1).expect("topic");
    mock.create_topic("__consumer_offsets", 1, 1)
        .expect("offsets topic");
    let p = producer(&mock.bootstrap_servers());
    let group = unique("quiet");
    warren_integration_tests::produce(&p, &topic, 1, 10);
    commit_offset(&p, &group, &topic, 0, 5, now_ms() - 600_000);
    rdkafka::producer::Producer::flush(&p, Duration::from_secs(5)).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let file = dir.path().join("warren.toml");
    let bootstrap = mock.bootstrap_servers();
    std::fs::write(&file, reload_config(&bootstrap, port, "3600")).unwrap();
    let d = ChildDaemon::start(&file, port, &dir.path().join("daemon.log")).await;
    wait_until(Duration::from_secs(30), "the group listed", || async {
        listed(&d, &group).await
    })
    .await;
    let first = plugin_entry(&d).await;
    let loaded = first["loaded-at"].as_i64().expect("loaded-at");

    // A changed config: the plugin is loaded afresh, and its new limit judges at once.
    std::fs::write(&file, reload_config(&bootstrap, port, "60")).unwrap();
    hangup(&d);
    wait_until(Duration::from_secs(20), "the plugin reloaded", || async {
        plugin_entry(&d).await["loaded-at"].as_i64() > Some(loaded)
    })
    .await;
    let reloaded = plugin_entry(&d).await;
    assert_eq!(reloaded["reload-error"], Value::Null, "{reloaded}");
    assert!(
        !listed(&d, &group).await,
        "ten minutes idle is over the new one-minute limit"
    );

    // A config the plugin refuses: the previous version keeps running, and says why.
    std::fs::write(&file, reload_config(&bootstrap, port, "\"soon\"")).unwrap();
    hangup(&d);
    wait_until(Duration::from_secs(20), "the reload refused", || async {
        plugin_entry(&d).await["reload-error"].is_string()
    })
    .await;
    let kept = plugin_entry(&d).await;
    assert_eq!(kept["loaded-at"], reloaded["loaded-at"], "{kept}");
    assert!(
        !listed(&d, &group).await,
        "the one-minute limit still judges"
    );
    let log = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default();
    assert!(log.contains("SIGHUP: reloading plugins"), "{log}");
}

#[test]
fn a_stop_is_not_held_up_by_a_broker_request_that_never_gets_an_answer() {
    // librdkafka's mock cluster never answers DescribeTopics, which the HEAD poller sends
    // beside its polls with a 15 s timeout, on a blocking thread: a stop must abandon it, or
    // the runtime waits it out when it shuts down (in-process, as tests and embedders run it).
    let mock = MockCluster::new(1).expect("mock cluster");
    let topic = unique("orders");
    mock.create_topic(&topic, 1, 1).expect("topic");
    mock.create_topic("__consumer_offsets", 1, 1)
        .expect("offsets topic");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let d = warren_integration_tests::Daemon::start(&format!(
            "[cluster.prod]\nservers = [\"{}\"]\n[consumer.prod]\nclass-name = \"kafka\"\ncluster = \"prod\"\n",
            mock.bootstrap_servers()
        ))
        .await;
        d.wait_ready().await;
        d.stop().await;
    });
    let asked = std::time::Instant::now();
    drop(runtime);
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "the runtime took {took:?} to shut down after the daemon stopped"
    );
}
