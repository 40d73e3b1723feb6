//! Plugins in the running daemon, on librdkafka's mock cluster: a built-in evaluator judges a
//! cluster's groups, a built-in filter hides idle groups from the listing, a plugin that loops
//! forever falls back to Burrow's rules (and says so) while the daemon keeps serving, the admin
//! route shows every plugin's health, and a reload swaps a changed plugin without losing state
//! or keeps the running version when the new one cannot load. An evaluator sleeping in WASI
//! stalls neither the start nor status requests, and a plugin cache directory others may write
//! stops the start.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rdkafka::mocking::MockCluster;
use rdkafka::producer::BaseProducer;
use serde_json::Value;
use warren_core::codec;
use warren_integration_tests::{
    Daemon, commit_offset, free_port, now_ms, one_member_group, produce, produce_raw, producer,
    unique, wait_until,
};

fn members(p: &BaseProducer, group: &str, topic: &str) {
    let value = one_member_group("app-1", topic, vec![0, 1]);
    produce_raw(
        p,
        "__consumer_offsets",
        0,
        &codec::encode_group_metadata_key(group),
        Some(&value),
    );
}

fn misbehave_wasm() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugins/target/wasm32-wasip2/release/misbehave.wasm");
    assert!(
        path.exists(),
        "{} missing: build the plugins (scripts/test does)",
        path.display()
    );
    path.canonicalize().expect("absolute path")
}

fn config(bootstrap: &str, port: u16, thresholds_path: &str, warn: u64) -> String {
    format!(
        r#"
[cluster.judged]
servers = ["{bootstrap}"]
offset-refresh = "1s"
evaluator = "thresholds"
group-filters = ["skip-idle"]
[consumer.judged]
class-name = "kafka"
cluster = "judged"

[cluster.broken]
servers = ["{bootstrap}"]
offset-refresh = "1s"
evaluator = "looping"
[consumer.broken]
class-name = "kafka"
cluster = "broken"

# Cached verdicts live far longer than the test: a verdict that changes on reload was dropped
# by the reload, not by age.
[evaluator.default]
expire-cache = "1h"

[plugin.thresholds]
kind = "evaluator"
path = "{thresholds_path}"
clusters = ["judged"]
config = {{ warn = {warn}, err = {err} }}

[plugin.skip-idle]
kind = "group-filter"
path = "builtin:skip-empty"
config = {{ empty-for-secs = 3600 }}

[plugin.looping]
kind = "evaluator"
path = "{misbehave}"
clusters = ["broken"]
config = {{ mode = "loop" }}
[plugin.looping.limits]
timeout = "50ms"

[httpserver.test]
address = "127.0.0.1:{port}"
"#,
        err = warn * 5,
        misbehave = misbehave_wasm().display(),
    )
}

