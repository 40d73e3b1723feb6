//! The Python and JavaScript example group filters (`plugins/python/topic-prefix`,
//! `plugins/js/console-consumers`), built into components by `scripts/build-polyglot-plugins`,
//! loaded through the same runtime as the Rust plugins and judged on groups from real storage.
//!
//! The components are 12–18 MB; compiled artifacts are kept in `<target>/plugin-cache`, so
//! cranelift compiles each one once, not on every run.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use warren_core::model::{Commit, GroupMembership, Member};
use warren_core::storage::{
    ClusterStore, CommitSource, GroupSnapshot, StorageHandle, StorageSettings,
};
use warren_runtime::{Limits, PluginEngine, PluginError, PluginFilter};
use wasmtime::component::Component;

const NOW: i64 = 1_700_000_000_000;
const PY: &str = "topic_prefix_py";
const JS: &str = "console_consumers_js";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn wasm(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("WARREN_POLYGLOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("plugins/target/polyglot"));
    let path = dir.join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{path:?}: {e}; build the Python and JavaScript plugins first: scripts/build-polyglot-plugins")
    })
}

fn cache_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"))
        .join("plugin-cache")
}

/// One engine for the test process, with the on-disk cache of compiled components.
fn engine() -> &'static PluginEngine {
    static ENGINE: OnceLock<PluginEngine> = OnceLock::new();
    ENGINE.get_or_init(|| PluginEngine::new(Some(cache_dir())).expect("engine"))
}

/// Each component compiled (or read from the cache) once per process, whichever test asks first.
fn component(name: &str) -> Component {
    static PY_COMPONENT: OnceLock<Component> = OnceLock::new();
    static JS_COMPONENT: OnceLock<Component> = OnceLock::new();
    let cell = match name {
        PY => &PY_COMPONENT,
        JS => &JS_COMPONENT,
        _ => unreachable!("{name}"),
    };
    cell.get_or_init(|| {
        engine()
            .compile(name, &wasm(name), None)
            .unwrap_or_else(|e| panic!("{e}"))
    })
    .clone()
}

/// The default memory cap; a deadline of 1 s rather than 100 ms, so that instantiating CPython
/// on a machine busy with parallel tests cannot make a behaviour test flaky (the measuring test
/// below uses the defaults).
fn load(name: &str, config: &str) -> Result<PluginFilter, PluginError> {
    let limits = Limits {
        timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    PluginFilter::load(engine(), name, &component(name), config, limits)
}

fn problems(name: &str, config: &str) -> Vec<String> {
    match load(name, config) {
        Err(PluginError::InvalidConfig { problems, .. }) => problems,
        other => panic!(
            "{config}: expected InvalidConfig, got {:?}",
            other.map(|f| f.metadata().clone())
        ),
    }
}

fn assert_mentions(problems: &[String], needles: &[&str]) {
    assert_eq!(problems.len(), needles.len(), "{problems:#?}");
    for needle in needles {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "no problem mentions {needle:?}: {problems:#?}"
        );
    }
}

/// A cluster whose groups commit to the given topics (one partition each).
struct Cluster {
    store: Arc<ClusterStore>,
    order: i64,
}

impl Cluster {
    fn new(topics: &[&str]) -> Self {
        let s = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
        let store = s.cluster("c").unwrap().clone();
        let mut w = store.writer();
        let list: Vec<(String, usize)> = topics.iter().map(|t| (t.to_string(), 1)).collect();
        w.set_topics(&list);
        for t in topics {
            w.record_heads(t, &[(0, 1000)], NOW);
        }
        drop(w);
        Cluster { store, order: 0 }
    }

    fn commits(&mut self, group: &str, topics: &[&str]) -> &mut Self {
        let mut w = self.store.writer();
        for topic in topics {
            self.order += 1;
            let c = Commit {
                group,
                topic,
                partition: 0,
                offset: 900,
                timestamp_ms: NOW,
                order: self.order,
            };
            w.commit(&c, CommitSource::OffsetsTopic, NOW);
        }
        drop(w);
        self
    }

    fn members(&mut self, group: &str, state: &str, assigned: &[&str]) -> &mut Self {
        let members = assigned
            .iter()
            .enumerate()
            .map(|(i, topic)| Member {
                host: format!("/10.0.0.{}", i + 1),
                client_id: format!("client-{i}"),
                assignment: vec![(topic.to_string(), vec![0])],
            })
            .collect();
        self.store.writer().set_membership(
            group,
            &GroupMembership {
                state: Some(state.into()),
                members,
            },
            NOW,
        );
        self
    }

