//! `skip-empty`: leaves out groups that have had no active member and no commit for longer
//! than `empty-for-secs` (a consumer that was shut down on purpose, a one-off console
//! consumer), so they stop showing as STOP forever. Groups with members are always kept.
//!
//! Config: `{ "empty-for-secs": 3600 }`.

use warren_plugin_sdk::config::Config;
use warren_plugin_sdk::filter::Filter;
use warren_plugin_sdk::types::{GroupInfo, PluginMetadata};
use warren_plugin_sdk::{Plugin, host, metadata};

/// Parses the config: how long, in seconds, a group may sit empty and idle before it is left
/// out.
pub fn parse(config: &str) -> Result<u64, Vec<String>> {
    let config = Config::parse(config)?;
    let secs = config
        .root()
        .required_u64("empty-for-secs", "seconds", 3600);
    config.finish(|| secs)
}

/// Whether to keep monitoring `group`: yes while it has members or committed within
/// `empty_for_secs`.
pub fn keep(empty_for_secs: u64, group: &GroupInfo) -> bool {
    let idle_ms = group.now_ms.saturating_sub(group.last_commit_ms);
    let limit_ms = i64::try_from(empty_for_secs)
        .unwrap_or(i64::MAX)
        .saturating_mul(1000);
    !(group.members.is_empty() && idle_ms > limit_ms)
}

struct SkipEmpty;

impl Plugin for SkipEmpty {
    fn metadata() -> PluginMetadata {
        metadata::builder("skip-empty", env!("CARGO_PKG_VERSION"))
            .description("leave out groups without members and commits for a while")
            .config_schema(serde_json::json!({
                "type": "object",
                "required": ["empty-for-secs"],
                "properties": {"empty-for-secs": {"type": "integer", "minimum": 0}},
            }))
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        parse(config).map(|_| ())
    }
}

impl Filter for SkipEmpty {
    fn accept(group: GroupInfo) -> bool {
        // Fail open on a config the host already validated: keep monitoring.
        let Ok(secs) = parse(&host::plugin_config()) else {
            return true;
        };
        keep(secs, &group)
    }
}

warren_plugin_sdk::export_filter!(SkipEmpty);

#[cfg(test)]
mod tests {
    use super::*;
    use warren_plugin_sdk::types::Member;

    const NOW: i64 = 1_700_000_000_000;

    fn group(idle_secs: i64, members: usize) -> GroupInfo {
        GroupInfo {
            cluster: "c".into(),
            group: "g".into(),
            state: None,
            members: (0..members)
                .map(|i| Member {
                    client_id: format!("c{i}"),
                    host: "/10.0.0.1".into(),
                    assignment: vec![],
                })
                .collect(),
            topics: vec!["t".into()],
            last_commit_ms: NOW - idle_secs * 1000,
            now_ms: NOW,
        }
    }

    #[test]
    fn the_config_needs_a_whole_number_of_seconds() {
        assert_eq!(parse(r#"{"empty-for-secs": 60}"#), Ok(60));
        assert_eq!(
            parse("{}").unwrap_err(),
            ["empty-for-secs: required (example: empty-for-secs = 3600)"]
        );
        assert_eq!(
            parse(r#"{"empty-for-secs": "1h"}"#).unwrap_err(),
            ["empty-for-secs: expected a whole number of seconds, got \"1h\""]
        );
    }

    #[test]
    fn an_empty_group_is_kept_until_it_has_been_idle_too_long() {
        assert!(keep(3600, &group(3600, 0)), "exactly at the limit: kept");
        assert!(!keep(3600, &group(3601, 0)));
    }

    #[test]
    fn a_group_with_members_is_always_kept() {
        assert!(keep(3600, &group(1_000_000, 1)));
    }

    #[test]
    fn a_huge_limit_does_not_overflow() {
        assert!(keep(u64::MAX, &group(1_000_000, 0)));
    }
}
