//! `warren demo` as a newcomer runs it: every simulated group shows the status it was built to
//! show in the very first answer of the API (its history is seeded before the first
//! evaluation), through the real collection path; the plugin cluster is judged by its
//! evaluator plugin, its filter hides the noise group, and an incident opens and resolves
//! through the webhook notifier to the demo's own receiver; `--no-plugins` is the bare demo;
//! Ctrl-C stops everything cleanly.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use warren_daemon::demo::Designed;
use warren_testkit::free_port;

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

/// Each cluster's first `/status` answer: polled from the moment the demo starts, the first
/// answer with groups in it, taken as it is (no settling time).
async fn first_screen(port: u16, clusters: &[&str]) -> BTreeMap<String, Value> {
    let mut first = BTreeMap::new();
    let start = Instant::now();
    while first.len() < clusters.len() && start.elapsed() < Duration::from_secs(120) {
        for cluster in clusters {
            if first.contains_key(*cluster) {
                continue;
            }
            let url = format!("http://127.0.0.1:{port}/v3/kafka/{cluster}/status");
            let Ok(res) = reqwest::get(&url).await else {
                continue;
            };
            let Ok(body) = res.json::<Value>().await else {
                continue;
            };
            if body["statuses"].as_array().is_some_and(|s| !s.is_empty()) {
                first.insert(cluster.to_string(), body);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    first
}

/// Where the first screen differs from the design: one line per group.
fn off_design(first: &BTreeMap<String, Value>, designed: &[Designed]) -> Vec<String> {
    let mut wrong = Vec::new();
    for d in designed {
        let shown = first
            .get(d.cluster)
            .and_then(|b| b["statuses"].as_array())
            .and_then(|s| s.iter().find(|s| s["group"] == d.group));
        let ok = shown.is_some_and(|s| {
            s["status"] == d.status && s["partition_statuses"].get(d.partition_status).is_some()
        });
        if !ok {
            wrong.push(format!(
                "{}/{}: designed {} with a {} partition, first shown {}",
                d.cluster,
                d.group,
                d.status,
                d.partition_status,
                shown.map_or("nothing".to_string(), |s| format!(
                    "{} {}",
                    s["status"], s["partition_statuses"]
                ))
            ));
        }
    }
    wrong
}

/// Stops the demo with SIGINT and waits (at most 20 s) for it to exit.
fn interrupt(child: &mut std::process::Child) -> std::process::ExitStatus {
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let stop_start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s;
        }
        if stop_start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("demo did not stop on Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_group_shows_its_designed_status_from_the_first_screen_and_an_incident_opens_and_resolves()
 {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stdout");
    let mut child = demo(port)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the demo");
    let designed = warren_daemon::demo::designed_groups(true);
    let first = first_screen(port, &["demo", "demo-slo"]).await;
    let wrong = off_design(&first, &designed);
    let api = format!("http://127.0.0.1:{port}");
    let slo_groups: Value = reqwest::get(format!("{api}/v3/kafka/demo-slo/consumer"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut verdicts = Vec::new();
    for (cluster, group) in [("demo-slo", "orders-behind"), ("demo", "demo-slow")] {
        let url = format!("{api}/v3/kafka/{cluster}/consumer/{group}/lag");
        verdicts.push(
            reqwest::get(url)
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap(),
        );
    }
    // The batch group's incident: opened (it is WARN from the first screen), then resolved
    // when it catches up, both delivered to the demo's receiver and printed.
    let incident = |kind: &str| format!("incident {kind} demo-slo/orders-batch");
    let start = Instant::now();
    let mut printed = String::new();
    while start.elapsed() < Duration::from_secs(90) {
        printed = std::fs::read_to_string(&out).unwrap_or_default();
        let opened = printed.find(&incident("opened"));
        let resolved = printed.find(&incident("resolved"));
        if opened.zip(resolved).is_some_and(|(o, r)| o < r) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let incident_seen = start.elapsed();
    // `warren status` against the running demo: the overview, one group, an unknown cluster.
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
    let first_group = designed[0].group;
    let one = status_cmd(&["demo", first_group]);
    let unknown = status_cmd(&["no-such-cluster"]);
    // Stop it before asserting so a failure does not leave the demo running.
    let status = interrupt(&mut child);
    let output = child.wait_with_output().expect("output");
    let stdout = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(
        wrong.is_empty(),
        "off design at the first screen:\n{}\nfirst screen: {first:#?}\n{stdout}",
        wrong.join("\n")
    );
    // The plugin cluster is judged by the evaluator plugin, and its filter hides the noise.
    let plugin_verdict = &verdicts[0]["status"];
    assert_eq!(
        plugin_verdict["evaluator"]["plugin"], "slo",
        "{plugin_verdict}"
    );
    assert!(
        plugin_verdict["evaluator"]["fallback"].is_null(),
        "{plugin_verdict}"
    );
    assert_eq!(plugin_verdict["status"], "WARN", "{plugin_verdict}");
    let burrow_verdict = &verdicts[1]["status"];
    assert!(
        burrow_verdict.get("evaluator").is_none(),
        "Burrow's rules: {burrow_verdict}"
    );
    for (cluster, group) in warren_daemon::demo::hidden_groups() {
        assert_eq!(cluster, "demo-slo");
        let listed = slo_groups["consumers"].as_array().unwrap();
        assert!(
            !listed.iter().any(|g| g == group),
            "{group} is not hidden: {slo_groups}"
        );
        assert!(
            !first[cluster]["statuses"].to_string().contains(group),
            "{group} is not hidden"
        );
    }
    let opened = printed.find(&incident("opened"));
    let resolved = printed.find(&incident("resolved"));
    assert!(
        opened.zip(resolved).is_some_and(|(o, r)| o < r),
        "no incident opened then resolved in {incident_seen:?}:\n{printed}"
    );
    // The terminal says what each group demonstrates.
    for d in &designed {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(d.group))
            .unwrap_or_else(|| panic!("{} is not described:\n{stdout}", d.group));
        assert!(line.contains(": "), "{line}");
    }
    assert!(
        status.success(),
        "demo exit: {status:?}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("demo stopped"), "{stdout}");
    let (code, table, _) = overview;
    assert_eq!(code, Some(0), "{table}");
    assert!(
        table
            .lines()
            .next()
            .is_some_and(|h| h.split_whitespace().take(2).eq(["CLUSTER", "GROUP"])),
        "{table}"
    );
    for d in &designed {
        let line = table
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(d.group))
            .unwrap_or_else(|| panic!("{} missing from:\n{table}", d.group));
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
    println!("incident opened and resolved within {incident_seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_without_plugins_is_one_cluster_on_burrows_rules_from_the_first_screen() {
    let port = free_port();
    let mut child = demo(port)
        .arg("--no-plugins")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the demo");
    let first = first_screen(port, &["demo"]).await;
    let api = format!("http://127.0.0.1:{port}");
    let get = async |path: &str| -> Value {
        match reqwest::get(format!("{api}{path}")).await {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    };
    let clusters = get("/v3/kafka").await;
    let plugins = get("/v3/admin/plugins").await;
    let notifiers = get("/v3/admin/notifiers").await;
    let status = interrupt(&mut child);
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let wrong = off_design(&first, &warren_daemon::demo::designed_groups(false));
    assert!(wrong.is_empty(), "{}\n{stdout}", wrong.join("\n"));
    assert_eq!(
        clusters["clusters"],
        serde_json::json!(["demo"]),
        "{clusters}"
    );
    assert_eq!(plugins["plugins"], serde_json::json!([]), "{plugins}");
    assert_eq!(notifiers["notifiers"], serde_json::json!([]), "{notifiers}");
    assert!(!stdout.contains("webhook"), "{stdout}");
    assert!(status.success(), "{status:?}");
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
