//! The Burrow API clients operators already run, replayed against `warren demo`: Telegraf's
//! Burrow input and burrow_exporter walk the v3 routes in their order (clusters, then each
//! cluster's topics and their offsets, then its consumers and each group's lag), and every
//! field they decode is there with the type they decode it as. A missing field would not fail
//! those clients loudly: they would export zeros, so the test is the only alarm.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// `warren demo` without its table, killed on drop.
struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_demo() -> (Demo, String) {
    let port = warren_testkit::free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_warren"))
        .args([
            "demo",
            "--no-table",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("warren demo");
    (Demo(child), format!("http://127.0.0.1:{port}"))
}

/// A client's walk: every GET it made, in order, with the decoded body.
struct Walk {
    base: String,
    calls: Vec<String>,
}

impl Walk {
    async fn get(&mut self, path: &str) -> Value {
        self.calls.push(path.to_owned());
        let res = reqwest::get(format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(res.status().as_u16(), 200, "GET {path}");
        res.json()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: not JSON: {e}"))
    }
}

/// The strings of `body[key]`, asserting it is a list of strings.
fn names(body: &Value, key: &str, path: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: `{key}` is not a list: {body}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{path}: `{key}` holds a non-string: {body}"))
                .to_owned()
        })
        .collect()
}

fn is_int(v: &Value) -> bool {
    v.as_i64().is_some()
}

/// Waits until the demo says it is ready (its collectors caught up: before that, lag answers
/// are 503, which both clients would report as errors) and lists a group.
async fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let ready = async {
            let res = reqwest::get(format!("{base}/burrow/admin/ready"))
                .await
                .ok()?;
            if res.status().as_u16() != 200 {
                return None;
            }
            let clusters: Value = reqwest::get(format!("{base}/v3/kafka"))
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            let cluster = clusters["clusters"][0].as_str()?.to_owned();
            let groups: Value = reqwest::get(format!("{base}/v3/kafka/{cluster}/consumer"))
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            groups["consumers"]
                .as_array()
                .filter(|g| !g.is_empty())
                .map(|_| ())
        };
        if ready.await.is_some() {
            return;
        }
        assert!(Instant::now() < deadline, "the demo never became ready");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegraf_and_burrow_exporter_read_every_field_they_decode_from_the_demo() {
    let (_demo, base) = start_demo();
    wait_ready(&base).await;

    // Telegraf's Burrow input: /v3/kafka, then per cluster its topics (each topic's offsets)
    // and its consumers (each group's lag).
    let mut telegraf = Walk {
        base: base.clone(),
        calls: Vec::new(),
    };
    let root = telegraf.get("/v3/kafka").await;
    let clusters = names(&root, "clusters", "/v3/kafka");
    assert!(clusters.len() >= 2, "{root}");
    let mut partitions_seen = 0;
    for cluster in &clusters {
        let path = format!("/v3/kafka/{cluster}/topic");
        let topics = names(&telegraf.get(&path).await, "topics", &path);
        assert!(!topics.is_empty(), "{path}");
        for topic in &topics {
            let path = format!("/v3/kafka/{cluster}/topic/{topic}");
            let body = telegraf.get(&path).await;
            let offsets = body["offsets"]
                .as_array()
                .unwrap_or_else(|| panic!("{path}: {body}"));
            assert!(
                !offsets.is_empty() && offsets.iter().all(is_int),
                "{path}: {body}"
            );
        }
        let path = format!("/v3/kafka/{cluster}/consumer");
        let groups = names(&telegraf.get(&path).await, "consumers", &path);
        for group in &groups {
            let path = format!("/v3/kafka/{cluster}/consumer/{group}/lag");
            let body = telegraf.get(&path).await;
            let status = &body["status"];
            assert!(status["status"].is_string(), "{path}: {body}");
            assert!(is_int(&status["partition_count"]), "{path}: {body}");
            assert!(is_int(&status["totallag"]), "{path}: {body}");
            assert!(
                status["maxlag"].is_null() || is_int(&status["maxlag"]["current_lag"]),
                "{path}: {body}"
            );
            for p in status["partitions"]
                .as_array()
                .unwrap_or_else(|| panic!("{path}: {body}"))
            {
                partitions_seen += 1;
                assert!(
                    p["topic"].is_string() && is_int(&p["partition"]),
                    "{path}: {p}"
                );
                assert!(
                    p["status"].is_string() && is_int(&p["current_lag"]),
                    "{path}: {p}"
                );
                for end in ["start", "end"] {
                    for field in ["offset", "timestamp", "lag"] {
                        assert!(is_int(&p[end][field]), "{path}: {end}.{field} in {p}");
                    }
                }
            }
        }
    }
    assert!(
        partitions_seen > 0,
        "no group had partitions: {:?}",
        telegraf.calls
    );

    // burrow_exporter: /v3/kafka, then per cluster its consumers and topics, then each group's
    // lag (labels from the body's own cluster and group) and each topic's offsets.
    let mut exporter = Walk {
        base,
        calls: Vec::new(),
    };
    let root = exporter.get("/v3/kafka").await;
    for cluster in names(&root, "clusters", "/v3/kafka") {
        let path = format!("/v3/kafka/{cluster}/consumer");
        let groups = names(&exporter.get(&path).await, "consumers", &path);
        let path = format!("/v3/kafka/{cluster}/topic");
        let topics = names(&exporter.get(&path).await, "topics", &path);
        for group in &groups {
            let path = format!("/v3/kafka/{cluster}/consumer/{group}/lag");
            let body = exporter.get(&path).await;
            let status = &body["status"];
            assert_eq!(status["cluster"], cluster.as_str(), "{path}: {body}");
            assert_eq!(status["group"], group.as_str(), "{path}: {body}");
            let known = ["NOTFOUND", "OK", "WARN", "ERR", "STOP", "STALL", "REWIND"];
            assert!(
                known.contains(&status["status"].as_str().unwrap_or_default()),
                "{path}: {body}"
            );
            for p in status["partitions"].as_array().into_iter().flatten() {
                assert!(
                    is_int(&p["end"]["offset"]) && is_int(&p["current_lag"]),
                    "{p}"
                );
                assert!(
                    known.contains(&p["status"].as_str().unwrap_or_default()),
                    "{p}"
                );
            }
        }
        for topic in &topics {
            let path = format!("/v3/kafka/{cluster}/topic/{topic}");
            let body = exporter.get(&path).await;
            assert!(
                body["offsets"]
                    .as_array()
                    .is_some_and(|o| o.iter().all(is_int)),
                "{path}"
            );
        }
    }
    assert!(exporter.calls.len() > 4, "{:?}", exporter.calls);
}
