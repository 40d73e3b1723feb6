//! The export macros from outside the SDK, as a plugin crate uses them: natively they must
//! compile (the adapters are type-checked on every target) and leave the plugin's own logic
//! callable. That the wasm32 build exports each world is checked by the host's tests, which
//! load the built components. (Natively only: on wasm32 one binary cannot export three worlds.)

#![cfg(not(target_arch = "wasm32"))]

use warren_plugin_sdk::evaluator::Evaluator;
use warren_plugin_sdk::filter::Filter;
use warren_plugin_sdk::notifier::{Notifier, permanent};
use warren_plugin_sdk::types::{
    GroupInfo, GroupStatus, GroupWindow, IncidentEvent, NotifyError, PluginMetadata,
};
use warren_plugin_sdk::{Plugin, metadata, verdict};

struct Everything;

impl Plugin for Everything {
    fn metadata() -> PluginMetadata {
        metadata::builder("everything", "1.2.3").build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        warren_plugin_sdk::config::Config::parse(config)?.finish(|| Some(()))
    }
}

impl Filter for Everything {
    fn accept(group: GroupInfo) -> bool {
        group.group != "skip"
    }
}

impl Evaluator for Everything {
    fn evaluate(window: GroupWindow) -> Result<GroupStatus, String> {
        Ok(verdict::group(&window, vec![]))
    }
}

impl Notifier for Everything {
    fn notify(_: IncidentEvent) -> Result<(), NotifyError> {
        Err(permanent("nowhere to send"))
    }
}

mod filter {
    warren_plugin_sdk::export_filter!(super::Everything);
}
mod evaluator {
    warren_plugin_sdk::export_evaluator!(super::Everything);
}
mod notifier {
    warren_plugin_sdk::export_notifier!(super::Everything);
}

#[test]
fn a_plugin_exported_with_every_macro_still_runs_natively() {
    assert_eq!(Everything::metadata().version, "1.2.3");
    assert_eq!(Everything::metadata().config_schema, "{}");
    assert!(Everything::validate_config("{}").is_ok());
    assert!(Everything::validate_config("[]").is_err());
}