    fn group(&self, group: &str) -> GroupSnapshot {
        self.store
            .group(group)
            .unwrap_or_else(|| panic!("{group} not stored"))
    }
}

fn accepts(f: &PluginFilter, snapshot: &GroupSnapshot) -> bool {
    f.accept("c", snapshot, NOW)
        .unwrap_or_else(|e| panic!("{}: {e}", snapshot.group))
}

fn schema(f: &PluginFilter) -> serde_json::Value {
    serde_json::from_str(&f.metadata().config_schema).unwrap_or_else(|e| {
        panic!(
            "config-schema is not JSON ({e}): {}",
            f.metadata().config_schema
        )
    })
}

const PREFIXES: &str = r#"{"prefixes": ["payments-", "orders-"]}"#;

#[test]
fn python_filter_describes_itself_with_a_json_schema() {
    let f = load(PY, PREFIXES).unwrap();
    let m = f.metadata();
    assert_eq!(
        (m.name.as_str(), m.version.as_str()),
        ("topic-prefix", "0.1.0")
    );
    assert!(m.description.contains("prefix"), "{}", m.description);
    let s = schema(&f);
    assert_eq!(s["type"], "object");
    assert_eq!(s["required"], serde_json::json!(["prefixes"]));
    assert_eq!(s["properties"]["prefixes"]["items"]["type"], "string");
    assert_eq!(s["additionalProperties"], false);
}

