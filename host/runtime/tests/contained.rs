//! The runtime against real compiled plugins (`plugins/`, built for wasm32-wasip2 by
//! `scripts/test`): a useful evaluator works, and every kind of misbehaviour — infinite loop,
//! memory bomb, panic, nonsensical answer, bad config — is contained and reported.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use warren_core::model::{Commit, Status};
use warren_core::storage::{CommitSource, GroupSnapshot, StorageHandle, StorageSettings};
use warren_runtime::{Limits, PluginEngine, PluginError, PluginEvaluator};

const NOW: i64 = 1_700_000_000_000;

fn wasm(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("WARREN_PLUGINS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../plugins/target/wasm32-wasip2/release")
        });
    let path = dir.join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{path:?}: {e}; build the plugins first (cargo build --release --target wasm32-wasip2 --manifest-path plugins/Cargo.toml)")
    })
}

fn snapshot() -> GroupSnapshot {
    let s = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
    let store = s.cluster("c").unwrap();
    let mut w = store.writer();
    w.set_topics(&[("t".into(), 2)]);
    w.record_heads("t", &[(0, 5000), (1, 100)], NOW);
    for (p, offset) in [(0, 1000), (1, 100)] {
        let c = Commit {
            group: "g",
            topic: "t",
            partition: p,
            offset,
            timestamp_ms: NOW,
            order: i64::from(p),
        };
        w.commit(&c, CommitSource::OffsetsTopic, NOW);
    }
    drop(w);
    store.group("g").unwrap()
}

fn load(
    engine: &PluginEngine,
    name: &str,
    config: &str,
    limits: Limits,
) -> Result<PluginEvaluator, PluginError> {
    let component = engine.compile(name, &wasm(name), None)?;
    PluginEvaluator::load(engine, name, &component, config, limits)
}

fn misbehave(engine: &PluginEngine, mode: &str) -> PluginEvaluator {
    load(
        engine,
        "misbehave",
        &format!("\"{mode}\""),
        Limits::default(),
    )
    .expect("misbehave loads")
}

#[test]
fn lag_threshold_plugin_judges_a_stored_group() {
    let engine = PluginEngine::new(None).unwrap();
    let e = load(
        &engine,
        "lag_threshold",
        r#"{"warn": 100, "err": 1000}"#,
        Limits::default(),
    )
    .unwrap();
    assert_eq!(e.metadata().name, "lag-threshold");
    let status = e.evaluate("c", &snapshot(), NOW).unwrap();
    assert_eq!(
        (status.status, status.total_lag, status.partition_count),
        (Status::Err, 4000, 2)
    );
    assert_eq!(status.partitions[0].status, Status::Warn);
    assert_eq!(status.maxlag.unwrap().partition, 0);
    assert_eq!(e.health().calls.get("ok"), Some(&1));
}

