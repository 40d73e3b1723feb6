//! Warren's own series in the `/metrics` body: collectors, ingest, readiness, plugins,
//! notifications, the store, the API's requests and refusals. Few lines, so written simply.

use std::fmt::Write as _;

use super::MetricsOptions;
use super::render::GroupCounts;
use super::text::{esc, family, gauge};
use crate::AppState;

/// The `cluster` label of Warren's own per-cluster series, then the cluster's static labels.
fn cluster_label(o: &MetricsOptions, c: &str) -> String {
    format!("cluster=\"{}\"{}", esc(c), o.extra(c))
}

/// The `consumer` label of a consumer's series, then the static labels of its cluster.
fn consumer_label(o: &MetricsOptions, consumer: &str) -> String {
    let extra = o.consumer_clusters.get(consumer).map_or("", |c| o.extra(c));
    format!("consumer=\"{}\"{extra}", esc(consumer))
}

/// What flows through Warren: commits by what storage did with them, the time the last
/// render took to judge each cluster, the offsets-topic readers' lag, the API's requests.
pub(super) fn traffic(
    out: &mut String,
    state: &AppState,
    o: &MetricsOptions,
    evaluation: &[(String, f64)],
) {
    family(
        out,
        "warren_storage_commits_total",
        "counter",
        "Commits handed to storage, by what it did with them (stored, merged, unchanged, or why dropped).",
    );
    for store in state.storage.clusters() {
        for (outcome, n) in store.commit_outcomes() {
            let _ = writeln!(
                out,
                "warren_storage_commits_total{{{},outcome=\"{}\"}} {n}",
                cluster_label(o, store.name()),
                outcome.as_str()
            );
        }
    }
    gauge(
        out,
        "warren_evaluation_seconds",
        "Time the last metrics render spent judging every group of the cluster (cached verdicts included).",
        evaluation
            .iter()
            .map(|(c, secs)| (cluster_label(o, c), format!("{secs:.6}"))),
    );
    gauge(
        out,
        "warren_consumer_lag_records",
        "Records of the offsets topic not yet read by the consumer (sampled every 10 s; 0 for the Admin API).",
        state
            .health
            .consumers()
            .map(|(n, c)| (consumer_label(o, n), c.backlog().to_string())),
    );
    let requests = state.requests.snapshot();
    family(
        out,
        "warren_http_requests_total",
        "counter",
        "HTTP API requests by route template and status code.",
    );
    for (route, code, n, _) in &requests {
        let _ = writeln!(
            out,
            "warren_http_requests_total{{route=\"{}\",code=\"{code}\"}} {n}",
            esc(route)
        );
    }
    family(
        out,
        "warren_http_request_seconds_total",
        "counter",
        "Time spent answering HTTP API requests, by route template.",
    );
    let mut by_route: std::collections::BTreeMap<&str, f64> = Default::default();
    for (route, _, _, secs) in &requests {
        *by_route.entry(route).or_default() += secs;
    }
    for (route, secs) in by_route {
        let _ = writeln!(
            out,
            "warren_http_request_seconds_total{{route=\"{}\"}} {secs:.6}",
            esc(route)
        );
    }
}

/// Requests the guard refused, by reason: credentials missing or invalid, a role too small,
/// cross-site, a foreign `Host`.
pub(super) fn refusals(out: &mut String, state: &AppState) {
    family(
        out,
        "warren_http_refused_total",
        "counter",
        "HTTP API requests refused before a handler ran, by reason.",
    );
    for (reason, n) in state.access.refusals() {
        let _ = writeln!(out, "warren_http_refused_total{{reason=\"{reason}\"}} {n}");
    }
    family(
        out,
        "warren_http_password_hashes_total",
        "counter",
        "Basic-auth passwords checked with argon2 (a remembered success costs none).",
    );
    let hashes = state.access.password_hashes();
    let _ = writeln!(out, "warren_http_password_hashes_total {hashes}");
}

