//! The demo's terminal view: each cluster's groups redrawn once a second from the daemon's own
//! bulk status endpoint, so what the table shows is exactly what the API serves, each with what
//! it is there to demonstrate, and below them the incidents the webhook receiver got.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::behaviour::{Behaviour, Cluster, SLO_ERR_SECS, SLO_WARN_SECS};
use super::receiver::Receiver;

/// Redraws until `running` turns false.
pub(crate) async fn refresh(
    base: String,
    clusters: Vec<Cluster>,
    receiver: Option<Receiver>,
    running: Arc<AtomicBool>,
) {
    let client = reqwest::Client::new();
    while running.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut out = String::from("\x1b[2J\x1b[H");
        out.push_str(&format!(
            "Warren demo — dashboard {base}/   API {base}/v3/kafka   (Ctrl-C to stop)\n"
        ));
        for &cluster in &clusters {
            let url = format!("{base}/v3/kafka/{}/status", cluster.name());
            let body = match client.get(&url).send().await {
                Ok(r) => r.json::<Value>().await.ok(),
                Err(_) => None,
            };
            out.push_str(&format!("\n{}\n", heading(cluster)));
            out.push_str(&format!(
                "{:<23} {:<6} {:<20} {:>9}  {}\n",
                "GROUP", "STATUS", "PARTITIONS", "TOTAL LAG", "WHAT IT SHOWS"
            ));
            match body.as_ref().and_then(|b| b["statuses"].as_array()) {
                Some(statuses) if !statuses.is_empty() => {
                    for s in statuses {
                        out.push_str(&row(s));
                    }
                }
                _ => out.push_str("(waiting for the daemon...)\n"),
            }
        }
        if let Some(receiver) = &receiver {
            out.push_str("\nIncidents delivered by the webhook notifier to the demo's receiver:\n");
            let recent = receiver.recent();
            if recent.is_empty() {
                out.push_str("(none yet: orders-batch opens one within the first minute)\n");
            }
            for d in recent {
                out.push_str(&format!("  {d}\n"));
            }
        }
        print!("{out}");
        let _ = std::io::stdout().flush();
    }
}

/// What judges a cluster's groups.
fn heading(cluster: Cluster) -> String {
    match cluster {
        Cluster::Burrow => format!("cluster {}: Burrow's rules", cluster.name()),
        Cluster::Plugins => format!(
            "cluster {}: evaluator plugin lag-seconds (WARN from {SLO_WARN_SECS}s behind, ERR \
             from {SLO_ERR_SECS}s), group filter skip-empty, webhook notifier",
            cluster.name()
        ),
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
    let group = s["group"].as_str().unwrap_or("?");
    let shows = Behaviour::ALL
        .iter()
        .find(|b| b.group() == group)
        .map(|b| b.shows())
        .unwrap_or_default();
    format!(
        "{group:<23} {colour}{status:<6}\x1b[0m {counts:<20} {:>9}  {shows}\n",
        s["totallag"].as_u64().unwrap_or(0),
    )
}
