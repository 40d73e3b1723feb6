//! Warren's WebAssembly plugin runtime. Plugins are components built against `wit/`; this
//! crate compiles them once (with an on-disk cache of compiled artifacts), instantiates them
//! in a store that grants nothing but the `host` interface, and calls them under hard limits:
//! an epoch deadline per call, a memory cap per store, a circuit breaker per plugin. A trap,
//! timeout or nonsensical answer is contained and reported, never propagated.
//!
//! Layout: `engine.rs` (engine, ticker, compile cache), `bindings.rs` (the one `bindgen!`),
//! `plugin_state.rs` (per-store state and host functions), `sandbox.rs` (the call discipline),
//! `health.rs` (counters and circuit breaker), `convert.rs` (model ↔ WIT), one file per
//! plugin kind (`filter.rs`, `evaluator.rs`, `notifier.rs` with `incident.rs`), the notifier
//! capabilities (`outbound.rs` HTTP with `address.rs` allow-list and address checks,
//! `secrets.rs` placeholders and redaction, `mail.rs` SMTP), `loglimit.rs` (log rate limit),
//! `builtin.rs` (first-party plugins embedded by `build.rs`), `inspect.rs` (what a component
//! is) and `loader.rs` (`[plugin.NAME]` sections to running plugins and per-cluster bindings,
//! reload included).

#![deny(missing_docs)]

mod address;
mod bindings;
mod builtin;
mod convert;
mod dry_run;
mod engine;
mod error;
mod evaluator;
mod filter;
mod health;
mod incident;
mod inspect;
mod loader;
mod loglimit;
mod mail;
mod notifier;
mod outbound;
mod plugin_state;
mod sandbox;
mod secrets;
mod world;

pub use bindings::types::PluginMetadata;

/// The WIT records an evaluator reads, for callers that build a window themselves instead of
/// taking it from storage ([`PluginEvaluator::evaluate_window`]).
pub mod wit {
    pub use crate::bindings::types::{
        Commit, GroupWindow, HeadSample, LagEstimate, PartitionWindow, TimeLag,
    };
}
pub use builtin::{builtin, builtin_names};
pub use dry_run::{DryRun, Intercepted};
pub use engine::PluginEngine;
pub use error::PluginError;
pub use evaluator::PluginEvaluator;
pub use filter::PluginFilter;
pub use health::{HealthSnapshot, PluginHealth};
pub use incident::{IncidentEvent, NotifyError, Retry};
pub use inspect::{Inspection, World, inspect, inspect_bytes};
pub use loader::{EnvLookup, Instance, LoadedPlugin, Loader, PluginSet};
pub use mail::MailCapability;
pub use notifier::PluginNotifier;
pub use outbound::Capabilities;
pub use sandbox::Limits;
pub use secrets::Redactor;
/// A compiled plugin, as [`PluginEngine::compile`] makes it.
pub use wasmtime::component::Component;
