//! The plugin author's commands as they run them, against the first-party plugins built for
//! wasm32-wasip2: `plugin inspect` describes a component, `plugin test` runs a filter or an
//! evaluator on recorded input, `evaluate --evaluator` judges the `warren evaluate` input with a
//! plugin instead of Burrow's rules, and `check-config` runs every plugin's own validation.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn warren(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warren"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run warren");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn wasm(name: &str) -> String {
    let path = root().join(format!("plugins/target/wasm32-wasip2/release/{name}.wasm"));
    assert!(path.exists(), "{path:?} missing: build the plugins first");
    path.to_string_lossy().into_owned()
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

#[test]
fn plugin_inspect_names_the_world_package_metadata_and_schema() {
    let (code, stdout, stderr) = warren(&["plugin", "inspect", &wasm("lag_threshold")]);
    assert_eq!(code, 0, "{stderr}");
    let v = json(&stdout);
    assert_eq!(v["world"], "evaluator");
    assert_eq!(v["package"], "warren:plugin@0.1.0");
    assert_eq!(v["metadata"]["name"], "lag-threshold");
    assert!(v["metadata"]["config-schema"].is_object(), "{v}");
    assert_eq!(v["sha256"].as_str().map(str::len), Some(64));
    assert!(
        v["exports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "evaluate")
    );
    let (code, stdout, _) = warren(&["plugin", "inspect", &wasm("skip_empty")]);
    assert_eq!(code, 0);
    assert_eq!(json(&stdout)["world"], "group-filter");
}

#[test]
fn plugin_inspect_rejects_a_file_that_is_not_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, b"\0asm not really").unwrap();
    let (code, _, stderr) = warren(&["plugin", "inspect", junk.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot load"), "{stderr}");
}

#[test]
fn evaluate_with_a_plugin_judges_the_same_window_by_its_own_policy() {
    let input = root().join("examples/evaluate/warn.json");
    let input = input.to_str().unwrap();
    let (_, burrow, _) = warren(&["evaluate", input]);
    assert_eq!(json(&burrow)["status"], "WARN");
    let (code, strict, stderr) = warren(&[
        "evaluate",
        "--evaluator",
        &wasm("lag_threshold"),
        "--plugin-config",
        r#"{"warn": 100, "err": 200}"#,
        input,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let strict = json(&strict);
    assert_eq!(strict["status"], "ERR", "{strict}");
    assert_eq!(strict["evaluator"]["plugin"], "lag_threshold");
    assert_eq!(strict["totallag"], 250);
    let (_, lenient, _) = warren(&[
        "evaluate",
        "--evaluator",
        &wasm("lag_threshold"),
        "--plugin-config",
        r#"{"warn": 1000, "err": 5000}"#,
        input,
    ]);
    assert_eq!(json(&lenient)["status"], "OK");
}

#[test]
fn plugin_test_runs_a_filter_and_reports_rejected_config() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("idle.json");
    // No owner and the last commit an hour before `now`.
    std::fs::write(
        &input,
        r#"{"cluster": "c", "group": "gone", "now": 1700003600000,
            "partitions": [{"topic": "t", "partition": 0,
              "offsets": [{"offset": 5, "timestamp": 1700000000000, "lag": 0}],
              "broker-offsets": [5]}]}"#,
    )
    .unwrap();
    let run = |config: &str| {
        warren(&[
            "plugin",
            "test",
            &wasm("skip_empty"),
            "--input",
            input.to_str().unwrap(),
            "--config",
            config,
        ])
    };
    let (code, stdout, stderr) = run(r#"{"empty-for-secs": 600}"#);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json(&stdout)["monitored"], false);
    let (_, stdout, _) = run(r#"{"empty-for-secs": 7200}"#);
    assert_eq!(json(&stdout)["monitored"], true);
    let (code, _, stderr) = run(r#"{"empty-for-secs": "soon"}"#);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid config"), "{stderr}");
    assert!(stderr.contains("empty-for-secs"), "{stderr}");
}

#[test]
fn check_config_runs_each_plugins_own_validation_and_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("warren.toml");
    std::fs::write(
        &file,
        r#"
[cluster.prod]
servers = ["127.0.0.1:9092"]
evaluator = "thresholds"
[plugin.thresholds]
kind = "evaluator"
path = "builtin:lag-threshold"
config = { warn = 500, err = 100 }
[plugin.missing]
kind = "group-filter"
path = "filters/none.wasm"
"#,
    )
    .unwrap();
    let (code, stdout, stderr) = warren(&["check-config", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("plugin.thresholds.config: rejected by the plugin"),
        "{stderr}"
    );
    assert!(
        stderr.contains("plugin.missing.path: cannot read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("filters/none.wasm"),
        "relative to the config file: {stderr}"
    );
}