#[test]
fn bad_config_is_rejected_at_load_with_every_problem() {
    let engine = PluginEngine::new(None).unwrap();
    match load(&engine, "lag_threshold", "{}", Limits::default()) {
        Err(PluginError::InvalidConfig { problems, .. }) => {
            assert_eq!(problems.len(), 2, "{problems:?}")
        }
        other => panic!("expected InvalidConfig, got {:?}", other.map(|_| ())),
    }
    match load(&engine, "misbehave", "\"bad-config\"", Limits::default()) {
        Err(PluginError::InvalidConfig { problems, .. }) => assert_eq!(problems.len(), 2),
        other => panic!("expected InvalidConfig, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn infinite_loop_hits_the_deadline_and_the_host_goes_on() {
    let engine = PluginEngine::new(None).unwrap();
    let e = misbehave(&engine, "loop");
    let start = Instant::now();
    let err = e.evaluate("c", &snapshot(), NOW).unwrap_err();
    assert!(matches!(err, PluginError::Timeout { .. }), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "deadline took {:?}",
        start.elapsed()
    );
    // The trapped instance was replaced: the next call runs (and times out) again.
    assert!(matches!(
        e.evaluate("c", &snapshot(), NOW),
        Err(PluginError::Timeout { .. })
    ));
}

#[test]
fn memory_bomb_hits_the_cap() {
    let engine = PluginEngine::new(None).unwrap();
    let component = engine
        .compile("misbehave", &wasm("misbehave"), None)
        .unwrap();
    let limits = Limits {
        memory_bytes: 16 << 20,
        timeout: Duration::from_secs(5),
    };
    let e = PluginEvaluator::load(&engine, "misbehave", &component, "\"bomb\"", limits).unwrap();
    match e.evaluate("c", &snapshot(), NOW) {
        Err(PluginError::Trap { message, .. }) => assert!(message.contains("memory"), "{message}"),
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn panic_is_a_trap_carrying_the_guest_message() {
    let engine = PluginEngine::new(None).unwrap();
    match misbehave(&engine, "panic").evaluate("c", &snapshot(), NOW) {
        Err(PluginError::Trap { message, .. }) => {
            assert!(message.contains("panicking on purpose"), "{message}")
        }
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn nonsensical_answers_and_guest_errors_are_rejected() {
    let engine = PluginEngine::new(None).unwrap();
    assert!(matches!(
        misbehave(&engine, "garbage").evaluate("c", &snapshot(), NOW),
        Err(PluginError::InvalidOutput { .. })
    ));
    assert!(matches!(
        misbehave(&engine, "error").evaluate("c", &snapshot(), NOW),
        Err(PluginError::Guest { .. })
    ));
    assert!(
        misbehave(&engine, "ok")
            .evaluate("c", &snapshot(), NOW)
            .is_ok()
    );
}

#[test]
fn repeated_failures_open_the_circuit_breaker() {
    let engine = PluginEngine::new(None).unwrap();
    let e = misbehave(&engine, "panic");
    for _ in 0..5 {
        assert!(matches!(
            e.evaluate("c", &snapshot(), NOW),
            Err(PluginError::Trap { .. })
        ));
    }
    assert!(matches!(
        e.evaluate("c", &snapshot(), NOW),
        Err(PluginError::Disabled { .. })
    ));
    let h = e.health();
    assert!(h.disabled);
    assert_eq!(
        (h.calls.get("trap"), h.calls.get("disabled")),
        (Some(&5), Some(&1))
    );
}

#[test]
fn components_are_verified_and_compiled_once_into_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let engine = PluginEngine::new(Some(dir.path().to_path_buf())).unwrap();
    let bytes = wasm("lag_threshold");
    assert!(matches!(
        engine.compile("x", &bytes, Some("00")),
        Err(PluginError::Load { .. })
    ));
    engine.compile("x", &bytes, None).unwrap();
    let cached: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(cached.len(), 1);
    engine.compile("x", &bytes, None).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn skip_empty_filter_leaves_out_groups_idle_without_members() {
    use warren_core::model::{GroupMembership, Member};
    use warren_runtime::PluginFilter;

    let engine = PluginEngine::new(None).unwrap();
    let component = engine
        .compile("skip_empty", &wasm("skip_empty"), None)
        .unwrap();
    let f = PluginFilter::load(
        &engine,
        "skip-empty",
        &component,
        r#"{"empty-for-secs": 3600}"#,
        Limits::default(),
    )
    .unwrap();
    let idle = snapshot();
    assert!(
        f.accept("c", &idle, NOW + 60_000).unwrap(),
        "idle for a minute: kept"
    );
    assert!(
        !f.accept("c", &idle, NOW + 7_200_000).unwrap(),
        "idle and empty for two hours: left out"
    );

    let s = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
    let store = s.cluster("c").unwrap();
    store.writer().set_topics(&[("t".into(), 1)]);
    let member = Member {
        host: "/10.0.0.1".into(),
        client_id: "c1".into(),
        assignment: vec![("t".into(), vec![0])],
    };
    store.writer().set_membership(
        "g",
        &GroupMembership {
            state: Some("Stable".into()),
            members: vec![member],
        },
        NOW,
    );
    assert!(
        f.accept("c", &store.group("g").unwrap(), NOW + 7_200_000)
            .unwrap(),
        "a group with members is kept"
    );

    assert!(matches!(
        PluginFilter::load(&engine, "skip-empty", &component, "{}", Limits::default()),
        Err(PluginError::InvalidConfig { .. })
    ));
}

#[test]
fn topic_thresholds_plugin_judges_each_topic_by_its_first_matching_rule() {
    let engine = PluginEngine::new(None).unwrap();
    let rules = r#"{"rules": [{"topic": "t", "warn": 100, "err": 1000}, {"topic": "*", "warn": 1, "err": 2}]}"#;
    let e = load(&engine, "topic_thresholds", rules, Limits::default()).unwrap();
    assert_eq!(e.metadata().name, "topic-thresholds");
    let status = e.evaluate("c", &snapshot(), NOW).unwrap();
    assert_eq!(
        (status.status, status.total_lag, status.partition_count),
        (Status::Err, 4000, 2),
        "partition 0 (lag 4000) reached the err of the first rule"
    );
    assert_eq!(
        (status.partitions[0].status, status.partitions[1].status),
        (Status::Warn, Status::Ok)
    );
    assert_eq!(status.maxlag.unwrap().partition, 0);

    // A rule for other topics and no default: `t` is not judged.
    let other = r#"{"rules": [{"topic": "payments-*", "warn": 1, "err": 2}]}"#;
    let e = load(&engine, "topic_thresholds", other, Limits::default()).unwrap();
    assert_eq!(
        e.evaluate("c", &snapshot(), NOW).unwrap().status,
        Status::Ok
    );
}

#[test]
fn topic_thresholds_bad_config_is_rejected_with_every_problem() {
    let engine = PluginEngine::new(None).unwrap();
    let config = r#"{"rules": [{"topic": "pay[", "warn": 10, "err": 5}], "colour": "red"}"#;
    match load(&engine, "topic_thresholds", config, Limits::default()) {
        Err(PluginError::InvalidConfig { problems, .. }) => {
            assert_eq!(problems.len(), 3, "{problems:?}");
            for key in ["colour:", "rules[0].topic:", "rules[0].err:"] {
                assert!(
                    problems.iter().any(|p| p.starts_with(key)),
                    "{key} missing from {problems:?}"
                );
            }
        }
        other => panic!("expected InvalidConfig, got {:?}", other.map(|_| ())),
    }
}
