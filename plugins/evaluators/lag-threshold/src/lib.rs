//! `lag-threshold`: the policy many teams ask for instead of Burrow's threshold-free rules. A
//! partition whose current lag reaches `warn` is WARN; the group is WARN when its worst
//! partition reaches `warn` and ERR when it reaches `err`.
//!
//! Config: `{ "warn": 1000, "err": 10000 }` (records; `err` must exceed `warn`).

wit_bindgen::generate!({ world: "evaluator", path: "../../../wit" });

use exports::warren::plugin::plugin::Guest as PluginGuest;
use warren::plugin::host;
use warren::plugin::types::{PartitionStatus, PluginMetadata, Status};

/// Thresholds, in records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Lag at which a partition (and the group) is WARN.
    pub warn: u64,
    /// Lag at which the group is ERR.
    pub err: u64,
}

/// Parses the plugin's config, listing every problem.
pub fn parse(config: &str) -> Result<Thresholds, Vec<String>> {
    let value: serde_json::Value =
        serde_json::from_str(config).map_err(|e| vec![format!("config is not JSON: {e}")])?;
    let mut problems = Vec::new();
    let mut get = |key: &str| match value.get(key) {
        Some(v) => v.as_u64().or_else(|| {
            problems.push(format!(
                "{key}: expected a whole number of records, got {v}"
            ));
            None
        }),
        None => {
            problems.push(format!("{key}: required (example: {key} = 1000)"));
            None
        }
    };
    let (warn, err) = (get("warn"), get("err"));
    if let (Some(w), Some(e)) = (warn, err)
        && e <= w
    {
        problems.push(format!("err ({e}) must be greater than warn ({w})"));
    }
    match (warn, err) {
        (Some(warn), Some(err)) if problems.is_empty() => Ok(Thresholds { warn, err }),
        _ => Err(problems),
    }
}

/// Judges a group window with the thresholds.
pub fn judge(t: Thresholds, w: &GroupWindow) -> GroupStatus {
    let intervals = f64::from(w.intervals.max(1));
    let partitions: Vec<PartitionStatus> = w
        .partitions
        .iter()
        .map(|p| PartitionStatus {
            topic: p.topic.clone(),
            partition: p.partition,
            owner: p.owner.clone().unwrap_or_default(),
            client_id: p.client_id.clone().unwrap_or_default(),
            status: if p.current_lag >= t.warn {
                Status::Warn
            } else {
                Status::Ok
            },
            start: p.commits.first().copied(),
            end: p.commits.last().copied(),
            current_lag: p.current_lag,
            complete: (p.commits.len() as f64 / intervals).min(1.0),
        })
        .collect();
    let maxlag = partitions
        .iter()
        .fold(None::<&PartitionStatus>, |m, p| match m {
            Some(m) if m.current_lag >= p.current_lag => Some(m),
            _ => Some(p),
        });
    let max = maxlag.map_or(0, |m| m.current_lag);
    let complete_count = partitions.iter().filter(|p| p.complete >= 1.0).count();
    GroupStatus {
        cluster: w.cluster.clone(),
        group: w.group.clone(),
        status: if max >= t.err {
            Status::Err
        } else if max >= t.warn {
            Status::Warn
        } else {
            Status::Ok
        },
        complete: if partitions.is_empty() {
            0.0
        } else {
            complete_count as f64 / partitions.len() as f64
        },
        partition_count: partitions.len() as u32,
        maxlag: maxlag.cloned(),
        total_lag: partitions.iter().map(|p| p.current_lag).sum(),
        partitions,
    }
}

struct LagThreshold;

impl PluginGuest for LagThreshold {
    fn metadata() -> PluginMetadata {
        PluginMetadata {
            name: "lag-threshold".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "WARN/ERR thresholds on a group's maximum current lag".into(),
            config_schema: r#"{"type":"object","required":["warn","err"],"properties":{"warn":{"type":"integer","minimum":0},"err":{"type":"integer","minimum":1}}}"#.into(),
        }
    }

    fn validate_config(config: String) -> Result<(), Vec<String>> {
        parse(&config).map(|_| ())
    }
}

impl Guest for LagThreshold {
    fn evaluate(window: GroupWindow) -> Result<GroupStatus, String> {
        let t = parse(&host::plugin_config()).map_err(|p| p.join("; "))?;
        Ok(judge(t, &window))
    }
}

export!(LagThreshold);