/// Warren's own health: collectors, ingest, readiness, plugins and notifications.
pub(super) fn health(out: &mut String, state: &AppState, o: &MetricsOptions, groups: &GroupCounts) {
    gauge(
        out,
        "warren_groups",
        "Monitored groups per cluster.",
        groups
            .iter()
            .map(|(c, n)| (cluster_label(o, c), n.to_string())),
    );
    let clusters: Vec<_> = state.health.clusters().collect();
    family(
        out,
        "warren_cluster_polls_total",
        "counter",
        "HEAD polls of the cluster by result.",
    );
    for (name, h) in &clusters {
        let (ok, failed) = h.poll_counts();
        let cluster = cluster_label(o, name);
        let _ = writeln!(
            out,
            "warren_cluster_polls_total{{{cluster},result=\"ok\"}} {ok}"
        );
        let _ = writeln!(
            out,
            "warren_cluster_polls_total{{{cluster},result=\"error\"}} {failed}"
        );
    }
    let consumers: Vec<_> = state.health.consumers().collect();
    gauge(
        out,
        "warren_consumer_ready",
        "1 once the consumer has caught up with its source (readiness).",
        consumers
            .iter()
            .map(|(n, c)| (consumer_label(o, n), u8::from(c.is_ready()).to_string())),
    );
    family(
        out,
        "warren_consumer_records_total",
        "counter",
        "Offsets-topic records read, and skipped (newer record types).",
    );
    for (n, c) in &consumers {
        let (read, skipped, _) = c.counters();
        let consumer = consumer_label(o, n);
        let _ = writeln!(
            out,
            "warren_consumer_records_total{{{consumer},result=\"read\"}} {read}"
        );
        let _ = writeln!(
            out,
            "warren_consumer_records_total{{{consumer},result=\"skipped\"}} {skipped}"
        );
    }
    family(
        out,
        "warren_consumer_decode_errors_total",
        "counter",
        "Malformed offsets-topic records, by kind.",
    );
    for (n, c) in &consumers {
        for (kind, count) in c.counters().2 {
            let _ = writeln!(
                out,
                "warren_consumer_decode_errors_total{{{},kind=\"{kind}\"}} {count}",
                consumer_label(o, n)
            );
        }
    }
    gauge(
        out,
        "warren_consumer_bootstrap_remaining",
        "Records of the offsets topic still to read before the consumer is caught up.",
        consumers.iter().map(|(n, c)| {
            let (position, target) = c.progress();
            (
                consumer_label(o, n),
                target.saturating_sub(position).to_string(),
            )
        }),
    );
    if let Some(plugins) = state.plugins.as_ref().map(|p| p.list()) {
        family(
            out,
            "warren_plugin_calls_total",
            "counter",
            "Plugin calls by outcome.",
        );
        for p in &plugins {
            let name = esc(&p.name);
            for (outcome, n) in &p.health.calls {
                let _ = writeln!(
                    out,
                    "warren_plugin_calls_total{{plugin=\"{name}\",outcome=\"{}\"}} {n}",
                    esc(outcome),
                );
            }
        }
        family(
            out,
            "warren_plugin_call_seconds_total",
            "counter",
            "Time spent in plugin calls (calls skipped by the breaker excluded).",
        );
        for p in &plugins {
            let _ = writeln!(
                out,
                "warren_plugin_call_seconds_total{{plugin=\"{}\"}} {:.6}",
                esc(&p.name),
                p.health.call_micros as f64 / 1e6
            );
        }
        gauge(
            out,
            "warren_plugin_disabled",
            "1 while the plugin's circuit breaker is open.",
            plugins.iter().map(|p| {
                (
                    format!("plugin=\"{}\"", esc(&p.name)),
                    u8::from(p.health.disabled).to_string(),
                )
            }),
        );
    }
    let store = state.health.store();
    family(
        out,
        "warren_store_failing",
        "gauge",
        "1 while the embedded store is failing after an I/O error (it is reopened every 2 s).",
    );
    let _ = writeln!(
        out,
        "warren_store_failing {}",
        u8::from(store.failing().is_some())
    );
    family(
        out,
        "warren_store_io_errors_total",
        "counter",
        "Store operations that failed with an I/O error (disk full, read-only, device errors).",
    );
    let _ = writeln!(out, "warren_store_io_errors_total {}", store.io_errors());
    family(
        out,
        "warren_store_reopens_total",
        "counter",
        "Times the store was reopened after failing, and worked again.",
    );
    let _ = writeln!(out, "warren_store_reopens_total {}", store.reopens());
    if let Some(i) = state.instances.as_ref().map(|i| i.instances()) {
        let this = esc(&i.this);
        gauge(
            out,
            "warren_leader",
            "1 while this instance leads the notifications.",
            [(
                format!("instance=\"{this}\""),
                u8::from(i.leader.as_deref() == Some(i.this.as_str())).to_string(),
            )],
        );
        family(
            out,
            "warren_leadership_changes_total",
            "counter",
            "Times this instance gained or lost the notifier lead.",
        );
        let _ = writeln!(
            out,
            "warren_leadership_changes_total{{instance=\"{this}\"}} {}",
            i.changes
        );
        family(
            out,
            "warren_ha_state_records_skipped_total",
            "counter",
            "Records of the [ha] state topic this instance could not read.",
        );
        let _ = writeln!(
            out,
            "warren_ha_state_records_skipped_total{{instance=\"{this}\"}} {}",
            i.skipped_records
        );
    }
    if let Some(report) = state.notifiers.as_ref().map(|n| n.notifiers()) {
        family(
            out,
            "warren_notifications_total",
            "counter",
            "Notification events by result: decided, delivered, retried (failed attempts), failed (dropped for good).",
        );
        for n in &report {
            let name = esc(&n.name);
            for (result, v) in [
                ("decided", n.decided),
                ("delivered", n.delivered),
                ("retried", n.retried),
                ("failed", n.failed),
            ] {
                let _ = writeln!(
                    out,
                    "warren_notifications_total{{notifier=\"{name}\",result=\"{result}\"}} {v}"
                );
            }
        }
        gauge(
            out,
            "warren_notifications_pending",
            "Deliveries waiting (first attempt or retry).",
            report.iter().map(|n| {
                (
                    format!("notifier=\"{}\"", esc(&n.name)),
                    n.pending.len().to_string(),
                )
            }),
        );
    }
}
