//! The Prometheus and Grafana examples are real: `promtool` (Debian's `prometheus` package;
//! `scripts/test` installs it) accepts the scrape config and the alert rules, parses every
//! PromQL expression of the Grafana dashboard, and every metric they name is one a running
//! Warren serves: the names come from a live scrape of `warren run`, not from its source.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn promtool(args: &[&str]) -> (bool, String) {
    let bin = std::env::var("WARREN_PROMTOOL").unwrap_or_else(|_| "promtool".into());
    let out = Command::new(&bin).args(args).output().unwrap_or_else(|e| {
        panic!("{bin}: {e}; these tests need promtool (apt package prometheus; scripts/test installs it)")
    });
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Metric names (`burrow_…`, `kafka_…`, `warren_…`) an expression mentions.
fn metric_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..].iter().collect();
        let starts = ["burrow_", "kafka_", "warren_"]
            .iter()
            .any(|p| rest.starts_with(p));
        let boundary = i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_');
        if starts && boundary {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            i += name.len();
            out.push(name);
        } else {
            i += 1;
        }
    }
    out
}

/// A `warren run` child, killed on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The body of `GET path` on 127.0.0.1:`port` when it answers 200.
fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    (head.split_whitespace().nth(1) == Some("200")).then(|| body.to_string())
}

/// Every metric family a running Warren serves: the `# TYPE` lines of one scrape of `warren
/// run` with a cluster, its consumer and a notifier configured (a family is rendered with or
/// without series, so the cluster needs no broker). Scraped once for all tests.
fn served() -> &'static BTreeSet<String> {
    static SERVED: OnceLock<BTreeSet<String>> = OnceLock::new();
    SERVED.get_or_init(|| {
        let port = warren_testkit::free_port();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("warren.toml");
        std::fs::write(
            &config,
            format!(
                r#"
[cluster.prod]
servers = ["127.0.0.1:1"]
[consumer.prod]
class-name = "kafka"
cluster = "prod"
[httpserver.test]
address = "127.0.0.1:{port}"
[plugin.hook]
kind = "notifier"
path = "builtin:webhook"
allowed-outbound-hosts = ["127.0.0.1:9"]
config = {{ url = "http://127.0.0.1:9/hook" }}
[notifier.hook]
plugin = "hook"
"#
            ),
        )
        .unwrap();
        let _daemon = Running(
            Command::new(env!("CARGO_BIN_EXE_warren"))
                .args(["run", "--config"])
                .arg(&config)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start warren"),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let body = loop {
            if let Some(body) = get(port, "/metrics") {
                break body;
            }
            assert!(Instant::now() < deadline, "no /metrics within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        };
        body.lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_owned)
            .collect()
    })
}

#[test]
fn the_scrape_config_and_alert_rules_pass_promtool() {
    let dir = examples().join("prometheus");
    let (ok, out) = promtool(&[
        "check",
        "config",
        dir.join("prometheus.yml").to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    let (ok, out) = promtool(&["check", "rules", dir.join("alerts.yml").to_str().unwrap()]);
    assert!(ok && out.contains("SUCCESS"), "{out}");
    let rules = std::fs::read_to_string(dir.join("alerts.yml")).unwrap();
    for name in metric_names(&rules) {
        assert!(
            served().contains(&name),
            "alerts.yml uses {name}, which Warren does not serve"
        );
    }
}

#[test]
fn every_dashboard_query_parses_and_names_a_served_metric() {
    let text = std::fs::read_to_string(examples().join("grafana/warren.json")).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("dashboard is JSON");
    let mut exprs: Vec<String> = Vec::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().into_iter().flatten() {
            exprs.push(target["expr"].as_str().expect("expr").to_string());
        }
    }
    for var in dashboard["templating"]["list"]
        .as_array()
        .into_iter()
        .flatten()
    {
        // Grafana's label_values(SELECTOR, LABEL): the selector is PromQL.
        if let Some(q) = var["definition"].as_str()
            && let Some(inner) = q.strip_prefix("label_values(")
        {
            let selector = inner.rsplit_once(',').map_or(inner, |(s, _)| s);
            exprs.push(selector.to_string());
        }
    }
    assert!(exprs.len() >= 15, "{} queries", exprs.len());
    // Grafana substitutes its variables before Prometheus sees the query.
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (i, e) in exprs.iter().enumerate() {
        let e = e.replace("$cluster", ".*").replace("$group", ".*");
        rules.push_str(&format!(
            "      - record: warren_dashboard_query_{i}\n        expr: {}\n",
            serde_json::to_string(&e).unwrap()
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dashboard-rules.yml");
    std::fs::write(&file, &rules).unwrap();
    let (ok, out) = promtool(&["check", "rules", file.to_str().unwrap()]);
    assert!(ok, "{out}\n{rules}");
    for name in exprs.iter().flat_map(|e| metric_names(e)) {
        assert!(
            served().contains(&name),
            "the dashboard uses {name}, which Warren does not serve"
        );
    }
}
