//! Warren's WebAssembly plugin runtime. Plugins are components built against `wit/`; this
//! crate compiles them once (with an on-disk cache of compiled artifacts), instantiates them
//! in a store that grants nothing but the `host` interface, and calls them under hard limits:
//! an epoch deadline per call, a memory cap per store, a circuit breaker per plugin. A trap,
//! timeout or nonsensical answer is contained and reported, never propagated.
//!
//! Layout: `engine.rs` (engine, ticker, compile cache), `bindings.rs` (the one `bindgen!`),
//! `state.rs` (per-store state and host functions), `sandbox.rs` (the call discipline),
//! `health.rs` (counters and circuit breaker), `convert.rs` (model ↔ WIT), and one file per
//! plugin kind.

#![deny(missing_docs)]

mod bindings;
mod convert;
mod engine;
mod error;
mod evaluator;
mod filter;
mod health;
mod sandbox;
mod state;

pub use bindings::types::PluginMetadata;
pub use engine::PluginEngine;
pub use error::PluginError;
pub use evaluator::PluginEvaluator;
pub use filter::PluginFilter;
pub use health::{HealthSnapshot, PluginHealth};
pub use sandbox::Limits;
