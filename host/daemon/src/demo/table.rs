//! The demo's terminal view: the cluster's groups redrawn once a second from the daemon's own
//! bulk status endpoint, so what the table shows is exactly what the API serves.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;

/// Redraws until `running` turns false.
pub(crate) async fn refresh(base: String, running: Arc<AtomicBool>) {
    let client = reqwest::Client::new();
    let url = format!("{base}/v3/kafka/demo/status");
    while running.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let body = match client.get(&url).send().await {
            Ok(r) => r.json::<Value>().await.ok(),
            Err(_) => None,
        };
        let mut out = String::from("\x1b[2J\x1b[H");
        out.push_str(&format!(
            "Warren demo — dashboard {base}/   API {base}/v3/kafka/demo/consumer   (Ctrl-C to stop)\n"
        ));
        out.push_str(&format!("status of every group: {url}\n\n"));
        out.push_str(&format!(
            "{:<18} {:<6} {:<22} {:>10}  {}\n",
            "GROUP", "STATUS", "PARTITIONS", "TOTAL LAG", "WORST PARTITION"
        ));
        match body.as_ref().and_then(|b| b["statuses"].as_array()) {
            Some(statuses) if !statuses.is_empty() => {
                for s in statuses {
                    out.push_str(&row(s));
                }
            }
            _ => out.push_str("(waiting for the first commits to be read...)\n"),
        }
        print!("{out}");
        let _ = std::io::stdout().flush();
    }
}

fn row(s: &Value) -> String {
    let status = s["status"].as_str().unwrap_or("?");
    let colour = match status {
        "OK" => "\x1b[32m",
        "WARN" => "\x1b[33m",
        _ => "\x1b[31m",
    };
    let counts = s["partition_statuses"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let worst = match &s["maxlag"] {
        Value::Object(m) => format!(
            "{}:{} lag {}",
            m.get("topic").and_then(Value::as_str).unwrap_or("?"),
            m.get("partition").and_then(Value::as_i64).unwrap_or(-1),
            m.get("current_lag").and_then(Value::as_u64).unwrap_or(0)
        ),
        _ => String::new(),
    };
    format!(
        "{:<18} {colour}{:<6}\x1b[0m {:<22} {:>10}  {}\n",
        s["group"].as_str().unwrap_or("?"),
        status,
        counts,
        s["totallag"].as_u64().unwrap_or(0),
        worst
    )
}
