//! `warren evaluate FILE|-`: offline evaluation of one group, for operators asking "why is this
//! group WARN?" and for plugin authors. Reads the documented JSON window, runs the same rules
//! as the daemon, prints the group status exactly as `/v3/kafka/:cluster/consumer/:group/lag`
//! has it under `status`. Malformed input: one message naming the field, exit code 2.
//! With `--evaluator FILE.wasm` the same input goes to an evaluator plugin instead, through the
//! daemon's runtime, so a plugin and Burrow's rules can be compared on the same window; `warren
//! plugin test` uses the same input for filters too ([`snapshot`]).

use std::io::Read;
use std::path::Path;

use std::collections::BTreeMap;

use serde::Deserialize;
use warren_core::evaluator::{GroupStatus, PartitionInput, RuleSettings, evaluate_group};
use warren_core::storage::{
    CommitEntry, GroupSnapshot, HeadSample, PartitionSnapshot, TopicSnapshot,
};

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
    /// Kafka's group state (`Stable`, `Empty`, ...), for filters.
    #[serde(default)]
    state: Option<String>,
    partitions: Vec<InputPartition>,
}

impl EvaluateInput {
    /// Cluster name.
    pub fn cluster(&self) -> &str {
        &self.cluster
    }

    /// Evaluation time, epoch ms.
    pub fn now(&self) -> i64 {
        self.now
    }
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
    /// HEAD observations with their times, oldest first: the production curve lag in seconds
    /// is read from. Without it the time lag is unknown.
    #[serde(default)]
    head_history: Vec<InputHead>,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct InputHead {
    offset: i64,
    observed_at: i64,
}

impl InputPartition {
    fn timeline(&self) -> Vec<HeadSample> {
        self.head_history
            .iter()
            .map(|h| HeadSample {
                offset: h.offset,
                observed_ms: h.observed_at,
            })
            .collect()
    }

    /// The newest HEAD: the largest of `broker-offsets`, else the newest of `head-history`.
    fn newest_head(&self) -> Option<i64> {
        self.broker_offsets
            .iter()
            .max()
            .copied()
            .or_else(|| self.head_history.last().map(|h| h.offset))
    }

    fn derived_lag(&self, commits: &[CommitEntry]) -> u64 {
        match (self.newest_head(), commits.last()) {
            (Some(h), Some(c)) => u64::try_from(h.saturating_sub(c.offset)).unwrap_or(0),
            _ => 0,
        }
    }
}

/// Highest partition id the input may name. Plugins see the group as storage holds it, one
/// slot per partition id up to the highest ([`snapshot`]), so an id sizes a table: 2^31 would
/// ask for hundreds of gigabytes, while real topics have a few thousand partitions at most.
const MAX_PARTITION: i32 = 65_535;

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
    for (i, p) in input.partitions.iter().enumerate() {
        if !(0..=MAX_PARTITION).contains(&p.partition) {
            return Err(format!(
                "partitions[{i}].partition: must be between 0 and {MAX_PARTITION}, got {}",
                p.partition
            ));
        }
        for (j, w) in p.head_history.windows(2).enumerate() {
            if w[1].observed_at <= w[0].observed_at || w[1].offset < w[0].offset {
                return Err(format!(
                    "partitions[{i}].head-history[{}]: must be later than the previous \
                     observation, with an offset at least as large",
                    j + 1
                ));
            }
        }
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

fn commit_entry(o: &InputOffset) -> CommitEntry {
    CommitEntry {
        offset: o.offset,
        timestamp_ms: o.timestamp,
        observed_ms: o.observed_at.unwrap_or(o.timestamp),
        lag: o.lag,
    }
}

/// The input as storage would hold it, for plugins. Topics are sorted; partitions are indexed by
/// id, so ids missing from the input become empty windows. HEAD offsets have no times in this
/// format: they are sorted and stamped `now`.
pub fn snapshot(input: &EvaluateInput) -> GroupSnapshot {
    let mut topics: BTreeMap<&str, Vec<PartitionSnapshot>> = BTreeMap::new();
    for p in &input.partitions {
        let commits: Vec<CommitEntry> = p.offsets.iter().map(commit_entry).collect();
        let mut heads: Vec<i64> = p.broker_offsets.clone();
        heads.sort_unstable();
        let derived = p.derived_lag(&commits);
        let slots = topics.entry(&p.topic).or_default();
        let id = usize::try_from(p.partition).unwrap_or(0);
        if slots.len() <= id {
            slots.resize(id + 1, PartitionSnapshot::default());
        }
        slots[id] = PartitionSnapshot {
            current_lag: p.current_lag.unwrap_or(derived),
            owner: p.owner.clone(),
            client_id: p.client_id.clone(),
            heads: heads
                .iter()
                .map(|&offset| HeadSample {
                    offset,
                    observed_ms: input.now,
                })
                .collect(),
            timeline: p.timeline().into(),
            commits,
        };
    }
    GroupSnapshot {
        group: input.group.clone(),
        intervals: input.intervals.unwrap_or(10),
        state: input.state.clone(),
        last_commit_ms: input
            .partitions
            .iter()
            .flat_map(|p| p.offsets.iter().map(|o| o.timestamp))
            .max()
            .unwrap_or(0),
        topics: topics
            .into_iter()
            .map(|(topic, partitions)| TopicSnapshot {
                topic: topic.to_string(),
                partitions,
            })
            .collect(),
    }
}

/// Evaluates a parsed input into Burrow's group-status JSON.
pub fn evaluate(input: &EvaluateInput) -> serde_json::Value {
    warren_http::group_status_json(&status(input))
}

/// Burrow's verdict on a parsed input.
pub fn status(input: &EvaluateInput) -> GroupStatus {
    let defaults = RuleSettings::burrow_defaults();
    let settings = RuleSettings {
        intervals: input.intervals.unwrap_or(defaults.intervals),
        allowed_lag: input.allowed_lag.unwrap_or(defaults.allowed_lag),
        minimum_complete: input.minimum_complete.unwrap_or(defaults.minimum_complete),
    };
    let commits: Vec<Vec<CommitEntry>> = input
        .partitions
        .iter()
        .map(|p| p.offsets.iter().map(commit_entry).collect())
        .collect();
    let timelines: Vec<Vec<HeadSample>> = input.partitions.iter().map(|p| p.timeline()).collect();
    let inputs =
        input
            .partitions
            .iter()
            .zip(&commits)
            .zip(&timelines)
            .map(|((p, commits), timeline)| PartitionInput {
                topic: &p.topic,
                partition: p.partition,
                commits,
                heads: &p.broker_offsets,
                timeline,
                current_lag: p.current_lag.unwrap_or_else(|| p.derived_lag(commits)),
                owner: p.owner.as_deref(),
                client_id: p.client_id.as_deref(),
            });
    evaluate_group(&input.cluster, &input.group, inputs, &settings, input.now)
}

/// Reads FILE, or standard input for `-`.
pub fn read_input(file: &Path) -> std::io::Result<String> {
    if file == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map(|_| s)
    } else {
        std::fs::read_to_string(file)
    }
}

/// `warren evaluate FILE|-`: 0 on success, 2 on unreadable or malformed input.
pub fn run(file: &Path) -> std::process::ExitCode {
    let text = match read_input(file) {
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
