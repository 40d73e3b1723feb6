//! `lag-threshold`: the policy many teams ask for instead of Burrow's threshold-free rules. A
//! partition whose current lag reaches `warn` is WARN; the group is WARN when its worst
//! partition reaches `warn` and ERR when it reaches `err`.
//!
//! Config: `{ "warn": 1000, "err": 10000 }` (records; `err` must exceed `warn`).

use warren_plugin_sdk::config::Config;
use warren_plugin_sdk::evaluator::Evaluator;
use warren_plugin_sdk::types::{GroupStatus, GroupWindow, PluginMetadata, Status};
use warren_plugin_sdk::{Plugin, host, metadata, verdict};

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
    let config = Config::parse(config)?;
    let root = config.root();
    let warn = root.required_u64("warn", "records", 1000);
    let err = root.required_u64("err", "records", 10000);
    if let (Some(w), Some(e)) = (warn, err)
        && e <= w
    {
        config.problem(format!("err ({e}) must be greater than warn ({w})"));
    }
    config.finish(|| {
        Some(Thresholds {
            warn: warn?,
            err: err?,
        })
    })
}

/// Judges a group window with the thresholds.
pub fn judge(t: Thresholds, w: &GroupWindow) -> GroupStatus {
    let partitions = w
        .partitions
        .iter()
        .map(|p| {
            let status = if p.current_lag >= t.warn {
                Status::Warn
            } else {
                Status::Ok
            };
            verdict::partition(p, w.intervals, status)
        })
        .collect();
    let mut group = verdict::group(w, partitions);
    // The group follows its maximum lag (not only its worst partition): that is what raises
    // it to ERR, a status no partition carries.
    let max = group.maxlag.as_ref().map_or(0, |m| m.current_lag);
    group.status = if max >= t.err {
        Status::Err
    } else if max >= t.warn {
        Status::Warn
    } else {
        Status::Ok
    };
    group
}

struct LagThreshold;

impl Plugin for LagThreshold {
    fn metadata() -> PluginMetadata {
        metadata::builder("lag-threshold", env!("CARGO_PKG_VERSION"))
            .description("WARN/ERR thresholds on a group's maximum current lag")
            .config_schema(serde_json::json!({
                "type": "object",
                "required": ["warn", "err"],
                "properties": {
                    "warn": {"type": "integer", "minimum": 0},
                    "err": {"type": "integer", "minimum": 1},
                },
            }))
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        parse(config).map(|_| ())
    }
}

impl Evaluator for LagThreshold {
    fn evaluate(window: GroupWindow) -> Result<GroupStatus, String> {
        // An instance's config never changes (a reload makes a new instance), and the host
        // keeps the instance warm between calls: parse it once, not on every group.
        static THRESHOLDS: std::sync::OnceLock<Result<Thresholds, String>> =
            std::sync::OnceLock::new();
        let t = THRESHOLDS
            .get_or_init(|| parse(&host::plugin_config()).map_err(|p| p.join("; ")))
            .clone()?;
        Ok(judge(t, &window))
    }
}

warren_plugin_sdk::export_evaluator!(LagThreshold);

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::types::{Commit, PartitionWindow};

    const T: Thresholds = Thresholds {
        warn: 100,
        err: 1000,
    };

    fn window(lags: &[u64]) -> GroupWindow {
        let partitions = lags
            .iter()
            .zip(0..)
            .map(|(&lag, partition)| PartitionWindow {
                topic: "t".into(),
                partition,
                commits: vec![Commit {
                    offset: 10,
                    timestamp_ms: 1,
                    observed_ms: 1,
                    lag: Some(lag),
                }],
                heads: vec![],
                current_lag: lag,
                owner: None,
                client_id: None,
                time_lag: None,
                catchup_eta_ms: None,
            })
            .collect();
        GroupWindow {
            cluster: "c".into(),
            group: "g".into(),
            now_ms: 2,
            intervals: 1,
            partitions,
        }
    }

    #[test]
    fn a_valid_config_parses() {
        assert_eq!(parse(r#"{"warn": 100, "err": 1000}"#), Ok(T));
    }

    #[test]
    fn every_missing_key_is_reported() {
        assert_eq!(
            parse("{}").unwrap_err(),
            [
                "warn: required (example: warn = 1000)",
                "err: required (example: err = 10000)",
            ]
        );
    }

    #[test]
    fn mistyped_and_inverted_thresholds_are_reported() {
        assert_eq!(
            parse(r#"{"warn": -5, "err": "lots"}"#).unwrap_err(),
            [
                "warn: expected a whole number of records, got -5",
                "err: expected a whole number of records, got \"lots\"",
            ]
        );
        assert_eq!(
            parse(r#"{"warn": 10, "err": 10}"#).unwrap_err(),
            ["err (10) must be greater than warn (10)"]
        );
        assert!(parse("not json").unwrap_err()[0].starts_with("config is not JSON"));
    }

    #[test]
    fn below_warn_everything_is_ok() {
        let g = judge(T, &window(&[0, 99]));
        assert_eq!(g.status, Status::Ok);
        assert!(g.partitions.iter().all(|p| p.status == Status::Ok));
    }

    #[test]
    fn a_partition_at_warn_makes_it_and_the_group_warn() {
        let g = judge(T, &window(&[100, 5]));
        assert_eq!(g.status, Status::Warn);
        assert_eq!(
            (g.partitions[0].status, g.partitions[1].status),
            (Status::Warn, Status::Ok)
        );
    }

    #[test]
    fn the_group_is_err_once_its_maximum_lag_reaches_err() {
        let g = judge(T, &window(&[1000, 4000, 7]));
        assert_eq!(g.status, Status::Err);
        assert_eq!(g.partitions[1].status, Status::Warn);
        assert_eq!(g.maxlag.map(|m| m.partition), Some(1));
        assert_eq!((g.total_lag, g.partition_count, g.complete), (5007, 3, 1.0));
    }
}
