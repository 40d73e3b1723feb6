//! The plugin's config, read into a [`Policy`]: an ordered list of (glob, thresholds) rules
//! and an optional default. Every problem is reported at once, named by its key
//! (`rules[1].topic: ...`), including the ones that make a rule pointless: an `err` not above
//! its `warn`, a rule after a `*` rule (it can never be chosen), no rule and no default.

use warren_plugin_sdk::config::{Config, Object};
use warren_plugin_sdk::glob::Glob;

/// Thresholds for one topic, in records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Lag at which a partition is WARN.
    pub warn: u64,
    /// Lag at which a partition makes its group ERR.
    pub err: u64,
}

/// The parsed config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    rules: Vec<(Glob, Thresholds)>,
    default: Option<Thresholds>,
}

impl Policy {
    /// The thresholds of the first rule whose pattern matches `topic`, else the default;
    /// `None` when neither applies (the topic is not judged: its partitions are OK).
    pub fn thresholds_for(&self, topic: &str) -> Option<Thresholds> {
        self.rules
            .iter()
            .find(|(glob, _)| glob.matches(topic))
            .map(|(_, t)| *t)
            .or(self.default)
    }
}

/// Parses the config, listing every problem.
pub fn parse(json: &str) -> Result<Policy, Vec<String>> {
    let config = Config::parse(json)?;
    let root = config.root();
    root.deny_unknown(&["rules", "default"]);
    let rule_objects = root.required_objects(
        "rules",
        r#"[{ topic = "payments-*", warn = 100, err = 1000 }]"#,
    );
    let default = root.optional_object("default").map(|d| {
        d.deny_unknown(&["warn", "err"]);
        thresholds(&d)
    });
    let mut rules = Vec::new();
    let mut catch_all: Option<usize> = None;
    for (i, rule) in rule_objects.iter().flatten().enumerate() {
        rule.deny_unknown(&["topic", "warn", "err"]);
        let glob = rule
            .required_str("topic", "payments-*")
            .and_then(|p| Glob::topic(&p).map_err(|e| rule.problem("topic", e)).ok());
        match (&glob, catch_all) {
            (Some(_), Some(first)) => rule.problem(
                "topic",
                format_args!("never used: rules[{first}] already matches every topic"),
            ),
            (Some(g), None) if g.matches_everything() => catch_all = Some(i),
            _ => {}
        }
        if let (Some(glob), Some(t)) = (glob, thresholds(rule)) {
            rules.push((glob, t));
        }
    }
    if rule_objects.is_some_and(|r| r.is_empty()) && default.is_none() {
        config.problem("rules: empty and no default: every partition would be OK");
    }
    config.finish(|| {
        Some(Policy {
            rules,
            default: default.flatten(),
        })
    })
}

/// A `warn`/`err` pair, both required, `err` above `warn`.
fn thresholds(object: &Object<'_>) -> Option<Thresholds> {
    let warn = object.required_u64("warn", "records", 1000);
    let err = object.required_u64("err", "records", 10000);
    let (warn, err) = (warn?, err?);
    if err <= warn {
        object.problem(
            "err",
            format_args!("must be greater than warn ({err} <= {warn})"),
        );
        return None;
    }
    Some(Thresholds { warn, err })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{
        "rules": [
            {"topic": "payments-*", "warn": 100, "err": 1000},
            {"topic": "audit", "warn": 5, "err": 50}
        ],
        "default": {"warn": 10000, "err": 100000}
    }"#;

    #[test]
    fn the_first_matching_rule_wins_then_the_default() {
        let p = parse(EXAMPLE).unwrap();
        let t = |warn, err| Some(Thresholds { warn, err });
        assert_eq!(p.thresholds_for("payments-eu"), t(100, 1000));
        assert_eq!(p.thresholds_for("audit"), t(5, 50));
        assert_eq!(p.thresholds_for("orders"), t(10000, 100000));
    }

    #[test]
    fn without_a_default_unmatched_topics_have_no_thresholds() {
        let p = parse(r#"{"rules": [{"topic": "a-*", "warn": 1, "err": 2}]}"#).unwrap();
        assert_eq!(p.thresholds_for("b"), None);
    }

    #[test]
    fn a_default_alone_is_enough() {
        let p = parse(r#"{"rules": [], "default": {"warn": 1, "err": 2}}"#).unwrap();
        assert_eq!(p.thresholds_for("x"), Some(Thresholds { warn: 1, err: 2 }));
    }

    #[test]
    fn every_problem_is_reported_with_its_key() {
        let problems = parse(
            r#"{
                "rules": [
                    {"topic": "pay[", "warn": 10, "err": 5},
                    {"topic": "*", "warn": 1, "err": 2, "colour": "red"},
                    {"warn": 1},
                    {"topic": "late", "warn": 1, "err": 2}
                ],
                "default": {"warn": "lots", "err": 3},
                "extra": true
            }"#,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                "extra: unknown key (known: rules, default)",
                "default.warn: expected a whole number of records, got \"lots\"",
                "rules[0].topic: '[' without a closing ']'",
                "rules[0].err: must be greater than warn (5 <= 10)",
                "rules[1].colour: unknown key (known: topic, warn, err)",
                "rules[2].topic: required (example: topic = \"payments-*\")",
                "rules[2].err: required (example: err = 10000)",
                "rules[3].topic: never used: rules[1] already matches every topic",
            ]
        );
    }

    #[test]
    fn missing_rules_and_empty_rules_without_default_are_problems() {
        assert_eq!(
            parse("{}").unwrap_err(),
            [
                r#"rules: required (example: rules = [{ topic = "payments-*", warn = 100, err = 1000 }])"#
            ]
        );
        assert_eq!(
            parse(r#"{"rules": []}"#).unwrap_err(),
            ["rules: empty and no default: every partition would be OK"]
        );
    }
}
