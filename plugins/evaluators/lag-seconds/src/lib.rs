//! `lag-seconds`: judges consumer groups by *time lag*, how old the next record a group has not
//! read is, against SLOs per group and topic pattern. Record counts say little on their own (a
//! million records is seconds on a busy topic and days on a quiet one); "payments must never be
//! more than a minute behind" is what an operator promises, and what Burrow cannot express.
//!
//! Config:
//!
//! ```json
//! {"rules": [{"group": "payments-*", "topic": "orders-*", "warn": "60s", "err": "5m"},
//!            {"topic": "audit-*", "warn": "1h", "err": "6h"}],
//!  "default": {"warn": "10m", "err": "1h"}}
//! ```
//!
//! Each partition takes the SLO of the first rule whose `group` and `topic` patterns both match
//! (an absent one matches everything; the SDK's `glob`: `*`, `?`, `[a-z]`, `[!a-z]`), else the
//! `default`; with neither it is not judged and stays OK. Durations are written as in the rest
//! of Warren's config: `"500ms"`, `"90s"`, `"5m"`, `"1h30m"`, `"7d"`, or a bare number of
//! seconds.
//!
//! The time lag is the host's estimate (`time-lag` of each partition window). A partition with
//! none (no commits or no HEAD history yet) is not judged; a caught-up one is 0 s behind. Every
//! other estimate counts as given: an `at-least` figure is a lower bound, so reaching a
//! threshold with it is certain, and below a threshold it proves nothing either way.
//!
//! Statuses: a partition whose time lag reaches its `warn` is WARN — also when it reaches `err`,
//! because the partition statuses Warren shares with Burrow have no ERR, and STOP would send
//! operators hunting for a consumer that stopped committing when it is only slow. The group is
//! ERR when any partition reaches its `err`, else WARN when any partition is WARN, else OK.
//! Everything else (total lag, `maxlag`, completeness, time lags in the answer) is Burrow's
//! roll-up.

pub mod policy;

use std::sync::OnceLock;
use std::time::Duration;

use warren_plugin_sdk::evaluator::Evaluator;
use warren_plugin_sdk::types::{
    GroupStatus, GroupWindow, LagEstimate, PartitionWindow, PluginMetadata,
};
use warren_plugin_sdk::{Plugin, host, metadata, verdict};

pub use policy::{Policy, Slo, parse};

/// Judges a group window with the policy (see the crate docs for the statuses).
pub fn judge(policy: &Policy, w: &GroupWindow) -> GroupStatus {
    verdict::by_thresholds(w, |p| {
        let slo = policy.slo_for(&w.group, &p.topic)?;
        Some((time_lag(p)?, slo.warn, slo.err))
    })
}

/// The time lag a partition is judged by; `None` when the host has no estimate.
fn time_lag(p: &PartitionWindow) -> Option<Duration> {
    let lag = p.time_lag?;
    Some(match lag.estimate {
        // Nothing is left to read, whatever the figure says.
        LagEstimate::CaughtUp => Duration::ZERO,
        LagEstimate::Interpolated | LagEstimate::Extrapolated | LagEstimate::AtLeast => {
            Duration::from_millis(lag.ms)
        }
    })
}

struct LagSeconds;

impl Plugin for LagSeconds {
    fn metadata() -> PluginMetadata {
        let duration = serde_json::json!({
            "description": "\"500ms\", \"90s\", \"5m\", \"1h30m\", \"7d\", or a number of seconds",
            "oneOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^\\s*(\\d+|(\\d+(ms|s|m|h|d)\\s*)+)\\s*$"},
            ],
        });
        let slo = serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["warn", "err"],
            "properties": {"warn": duration, "err": duration},
        });
        let mut rule = slo.clone();
        rule["anyOf"] = serde_json::json!([{"required": ["group"]}, {"required": ["topic"]}]);
        rule["properties"]["group"] = serde_json::json!({"type": "string", "minLength": 1});
        rule["properties"]["topic"] = serde_json::json!({"type": "string", "minLength": 1});
        metadata::builder("lag-seconds", env!("CARGO_PKG_VERSION"))
            .description("WARN/ERR on time lag (age of the next unread record), SLOs per group and topic pattern")
            .config_schema(serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "anyOf": [{"required": ["rules"]}, {"required": ["default"]}],
                "properties": {
                    "rules": {"type": "array", "items": rule},
                    "default": slo,
                },
            }))
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        parse(config).map(|_| ())
    }
}

impl Evaluator for LagSeconds {
    fn evaluate(window: GroupWindow) -> Result<GroupStatus, String> {
        // An instance keeps its config for its life: parse it (globs and all) once, not per group.
        static POLICY: OnceLock<Result<Policy, String>> = OnceLock::new();
        let policy = POLICY.get_or_init(|| parse(&host::plugin_config()).map_err(|p| p.join("; ")));
        Ok(judge(policy.as_ref()?, &window))
    }
}

