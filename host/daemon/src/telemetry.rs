//! Logging setup: `RUST_LOG` wins when set; otherwise `[logging] level` for Warren's crates and
//! warnings for libraries. Text or JSON lines on stderr.

use tracing_subscriber::EnvFilter;
use warren_core::config::{LogFormat, LogLevel, LoggingConfig};

/// Installs the global subscriber (once per process).
pub fn init(logging: &LoggingConfig) {
    let level = match logging.level {
        LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
    };
    let default =
        format!("warn,warren={level},warren_core={level},warren_kafka={level},warren_http={level}");
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match logging.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
