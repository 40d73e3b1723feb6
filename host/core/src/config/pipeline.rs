//! The sections behind the data pipeline: the single `[storage.NAME]` and `[evaluator.NAME]`, and
//! the allow/deny group and topic filters that storage and consumers share (including Burrow ≤
//! 1.3.4's `group-whitelist` / `group-blacklist` spellings, which newer Burrow rejects and Warren
//! accepts with a warning; Burrow has no topic lists, so they have no legacy spelling).

use std::time::Duration;

use toml::Value;

use super::reader::{Ctx, Reader, type_name};
use super::root::Named;
use super::{EvaluatorConfig, GroupFilter, StorageConfig};

/// Burrow's default `expire-group`: one week.
const EXPIRE_GROUP: Duration = Duration::from_secs(604_800);

const GROUP_EXAMPLE: &str = r#"group-allowlist = "^payments-.*""#;
const TOPIC_ALLOW_EXAMPLE: &str = r#"topic-allowlist = "^orders\\.""#;
const TOPIC_DENY_EXAMPLE: &str = r#"topic-denylist = "^_""#;

/// Reads `group-allowlist` / `group-denylist` and their legacy spellings.
pub(crate) fn group_filter(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> GroupFilter {
    GroupFilter {
        allow: one_regex(cx, r, "group-allowlist", "group-whitelist"),
        deny: one_regex(cx, r, "group-denylist", "group-blacklist"),
    }
}

/// Reads `topic-allowlist` / `topic-denylist`: commits for a topic that fails them are not kept.
pub(crate) fn topic_filter(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> GroupFilter {
    GroupFilter {
        allow: r.regex(cx, "topic-allowlist", TOPIC_ALLOW_EXAMPLE),
        deny: r.regex(cx, "topic-denylist", TOPIC_DENY_EXAMPLE),
    }
}

fn one_regex(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    key: &'static str,
    legacy: &'static str,
) -> Option<regex::Regex> {
    let both = r.has(key) && r.has(legacy);
    let current = r.regex(cx, key, GROUP_EXAMPLE);
    let Some(legacy_field) = r.hidden_field(cx, legacy) else {
        return current;
    };
    if both {
        let message = format!("given together with {key}; keep only {key}");
        cx.error_with(
            &legacy_field.path,
            message,
            &format!("{key} = \"^payments-.*\""),
        );
        return current;
    }
    cx.warn(
        &legacy_field.path,
        format!("renamed to {key}; accepted as {key}"),
    );
    Reader::compile_field(cx, legacy_field, GROUP_EXAMPLE)
}

/// Burrow allows exactly one storage module; so does Warren.
fn only_one<'t>(cx: &mut Ctx<'_>, kind: &str, sections: Vec<Named<'t>>) -> Vec<Named<'t>> {
    if sections.len() > 1 {
        let names: Vec<String> = sections.iter().map(|s| format!("{:?}", s.name)).collect();
        cx.error(
            kind,
            format!(
                "only one [{kind}.NAME] section is allowed, found {}: {}",
                sections.len(),
                names.join(", ")
            ),
        );
    }
    sections
}

const HEAD_HISTORY: u16 = 64;
const SNAPSHOT_INTERVAL: Duration = Duration::from_secs(30);

/// The single `[storage.NAME]`, or the defaults. Extra sections are reported and still checked.
pub(crate) fn storage(cx: &mut Ctx<'_>, sections: Vec<Named<'_>>) -> StorageConfig {
    let mut result = None;
    for Named { name, mut reader } in only_one(cx, "storage", sections) {
        reader.class_name(cx, "inmemory");
        let intervals = reader
            .field(cx, "intervals")
            .and_then(|f| f.integer(cx, 1..=1000, 10));
        let config = StorageConfig {
            name,
            intervals: intervals.and_then(|n| u16::try_from(n).ok()).unwrap_or(10),
            min_distance: reader.duration(cx, "min-distance", Duration::ZERO),
            expire_group: reader.positive_duration(cx, "expire-group", EXPIRE_GROUP),
            groups: group_filter(cx, &mut reader),
            topics: topic_filter(cx, &mut reader),
            head_history: reader
                .field(cx, "head-history")
                .and_then(|f| f.integer(cx, 3..=4096, 64))
                .and_then(|n| u16::try_from(n).ok())
                .unwrap_or(HEAD_HISTORY),
            data_dir: reader
                .optional_string(cx, "data-dir")
                .map(std::path::PathBuf::from),
            snapshot_interval: reader.positive_duration(cx, "snapshot-interval", SNAPSHOT_INTERVAL),
        };
        reader.ignore(cx, "workers", "Warren's storage needs no worker pool");
        reader.ignore(cx, "queue-depth", "Warren sizes its ingest queue itself");
        reader.finish(cx);
        result.get_or_insert(config);
    }
    result.unwrap_or_else(|| StorageConfig {
        name: "default".to_owned(),
        intervals: 10,
        min_distance: Duration::ZERO,
        expire_group: EXPIRE_GROUP,
        groups: GroupFilter::default(),
        topics: GroupFilter::default(),
        head_history: HEAD_HISTORY,
        data_dir: None,
        snapshot_interval: SNAPSHOT_INTERVAL,
    })
}

/// The single `[evaluator.NAME]`, or the defaults.
pub(crate) fn evaluator(cx: &mut Ctx<'_>, sections: Vec<Named<'_>>) -> EvaluatorConfig {
    let mut result = None;
    for Named { name, mut reader } in only_one(cx, "evaluator", sections) {
        reader.class_name(cx, "caching");
        let expire_cache = reader.duration(cx, "expire-cache", Duration::from_secs(10));
        let minimum_complete = minimum_complete(cx, &mut reader);
        let allowed_lag = reader
            .field(cx, "allowed-lag")
            .and_then(|f| f.integer(cx, 0..=i64::MAX, 0));
        reader.finish(cx);
        result.get_or_insert(EvaluatorConfig {
            name,
            expire_cache,
            minimum_complete,
            allowed_lag: allowed_lag.and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
        });
    }
    result.unwrap_or_else(|| EvaluatorConfig {
        name: "default".to_owned(),
        expire_cache: Duration::from_secs(10),
        minimum_complete: 0.0,
        allowed_lag: 0,
    })
}

/// A fraction 0–1; integers 0 and 1 are accepted since TOML would otherwise reject `1`.
fn minimum_complete(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> f64 {
    let Some(field) = r.field(cx, "minimum-complete") else {
        return 0.0;
    };
    let example = "minimum-complete = 0.5";
    let value = match field.value {
        Value::Float(f) => f,
        // Exact for the only integers in range; others are rejected below anyway.
        Value::Integer(n) => n as f64,
        ref other => {
            let message = format!(
                "expected a number between 0 and 1, got {}",
                type_name(other)
            );
            cx.error_with(&field.path, message, example);
            return 0.0;
        }
    };
    if (0.0..=1.0).contains(&value) {
        value
    } else {
        cx.error_with(
            &field.path,
            format!("must be between 0 and 1, got {value}"),
            example,
        );
        0.0
    }
}
