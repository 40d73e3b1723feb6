//! A full disk under a running daemon (a tmpfs the test fills, on librdkafka's mock cluster):
//! a group that turns ERR is not notified (its decision cannot be recorded) but not forgotten
//! either; readiness says FAILING, `/metrics` and `/v3/admin/notifiers` say why; once space is
//! freed the store reopens by itself, readiness is READY again and the notification goes out,
//! without a restart.

use std::time::Duration;

use warren_integration_tests::notify::{
    broker, start, wait_ok_and_full, wait_requests, wait_status, webhook,
};
use warren_integration_tests::receiver::Receiver;
use warren_integration_tests::{Daemon, wait_until};
use warren_testkit::tmpfs::Tmpfs;

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
    let (mock, traffic, group) = broker();
    let hook = Receiver::start().await;
    let fs = Tmpfs::mount("8m");
    let notifiers = webhook("hook", &hook, "") + "\n[general]\nmetrics-refresh = \"300ms\"\n";
    let d = start(&mock, fs.path(), &notifiers).await;
    wait_ok_and_full(&d, &group).await;
    assert_eq!(ready(&d).await.0, 200);

    let filler = fs.fill();
    traffic.commits(0, false);
    wait_status(&d, &group, "ERR", Duration::from_secs(30)).await;
    wait_until(
        Duration::from_secs(15),
        "readiness says FAILING",
        || async {
            let (code, body) = ready(&d).await;
            code == 503 && body.starts_with("FAILING\nstore: failing for")
        },
    )
    .await;
    wait_until(
        Duration::from_secs(10),
        "/metrics says the store fails",
        || async { metric(&d, "warren_store_failing").await == Some(1.0) },
    )
    .await;
    // The first failure reopens the store at once and the next write fails again, so the
    // admin route may catch the moment in between: it says so within a scheduler interval.
    wait_until(
        Duration::from_secs(10),
        "/v3/admin/notifiers says the store fails",
        || async {
            let (_, admin) = d.get("/v3/admin/notifiers").await;
            let failing = &admin["store"]["failing"];
            failing["error"]
                .as_str()
                .is_some_and(|e| e.contains("No space left"))
                && failing["since"].is_i64()
        },
    )
    .await;
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
    let sent = wait_requests(&hook, "/hook", 1, Duration::from_secs(15)).await;
    assert_eq!(sent[0]["events"][0]["event"]["group"], group.as_str());
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
