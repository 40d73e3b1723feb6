//! Logging setup: `RUST_LOG` wins when set; otherwise `[logging] level` for every Warren crate
//! and warnings for libraries (librdkafka's, wasmtime's, axum's, ...). Text or JSON lines on
//! stderr. The level can be changed at run time (`POST /v3/admin/loglevel`, through
//! [`control`]): the filter sits behind a reload handle.

use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, Registry, fmt, reload};
use warren_core::config::{LogFormat, LogLevel, LoggingConfig};

/// The tracing targets (crate names) of Warren's own code: `warren` is the binary's `main`,
/// `warren_daemon` its library (the wiring, notifications, plugin reloads).
const WARREN_TARGETS: &[&str] = &[
    "warren",
    "warren_daemon",
    "warren_core",
    "warren_kafka",
    "warren_store",
    "warren_runtime",
    "warren_http",
];

/// The installed subscriber's level control (one subscriber per process).
static CONTROL: OnceLock<Arc<LogControl>> = OnceLock::new();

/// Reads and changes the level of the subscriber [`init`] installed.
struct LogControl {
    handle: reload::Handle<EnvFilter, Registry>,
    level: Mutex<String>,
}

impl warren_http::LogLevelAdmin for LogControl {
    fn level(&self) -> String {
        self.level.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_level(&self, level: &str) -> Result<(), String> {
        // A level set here replaces a `RUST_LOG` filter too: the operator asked for it.
        self.handle
            .reload(EnvFilter::new(filter_for(level)))
            .map_err(|e| format!("cannot change the log level: {e}"))?;
        *self.level.lock().unwrap_or_else(|e| e.into_inner()) = level.to_owned();
        Ok(())
    }
}

/// `level` for Warren's own crates, warnings for the rest.
fn filter_for(level: &str) -> String {
    WARREN_TARGETS.iter().fold("warn".to_owned(), |f, target| {
        format!("{f},{target}={level}")
    })
}

/// Installs the global subscriber (once per process; later calls change nothing).
pub fn init(logging: &LoggingConfig) {
    let level = match logging.level {
        LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(filter_for(level)));
    let (filter, handle) = reload::Layer::new(filter);
    let lines = match logging.format {
        LogFormat::Text => fmt::layer().with_writer(std::io::stderr).boxed(),
        LogFormat::Json => fmt::layer().json().with_writer(std::io::stderr).boxed(),
    };
    if tracing_subscriber::registry()
        .with(filter)
        .with(lines)
        .try_init()
        .is_ok()
    {
        let _ = CONTROL.set(Arc::new(LogControl {
            handle,
            level: Mutex::new(level.to_owned()),
        }));
    }
}

/// The level control of the subscriber [`init`] installed, if it did.
pub fn control() -> Option<Arc<dyn warren_http::LogLevelAdmin>> {
    CONTROL
        .get()
        .map(|c| c.clone() as Arc<dyn warren_http::LogLevelAdmin>)
}
