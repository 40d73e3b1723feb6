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

/// `plugin test` of a built-in notifier on the sample incident (`event`), with `args`.
fn dry_run(plugin: &str, event: &str, args: &[&str]) -> (i32, String, String) {
    let file = wasm(plugin);
    let mut all = vec!["plugin", "test", file.as_str(), "--event", event];
    all.extend_from_slice(args);
    warren(&all)
}

#[test]
fn a_notifier_dry_run_shows_what_each_built_in_would_send() {
    let cases: [(&str, &str, &[&str]); 6] = [
        (
            "slack",
            "opened",
            &[
                "--config",
                r#"{"url":"https://hooks.slack.com/services/${secret:webhook}"}"#,
                "--secrets",
                "webhook=T000/B000/XXXX",
                "--allow",
                "hooks.slack.com",
            ],
        ),
        (
            "pagerduty",
            "opened",
            &[
                "--config",
                r#"{"routing-key":"${secret:key}"}"#,
                "--secrets",
                "key=R0UT1NG",
                "--allow",
                "events.pagerduty.com",
            ],
        ),
        (
            "teams",
            "updated",
            &[
                "--config",
                r#"{"url":"https://example.webhook.office.com/workflows/${secret:id}"}"#,
                "--secrets",
                "id=wf-1",
                "--allow",
                "*.webhook.office.com",
            ],
        ),
        (
            "webhook",
            "opened",
            &[
                "--config",
                r#"{"url":"https://hooks.example.com/burrow","headers":{"Authorization":"Bearer ${secret:token}"}}"#,
                "--secrets",
                "token=s3cr3t",
                "--allow",
                "hooks.example.com",
            ],
        ),
        (
            "webhook",
            "resolved",
            &[
                "--config",
                r#"{"url":"https://hooks.example.com/burrow"}"#,
                "--allow",
                "hooks.example.com",
            ],
        ),
        (
            "email",
            "opened",
            &["--config", r#"{}"#, "--mail-to", "ops@example.com"],
        ),
    ];
    for (plugin, event, args) in cases {
        let (code, stdout, stderr) = dry_run(plugin, event, args);
        assert_eq!(code, 0, "{plugin} {event}: {stderr}");
        assert!(
            !stdout.contains("s3cr3t") && !stdout.contains("R0UT1NG"),
            "{stdout}"
        );
        let path = root().join(format!(
            "host/daemon/tests/golden/dry_run/{plugin}_{event}.txt"
        ));
        warren_testkit::golden::assert(&path, &stdout);
    }
}

#[test]
fn a_dry_run_shows_secrets_only_when_revealed_and_refuses_hosts_off_the_allow_list() {
    let config = r#"{"url":"https://hooks.slack.com/services/${secret:webhook}"}"#;
    let (code, stdout, _) = dry_run(
        "slack",
        "opened",
        &["--config", config, "--secrets", "webhook=T000/B000/XXXX"],
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(
            "REFUSED: hooks.slack.com:443 is not in this plugin's allowed-outbound-hosts"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("delivery failed for good"), "{stdout}");
    assert!(stdout.contains("/services/${secret:webhook}"), "{stdout}");
    let (_, revealed, _) = dry_run(
        "slack",
        "opened",
        &[
            "--config",
            config,
            "--secrets",
            "webhook=T000/B000/XXXX",
            "--allow",
            "hooks.slack.com",
            "--reveal",
        ],
    );
    assert!(revealed.contains("/services/T000/B000/XXXX"), "{revealed}");
    // Mail without a grant is refused as the daemon would refuse it.
    let (code, stdout, _) = dry_run("email", "opened", &["--config", "{}"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("REFUSED: this plugin has no mail capability"),
        "{stdout}"
    );
}

#[test]
fn send_really_sends_to_an_allowed_receiver() {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        reader
            .get_mut()
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .unwrap();
        (head, String::from_utf8(body).unwrap())
    });
    let url = format!(r#"{{"url":"http://127.0.0.1:{port}/hook"}}"#);
    let allow = format!("127.0.0.1:{port}");
    let (code, stdout, stderr) = dry_run(
        "webhook",
        "opened",
        &[
            "--config",
            &url,
            "--allow",
            &allow,
            "--allow-private-addresses",
            "--send",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("delivered (sent)"), "{stdout}");
    let (head, body) = received.join().unwrap();
    assert!(head.starts_with("POST /hook HTTP/1.1"), "{head}");
    assert!(body.contains("\"group\":\"g1\""), "{body}");
}
