//! `skip-empty`: leaves out groups that have had no active member and no commit for longer
//! than `empty-for-secs` (a consumer that was shut down on purpose, a one-off console
//! consumer), so they stop showing as STOP forever. Groups with members are always kept.
//!
//! Config: `{ "empty-for-secs": 3600 }`.

wit_bindgen::generate!({ world: "group-filter", path: "../../../wit" });

use exports::warren::plugin::plugin::Guest as PluginGuest;
use warren::plugin::host;
use warren::plugin::types::PluginMetadata;

fn parse(config: &str) -> Result<u64, Vec<String>> {
    let value: serde_json::Value = serde_json::from_str(config).map_err(|e| vec![format!("config is not JSON: {e}")])?;
    match value.get("empty-for-secs") {
        Some(v) => v
            .as_u64()
            .ok_or_else(|| vec![format!("empty-for-secs: expected a whole number of seconds, got {v}")]),
        None => Err(vec!["empty-for-secs: required (example: empty-for-secs = 3600)".into()]),
    }
}

struct SkipEmpty;

impl PluginGuest for SkipEmpty {
    fn metadata() -> PluginMetadata {
        PluginMetadata {
            name: "skip-empty".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "leave out groups without members and commits for a while".into(),
            config_schema: r#"{"type":"object","required":["empty-for-secs"],"properties":{"empty-for-secs":{"type":"integer","minimum":0}}}"#.into(),
        }
    }

    fn validate_config(config: String) -> Result<(), Vec<String>> {
        parse(&config).map(|_| ())
    }
}

impl Guest for SkipEmpty {
    fn accept(group: GroupInfo) -> bool {
        // Fail open on a config the host already validated: keep monitoring.
        let Ok(secs) = parse(&host::plugin_config()) else { return true };
        let idle_ms = group.now_ms.saturating_sub(group.last_commit_ms);
        !(group.members.is_empty() && idle_ms > (secs as i64).saturating_mul(1000))
    }
}

export!(SkipEmpty);
