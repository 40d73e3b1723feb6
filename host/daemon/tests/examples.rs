//! The Prometheus and Grafana examples are real: `promtool` (Debian's `prometheus` package;
//! `scripts/test` installs it) accepts the scrape config and the alert rules, parses every
//! PromQL expression of the Grafana dashboard, and every metric they name is one Warren
//! serves.

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Every family Warren's `/metrics` renders, read from its source.
fn served() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../http/src/metrics.rs"))
        .expect("metrics.rs")
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
    let served = served();
    for name in metric_names(&rules) {
        assert!(
            served.contains(&format!("\"{name}\"")),
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
    let served = served();
    for name in exprs.iter().flat_map(|e| metric_names(e)) {
        assert!(
            served.contains(&format!("\"{name}\"")),
            "the dashboard uses {name}, which Warren does not serve"
        );
    }
}
