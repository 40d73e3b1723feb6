//! What a plugin cannot do to the host, against real compiled plugins (`plugins/testing/misbehave`)
//! and hand-written components: hold a call past its deadline by waiting in WASI (filters and
//! evaluators get no time: clocks stand still, sleeps and clock pollables are ready at once),
//! see a clock or randomness, grow tables or declare memories past the memory budget, or have
//! the daemon run native code it did not compile itself from the compiled-plugin cache.

mod common;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use warren_core::model::{Commit, Status};
use warren_core::storage::{CommitSource, GroupSnapshot, StorageHandle, StorageSettings};
use warren_runtime::{Capabilities, Limits, PluginEngine, PluginError, PluginEvaluator, inspect};
use wasmtime::component::Component;

use common::wasm;

const NOW: i64 = 1_700_000_000_000;

/// The sleeping modes ask for 30 s; a call that returns well before that did not sleep. This is
/// a bound on waiting, not a speed test: a deadline-bound call returns in about 100 ms.
const NOT_SLEPT: Duration = Duration::from_secs(10);

fn snapshot() -> GroupSnapshot {
    let s = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
    let store = s.cluster("c").unwrap();
    let mut w = store.writer();
    w.set_topics(&[("t".into(), 1)]);
    w.record_heads("t", &[(0, 5000)], NOW);
    let c = Commit {
        group: "g",
        topic: "t",
        partition: 0,
        offset: 1000,
        timestamp_ms: NOW,
        order: 0,
    };
    w.commit(&c, CommitSource::OffsetsTopic, NOW);
    drop(w);
    store.group("g").unwrap()
}

/// One engine without a cache for the tests that do not look at the cache.
fn engine() -> &'static PluginEngine {
    static ENGINE: OnceLock<PluginEngine> = OnceLock::new();
    ENGINE.get_or_init(|| PluginEngine::new(None).unwrap())
}

/// misbehave, compiled once by [`engine`] (a debug build of cranelift takes seconds).
fn misbehave_component() -> &'static Component {
    static COMPONENT: OnceLock<Component> = OnceLock::new();
    COMPONENT.get_or_init(|| {
        engine()
            .compile("misbehave", &wasm("misbehave"), None)
            .unwrap()
    })
}

fn load_misbehave(
    engine: &PluginEngine,
    component: &Component,
    mode: &str,
) -> Result<PluginEvaluator, PluginError> {
    PluginEvaluator::load(
        engine,
        "misbehave",
        component,
        &format!("\"{mode}\""),
        Limits::default(),
    )
}

fn misbehave(mode: &str) -> Result<PluginEvaluator, PluginError> {
    load_misbehave(engine(), misbehave_component(), mode)
}

// --- issue 15, item 1: no waiting in WASI, no clocks, no randomness ------------------------

#[test]
fn an_evaluator_sleeping_in_wasi_cannot_hold_its_call() {
    // `std::thread::sleep` (a pollable's `block`) and `poll(2)` (`wasi:io/poll` on a
    // monotonic-clock pollable) each ask for 30 s.
    for mode in ["sleep", "poll"] {
        let e = misbehave(mode).unwrap();
        let start = Instant::now();
        let answer = e.evaluate("c", &snapshot(), NOW);
        let took = start.elapsed();
        assert!(took < NOT_SLEPT, "{mode}: the call took {took:?}");
        // Time stands still: the sleep is over at once and the guest goes on to answer.
        assert_eq!(answer.unwrap().status, Status::Ok, "{mode}");
    }
}

#[test]
fn parallel_calls_do_not_queue_behind_a_sleeping_evaluator() {
    let e = Arc::new(misbehave("sleep").unwrap());
    let start = Instant::now();
    std::thread::scope(|s| {
        let calls: Vec<_> = (0..4)
            .map(|_| s.spawn(|| e.evaluate("c", &snapshot(), NOW)))
            .collect();
        for call in calls {
            assert!(call.join().unwrap().is_ok());
        }
    });
    assert!(
        start.elapsed() < NOT_SLEPT,
        "four calls took {:?}",
        start.elapsed()
    );
}

#[test]
fn a_validate_config_sleeping_in_wasi_does_not_hang_loading() {
    let component = misbehave_component();
    let start = Instant::now();
    // Loading is what `run`, `check-config` and a reload do: metadata, then validate-config.
    let loaded = load_misbehave(engine(), component, "sleep-validate");
    let took = start.elapsed();
    assert!(took < NOT_SLEPT, "loading took {took:?}");
    assert!(loaded.is_ok(), "{:?}", loaded.err());
}

