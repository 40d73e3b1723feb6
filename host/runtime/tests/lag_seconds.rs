//! The `lag-seconds` evaluator as the daemon runs it: the component embedded by `build.rs`
//! (`path = "builtin:lag-seconds"`), judging windows built here with the host's time-lag
//! estimates already filled in, so the test shows what the plugin does with each kind of
//! estimate independently of how the host computes them.

use std::path::PathBuf;
use std::sync::OnceLock;

use warren_core::model::Status;
use warren_runtime::wit::{GroupWindow, LagEstimate, PartitionWindow, TimeLag};
use warren_runtime::{Limits, PluginEngine, PluginError, PluginEvaluator, builtin, builtin_names};

const NOW: i64 = 1_700_000_000_000;

const CONFIG: &str = r#"{
    "rules": [
        {"group": "payments-*", "topic": "orders-*", "warn": "60s", "err": "5m"},
        {"topic": "orders-*", "warn": "10m", "err": "1h"}
    ],
    "default": {"warn": "1h", "err": "6h"}
}"#;

fn engine() -> &'static PluginEngine {
    static ENGINE: OnceLock<PluginEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        PluginEngine::new(Some(
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache"),
        ))
        .unwrap()
    })
}

fn load(config: &str) -> Result<PluginEvaluator, PluginError> {
    let bytes = builtin("lag-seconds").unwrap_or_else(|why| panic!("{why}"));
    let component = engine().compile("lag-seconds", bytes, None)?;
    PluginEvaluator::load(
        engine(),
        "lag-seconds",
        &component,
        config,
        Limits::default(),
    )
}

/// One partition: topic, current lag, time lag (ms and how it was estimated).
type Part<'a> = (&'a str, u64, Option<(u64, LagEstimate)>);

fn window(group: &str, partitions: &[Part<'_>]) -> GroupWindow {
    GroupWindow {
        cluster: "prod".into(),
        group: group.into(),
        now_ms: NOW,
        intervals: 10,
        partitions: partitions
            .iter()
            .zip(0..)
            .map(|(&(topic, current_lag, lag), partition)| PartitionWindow {
                topic: topic.into(),
                partition,
                commits: vec![],
                heads: vec![],
                current_lag,
                owner: None,
                client_id: None,
                time_lag: lag.map(|(ms, estimate)| TimeLag { ms, estimate }),
                catchup_eta_ms: None,
            })
            .collect(),
    }
}

#[test]
fn lag_seconds_is_built_in() {
    assert!(
        builtin_names().contains(&"lag-seconds"),
        "{:?}",
        builtin_names()
    );
    let e = load(CONFIG).unwrap();
    assert_eq!(e.metadata().name, "lag-seconds");
    assert!(e.metadata().config_schema.contains("\"rules\""));
}

#[test]
fn lag_seconds_judges_each_partition_by_its_time_lag_against_the_first_matching_rule() {
    let e = load(CONFIG).unwrap();
    let w = window(
        "payments-api",
        &[
            ("orders-eu", 500, Some((30_000, LagEstimate::Interpolated))),
            ("orders-us", 10, Some((90_000, LagEstimate::Interpolated))),
            ("audit", 7, Some((3_600_000, LagEstimate::AtLeast))),
            ("refunds", 0, Some((0, LagEstimate::CaughtUp))),
            ("orders-ap", 900, None),
        ],
    );
    let status = e.evaluate_window(&w).unwrap();
    let by_topic: Vec<(&str, Status)> = status
        .partitions
        .iter()
        .map(|p| (p.topic.as_str(), p.status))
        .collect();
    assert_eq!(
        by_topic,
        [
            ("audit", Status::Warn),
            ("orders-ap", Status::Ok),
            ("orders-eu", Status::Ok),
            ("orders-us", Status::Warn),
            ("refunds", Status::Ok),
        ],
        "orders-us is past the payments rule's 60s; an at-least hour reaches the default's warn; \
         no estimate and caught up are OK"
    );
    assert_eq!(status.status, Status::Warn, "nothing reached its err");
    assert_eq!(
        (status.total_lag, status.partition_count),
        (1417, 5),
        "Burrow's roll-up"
    );
    assert_eq!(status.maxlag.unwrap().topic, "orders-ap");

    // The same lags, for a group the first rule does not cover: orders-* allow 10 minutes.
    let mut other = w.clone();
    other.group = "shipping".into();
    let status = e.evaluate_window(&other).unwrap();
    assert_eq!(status.status, Status::Warn, "only audit, by the default");

    // Five minutes behind on a payments topic reaches the first rule's err.
    let late = window(
        "payments-api",
        &[("orders-eu", 1, Some((300_000, LagEstimate::Extrapolated)))],
    );
    let status = e.evaluate_window(&late).unwrap();
    assert_eq!(
        (status.status, status.partitions[0].status),
        (Status::Err, Status::Warn)
    );
    assert_eq!(e.health().calls.get("ok"), Some(&3));
}

#[test]
fn lag_seconds_bad_config_is_rejected_with_every_problem() {
    let config = r#"{"rules": [{"topic": "pay[", "warn": "10m", "err": "5m"}, {"warn": "1m", "err": "2m"}],
                     "default": {"warn": "soon", "err": "1h"}, "colour": "red"}"#;
    match load(config) {
        Err(PluginError::InvalidConfig { problems, .. }) => {
            assert_eq!(problems.len(), 5, "{problems:?}");
            for key in [
                "colour:",
                "rules[0].topic:",
                "rules[0].err:",
                "rules[1]:",
                "default.warn:",
            ] {
                assert!(
                    problems.iter().any(|p| p.starts_with(key)),
                    "{key} missing from {problems:?}"
                );
            }
        }
        other => panic!("expected InvalidConfig, got {:?}", other.map(|_| ())),
    }
}
