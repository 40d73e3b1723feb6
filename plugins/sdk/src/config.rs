//! Reading a plugin's JSON config the way `validate-config` wants it: every problem at once,
//! each a sentence naming its key (`rules[2].warn: expected a whole number of records, got
//! "10"`), so an operator fixes a config in one pass instead of one error per restart.
//!
//! Getters never fail: a missing or mistyped key records a problem and yields `None`, and
//! [`Config::finish`] turns the lot into `Ok(value)` or `Err(problems)`.
//!
//! ```
//! use warren_plugin_sdk::config::Config;
//!
//! fn parse(json: &str) -> Result<(u64, u64), Vec<String>> {
//!     let config = Config::parse(json)?;
//!     let root = config.root();
//!     root.deny_unknown(&["warn", "err"]);
//!     let warn = root.required_u64("warn", "records", 1000);
//!     let err = root.required_u64("err", "records", 10000);
//!     config.finish(|| Some((warn?, err?)))
//! }
//!
//! assert_eq!(parse(r#"{"warn": 1, "err": 2}"#), Ok((1, 2)));
//! assert_eq!(
//!     parse(r#"{"warn": "x", "typo": 1}"#).unwrap_err(),
//!     [
//!         "typo: unknown key (known: warn, err)",
//!         "warn: expected a whole number of records, got \"x\"",
//!         "err: required (example: err = 10000)",
//!     ]
//! );
//! ```

use std::cell::RefCell;
use std::fmt::Display;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::duration;

/// A parsed config object and the problems found in it so far.
#[derive(Debug)]
pub struct Config {
    root: Map<String, Value>,
    problems: RefCell<Vec<String>>,
}

impl Config {
    /// Parses `json`, which must be an object; anything else is the one problem returned.
    pub fn parse(json: &str) -> Result<Self, Vec<String>> {
        match serde_json::from_str(json) {
            Ok(Value::Object(root)) => Ok(Self {
                root,
                problems: RefCell::default(),
            }),
            Ok(other) => Err(vec![format!(
                "config must be a JSON object, got {}",
                describe(&other)
            )]),
            Err(e) => Err(vec![format!("config is not JSON: {e}")]),
        }
    }

    /// The top-level object.
    pub fn root(&self) -> Object<'_> {
        Object {
            config: self,
            map: &self.root,
            path: String::new(),
        }
    }

    /// Records a problem that concerns no single key.
    pub fn problem(&self, message: impl Into<String>) {
        self.problems.borrow_mut().push(message.into());
    }

    /// Every string anywhere in the config with its key path (`url`, `headers.Authorization`,
    /// `to[0]`), in key order: what a notifier scans for `${secret:NAME}` placeholders.
    pub fn strings(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (key, value) in &self.root {
            collect_strings(key.clone(), value, &mut out);
        }
        out
    }

    /// The problems recorded so far.
    pub fn problems(&self) -> Vec<String> {
        self.problems.borrow().clone()
    }

    /// `Ok(build())` when no problem was recorded, else every problem in the order found.
    /// `build` may use `?` on the getters' results: with no problem recorded, every required
    /// value is there.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, Vec<String>> {
        let problems = self.problems.into_inner();
        if !problems.is_empty() {
            return Err(problems);
        }
        build().ok_or_else(|| {
            vec!["config is incomplete (a plugin bug: a value is missing without a problem)".into()]
        })
    }
}

/// One JSON object inside a [`Config`], with its path for messages (`""` for the root,
/// `rules[0]`, `default`, ...).
#[derive(Debug, Clone)]
pub struct Object<'c> {
    config: &'c Config,
    map: &'c Map<String, Value>,
    path: String,
}

impl<'c> Object<'c> {
    /// The full name of `key` in messages: `key` at the root, `path.key` below it.
    pub fn path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Records a problem with `key`, as `path.key: message`.
    pub fn problem(&self, key: &str, message: impl Display) {
        self.config
            .problem(format!("{}: {message}", self.path(key)));
    }