#[test]
fn filters_and_evaluators_see_no_clock_and_no_randomness() {
    let seen = |e: &PluginEvaluator| match e.evaluate("c", &snapshot(), NOW) {
        Err(PluginError::Guest { message, .. }) => message,
        other => panic!("expected the guest's report, got {other:?}"),
    };
    let first = seen(&misbehave("clocks").unwrap());
    // The wall clock reads the Unix epoch, and 1 s of sleep moves the monotonic clock by 0.
    assert!(
        first.starts_with("wall-ms=0 slept-ms=0 "),
        "the guest saw time: {first}"
    );
    // A randomly seeded hasher hashes alike in another instance: the "random" seed is fixed.
    let second = seen(&misbehave("clocks").unwrap());
    assert_eq!(first, second, "the guest saw randomness");
}

#[tokio::test]
async fn a_notifier_sleeping_in_validate_config_is_cut_short_by_its_timeout() {
    // Notifiers keep real clocks; their calls are async and the timeout cancels them wherever
    // they are, a host call included.
    let limits = Limits {
        timeout: Duration::from_millis(500),
        ..Limits::notifier()
    };
    let _ = common::component(); // compiled before the clock starts
    let start = Instant::now();
    let loaded = common::probe(
        serde_json::json!({"mode": "noop", "url": "https://example.com/", "sleep-on-validate": true}),
        limits,
        Capabilities::default(),
    )
    .await;
    let took = start.elapsed();
    assert!(took < NOT_SLEPT, "loading took {took:?}");
    assert!(
        matches!(loaded, Err(PluginError::Timeout { .. })),
        "{:?}",
        loaded.err()
    );
}

// --- issue 15, item 2: tables, memories and instances draw on the memory budget ------------

/// A component whose core module, when instantiated, grows a funcref table by `elements`,
/// and exports the plugin interface's name so `inspect` instantiates it.
fn table_grower(elements: u32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(component
             (core module $m
               (table $t 1 funcref)
               (func $grow
                 (if (i32.eq (table.grow $t (ref.null func) (i32.const {elements})) (i32.const -1))
                   (then unreachable)))
               (start $grow))
             (core instance (instantiate $m))
             (instance $plugin)
             (export "warren:plugin/plugin@0.1.0" (instance $plugin)))"#
    ))
    .unwrap()
}

/// A component whose core module declares `count` one-page memories.
fn memory_hoarder(count: usize) -> Vec<u8> {
    let memories = "(memory 1)".repeat(count);
    wat::parse_str(format!(
        r#"(component
             (core module $m {memories})
             (core instance (instantiate $m))
             (instance $plugin)
             (export "warren:plugin/plugin@0.1.0" (instance $plugin)))"#
    ))
    .unwrap()
}

/// Why instantiating the component under the default limits (32 MiB) failed.
fn instantiation_error(wasm: &[u8]) -> String {
    let component = engine().compile("hand-written", wasm, None).unwrap();
    match inspect(engine(), &component).metadata {
        Err(e) => e,
        Ok(m) => panic!("metadata from a component without it: {m:?}"),
    }
}

#[test]
fn a_table_grown_past_the_memory_budget_traps() {
    assert_eq!(Limits::default().memory_bytes, 32 << 20);
    // 4 Mi elements count 64 MiB (16 bytes each), twice the 32 MiB budget.
    let over = instantiation_error(&table_grower(4 << 20));
    assert!(over.contains("plugin memory cap"), "{over}");
    assert!(over.contains("table"), "{over}");
    // 1 Mi elements (16 MiB, half the budget) grow; the component then fails for lacking
    // `metadata`, not for the cap.
    let under = instantiation_error(&table_grower(1 << 20));
    assert!(!under.contains("plugin memory cap"), "{under}");
    assert!(under.contains("metadata"), "{under}");
}

#[test]
fn memories_are_counted_and_capped() {
    // Each memory reserves address space; a component may not declare dozens.
    let many = instantiation_error(&memory_hoarder(64));
    assert!(many.contains("memor"), "{many}");
    assert!(!many.contains("metadata"), "{many}");
    let few = instantiation_error(&memory_hoarder(2));
    assert!(few.contains("metadata"), "{few}");
}