#[test]
fn python_filter_rejects_bad_config_listing_every_problem() {
    assert_mentions(&problems(PY, "prefixes = [1]"), &["not valid JSON"]);
    assert_mentions(&problems(PY, r#"["payments-"]"#), &["JSON object"]);
    assert_mentions(&problems(PY, "{}"), &["`prefixes` is missing"]);
    assert_mentions(
        &problems(PY, r#"{"prefixes": "payments-"}"#),
        &["must be a list"],
    );
    assert_mentions(
        &problems(PY, r#"{"prefixes": []}"#),
        &["`prefixes` is empty"],
    );
    assert_mentions(
        &problems(
            PY,
            r#"{"prefixes": ["payments-", "", 7], "keep-without-topics": "yes", "prefix": ["x"]}"#,
        ),
        &[
            "`prefixes[1]` is empty",
            "`prefixes[2]` must be a string",
            "`keep-without-topics` must be true or false",
            "unknown key `prefix`",
        ],
    );
}

#[test]
fn python_filter_keeps_groups_consuming_a_listed_prefix() {
    let mut c = Cluster::new(&[
        "payments-eu",
        "orders-v2",
        "audit",
        "inventory",
        "xpayments-eu",
    ]);
    c.commits("billing", &["payments-eu"])
        .commits("fulfilment", &["audit", "orders-v2"])
        .commits("stock", &["inventory", "audit"])
        .commits("lookalike", &["xpayments-eu"]);
    let f = load(PY, PREFIXES).unwrap();
    assert!(accepts(&f, &c.group("billing")), "consumes payments-eu");
    assert!(
        accepts(&f, &c.group("fulfilment")),
        "one of its topics is orders-v2"
    );
    assert!(!accepts(&f, &c.group("stock")), "no listed prefix");
    assert!(
        !accepts(&f, &c.group("lookalike")),
        "a prefix counts only at the start"
    );
    assert_eq!(f.health().calls.get("ok"), Some(&4));
}

#[test]
fn python_filter_judges_a_group_without_commits_by_its_members_assignment() {
    let mut c = Cluster::new(&["orders-v2", "inventory"]);
    c.members("new-orders", "Stable", &["orders-v2"]).members(
        "new-stock",
        "Stable",
        &["inventory"],
    );
    let f = load(PY, PREFIXES).unwrap();
    assert!(accepts(&f, &c.group("new-orders")));
    assert!(!accepts(&f, &c.group("new-stock")));
}

#[test]
fn python_filter_keeps_a_group_without_topics_unless_told_otherwise() {
    let mut c = Cluster::new(&["orders-v2"]);
    c.members("idle", "Empty", &[]);
    let idle = c.group("idle");
    assert!(idle.topics.is_empty());
    assert!(accepts(&load(PY, PREFIXES).unwrap(), &idle));
    let strict = load(
        PY,
        r#"{"prefixes": ["orders-"], "keep-without-topics": false}"#,
    )
    .unwrap();
    assert!(!accepts(&strict, &idle));
}

#[test]
fn js_filter_describes_itself_with_a_json_schema() {
    let f = load(JS, "{}").unwrap();
    let m = f.metadata();
    assert_eq!(
        (m.name.as_str(), m.version.as_str()),
        ("console-consumers", "0.1.0")
    );
    assert!(
        m.description.contains("console-consumer-*"),
        "{}",
        m.description
    );
    let s = schema(&f);
    assert_eq!(s["type"], "object");
    assert_eq!(s["properties"]["extra-prefixes"]["type"], "array");
    assert_eq!(s["additionalProperties"], false);
}

#[test]
fn js_filter_rejects_bad_config_listing_every_problem() {
    assert_mentions(&problems(JS, "extra-prefixes"), &["not valid JSON"]);
    assert_mentions(&problems(JS, "null"), &["JSON object, not null"]);
    assert_mentions(
        &problems(JS, r#"{"extra-prefixes": "tmp-"}"#),
        &["`extra-prefixes` must be a list of strings, not a string"],
    );
    // Whole sentences, one per problem (a thrown string would arrive as its characters).
    assert_mentions(
        &problems(
            JS,
            r#"{"extra-prefixes": ["tmp-", "", 3], "extra_prefixes": []}"#,
        ),
        &[
            "`extra-prefixes[1]` is empty",
            "`extra-prefixes[2]` must be a string, not a number",
            "unknown key `extra_prefixes`",
        ],
    );
}

#[test]
fn js_filter_leaves_out_console_consumers_and_confluent_groups() {
    let mut c = Cluster::new(&["payments-eu"]);
    for g in [
        "console-consumer-48213",
        "_confluent-controlcenter-7-5-0",
        "_confluent_balancer",
        "tmp-smoke-test",
        "payments-processor",
        "my-console-consumer-1",
    ] {
        c.commits(g, &["payments-eu"]);
    }
    let plain = load(JS, "{}").unwrap();
    let extra = load(JS, r#"{"extra-prefixes": ["tmp-"]}"#).unwrap();
    for (group, by_default, with_extra) in [
        ("console-consumer-48213", false, false),
        ("_confluent-controlcenter-7-5-0", false, false),
        ("_confluent_balancer", false, false),
        ("tmp-smoke-test", true, false),
        ("payments-processor", true, true),
        ("my-console-consumer-1", true, true),
    ] {
        let s = c.group(group);
        assert_eq!(accepts(&plain, &s), by_default, "{group} with {{}}");
        assert_eq!(
            accepts(&extra, &s),
            with_extra,
            "{group} with extra-prefixes"
        );
    }
    assert_eq!(extra.health().calls.get("ok"), Some(&6));
}

/// Not a check: the figures quoted in plugins/README.md. Compiles both components without the
/// cache and times the first and later calls:
/// `cargo test -p warren-runtime --test polyglot -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_compile_instantiate_and_call_costs() {
    let mut c = Cluster::new(&["payments-eu"]);
    c.commits("payments-processor", &["payments-eu"]);
    let s = c.group("payments-processor");
    for (name, config) in [(PY, PREFIXES), (JS, "{}")] {
        let bytes = wasm(name);
        let dir = tempfile::tempdir().unwrap();
        let engine = PluginEngine::new(Some(dir.path().to_path_buf())).unwrap();
        let t = Instant::now();
        let component = engine.compile(name, &bytes, None).unwrap();
        let compile = t.elapsed();
        let cwasm: u64 = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        let t = Instant::now();
        engine.compile(name, &bytes, None).unwrap();
        let cached = t.elapsed();
        let t = Instant::now();
        let f = PluginFilter::load(&engine, name, &component, config, Limits::default()).unwrap();
        let load = t.elapsed();
        let t = Instant::now();
        assert!(f.accept("c", &s, NOW).unwrap());
        let first = t.elapsed();
        let t = Instant::now();
        for _ in 0..1000 {
            f.accept("c", &s, NOW).unwrap();
        }
        let per_call = t.elapsed() / 1000;
        println!(
            "{name}: {:.1} MB wasm, {:.1} MB cwasm; compile {compile:?}, from cache {cached:?}; \
             load (instantiate + metadata + validate-config) {load:?}; first accept {first:?}; \
             then {per_call:?} per accept",
            bytes.len() as f64 / 1e6,
            cwasm as f64 / 1e6,
        );
    }
}