warren_plugin_sdk::export_evaluator!(LagSeconds);

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::types::Status;
    use warren_plugin_sdk::types::TimeLag;

    /// A partition's time lag: ms and how the host estimated it; `None` for no estimate.
    type Lag = Option<(u64, LagEstimate)>;

    fn window(group: &str, partitions: &[(&str, Lag)]) -> GroupWindow {
        GroupWindow {
            cluster: "c".into(),
            group: group.into(),
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
                    current_lag: 10 * (u64::from(partition.unsigned_abs()) + 1),
                    owner: None,
                    client_id: None,
                    time_lag: lag.map(|(ms, estimate)| TimeLag { ms, estimate }),
                    catchup_eta_ms: None,
                })
                .collect(),
        }
    }

    const fn s(secs: u64) -> Lag {
        Some((secs * 1000, LagEstimate::Interpolated))
    }

    fn policy() -> Policy {
        parse(
            r#"{"rules": [{"group": "payments-*", "topic": "orders-*", "warn": "1m", "err": "5m"},
                          {"topic": "orders-*", "warn": "10m", "err": "1h"}]}"#,
        )
        .unwrap()
    }

    fn statuses(g: &GroupStatus) -> Vec<Status> {
        g.partitions.iter().map(|p| p.status).collect()
    }

    #[test]
    fn under_warn_is_ok_and_reaching_warn_is_warn() {
        let g = judge(
            &policy(),
            &window(
                "payments-api",
                &[("orders-eu", s(59)), ("orders-us", s(60))],
            ),
        );
        assert_eq!(statuses(&g), [Status::Ok, Status::Warn]);
        assert_eq!(g.status, Status::Warn);
    }

    #[test]
    fn reaching_err_makes_the_group_err_and_the_partition_warn() {
        let g = judge(
            &policy(),
            &window(
                "payments-api",
                &[("orders-eu", s(300)), ("orders-us", s(1))],
            ),
        );
        assert_eq!(statuses(&g), [Status::Warn, Status::Ok]);
        assert_eq!(g.status, Status::Err);
        let just_under = judge(&policy(), &window("payments-api", &[("orders-eu", s(299))]));
        assert_eq!(just_under.status, Status::Warn);
    }

    #[test]
    fn group_and_topic_patterns_both_choose_the_slo_and_the_first_rule_wins() {
        let lags = [("orders-eu", s(120)), ("audit", s(86_400))];
        let payments = judge(&policy(), &window("payments-api", &lags));
        assert_eq!(
            statuses(&payments),
            [Status::Warn, Status::Ok],
            "the first rule's 1m, and no rule for audit"
        );
        let shipping = judge(&policy(), &window("shipping", &lags));
        assert_eq!(
            (statuses(&shipping), shipping.status),
            (vec![Status::Ok, Status::Ok], Status::Ok),
            "the second rule's 10m: the first is for payments-* only"
        );
    }

    #[test]
    fn the_default_judges_what_no_rule_covers() {
        let p = parse(
            r#"{"rules": [{"group": "batch-*", "warn": "1h", "err": "6h"}],
                "default": {"warn": "10m", "err": "1h"}}"#,
        )
        .unwrap();
        let lags = [("t", s(3600))];
        assert_eq!(
            judge(&p, &window("batch-nightly", &lags)).status,
            Status::Warn
        );
        assert_eq!(judge(&p, &window("web", &lags)).status, Status::Err);
    }

    #[test]
    fn partitions_without_a_time_lag_are_not_judged() {
        let g = judge(&policy(), &window("payments-api", &[("orders-eu", None)]));
        assert_eq!((statuses(&g), g.status), (vec![Status::Ok], Status::Ok));
        assert_eq!(g.max_time_lag_ms, None);
    }

    #[test]
    fn caught_up_partitions_are_ok() {
        let caught_up = Some((0, LagEstimate::CaughtUp));
        let g = judge(
            &policy(),
            &window("payments-api", &[("orders-eu", caught_up)]),
        );
        assert_eq!(g.status, Status::Ok);
        // Even if a figure came with it: caught up means nothing is left to read.
        let odd = Some((600_000, LagEstimate::CaughtUp));
        let g = judge(&policy(), &window("payments-api", &[("orders-eu", odd)]));
        assert_eq!(g.status, Status::Ok);
    }

    #[test]
    fn every_estimate_over_a_threshold_counts_at_least_included() {
        for estimate in [
            LagEstimate::Interpolated,
            LagEstimate::Extrapolated,
            LagEstimate::AtLeast,
        ] {
            let over = Some((300_000, estimate));
            let g = judge(&policy(), &window("payments-api", &[("orders-eu", over)]));
            assert_eq!(g.status, Status::Err, "{estimate:?}");
            let under = Some((59_000, estimate));
            let g = judge(&policy(), &window("payments-api", &[("orders-eu", under)]));
            assert_eq!(g.status, Status::Ok, "{estimate:?}");
        }
    }

    #[test]
    fn the_roll_up_is_burrows() {
        let g = judge(
            &policy(),
            &window("payments-api", &[("orders-eu", s(5)), ("audit", s(7))]),
        );
        assert_eq!(
            (g.status, g.total_lag, g.partition_count),
            (Status::Ok, 30, 2)
        );
        assert_eq!(
            g.maxlag.map(|m| (m.topic, m.partition)),
            Some(("audit".into(), 1))
        );
        assert_eq!(g.max_time_lag_ms, Some(7000));
        assert_eq!(g.partitions[0].time_lag_ms, Some(5000));
        assert_eq!(g.complete, 0.0);
    }

    #[test]
    fn metadata_names_the_plugin_and_its_schema_is_json() {
        let m = LagSeconds::metadata();
        assert_eq!(m.name, "lag-seconds");
        let schema: serde_json::Value = serde_json::from_str(&m.config_schema).unwrap();
        assert_eq!(
            schema["properties"]["rules"]["items"]["required"][0],
            "warn"
        );
        assert!(LagSeconds::validate_config(r#"{"default": {"warn": "1m", "err": "1m"}}"#).is_ok());
        assert_eq!(LagSeconds::validate_config("{}").unwrap_err().len(), 1);
    }
}