fn plugin<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["plugins"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("plugin {name} not listed: {list}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_judge_filter_fall_back_report_health_and_reload_without_losing_state() {
    let mock = MockCluster::new(1).expect("mock cluster");
    let topic = unique("orders");
    mock.create_topic(&topic, 2, 1).expect("topic");
    mock.create_topic("__consumer_offsets", 1, 1)
        .expect("offsets topic");
    let bootstrap = mock.bootstrap_servers();
    let p = producer(&bootstrap);
    produce(&p, &topic, 2, 200);

    let lagging = unique("lagging");
    let idle = unique("idle");
    let now = now_ms();
    members(&p, &lagging, &topic);
    for partition in 0..2 {
        // HEAD is 200 per partition: lag 160 each.
        commit_offset(&p, &lagging, &topic, partition, 40, now - 5_000);
        // No members and two hours without a commit: skip-idle leaves it out.
        commit_offset(&p, &idle, &topic, partition, 100, now - 7_200_000);
    }
    use rdkafka::producer::Producer;
    p.flush(Duration::from_secs(5)).expect("flush");

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("warren.toml");
    let port = free_port();
    std::fs::write(&file, config(&bootstrap, port, "builtin:lag-threshold", 10)).unwrap();
    let d = Daemon::start_file(&file, port).await;

    wait_until(Duration::from_secs(30), "groups stored", || async {
        let (a, _) = d.get(&format!("/v3/kafka/judged/consumer/{lagging}")).await;
        let (b, _) = d.get(&format!("/v3/kafka/broken/consumer/{idle}")).await;
        a == 200 && b == 200
    })
    .await;
    d.wait_ready().await;

    // The evaluator plugin judges: lag 160 per partition is over err (50).
    let (code, status) = d
        .get(&format!("/v3/kafka/judged/consumer/{lagging}/status"))
        .await;
    assert_eq!(code, 200, "{status}");
    assert_eq!(status["status"]["status"], "ERR", "{status}");
    assert_eq!(status["status"]["evaluator"]["plugin"], "thresholds");
    assert_eq!(status["status"]["evaluator"]["fallback"], Value::Null);

    // The filter hides the idle group from the listing and the bulk status, not from lookups.
    let (_, list) = d.get("/v3/kafka/judged/consumer").await;
    let names: Vec<&str> = list["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(names.contains(&lagging.as_str()), "{list}");
    assert!(!names.contains(&idle.as_str()), "{list}");
    let (_, bulk) = d.get("/v3/kafka/judged/status").await;
    assert_eq!(bulk["statuses"].as_array().unwrap().len(), 1, "{bulk}");
    let (code, _) = d.get(&format!("/v3/kafka/judged/consumer/{idle}")).await;
    assert_eq!(code, 200);
    // The other cluster has no filter: the idle group is listed there.
    let (_, list) = d.get("/v3/kafka/broken/consumer").await;
    assert!(
        list["consumers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == &*idle)
    );

    // A plugin that never returns is cut off; Burrow's rules answer and the status says why.
    let started = Instant::now();
    let (code, status) = d
        .get(&format!("/v3/kafka/broken/consumer/{lagging}/status"))
        .await;
    assert_eq!(code, 200, "{status}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered promptly"
    );
    let note = &status["status"]["evaluator"];
    assert_eq!(note["plugin"], "looping");
    assert!(
        note["fallback"]
            .as_str()
            .is_some_and(|f| f.contains("timed out")),
        "{status}"
    );
    assert_ne!(status["status"]["status"], "NOTFOUND");
    let (code, good) = d.get("/burrow/admin").await;
    assert_eq!((code, good), (200, Value::String("GOOD".into())));

    // Health of every plugin.
    let (code, plugins) = d.get("/v3/admin/plugins").await;
    assert_eq!(code, 200, "{plugins}");
    assert_eq!(plugins["plugins"].as_array().unwrap().len(), 3);
    let looping = plugin(&plugins, "looping");
    assert_eq!(looping["kind"], "evaluator");
    assert_eq!(looping["component"]["name"], "misbehave");
    assert!(
        looping["health"]["calls"]["timeout"].as_u64() >= Some(1),
        "{looping}"
    );
    assert_eq!(
        plugin(&plugins, "thresholds")["used-by"],
        serde_json::json!(["judged"])
    );
    assert!(plugin(&plugins, "skip-idle")["health"]["calls"]["ok"].as_u64() >= Some(1));
    // A looping evaluator runs until its deadline (50 ms, counted in 10 ms epoch ticks): tens
    // of milliseconds were spent in it, where a well-behaved call takes microseconds.
    assert!(
        looping["health"]["call-micros"].as_u64() >= Some(20_000),
        "{looping}"
    );
    let loaded_at = plugin(&plugins, "skip-idle")["loaded-at"].clone();
    let (_, stored) = d.get(&format!("/v3/kafka/judged/consumer/{lagging}")).await;

    // Reload with new thresholds: the changed plugin is replaced, the others keep running, and
    // cached verdicts are dropped at once (lag 160 is now under warn).
    std::fs::write(
        &file,
        config(&bootstrap, port, "builtin:lag-threshold", 1000),
    )
    .unwrap();
    let (code, report) = d.post("/v3/admin/plugins/reload").await;
    assert_eq!(code, 200, "{report}");
    assert_eq!(report["reload"]["plugins"]["thresholds"], "loaded");
    assert_eq!(report["reload"]["plugins"]["skip-idle"], "unchanged");
    let (_, status) = d
        .get(&format!("/v3/kafka/judged/consumer/{lagging}/status"))
        .await;
    assert_eq!(status["status"]["status"], "OK", "{status}");
    let (_, plugins) = d.get("/v3/admin/plugins").await;
    assert_eq!(plugin(&plugins, "skip-idle")["loaded-at"], loaded_at);
    let (code, after) = d.get(&format!("/v3/kafka/judged/consumer/{lagging}")).await;
    assert_eq!(code, 200);
    assert_eq!(
        after["topics"], stored["topics"],
        "storage untouched by the reload"
    );
    assert!(after["topics"][&topic][0]["offsets"].is_array(), "{after}");

    // A reload whose plugin cannot load keeps the running version and says why.
    std::fs::write(
        &file,
        config(&bootstrap, port, "builtin:no-such-plugin", 10),
    )
    .unwrap();
    let (code, report) = d.post("/v3/admin/plugins/reload").await;
    assert_eq!(code, 422, "{report}");
    assert_eq!(report["reload"]["plugins"]["thresholds"], "kept");
    let problems = report["reload"]["problems"].to_string();
    assert!(problems.contains("plugin.thresholds.path"), "{problems}");
    assert!(problems.contains("no-such-plugin"), "{problems}");
    let (_, status) = d
        .get(&format!("/v3/kafka/judged/consumer/{lagging}/status"))
        .await;
    assert_eq!(status["status"]["evaluator"]["plugin"], "thresholds");
    assert_eq!(
        status["status"]["status"], "OK",
        "old thresholds still judge"
    );
    let (_, plugins) = d.get("/v3/admin/plugins").await;
    assert!(
        plugin(&plugins, "thresholds")["reload-error"]
            .as_str()
            .is_some_and(|e| e.contains("no-such-plugin"))
    );

    // A config file that does not parse changes nothing.
    std::fs::write(&file, "[cluster.judged\n").unwrap();
    let (code, report) = d.post("/v3/admin/plugins/reload").await;
    assert_eq!(code, 409, "{report}");
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_that_fails_to_load_stops_the_start_with_its_key_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"
[cluster.c]
servers = ["127.0.0.1:1"]
evaluator = "strict"
[plugin.strict]
kind = "evaluator"
path = "builtin:lag-threshold"
config = { warn = 100 }
"#;
    let loaded = warren_core::config::load(text, &|_| None).expect("config loads");
    let err = warren_daemon::app::serve_with(
        loaded.config,
        Some(dir.path().join("warren.toml")),
        std::future::pending(),
    )
    .await
    .expect_err("refuses to start");
    let message = format!("{err:#}");
    assert!(message.contains("plugin.strict.config"), "{message}");
    assert!(message.contains("err"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_misbehaving_evaluator_falls_back_to_burrows_rules_and_the_daemon_keeps_serving() {
    let mock = MockCluster::new(1).expect("mock cluster");
    let topic = unique("orders");
    mock.create_topic(&topic, 2, 1).expect("topic");
    mock.create_topic("__consumer_offsets", 1, 1)
        .expect("offsets topic");
    let bootstrap = mock.bootstrap_servers();
    let p = producer(&bootstrap);
    produce(&p, &topic, 2, 50);
    let group = unique("steady");
    let now = now_ms();
    for partition in 0..2 {
        commit_offset(&p, &group, &topic, partition, 50, now - 1_000);
    }
    use rdkafka::producer::Producer;
    p.flush(Duration::from_secs(5)).expect("flush");

    // (mode, what the fallback reason must say)
    let modes = [
        ("bomb", "trapped"),
        ("panic", "trapped"),
        ("garbage", "invalid output"),
        ("error", "refusing to judge"),
    ];
    let mut text = String::from("[evaluator.default]\nexpire-cache = \"0s\"\n");
    for (mode, _) in modes {
        text.push_str(&format!(
            r#"
[cluster.{mode}]
servers = ["{bootstrap}"]
offset-refresh = "1s"
evaluator = "{mode}"
[consumer.{mode}]
class-name = "kafka"
cluster = "{mode}"
[plugin.{mode}]
kind = "evaluator"
path = "{wasm}"
clusters = ["{mode}"]
config = {{ mode = "{mode}" }}
[plugin.{mode}.limits]
memory-mib = 16
"#,
            wasm = misbehave_wasm().display(),
        ));
    }
    let d = Daemon::start(&text).await;
    for (mode, reason) in modes {
        let path = format!("/v3/kafka/{mode}/consumer/{group}/lag");
        wait_until(Duration::from_secs(30), "group stored", || async {
            d.get(&path).await.0 == 200
        })
        .await;
        // Two calls: the instance discarded after a trap is replaced for the next one.
        for _ in 0..2 {
            let (code, lag) = d.get(&path).await;
            assert_eq!(code, 200, "{mode}: {lag}");
            let status = &lag["status"];
            assert_eq!(
                status["status"], "OK",
                "{mode}: Burrow's rules answered: {lag}"
            );
            assert_eq!(status["partition_count"], 2, "{mode}");
            let fallback = status["evaluator"]["fallback"].as_str().unwrap_or_default();
            assert!(fallback.contains(reason), "{mode}: {fallback}");
        }
    }
    let (code, plugins) = d.get("/v3/admin/plugins").await;
    assert_eq!(code, 200);
    for (mode, _) in modes {
        let health = &plugin(&plugins, mode)["health"];
        assert!(
            health["consecutive-failures"].as_u64() >= Some(2),
            "{mode}: {health}"
        );
        assert!(health["last-error"].is_string(), "{mode}: {health}");
    }
    assert_eq!(d.get("/burrow/admin").await.0, 200);
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evaluator_sleeping_in_wasi_stalls_neither_the_start_nor_parallel_status_requests() {
    // misbehave's `sleep-validate` sleeps 30 s in validate-config and in every evaluation (a
    // WASI call, where the epoch deadline cannot reach); an evaluator has no time, so each sleep
    // is over at once. Before, the start took 30 s and each request waited its turn for 30 s.
    let bound = Duration::from_secs(20);
    let mock = MockCluster::new(1).expect("mock cluster");
    let topic = unique("orders");
    mock.create_topic(&topic, 2, 1).expect("topic");
    mock.create_topic("__consumer_offsets", 1, 1)
        .expect("offsets topic");
    let bootstrap = mock.bootstrap_servers();
    let p = producer(&bootstrap);
    produce(&p, &topic, 2, 50);
    let group = unique("steady");
    let now = now_ms();
    for partition in 0..2 {
        commit_offset(&p, &group, &topic, partition, 50, now - 1_000);
    }
    use rdkafka::producer::Producer;
    p.flush(Duration::from_secs(5)).expect("flush");
    let text = format!(
        r#"
[evaluator.default]
expire-cache = "0s"
[cluster.sleepy]
servers = ["{bootstrap}"]
offset-refresh = "1s"
evaluator = "sleepy"
[consumer.sleepy]
class-name = "kafka"
cluster = "sleepy"
[plugin.sleepy]
kind = "evaluator"
path = "{wasm}"
clusters = ["sleepy"]
config = {{ mode = "sleep-validate" }}
"#,
        wasm = misbehave_wasm().display(),
    );
    let start = Instant::now();
    let d = Daemon::start(&text).await;
    assert!(
        start.elapsed() < bound,
        "the start took {:?}",
        start.elapsed()
    );
    let path = format!("/v3/kafka/sleepy/consumer/{group}/lag");
    wait_until(Duration::from_secs(30), "group stored", || async {
        d.get(&path).await.0 == 200
    })
    .await;
    let start = Instant::now();
    let answers = tokio::join!(
        d.get(&path),
        d.get(&path),
        d.get(&path),
        d.get(&path),
        d.get("/burrow/admin"),
    );
    let took = start.elapsed();
    assert!(took < bound, "four status requests took {took:?}");
    for (code, lag) in [answers.0, answers.1, answers.2, answers.3] {
        assert_eq!(code, 200, "{lag}");
        // The plugin itself answered: no fallback to Burrow's rules.
        assert_eq!(lag["status"]["status"], "OK", "{lag}");
        assert!(lag["status"]["evaluator"]["fallback"].is_null(), "{lag}");
    }
    assert_eq!(answers.4.0, 200);
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_cache_dir_others_may_write_stops_the_start_with_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    std::fs::create_dir(&cache).expect("cache dir");
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let text = format!(
        r#"
[general]
plugin-cache-dir = "{cache}"
[cluster.c]
servers = ["127.0.0.1:1"]
evaluator = "strict"
[plugin.strict]
kind = "evaluator"
path = "builtin:lag-threshold"
config = {{ warn = 100, err = 1000 }}
"#,
        cache = cache.display()
    );
    let loaded = warren_core::config::load(&text, &|_| None).expect("config loads");
    // A daemon that accepted the directory would serve until stopped.
    let err = tokio::time::timeout(
        Duration::from_secs(60),
        warren_daemon::app::serve_with(
            loaded.config,
            Some(dir.path().join("warren.toml")),
            std::future::pending(),
        ),
    )
    .await
    .expect("the daemon started with a cache dir anyone may write")
    .expect_err("refuses to start");
    let message = format!("{err:#}");
    assert!(
        message.contains("writable by its group or by others (mode 0777)"),
        "{message}"
    );
    assert!(message.contains("chmod go-w"), "{message}");
    assert_eq!(std::fs::read_dir(&cache).expect("cache dir").count(), 0);
}
