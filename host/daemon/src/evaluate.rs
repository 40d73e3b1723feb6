//! `warren evaluate FILE|-`: offline evaluation of one group, for operators asking "why is this
//! group WARN?" and for plugin authors. Reads the documented JSON window, runs the same rules
//! as the daemon, prints the group status exactly as `/v3/kafka/:cluster/consumer/:group/lag`
//! has it under `status`. Malformed input: one message naming the field, exit code 2.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use warren_core::evaluator::{PartitionInput, RuleSettings, evaluate_group};
use warren_core::storage::CommitEntry;

/// The input document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EvaluateInput {
    cluster: String,
    group: String,
    /// Evaluation time, epoch ms.
    now: i64,
    intervals: Option<u16>,
    allowed_lag: Option<u64>,
    minimum_complete: Option<f64>,
    partitions: Vec<InputPartition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct InputPartition {
    topic: String,
    partition: i32,
    /// Commits, oldest first.
    offsets: Vec<InputOffset>,
    /// Recent HEAD offsets, any order.
    #[serde(default)]
    broker_offsets: Vec<i64>,
    /// Defaults to max(0, newest HEAD - newest committed offset).
    current_lag: Option<u64>,
    owner: Option<String>,
    client_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct InputOffset {
    offset: i64,
    timestamp: i64,
    /// Lag at commit; null for a backfilled commit.
    #[serde(default)]
    lag: Option<u64>,
    #[serde(default, alias = "observedAt")]
    observed_at: Option<i64>,
}

/// Parses and checks the input; the error names the offending field.
pub fn parse(text: &str) -> Result<EvaluateInput, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let input: EvaluateInput = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.inner().to_string()
        } else {
            format!("{path}: {}", e.inner())
        }
    })?;
    if input.intervals == Some(0) {
        return Err("intervals: must be at least 1".into());
    }
    if let Some(m) = input.minimum_complete
        && !(0.0..=1.0).contains(&m)
    {
        return Err(format!(
            "minimum-complete: must be between 0.0 and 1.0, got {m}"
        ));
    }
    Ok(input)
}

/// Evaluates a parsed input into Burrow's group-status JSON.
pub fn evaluate(input: &EvaluateInput) -> serde_json::Value {
    let defaults = RuleSettings::burrow_defaults();
    let settings = RuleSettings {
        intervals: input.intervals.unwrap_or(defaults.intervals),
        allowed_lag: input.allowed_lag.unwrap_or(defaults.allowed_lag),
        minimum_complete: input.minimum_complete.unwrap_or(defaults.minimum_complete),
    };
    let commits: Vec<Vec<CommitEntry>> = input
        .partitions
        .iter()
        .map(|p| {
            p.offsets
                .iter()
                .map(|o| CommitEntry {
                    offset: o.offset,
                    timestamp_ms: o.timestamp,
                    observed_ms: o.observed_at.unwrap_or(o.timestamp),
                    lag: o.lag,
                })
                .collect()
        })
        .collect();
    let inputs = input.partitions.iter().zip(&commits).map(|(p, commits)| {
        let derived = match (p.broker_offsets.iter().max(), commits.last()) {
            (Some(h), Some(c)) => u64::try_from(h.saturating_sub(c.offset)).unwrap_or(0),
            _ => 0,
        };
        PartitionInput {
            topic: &p.topic,
            partition: p.partition,
            commits,
            heads: &p.broker_offsets,
            current_lag: p.current_lag.unwrap_or(derived),
            owner: p.owner.as_deref(),
            client_id: p.client_id.as_deref(),
        }
    });
    let status = evaluate_group(&input.cluster, &input.group, inputs, &settings, input.now);
    warren_http::group_status_json(&status)
}

/// `warren evaluate FILE|-`: 0 on success, 2 on unreadable or malformed input.
pub fn run(file: &Path) -> std::process::ExitCode {
    let text = if file == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map(|_| s)
    } else {
        std::fs::read_to_string(file)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return std::process::ExitCode::from(2);
        }
    };
    match parse(&text) {
        Ok(input) => {
            let out = evaluate(&input);
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: invalid evaluate input: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
