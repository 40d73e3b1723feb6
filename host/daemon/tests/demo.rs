//! `warren demo` as a newcomer runs it: every simulated group reaches the status it was built
//! to show within two minutes, through the real collection path and the real API, and Ctrl-C
//! stops everything cleanly.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `warren demo` without its terminal table, its API on `port`.
fn demo(port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_warren"));
    command.args([
        "demo",
        "--no-table",
        "--listen",
        &format!("127.0.0.1:{port}"),
    ]);
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_group_reaches_its_intended_status_and_ctrl_c_stops_the_demo() {
    let port = free_port();
    let mut child = demo(port)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the demo");
    let url = format!("http://127.0.0.1:{port}/v3/kafka/demo/status");
    let expected = warren_daemon::demo::expected_statuses();
    let mut reached: BTreeMap<&str, Duration> = BTreeMap::new();
    let start = Instant::now();
    while reached.len() < expected.len() && start.elapsed() < Duration::from_secs(150) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Ok(res) = reqwest::get(&url).await else {
            continue;
        };
        // The first seconds prove little (one commit looks stopped); judge the settled demo.
        if start.elapsed() < Duration::from_secs(15) {
            continue;
        }
        let Ok(body) = res.json::<Value>().await else {
            continue;
        };
        for s in body["statuses"].as_array().into_iter().flatten() {
            for (group, group_status, partition_status) in &expected {
                let matches = s["group"] == *group
                    && s["status"] == *group_status
                    && s["partition_statuses"].get(partition_status).is_some();
                if matches {
                    reached.entry(group).or_insert(start.elapsed());
                }
            }
        }
    }
    let missing: Vec<_> = expected
        .iter()
        .filter(|(g, _, _)| !reached.contains_key(g))
        .collect();
    // `warren status` against the running demo: the overview, one group, an unknown cluster.
    let api = format!("http://127.0.0.1:{port}");
    let status_cmd = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_warren"))
            .args(["status", "--url", &api])
            .args(args)
            .output()
            .expect("warren status");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let overview = status_cmd(&[]);
    let first_group = expected[0].0;
    let one = status_cmd(&["demo", first_group]);
    let unknown = status_cmd(&["no-such-cluster"]);
    // Stop it before asserting so a failure does not leave the demo running.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let stop_start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            stop_start.elapsed() < Duration::from_secs(20),
            "demo did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        missing.is_empty(),
        "never reached: {missing:?}; reached: {reached:?}\n{stdout}"
    );
    assert!(
        status.success(),
        "demo exit: {status:?}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("demo stopped"), "{stdout}");
    let (code, table, _) = overview;
    assert_eq!(code, Some(0), "{table}");
    assert!(table.starts_with("CLUSTER  GROUP"), "{table}");
    for (group, _, _) in &expected {
        let line = table
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(group))
            .unwrap_or_else(|| panic!("{group} missing from:\n{table}"));
        let status = line.split_whitespace().nth(2).unwrap_or_default();
        assert!(["OK", "WARN", "ERR"].contains(&status), "{line}");
        assert!(
            !line.contains('\x1b'),
            "no colour when not a terminal: {line}"
        );
    }
    let (code, detail, _) = one;
    assert_eq!(code, Some(0), "{detail}");
    assert!(
        detail.starts_with(&format!("demo/{first_group}: ")),
        "{detail}"
    );
    assert!(
        detail.contains("TOPIC") && detail.contains("PARTITION"),
        "{detail}"
    );
    let (code, _, error) = unknown;
    assert_eq!(code, Some(1));
    assert!(error.contains("404"), "{error}");
    println!("time to intended status: {reached:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_level_changes_at_run_time_through_the_api() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr");
    let mut child = demo(port)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start the demo");
    let url = format!("http://127.0.0.1:{port}/v3/admin/loglevel");
    let client = reqwest::Client::new();
    let start = Instant::now();
    let level = loop {
        if let Ok(res) = client.get(&url).send().await {
            break res.json::<Value>().await.unwrap();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the demo never answered"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // The demo logs warnings only.
    assert_eq!(level["level"], "warn", "{level}");
    let set = client
        .post(&url)
        .json(&serde_json::json!({ "level": "info" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let level: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(level["level"], "info", "{level}");
    // The change is logged at the new level, which the old one would have filtered out.
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("log level set through the API") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no info line after the change:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
}
