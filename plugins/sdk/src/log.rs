//! Log lines, tagged by the host with the plugin's name (truncated at 4 KiB and rate-limited
//! per plugin). On a native target — a plugin's unit tests — lines go to stderr instead, so
//! code that logs stays testable.

use crate::host::LogLevel;

/// Writes one line at `level`.
pub fn log(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::host::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message}");
}

/// Per-item detail.
pub fn trace(message: &str) {
    log(LogLevel::Trace, message);
}

/// Diagnostics.
pub fn debug(message: &str) {
    log(LogLevel::Debug, message);
}

/// Lifecycle events.
pub fn info(message: &str) {
    log(LogLevel::Info, message);
}

/// Something to look at.
pub fn warn(message: &str) {
    log(LogLevel::Warn, message);
}

/// Something to act on.
pub fn error(message: &str) {
    log(LogLevel::Error, message);
}
