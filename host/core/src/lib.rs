//! Warren's pure core: everything between "a record arrived" and "a status was computed" that
//! needs neither librdkafka, wasmtime nor axum, so its tests build in seconds.
//!
//! Data flow: [`codec`] turns `__consumer_offsets` records into typed commits and group
//! metadata; [`storage`] keeps Burrow-style sliding windows per (group, topic, partition) plus a
//! short HEAD-offset history per partition; [`config`] resolves the TOML file into typed structs
//! once, reporting every problem with its key path; [`evaluator`] judges groups with Burrow's
//! rules, or with the evaluator plugin a cluster chose ([`plugins`] holds the traits the
//! WebAssembly runtime implements and the per-cluster bindings, swappable on reload).

pub mod backoff;
pub mod clock;
pub mod codec;
pub mod config;
pub mod evaluator;
pub mod health;
pub mod heap;
pub mod incident;
pub mod ledger;
pub mod model;
pub mod plugins;
pub mod priority;
pub mod storage;
