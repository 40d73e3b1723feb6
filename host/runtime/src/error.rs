//! What can go wrong with a plugin, kept apart by who is at fault: loading and configuration
//! (the operator), traps, timeouts, memory and invalid answers (the plugin), and an explicit
//! `err` from the plugin (its business logic).

/// A plugin failure.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The `.wasm` could not be read, verified or compiled, or does not implement the world.
    #[error("plugin {plugin}: cannot load: {reason}")]
    Load {
        /// Plugin name.
        plugin: String,
        /// Why.
        reason: String,
    },
    /// `validate-config` rejected the plugin's settings.
    #[error("plugin {plugin}: invalid config: {}", problems.join("; "))]
    InvalidConfig {
        /// Plugin name.
        plugin: String,
        /// Every problem the plugin reported.
        problems: Vec<String>,
    },
    /// The guest trapped (panic, unreachable, stack overflow, memory limit).
    #[error("plugin {plugin}: trapped: {message}")]
    Trap {
        /// Plugin name.
        plugin: String,
        /// The trap, with the guest backtrace and captured stderr.
        message: String,
    },
    /// The call ran past its deadline.
    #[error("plugin {plugin}: timed out after {millis} ms")]
    Timeout {
        /// Plugin name.
        plugin: String,
        /// The deadline.
        millis: u64,
    },
    /// The guest answered something the host cannot use.
    #[error("plugin {plugin}: invalid output: {reason}")]
    InvalidOutput {
        /// Plugin name.
        plugin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The guest returned an error of its own.
    #[error("plugin {plugin}: {message}")]
    Guest {
        /// Plugin name.
        plugin: String,
        /// Its message.
        message: String,
    },
    /// The circuit breaker is open after repeated failures.
    #[error("plugin {plugin}: disabled after repeated failures; retried in {retry_in_ms} ms")]
    Disabled {
        /// Plugin name.
        plugin: String,
        /// Time until the next attempt.
        retry_in_ms: u64,
    },
}

impl PluginError {
    /// Stable label for metrics and health.
    pub fn kind(&self) -> &'static str {
        match self {
            PluginError::Load { .. } => "load",
            PluginError::InvalidConfig { .. } => "invalid_config",
            PluginError::Trap { .. } => "trap",
            PluginError::Timeout { .. } => "timeout",
            PluginError::InvalidOutput { .. } => "invalid_output",
            PluginError::Guest { .. } => "guest_error",
            PluginError::Disabled { .. } => "disabled",
        }
    }
}
