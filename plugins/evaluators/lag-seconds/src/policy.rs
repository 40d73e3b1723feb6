//! The plugin's config, read into a [`Policy`]: an ordered list of rules, each a `group` and/or
//! `topic` pattern with its [`Slo`], and an optional default. Every problem is reported at
//! once, named by its key (`rules[1].err: ...`), including the ones that make a rule pointless:
//! a rule with no pattern, a rule (or the default) after a rule that matches everything, an
//! `err` below its `warn`, no rule and no default.

use std::time::Duration;

use warren_plugin_sdk::config::{Config, Object};
use warren_plugin_sdk::duration;
use warren_plugin_sdk::glob::Glob;

/// How old a partition's next unread record may get, for one group and topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slo {
    /// Time lag at which a partition is WARN.
    pub warn: Duration,
    /// Time lag at which a partition makes its group ERR (at least `warn`).
    pub err: Duration,
}

/// One `rules` entry: which partitions it covers, and their SLO.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// Groups it applies to; `None` for every group.
    group: Option<Glob>,
    /// Topics it applies to; `None` for every topic.
    topic: Option<Glob>,
    slo: Slo,
}

impl Rule {
    fn covers(&self, group: &str, topic: &str) -> bool {
        self.group.as_ref().is_none_or(|g| g.matches(group))
            && self.topic.as_ref().is_none_or(|t| t.matches(topic))
    }
}

/// The parsed config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    rules: Vec<Rule>,
    default: Option<Slo>,
}

impl Policy {
    /// The SLO of the first rule covering `topic` as consumed by `group`, else the default;
    /// `None` when neither applies (the partition is not judged: it is OK).
    pub fn slo_for(&self, group: &str, topic: &str) -> Option<Slo> {
        self.rules
            .iter()
            .find(|rule| rule.covers(group, topic))
            .map(|rule| rule.slo)
            .or(self.default)
    }
}

/// Parses the config, listing every problem.
pub fn parse(json: &str) -> Result<Policy, Vec<String>> {
    let config = Config::parse(json)?;
    let root = config.root();
    root.deny_unknown(&["rules", "default"]);
    let rule_objects = root.optional_objects("rules");
    let mut rules = Vec::new();
    // Where the first rule that covers every partition is: anything after it is never used.
    let mut catch_all: Option<String> = None;
    for rule in rule_objects.iter().flatten() {
        rule.deny_unknown(&["group", "topic", "warn", "err"]);
        let group = pattern(rule, "group", Glob::group);
        let topic = pattern(rule, "topic", Glob::topic);
        if rule.get("group").is_none() && rule.get("topic").is_none() {
            rule.problem_here(
                "needs a group or a topic pattern (for every partition, use default)",
            );
        } else if let Some(first) = &catch_all {
            rule.problem_here(format_args!(
                "never used: {first} already matches every partition"
            ));
        } else if [&group, &topic].iter().all(|p| {
            // Good, and absent or only `*`s.
            p.as_ref()
                .is_some_and(|p| p.as_ref().is_none_or(Glob::matches_everything))
        }) {
            catch_all = Some(rule.location().to_string());
        }
        if let (Some(group), Some(topic), Some(slo)) = (group, topic, slo(rule)) {
            rules.push(Rule { group, topic, slo });
        }
    }
    let default = root.optional_object("default").map(|d| {
        d.deny_unknown(&["warn", "err"]);
        if let Some(first) = &catch_all {
            d.problem_here(format_args!(
                "never used: {first} already matches every partition"
            ));
        }
        slo(&d)
    });
    // By key, not by parsed value: a mistyped `rules` or `default` already has its problem.
    match (&rule_objects, root.get("default")) {
        (None, None) if root.get("rules").is_none() => root.problem(
            "rules",
            r#"required without a default (example: rules = [{ topic = "orders-*", warn = "1m", err = "5m" }])"#,
        ),
        (Some(r), None) if r.is_empty() => {
            root.problem("rules", "empty and no default: every partition would be OK")
        }
        _ => {}
    }
    config.finish(|| {
        Some(Policy {
            rules,
            default: default.flatten(),
        })
    })
}

/// An optional pattern: `Some(None)` when absent (it matches everything), `Some(Some(glob))`
/// when good, `None` after recording a problem.
fn pattern(
    rule: &Object<'_>,
    key: &str,
    parse: fn(&str) -> Result<Glob, String>,
) -> Option<Option<Glob>> {
    if rule.get(key).is_none() {
        return Some(None);
    }
    let text = rule.optional_str(key)?;
    parse(&text)
        .map(Some)
        .map_err(|e| rule.problem(key, e))
        .ok()
}