    /// Where this object is, as messages name it: `""` for the root, `rules[0]`, `default`.
    pub fn location(&self) -> &str {
        &self.path
    }

    /// Records a problem with this object as a whole (`rules[0]: message`).
    pub fn problem_here(&self, message: impl Display) {
        if self.path.is_empty() {
            self.config.problem(message.to_string());
        } else {
            self.config.problem(format!("{}: {message}", self.path));
        }
    }

    /// The raw value of `key`, when present.
    pub fn get(&self, key: &str) -> Option<&'c Value> {
        self.map.get(key)
    }

    /// Records one problem per key not in `known` (typos fail loudly instead of being
    /// ignored).
    pub fn deny_unknown(&self, known: &[&str]) {
        for key in self.map.keys().filter(|k| !known.contains(&k.as_str())) {
            self.problem(
                key,
                format_args!("unknown key (known: {})", known.join(", ")),
            );
        }
    }

    /// A non-negative integer; `unit` names what it counts, for the message.
    pub fn optional_u64(&self, key: &str, unit: &str) -> Option<u64> {
        let v = self.get(key)?;
        v.as_u64().or_else(|| {
            self.problem(
                key,
                format_args!("expected a whole number of {unit}, got {}", describe(v)),
            );
            None
        })
    }

    /// Like [`optional_u64`](Self::optional_u64), and a problem when absent; `example` shows
    /// a sensible value in the message.
    pub fn required_u64(&self, key: &str, unit: &str, example: u64) -> Option<u64> {
        self.require(key, example)?;
        self.optional_u64(key, unit)
    }

    /// A duration as the rest of Warren's config writes it: `"90s"`, `"5m"`, `"1h30m"`, or a
    /// bare number of seconds (see [`duration`](crate::duration)).
    pub fn optional_duration(&self, key: &str) -> Option<Duration> {
        let v = self.get(key)?;
        let parsed = match v {
            Value::String(s) => duration::parse(s),
            Value::Number(n) => match n.as_u64() {
                Some(secs) => duration::parse(&secs.to_string()),
                None if n.as_i64().is_some_and(|i| i < 0) => {
                    Err(format!("must not be negative, got {n}"))
                }
                None => Err(format!(
                    "expected a whole number of seconds or a duration such as \"90s\", got {n}"
                )),
            },
            other => Err(format!(
                "expected a duration (\"90s\", \"5m\", \"1h30m\"; a bare number is seconds), got {}",
                describe(other)
            )),
        };
        parsed.map_err(|why| self.problem(key, why)).ok()
    }

    /// Like [`optional_duration`](Self::optional_duration), and a problem when absent;
    /// `example` shows a sensible value in the message.
    pub fn required_duration(&self, key: &str, example: Duration) -> Option<Duration> {
        self.require(key, format_args!("{:?}", duration::format(example)))?;
        self.optional_duration(key)
    }

    /// A string.
    pub fn optional_str(&self, key: &str) -> Option<String> {
        let v = self.get(key)?;
        match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.problem(key, format_args!("expected a string, got {}", describe(v)));
                None
            }
        }
    }

    /// Like [`optional_str`](Self::optional_str), and a problem when absent.
    pub fn required_str(&self, key: &str, example: &str) -> Option<String> {
        self.require(key, format_args!("{example:?}"))?;
        self.optional_str(key)
    }

    /// `true` or `false`.
    pub fn optional_bool(&self, key: &str) -> Option<bool> {
        let v = self.get(key)?;
        v.as_bool().or_else(|| {
            self.problem(
                key,
                format_args!("expected true or false, got {}", describe(v)),
            );
            None
        })
    }

    /// A list of strings (e.g. mail recipients). Elements that are not strings are problems
    /// and left out.
    pub fn optional_strings(&self, key: &str) -> Option<Vec<String>> {
        let v = self.get(key)?;
        let Value::Array(items) = v else {
            self.problem(
                key,
                format_args!("expected a list of strings, got {}", describe(v)),
            );
            return None;
        };
        let path = self.path(key);
        let strings = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Value::String(s) => Some(s.clone()),
                _ => {
                    self.config.problem(format!(
                        "{path}[{i}]: expected a string, got {}",
                        describe(item)
                    ));
                    None
                }
            })
            .collect();
        Some(strings)
    }

    /// A nested object (a TOML table), to read with the same getters.
    pub fn optional_object(&self, key: &str) -> Option<Object<'c>> {
        let v = self.get(key)?;
        match v {
            Value::Object(map) => Some(Object {
                config: self.config,
                map,
                path: self.path(key),
            }),
            _ => {
                self.problem(key, format_args!("expected a table, got {}", describe(v)));
                None
            }
        }
    }

    /// A list of objects (a TOML array of tables). Elements that are not objects are
    /// problems and left out.
    pub fn optional_objects(&self, key: &str) -> Option<Vec<Object<'c>>> {
        let v = self.get(key)?;
        let Value::Array(items) = v else {
            self.problem(
                key,
                format_args!("expected a list of tables, got {}", describe(v)),
            );
            return None;
        };
        let path = self.path(key);
        let objects = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Value::Object(map) => Some(Object {
                    config: self.config,
                    map,
                    path: format!("{path}[{i}]"),
                }),
                _ => {
                    self.config.problem(format!(
                        "{path}[{i}]: expected a table, got {}",
                        describe(item)
                    ));
                    None
                }
            })
            .collect();
        Some(objects)
    }

    /// Like [`optional_objects`](Self::optional_objects), and a problem when absent.
    pub fn required_objects(&self, key: &str, example: &str) -> Option<Vec<Object<'c>>> {
        self.require(key, example)?;
        self.optional_objects(key)
    }

    /// A table of strings (e.g. HTTP headers), in key order.
    pub fn optional_string_map(&self, key: &str) -> Option<Vec<(String, String)>> {
        let table = self.optional_object(key)?;
        let pairs = table
            .map
            .keys()
            .filter_map(|k| Some((k.clone(), table.optional_str(k)?)))
            .collect();
        Some(pairs)
    }

    pub(crate) fn require(&self, key: &str, example: impl Display) -> Option<()> {
        if self.map.contains_key(key) {
            Some(())
        } else {
            self.problem(key, format_args!("required (example: {key} = {example})"));
            None
        }
    }
}

