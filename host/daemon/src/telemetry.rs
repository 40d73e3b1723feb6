//! Logging setup: `RUST_LOG` wins when set; otherwise `[logging] level` for every Warren crate
//! and warnings for libraries (librdkafka's, wasmtime's, axum's, ...). Text or JSON lines on
//! stderr.

use tracing_subscriber::EnvFilter;
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

/// Installs the global subscriber (once per process).
pub fn init(logging: &LoggingConfig) {
    let level = match logging.level {
        LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
    };
    let default = WARREN_TARGETS.iter().fold("warn".to_owned(), |f, target| {
        format!("{f},{target}={level}")
    });
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match logging.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
