//! `promtool check metrics` (Debian's `prometheus` package; `scripts/test` installs it) over a
//! `/metrics` body, for every test that proves the body is one Prometheus accepts.

use std::io::Write;
use std::process::{Command, Stdio};

/// Burrow named a gauge `..._lag_total`; the name is kept so Burrow dashboards keep working,
/// and that is the one lint promtool may report.
const KEPT: &str =
    "burrow_kafka_consumer_lag_total non-counter metrics should not have \"_total\" suffix";

/// What promtool says about `body` beyond the kept lint: empty when it accepts the body. A
/// parse error or any other lint is a line here. Panics when promtool cannot run
/// (`WARREN_PROMTOOL` names another binary).
pub fn complaints(body: &str) -> Vec<String> {
    let bin = std::env::var("WARREN_PROMTOOL").unwrap_or_else(|_| "promtool".into());
    let mut child = Command::new(&bin)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{bin}: {e}; this test needs promtool (apt package prometheus; scripts/test installs it)")
        });
    child
        .stdin
        .take()
        .expect("promtool's stdin")
        .write_all(body.as_bytes())
        .expect("write the body to promtool");
    let out = child.wait_with_output().expect("promtool ran");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    report
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != KEPT)
        .map(str::to_owned)
        .collect()
}
