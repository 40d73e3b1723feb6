//! `topic-thresholds`: lag thresholds per topic, which Burrow cannot express (its rules look at
//! lag trends, never at how much lag a topic can afford). A payments topic may page at 1 000
//! records while a bulk-export topic shrugs at 100 000.
//!
//! Config:
//!
//! ```json
//! {"rules": [{"topic": "payments-*", "warn": 100, "err": 1000}, {"topic": "audit", "warn": 5, "err": 50}],
//!  "default": {"warn": 10000, "err": 100000}}
//! ```
//!
//! Each partition takes the thresholds of the first rule whose `topic` glob matches (`*`, `?`,
//! `[a-z]`, `[!a-z]`; the SDK's `glob`), else the `default`; with neither it is not judged and
//! stays OK.
//!
//! Statuses: a partition whose current lag reaches its `warn` is WARN — also when it reaches
//! `err`, because the partition statuses Warren shares with Burrow have no ERR, and STOP would
//! send operators hunting for a consumer that stopped committing when it is only slow. The
//! group is ERR when any partition reaches its `err`, else WARN when any partition is WARN,
//! else OK. Everything else (total lag, `maxlag`, completeness) is Burrow's roll-up.

pub mod policy;

use warren_plugin_sdk::evaluator::Evaluator;
use warren_plugin_sdk::types::{GroupStatus, GroupWindow, PluginMetadata};
use warren_plugin_sdk::{Plugin, host, metadata, verdict};

pub use policy::{Policy, Thresholds, parse};

/// Judges a group window with the policy (see the crate docs for the statuses).
pub fn judge(policy: &Policy, w: &GroupWindow) -> GroupStatus {
    verdict::by_thresholds(w, |p| {
        let t = policy.thresholds_for(&p.topic)?;
        Some((p.current_lag, t.warn, t.err))
    })
}

struct TopicThresholds;

impl Plugin for TopicThresholds {
    fn metadata() -> PluginMetadata {
        let thresholds = serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["warn", "err"],
            "properties": {
                "warn": {"type": "integer", "minimum": 0},
                "err": {"type": "integer", "minimum": 1},
            },
        });
        let mut rule = thresholds.clone();
        rule["required"] = serde_json::json!(["topic", "warn", "err"]);
        rule["properties"]["topic"] = serde_json::json!({"type": "string", "minLength": 1});
        metadata::builder("topic-thresholds", env!("CARGO_PKG_VERSION"))
            .description("per-topic WARN/ERR lag thresholds chosen by glob pattern")
            .config_schema(serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["rules"],
                "properties": {
                    "rules": {"type": "array", "items": rule},
                    "default": thresholds,
                },
            }))
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        parse(config).map(|_| ())
    }
}

impl Evaluator for TopicThresholds {
    fn evaluate(window: GroupWindow) -> Result<GroupStatus, String> {
        let policy = parse(&host::plugin_config()).map_err(|p| p.join("; "))?;
        Ok(judge(&policy, &window))
    }
}

warren_plugin_sdk::export_evaluator!(TopicThresholds);

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::types::PartitionWindow;
    use warren_plugin_sdk::types::Status;

    fn window(partitions: &[(&str, u64)]) -> GroupWindow {
        GroupWindow {
            cluster: "c".into(),
            group: "g".into(),
            now_ms: 0,
            intervals: 10,
            partitions: partitions
                .iter()
                .zip(0..)
                .map(|(&(topic, lag), partition)| PartitionWindow {
                    topic: topic.into(),
                    partition,
                    commits: vec![],
                    heads: vec![],
                    current_lag: lag,
                    owner: None,
                    client_id: None,
                    time_lag: None,
                    catchup_eta_ms: None,
                })
                .collect(),
        }
    }

    fn policy() -> Policy {
        parse(r#"{"rules": [{"topic": "payments-*", "warn": 100, "err": 1000}]}"#).unwrap()
    }

    fn statuses(g: &GroupStatus) -> Vec<Status> {
        g.partitions.iter().map(|p| p.status).collect()
    }

    #[test]
    fn each_topic_is_judged_by_its_own_rule() {
        let g = judge(
            &policy(),
            &window(&[("payments-eu", 150), ("orders", 50_000)]),
        );
        assert_eq!(statuses(&g), [Status::Warn, Status::Ok]);
        assert_eq!(g.status, Status::Warn);
    }

    #[test]
    fn reaching_err_makes_the_group_err_and_the_partition_warn() {
        let g = judge(
            &policy(),
            &window(&[("payments-eu", 1000), ("payments-us", 3)]),
        );
        assert_eq!(statuses(&g), [Status::Warn, Status::Ok]);
        assert_eq!(g.status, Status::Err);
    }

    #[test]
    fn the_default_judges_unmatched_topics() {
        let p = parse(
            r#"{"rules": [{"topic": "payments-*", "warn": 100, "err": 1000}],
                "default": {"warn": 10000, "err": 100000}}"#,
        )
        .unwrap();
        let g = judge(&p, &window(&[("orders", 50_000), ("payments-eu", 10)]));
        assert_eq!(statuses(&g), [Status::Warn, Status::Ok]);
        assert_eq!(
            judge(&p, &window(&[("orders", 100_000)])).status,
            Status::Err
        );
    }

    #[test]
    fn the_roll_up_is_burrows() {
        let g = judge(&policy(), &window(&[("payments-eu", 5), ("orders", 70)]));
        assert_eq!(
            (g.status, g.total_lag, g.partition_count),
            (Status::Ok, 75, 2)
        );
        assert_eq!(g.maxlag.map(|m| m.topic), Some("orders".into()));
        assert_eq!(g.complete, 0.0);
    }
}
