//! A full disk under a running daemon (a tmpfs the test fills, on librdkafka's mock cluster):
//! readiness says FAILING, `/metrics` and `/v3/admin/notifiers` say why, a group that turns ERR
//! meanwhile is not notified (its decision cannot be recorded) but is not forgotten either, and
//! once space is freed the store reopens by itself, readiness is READY again and the
//! notification goes out, without a restart.

use std::time::Duration;

use rdkafka::mocking::MockCluster;
use warren_integration_tests::receiver::Receiver;
use warren_integration_tests::traffic::Traffic;
use warren_integration_tests::{Daemon, free_port, unique, wait_until};
use warren_testkit::tmpfs::Tmpfs;

fn config(bootstrap: &str, port: u16, data_dir: &std::path::Path, hook: &Receiver) -> String {
    format!(
        r#"
[general]
metrics-refresh = "300ms"
[cluster.prod]
servers = ["{bootstrap}"]
offset-refresh = "300ms"
topic-refresh = "5s"
[consumer.prod]
class-name = "kafka"
cluster = "prod"
[storage.default]
intervals = 3
data-dir = "{dir}"
snapshot-interval = "500ms"
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
        dir = data_dir.display(),
        authority = hook.authority,
        base = hook.base,
    )
}

async fn ready(d: &Daemon) -> (u16, String) {
    let r = reqwest::get(format!("{}/burrow/admin/ready", d.base))
        .await
        .expect("readiness answers");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

async fn metric(d: &Daemon, name: &str) -> Option<f64> {
    let body = reqwest::get(format!("{}/metrics", d.base))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    body.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_readiness_holds_notifications_and_heals_without_a_restart() {
    let mock = MockCluster::new(1).expect("mock cluster");
    let topic = unique("ledger");
    mock.create_topic(&topic, 1, 1).expect("topic");
    mock.create_topic("__consumer_offsets", 1, 1)
        .expect("offsets topic");
    let group = unique("payroll");
    let traffic = Traffic::start(&mock.bootstrap_servers(), &[(&topic, &group)]);
    let hook = Receiver::start().await;
    let fs = Tmpfs::mount("8m");
    let port = free_port();
    let file = fs.path().join("warren.toml");
    std::fs::write(
        &file,
        config(
            &mock.bootstrap_servers(),
            port,
            &fs.path().join("data"),
            &hook,
        ),
    )
    .unwrap();
    let d = Daemon::start_file(&file, port).await;
    wait_until(Duration::from_secs(30), "a full OK window", || async {
        let (_, v) = d.get(&format!("/v3/kafka/prod/consumer/{group}/lag")).await;
        v["status"]["status"] == "OK" && v["status"]["complete"] == 1.0
    })
    .await;
    assert_eq!(ready(&d).await.0, 200);

    let filler = fs.fill();
    wait_until(
        Duration::from_secs(15),
        "readiness says FAILING",
        || async {
            let (code, body) = ready(&d).await;
            code == 503 && body.starts_with("FAILING\nstore: failing for")
        },
    )
    .await;
    traffic.commits(0, false);
    wait_until(Duration::from_secs(30), "the group turns ERR", || async {
        let (_, v) = d
            .get(&format!("/v3/kafka/prod/consumer/{group}/status"))
            .await;
        v["status"]["status"] == "ERR"
    })
    .await;
    wait_until(
        Duration::from_secs(10),
        "/metrics says the store fails",
        || async { metric(&d, "warren_store_failing").await == Some(1.0) },
    )
    .await;
    let (_, admin) = d.get("/v3/admin/notifiers").await;
    let failing = &admin["store"]["failing"];
    assert!(
        failing["error"]
            .as_str()
            .is_some_and(|e| e.contains("No space left")),
        "{admin}"
    );
    assert!(failing["since"].is_i64(), "{admin}");
    // Several scheduler intervals: the decision is retried, never recorded, never sent.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(hook.requests("/hook").is_empty());

    std::fs::remove_file(filler).unwrap();
    wait_until(
        Duration::from_secs(15),
        "readiness is READY again",
        || async { ready(&d).await == (200, "READY".to_string()) },
    )
    .await;
    wait_until(
        Duration::from_secs(15),
        "the held notification goes out",
        || async { hook.requests("/hook").len() == 1 },
    )
    .await;
    let (_, admin) = d.get("/v3/admin/notifiers").await;
    assert!(admin["store"]["failing"].is_null(), "{admin}");
    assert!(admin["store"]["reopens"].as_u64() >= Some(1), "{admin}");
    wait_until(
        Duration::from_secs(10),
        "/metrics counts the reopen",
        || async {
            metric(&d, "warren_store_failing").await == Some(0.0)
                && metric(&d, "warren_store_reopens_total").await >= Some(1.0)
        },
    )
    .await;
    d.stop().await;
}
