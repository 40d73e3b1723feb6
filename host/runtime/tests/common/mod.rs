//! What the notifier test files share: the probe notifier (built from
//! `plugins/testing/probe-notifier`), one engine with a compile cache, an incident, and a
//! capture of everything logged (so a test can show a secret never reached a log line).
// Each test file uses part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use warren_core::config::Secret;
use warren_core::evaluator::GroupStatus;
use warren_core::model::Status;
use warren_runtime::{
    Capabilities, IncidentEvent, Limits, NotifyError, PluginEngine, PluginError, PluginNotifier,
};

pub const SECRET: &str = "tok-7f3a9c-very-secret";

// --- captured logs -----------------------------------------------------------------------------

/// Everything any test logged (one global subscriber; each test looks for its own lines).
pub fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        tracing_subscriber::fmt()
            // Everything of Warren's; the compiler's own trace lines (thousands per component)
            // would make every compilation in a test take many times longer.
            .with_env_filter("trace,cranelift=warn,wasmtime=warn,regalloc2=warn,wasmparser=warn")
            .with_ansi(false)
            .with_writer(move || LogSink(sink.clone()))
            .init();
        buf
    })
}

pub struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn logged() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap()).into_owned()
}

// --- plugin helpers ----------------------------------------------------------------------------

pub fn wasm(name: &str) -> Vec<u8> {
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

pub fn engine() -> &'static PluginEngine {
    static ENGINE: OnceLock<PluginEngine> = OnceLock::new();
    // The compile cache keeps reruns fast (compiling the probe takes seconds in a debug build).
    ENGINE.get_or_init(|| {
        PluginEngine::new(Some(
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache"),
        ))
        .unwrap()
    })
}

pub fn component() -> &'static wasmtime::component::Component {
    static COMPONENT: OnceLock<wasmtime::component::Component> = OnceLock::new();
    COMPONENT.get_or_init(|| {
        engine()
            .compile("probe-notifier", &wasm("probe_notifier"), None)
            .unwrap()
    })
}

/// The `token` secret every request body refers to.
pub fn token() -> BTreeMap<String, Secret> {
    BTreeMap::from([("token".to_string(), Secret::new(SECRET))])
}

pub async fn probe(
    config: serde_json::Value,
    limits: Limits,
    caps: Capabilities,
) -> Result<PluginNotifier, PluginError> {
    let _ = logs();
    PluginNotifier::load(
        engine(),
        "probe",
        component(),
        &config.to_string(),
        limits,
        caps,
    )
    .await
}

pub fn incident() -> IncidentEvent {
    let mut status = GroupStatus::not_found("prod", "orders");
    status.status = Status::Err;
    status.total_lag = 4000;
    IncidentEvent {
        id: "prod/orders/1700000000000".into(),
        kind: warren_core::incident::IncidentKind::Opened,
        started_ms: 1_700_000_000_000,
        now_ms: 1_700_000_060_000,
        status,
    }
}

pub fn permanent(r: Result<(), NotifyError>) -> String {
    match r {
        Err(NotifyError::Permanent(m)) => m,
        other => panic!("expected a permanent failure, got {other:?}"),
    }
}
