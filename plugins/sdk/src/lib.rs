//! `warren-plugin-sdk`: the one crate a Warren plugin depends on (plus `serde_json`, which its
//! config helpers speak). It wraps the generated bindings of the three worlds in
//! `warren:plugin@0.1.0` and adds what every plugin ends up writing anyway: reading its JSON
//! config while collecting every problem ([`config`], with [`duration`]s written as in the rest
//! of Warren's config) or declaring it once as typed settings that also give its JSON Schema
//! ([`settings`]), patterns over topic and group names ([`glob`]), Burrow's roll-up of
//! partition verdicts into a group verdict ([`verdict`]), its metadata ([`metadata`]), log
//! lines ([`log`]) and, for notifiers, message templates that also accept Burrow's Go
//! templates ([`template`]).
//!
//! A plugin is a `cdylib` (plus `rlib`, so its logic has native unit tests) with a type that
//! implements [`Plugin`] and one kind trait, exported with the kind's macro:
//!
//! | kind | trait | export macro |
//! |---|---|---|
//! | group filter | [`filter::Filter`] | [`export_filter!`] |
//! | evaluator | [`evaluator::Evaluator`] | [`export_evaluator!`] |
//! | notifier | [`notifier::Notifier`] | [`export_notifier!`] |
//!
//! ```
//! use warren_plugin_sdk::{Plugin, filter::Filter, metadata, types::{GroupInfo, PluginMetadata}};
//!
//! struct SkipConsole;
//!
//! impl Plugin for SkipConsole {
//!     fn metadata() -> PluginMetadata {
//!         metadata::builder("skip-console", "0.1.0").description("ignore console consumers").build()
//!     }
//!     fn validate_config(config: &str) -> Result<(), Vec<String>> {
//!         warren_plugin_sdk::config::Config::parse(config)?.finish(|| Some(()))
//!     }
//! }
//!
//! impl Filter for SkipConsole {
//!     fn accept(group: GroupInfo) -> bool {
//!         !group.group.starts_with("console-consumer-")
//!     }
//! }
//!
//! warren_plugin_sdk::export_filter!(SkipConsole);
//! ```
//!
//! The export macros only emit the component's exports when compiling for `wasm32` (component
//! export names do not link on a native target), so the same crate builds natively for
//! `cargo test`.
//!
//! All three worlds share one set of Rust types ([`types`]) and one [`host`] import, so
//! helpers work for every kind.

#![deny(missing_docs)]

pub mod config;
pub mod duration;
pub mod evaluator;
mod export;
pub mod filter;
pub mod glob;
pub mod log;
pub mod metadata;
pub mod notifier;
pub mod settings;
pub mod template;
pub mod verdict;

/// The records, variants and enums of `warren:plugin/types`, shared by every world.
pub use warren_plugin_sdk_evaluator::bindings::warren::plugin::types;

/// What every plugin may call: `log` and `plugin-config` (`warren:plugin/host`).
pub use warren_plugin_sdk_evaluator::bindings::warren::plugin::host;

/// What every plugin answers, whatever its kind (`warren:plugin/plugin`).
pub trait Plugin {
    /// Name, version, description and configuration schema; see [`metadata::builder`].
    fn metadata() -> types::PluginMetadata;

    /// Checks the `config` table (a JSON object) at start-up and on reload; returns every
    /// problem, each a sentence naming its key ([`config::Config`] collects them).
    fn validate_config(config: &str) -> Result<(), Vec<String>>;
}

/// Bindings the export macros expand to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use warren_plugin_sdk_evaluator::bindings as evaluator;
    pub use warren_plugin_sdk_filter::bindings as filter;
    pub use warren_plugin_sdk_notifier::bindings as notifier;
}
