//! What a plugin cannot do to the host, against real compiled plugins (`plugins/testing/misbehave`)
//! and hand-written components: hold a call past its deadline by waiting in WASI (filters and
//! evaluators get no time: clocks stand still, sleeps and clock pollables are ready at once),
//! see a clock or randomness, grow tables or declare memories past the memory budget, or have
//! the daemon run native code it did not compile itself from the compiled-plugin cache.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use warren_core::model::{Commit, Status};
use warren_core::storage::{CommitSource, GroupSnapshot, StorageHandle, StorageSettings};
use warren_runtime::{
    Capabilities, Limits, PluginEngine, PluginError, PluginEvaluator, PluginFilter, inspect,
};
use wasmtime::component::Component;

use common::{logged, logs, wasm};

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

// --- issue 21, item 2: what each plugin kind reaches, seen from inside; the cap at the cap --

/// The isolation report a plugin returned as its one config problem, as `name -> value`.
fn report(loaded: Result<impl Sized, PluginError>) -> BTreeMap<String, String> {
    let problems = match loaded {
        Err(PluginError::InvalidConfig { problems, .. }) => problems,
        Err(e) => panic!("expected the report as a config problem, got {e}"),
        Ok(_) => panic!("expected the report as a config problem, got a loaded plugin"),
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    problems[0]
        .split_whitespace()
        .map(|f| {
            let (k, v) = f
                .split_once('=')
                .unwrap_or_else(|| panic!("{f} in {problems:?}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// The probes make a dozen WASI calls; a generous deadline keeps a busy machine from turning
/// the report into a timeout.
const PROBING: Limits = Limits {
    memory_bytes: 32 << 20,
    timeout: Duration::from_secs(5),
};

fn evaluator_report() -> BTreeMap<String, String> {
    report(PluginEvaluator::load(
        engine(),
        "misbehave",
        misbehave_component(),
        "\"isolation\"",
        PROBING,
    ))
}

fn filter_report() -> BTreeMap<String, String> {
    let component = engine()
        .compile("probe-filter", &wasm("probe_filter"), None)
        .unwrap();
    report(PluginFilter::load(
        engine(),
        "probe-filter",
        &component,
        "\"isolation\"",
        PROBING,
    ))
}

async fn notifier_report() -> BTreeMap<String, String> {
    report(
        common::probe(
            serde_json::json!({"mode": "noop", "url": "https://example.com/", "isolation-on-validate": true}),
            Limits::notifier(),
            Capabilities::default(),
        )
        .await,
    )
}

/// No environment, arguments, files or sockets, whatever the plugin kind.
fn assert_nothing_reachable(kind: &str, r: &BTreeMap<String, String>) {
    assert_eq!((&r["env"][..], &r["args"][..]), ("0", "0"), "{kind}: {r:?}");
    for probe in ["root", "passwd", "write", "tcp", "udp", "dns"] {
        assert_ne!(r[probe], "ok", "{kind} reached {probe}: {r:?}");
    }
}

#[test]
fn filters_and_evaluators_reach_no_file_env_socket_clock_or_randomness() {
    let evaluator = evaluator_report();
    let filter = filter_report();
    for (kind, r) in [("evaluator", &evaluator), ("filter", &filter)] {
        assert_nothing_reachable(kind, r);
        // Time stands still at the Unix epoch; 20 ms of sleep take no time.
        assert_eq!(
            (&r["wall-ms"][..], &r["slept-ms"][..]),
            ("0", "0"),
            "{kind}"
        );
    }
    // The same fixed "random" seed in every instance, of either kind.
    assert_eq!(evaluator["hash"], filter["hash"]);
    assert_eq!(evaluator_report()["hash"], evaluator["hash"]);
}

#[tokio::test]
async fn notifiers_reach_no_file_env_or_socket_but_have_real_time() {
    let (first, second) = (notifier_report().await, notifier_report().await);
    assert_nothing_reachable("notifier", &first);
    // Notifiers keep the host's clocks and randomness (README: not guaranteed otherwise).
    assert!(first["wall-ms"].parse::<u64>().unwrap() > 1_600_000_000_000);
    assert!(first["slept-ms"].parse::<u64>().unwrap() >= 20);
    assert_ne!(first["hash"], second["hash"]);
}

#[test]
fn allocating_twice_the_cap_traps_at_the_cap_and_half_of_it_succeeds() {
    let limits = Limits {
        memory_bytes: 16 << 20,
        timeout: Duration::from_secs(5),
    };
    let load = |mode: &str| {
        PluginEvaluator::load(
            engine(),
            "misbehave",
            misbehave_component(),
            &format!("\"{mode}\""),
            limits,
        )
        .unwrap()
    };
    match load("alloc:32").evaluate("c", &snapshot(), NOW) {
        Err(PluginError::Trap { message, .. }) => {
            assert!(
                message.contains("plugin memory cap of 16777216 bytes"),
                "{message}"
            )
        }
        other => panic!("expected a trap at the cap, got {other:?}"),
    }
    assert!(load("alloc:8").evaluate("c", &snapshot(), NOW).is_ok());
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

// --- issue 15, item 9: the compiled-plugin cache runs only what this daemon compiled -------

fn entry_of(dir: &Path, wasm: &[u8]) -> std::path::PathBuf {
    let digest: String = Sha256::digest(wasm)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.starts_with(&digest) && name.ends_with(".cwasm")
        })
        .unwrap_or_else(|| panic!("no cache entry for {digest} in {dir:?}"))
}

#[test]
fn a_swapped_or_damaged_cache_entry_is_recompiled_not_run() {
    let _ = logs();
    let dir = tempfile::tempdir().unwrap();
    let (misbehave_wasm, other_wasm) = (wasm("misbehave"), wasm("lag_threshold"));
    {
        let engine = PluginEngine::new(Some(dir.path().to_path_buf())).unwrap();
        engine.compile("misbehave", &misbehave_wasm, None).unwrap();
        engine.compile("other", &other_wasm, None).unwrap();
    }
    let entry = entry_of(dir.path(), &misbehave_wasm);
    // Someone puts another plugin's native code under misbehave's name.
    std::fs::copy(entry_of(dir.path(), &other_wasm), &entry).unwrap();
    let planted = std::fs::read(&entry).unwrap();
    let engine = PluginEngine::new(Some(dir.path().to_path_buf())).unwrap();
    let compile = || engine.compile("misbehave", &misbehave_wasm, None).unwrap();
    let e = load_misbehave(&engine, &compile(), "ok").expect("misbehave's own code loads");
    assert_eq!(e.metadata().name, "misbehave", "the planted code ran");
    assert_ne!(
        std::fs::read(&entry).unwrap(),
        planted,
        "entry not rewritten"
    );
    assert!(
        logged().contains("compiled from another component"),
        "no warning"
    );

    // One byte flipped in the code is caught as well.
    let mut damaged = std::fs::read(&entry).unwrap();
    let last = damaged.len() - 1;
    damaged[last] ^= 0xff;
    std::fs::write(&entry, &damaged).unwrap();
    std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o600)).unwrap();
    let e = load_misbehave(&engine, &compile(), "ok").unwrap();
    assert_eq!(e.metadata().name, "misbehave");
    assert_ne!(
        std::fs::read(&entry).unwrap(),
        damaged,
        "entry not rewritten"
    );
    assert!(logged().contains("does not match"), "no warning");
}

#[test]
fn a_cache_dir_writable_by_group_or_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for mode in [0o777, 0o770, 0o757] {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        let err = PluginEngine::new(Some(dir.path().to_path_buf()))
            .err()
            .unwrap_or_else(|| panic!("a cache dir with mode {mode:o} was accepted"));
        let message = err.to_string();
        assert!(
            message.contains("writable by its group or by others"),
            "{message}"
        );
        assert!(message.contains(&format!("{mode:04o}")), "{message}");
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let engine = PluginEngine::new(Some(dir.path().to_path_buf())).unwrap();
    // Opened up after the start: the cache is left alone, the plugin compiled in memory.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    engine.compile("x", &table_grower(1), None).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // A missing directory is created private.
    let fresh = dir.path().join("new/cache");
    PluginEngine::new(Some(fresh.clone())).unwrap();
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

#[test]
fn cache_entries_are_private_and_never_written_through_a_planted_link() {
    let bytes = table_grower(1);
    // Where this component's entry goes, learnt in another directory.
    let learn = tempfile::tempdir().unwrap();
    PluginEngine::new(Some(learn.path().to_path_buf()))
        .unwrap()
        .compile("x", &bytes, None)
        .unwrap();
    let name = entry_of(learn.path(), &bytes);
    let name = name.file_name().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    // Links planted at the entry's name, and at the temporary names a writer might predict.
    let entry = dir.path().join(name);
    symlink(&victim, &entry).unwrap();
    symlink(&victim, entry.with_extension("tmp")).unwrap();
    symlink(
        &victim,
        dir.path().join(format!(".{}.tmp", name.to_str().unwrap())),
    )
    .unwrap();

    let engine = PluginEngine::new(Some(dir.path().to_path_buf())).unwrap();
    engine.compile("x", &bytes, None).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let meta = std::fs::symlink_metadata(&entry).unwrap();
    assert!(meta.is_file(), "the entry is still a link");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    // And it is used from now on.
    let before = std::fs::read(&entry).unwrap();
    engine.compile("x", &bytes, None).unwrap();
    assert_eq!(std::fs::read(&entry).unwrap(), before);
}