/// A `warn`/`err` pair, both required, `warn` above zero and `err` not below `warn`.
fn slo(object: &Object<'_>) -> Option<Slo> {
    let warn = object.required_duration("warn", Duration::from_secs(60));
    let err = object.required_duration("err", Duration::from_secs(300));
    if warn.is_some_and(|w| w.is_zero()) {
        object.problem(
            "warn",
            "must be more than 0s (every caught-up partition would be WARN)",
        );
        return None;
    }
    let (warn, err) = (warn?, err?);
    if err < warn {
        object.problem(
            "err",
            format_args!(
                "must not be less than warn ({} < {})",
                duration::format(err),
                duration::format(warn)
            ),
        );
        return None;
    }
    Some(Slo { warn, err })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{
        "rules": [
            {"group": "payments-*", "topic": "orders-*", "warn": "60s", "err": "5m"},
            {"topic": "orders-*", "warn": "2m", "err": "10m"},
            {"group": "batch-*", "warn": "1h", "err": "6h"}
        ],
        "default": {"warn": "10m", "err": "1h"}
    }"#;

    fn slo(warn: u64, err: u64) -> Option<Slo> {
        Some(Slo {
            warn: Duration::from_secs(warn),
            err: Duration::from_secs(err),
        })
    }

    #[test]
    fn the_first_rule_covering_group_and_topic_wins_then_the_default() {
        let p = parse(EXAMPLE).unwrap();
        assert_eq!(p.slo_for("payments-api", "orders-eu"), slo(60, 300));
        assert_eq!(
            p.slo_for("shipping", "orders-eu"),
            slo(120, 600),
            "a topic-only rule covers every group"
        );
        assert_eq!(
            p.slo_for("batch-nightly", "orders-eu"),
            slo(120, 600),
            "an earlier rule wins"
        );
        assert_eq!(
            p.slo_for("batch-nightly", "audit"),
            slo(3600, 21600),
            "a group-only rule covers every topic"
        );
        assert_eq!(
            p.slo_for("payments-api", "audit"),
            slo(600, 3600),
            "both patterns must match"
        );
    }

    #[test]
    fn durations_take_units_and_bare_numbers_are_seconds() {
        let p = parse(
            r#"{"rules": [{"topic": "t", "warn": 90, "err": "1h30m"}, {"topic": "u", "warn": "500ms", "err": "500ms"}]}"#,
        )
        .unwrap();
        assert_eq!(p.slo_for("g", "t"), slo(90, 5400));
        let ms = Duration::from_millis(500);
        assert_eq!(
            p.slo_for("g", "u"),
            Some(Slo { warn: ms, err: ms }),
            "err may equal warn"
        );
    }

    #[test]
    fn without_a_default_uncovered_partitions_have_no_slo() {
        let p = parse(r#"{"rules": [{"group": "a-*", "warn": "1m", "err": "2m"}]}"#).unwrap();
        assert_eq!(p.slo_for("b", "t"), None);
    }

    #[test]
    fn a_default_alone_is_enough() {
        let p = parse(r#"{"default": {"warn": "10m", "err": "1h"}}"#).unwrap();
        assert_eq!(p.slo_for("any", "thing"), slo(600, 3600));
        assert!(parse(r#"{"rules": [], "default": {"warn": 1, "err": 2}}"#).is_ok());
    }

    #[test]
    fn every_problem_is_reported_with_its_key() {
        let problems = parse(
            r#"{
                "rules": [
                    {"topic": "pay[", "warn": "10m", "err": "5m"},
                    {"group": "", "topic": "orders ", "warn": "soon", "err": -3},
                    {"warn": "1m", "err": "2m", "colour": "red"},
                    {"group": "*", "warn": 0, "err": "1m"},
                    {"topic": "late", "warn": "1m", "err": "2m"},
                    {"group": 7},
                    "x"
                ],
                "default": {"warn": "10m", "err": "1h", "page": true},
                "extra": true
            }"#,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                "extra: unknown key (known: rules, default)",
                "rules[6]: expected a table, got \"x\"",
                "rules[0].topic: '[' without a closing ']'",
                "rules[0].err: must not be less than warn (5m < 10m)",
                "rules[1].group: empty pattern (use \"*\" for every group)",
                "rules[1].topic: ' ' can never match: Kafka topic names contain only letters, digits, '.', '_' and '-'",
                "rules[1].warn: expected a duration (\"90s\", \"5m\", \"1h30m\"; a bare number is seconds), got \"soon\"",
                "rules[1].err: must not be negative, got -3",
                "rules[2].colour: unknown key (known: group, topic, warn, err)",
                "rules[2]: needs a group or a topic pattern (for every partition, use default)",
                "rules[3].warn: must be more than 0s (every caught-up partition would be WARN)",
                "rules[4]: never used: rules[3] already matches every partition",
                "rules[5].group: expected a string, got 7",
                "rules[5]: never used: rules[3] already matches every partition",
                "rules[5].warn: required (example: warn = \"1m\")",
                "rules[5].err: required (example: err = \"5m\")",
                "default.page: unknown key (known: warn, err)",
                "default: never used: rules[3] already matches every partition",
            ]
        );
    }

    #[test]
    fn no_rules_and_no_default_or_empty_rules_are_problems() {
        assert_eq!(
            parse("{}").unwrap_err(),
            [
                r#"rules: required without a default (example: rules = [{ topic = "orders-*", warn = "1m", err = "5m" }])"#
            ]
        );
        assert_eq!(
            parse(r#"{"rules": []}"#).unwrap_err(),
            ["rules: empty and no default: every partition would be OK"]
        );
        assert_eq!(
            parse(r#"{"rules": "all", "default": []}"#).unwrap_err(),
            [
                "rules: expected a list of tables, got \"all\"",
                "default: expected a table, got []",
            ],
            "a mistyped key is one problem, not also a missing one"
        );
        assert_eq!(
            parse("[]").unwrap_err(),
            ["config must be a JSON object, got []"]
        );
    }
}
