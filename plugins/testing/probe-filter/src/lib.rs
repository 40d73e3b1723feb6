//! A group filter for the host's isolation tests: with a config containing `"isolation"`, its
//! `validate-config` rejects the config with one problem, the report of what it could reach
//! from inside a filter's sandbox (files, environment, sockets, clocks, randomness; see
//! `misbehave/src/isolation.rs`). Otherwise it accepts every group.

use warren_plugin_sdk::filter::Filter;
use warren_plugin_sdk::types::{GroupInfo, PluginMetadata};
use warren_plugin_sdk::{Plugin, metadata};

#[path = "../../misbehave/src/isolation.rs"]
mod isolation;

struct ProbeFilter;

impl Plugin for ProbeFilter {
    fn metadata() -> PluginMetadata {
        metadata::builder("probe-filter", "0.1.0")
            .description("reports what a filter can reach")
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        if config.contains("isolation") {
            Err(vec![isolation::report()])
        } else {
            Ok(())
        }
    }
}

impl Filter for ProbeFilter {
    fn accept(_group: GroupInfo) -> bool {
        true
    }
}

warren_plugin_sdk::export_filter!(ProbeFilter);