fn collect_strings(path: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) => out.push((path, s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_strings(format!("{path}[{i}]"), item, out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                collect_strings(format!("{path}.{key}"), item, out);
            }
        }
        _ => {}
    }
}

/// A value for a message: short ones verbatim, long ones cut (a config can hold a big blob).
fn describe(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_that_is_not_an_object_is_one_problem() {
        assert_eq!(
            Config::parse("[1]").unwrap_err(),
            ["config must be a JSON object, got [1]"]
        );
        assert!(Config::parse("{").unwrap_err()[0].starts_with("config is not JSON"));
    }

    #[test]
    fn nested_problems_name_their_full_path() {
        let config = Config::parse(
            r#"{"rules": [{"topic": 7}, 3, {"topic": "a", "warn": -1}], "default": {"x": 1}}"#,
        )
        .unwrap();
        let root = config.root();
        for rule in root.required_objects("rules", "[]").unwrap() {
            rule.required_str("topic", "t");
            rule.optional_u64("warn", "records");
        }
        root.optional_object("default")
            .unwrap()
            .deny_unknown(&["warn"]);
        assert_eq!(
            config.finish(|| Some(())).unwrap_err(),
            [
                "rules[1]: expected a table, got 3",
                "rules[0].topic: expected a string, got 7",
                "rules[2].warn: expected a whole number of records, got -1",
                "default.x: unknown key (known: warn)",
            ]
        );
    }

    #[test]
    fn missing_required_keys_show_an_example() {
        let config = Config::parse("{}").unwrap();
        let root = config.root();
        assert_eq!(root.required_str("url", "https://example.com"), None);
        assert_eq!(root.optional_bool("flag"), None);
        assert_eq!(
            config.problems(),
            [r#"url: required (example: url = "https://example.com")"#]
        );
    }

    #[test]
    fn string_maps_keep_good_entries_and_report_bad_ones() {
        let config = Config::parse(r#"{"headers": {"a": "1", "b": 2}}"#).unwrap();
        let headers = config.root().optional_string_map("headers");
        assert_eq!(headers, Some(vec![("a".into(), "1".into())]));
        assert_eq!(config.problems(), ["headers.b: expected a string, got 2"]);
    }

    #[test]
    fn string_lists_keep_good_entries_and_report_bad_ones() {
        let config = Config::parse(r#"{"to": ["a@b", 3], "cc": "x"}"#).unwrap();
        assert_eq!(
            config.root().optional_strings("to"),
            Some(vec!["a@b".into()])
        );
        assert_eq!(config.root().optional_strings("cc"), None);
        assert_eq!(
            config.problems(),
            [
                "to[1]: expected a string, got 3",
                "cc: expected a list of strings, got \"x\""
            ]
        );
    }

    #[test]
    fn every_string_is_listed_with_its_path() {
        let config = Config::parse(
            r#"{"url": "u", "n": 1, "headers": {"A": "h"}, "to": ["x", {"y": "z"}]}"#,
        )
        .unwrap();
        let strings: Vec<(String, String)> = config.strings();
        let pairs: Vec<(&str, &str)> = strings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("headers.A", "h"),
                ("to[0]", "x"),
                ("to[1].y", "z"),
                ("url", "u")
            ]
        );
    }

    #[test]
    fn durations_take_units_or_seconds_and_bad_ones_are_named() {
        let config = Config::parse(
            r#"{"a": "5m", "b": 90, "c": "soon", "d": -1, "e": 1.5, "f": true, "g": {"h": "1x"}}"#,
        )
        .unwrap();
        let root = config.root();
        assert_eq!(root.optional_duration("a"), Some(Duration::from_secs(300)));
        assert_eq!(root.optional_duration("b"), Some(Duration::from_secs(90)));
        for key in ["c", "d", "e", "f"] {
            assert_eq!(root.optional_duration(key), None);
        }
        assert_eq!(
            root.optional_object("g").unwrap().optional_duration("h"),
            None
        );
        assert_eq!(root.required_duration("i", Duration::from_secs(600)), None);
        assert_eq!(
            config.problems(),
            [
                r#"c: expected a duration ("90s", "5m", "1h30m"; a bare number is seconds), got "soon""#,
                "d: must not be negative, got -1",
                r#"e: expected a whole number of seconds or a duration such as "90s", got 1.5"#,
                r#"f: expected a duration ("90s", "5m", "1h30m"; a bare number is seconds), got true"#,
                r#"g.h: expected a duration ("90s", "5m", "1h30m"; a bare number is seconds), got "1x""#,
                r#"i: required (example: i = "10m")"#,
            ]
        );
    }

    #[test]
    fn a_problem_can_name_a_whole_object() {
        let config = Config::parse(r#"{"rules": [{}]}"#).unwrap();
        let root = config.root();
        let rule = &root.required_objects("rules", "[]").unwrap()[0];
        assert_eq!((root.location(), rule.location()), ("", "rules[0]"));
        rule.problem_here("needs a topic");
        root.problem_here("something overall");
        assert_eq!(
            config.problems(),
            ["rules[0]: needs a topic", "something overall"]
        );
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let config = Config::parse(&format!(r#"{{"n": "{}"}}"#, "x".repeat(500))).unwrap();
        config.root().optional_u64("n", "records");
        assert!(config.problems()[0].chars().count() < 120);
    }
}
