//! Environment overrides of any key, before the file is resolved: `WARREN_LOGGING_LEVEL=debug`
//! sets `[logging] level`, `WARREN_CLUSTER_LOCAL_SERVERS=a:9092,b:9092` sets
//! `[cluster.local] servers`. Burrow's form works too: `BURROW_` and the prefix named by
//! `[general] env-var-prefix`. A variable's name is the key path upper-cased with `.` and `-`
//! turned into `_`, which is ambiguous for names that contain them, so the path is found by
//! walking the document: a section name must already be in the file (an override changes a
//! cluster, it cannot invent one), the last step may be a new key. Variables that match no
//! section are left alone, since `WARREN_*` also names things that are not keys (a token read
//! through `${WARREN_TOKEN}`, the test suite's settings).
//!
//! A value takes the type of the key it replaces (text stays text even when it reads as a
//! number, so a password `1234` stays a string); a new key's value is read as a TOML value,
//! or as text when it is not one. A list given as `a,b` becomes a list where the file has one.
//! Values are never reported: they may be passwords.

use toml::{Table, Value};

/// One key the environment set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Override {
    /// The key path it set, e.g. `logging.level`.
    pub path: String,
    /// The variable that set it.
    pub variable: String,
}

/// Top-level sections that are one table (`[general]`); every other section is a table of
/// named ones (`[cluster.NAME]`). An override may create a missing single section.
const SINGLE: &[&str] = &["general", "logging", "ha"];

/// Applies every matching variable of `vars` to `root`, in name order (so the outcome does not
/// depend on the environment's order), and says which keys were set.
pub(crate) fn apply(root: &mut Table, vars: &[(String, String)]) -> Vec<Override> {
    let mut prefixes = vec!["WARREN_".to_owned(), "BURROW_".to_owned()];
    // "" (the reference file's value) means no prefix of its own, not every variable.
    if let Some(Value::String(prefix)) = root.get("general").and_then(|g| g.get("env-var-prefix"))
        && !prefix.is_empty()
    {
        let prefix = format!("{}_", normalize(prefix));
        if !prefixes.contains(&prefix) {
            prefixes.push(prefix);
        }
    }
    let mut sorted: Vec<&(String, String)> = vars.iter().collect();
    sorted.sort();
    let mut applied = Vec::new();
    for (variable, value) in sorted {
        let Some(rest) = prefixes
            .iter()
            .find_map(|p| variable.strip_prefix(p.as_str()))
        else {
            continue;
        };
        if let Some(path) = set(root, rest, value) {
            applied.push(Override {
                path: path.join("."),
                variable: variable.clone(),
            });
        }
    }
    applied
}

/// `KEY-name.x` as a variable spells it: `KEY_NAME_X`.
fn normalize(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            '.' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Sets the key `rest` spells (below the prefix) and returns its path; `None` when it names no
/// section of the document.
fn set(root: &mut Table, rest: &str, value: &str) -> Option<Vec<String>> {
    let mut sections: Vec<String> = root.keys().cloned().collect();
    sections.extend(super::root::SECTIONS.iter().map(|s| (*s).to_owned()));
    let (section, tail) = split_known(rest, sections)?;
    if SINGLE.contains(&section.as_str()) {
        let table = root
            .entry(section.clone())
            .or_insert_with(|| Value::Table(Table::new()))
            .as_table_mut()?;
        return set_key(table, tail, value, vec![section]);
    }
    // `[cluster.NAME]`: the name must be one the file has.
    let named = root.get_mut(&section)?.as_table_mut()?;
    let (name, after) = split_known(tail, named.keys().cloned().collect())?;
    let table = named.get_mut(&name)?.as_table_mut()?;
    set_key(table, after, value, vec![section, name])
}

/// Sets `rest` inside `table`: an existing key whose spelling matches it, a sub-table that
/// matches its beginning, or else a new key in Warren's spelling (kebab-case).
fn set_key(
    table: &mut Table,
    rest: &str,
    value: &str,
    mut path: Vec<String>,
) -> Option<Vec<String>> {
    if rest.is_empty() {
        return None;
    }
    let existing = table.keys().find(|k| normalize(k) == rest).cloned();
    if let Some(key) = existing {
        let old = table.get(&key)?;
        if old.is_table() {
            return None;
        }
        let new = typed_like(old, value);
        table.insert(key.clone(), new);
        path.push(key);
        return Some(path);
    }
    let sub = table
        .iter()
        .filter(|(_, v)| v.is_table())
        .map(|(k, _)| k.clone())
        .find(|k| rest.starts_with(&format!("{}_", normalize(k))));
    if let Some(key) = sub {
        let after = &rest[normalize(&key).len() + 1..];
        path.push(key.clone());
        return set_key(table.get_mut(&key)?.as_table_mut()?, after, value, path);
    }
    let key = rest.to_ascii_lowercase().replace('_', "-");
    table.insert(key.clone(), untyped(value));
    path.push(key);
    Some(path)
}

/// Splits `rest` into the longest of `names` it starts with, and what follows the `_` after
/// it. Longest first, so a cluster `local-eu` wins over `local` for `LOCAL_EU_SERVERS`.
fn split_known(rest: &str, mut names: Vec<String>) -> Option<(String, &str)> {
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.into_iter().find_map(|name| {
        let after = rest.strip_prefix(&normalize(&name))?.strip_prefix('_')?;
        Some((name, after))
    })
}

/// `value` in the type of the value it replaces.
fn typed_like(old: &Value, value: &str) -> Value {
    match old {
        Value::String(_) => Value::String(value.to_owned()),
        Value::Array(_) => match untyped(value) {
            array @ Value::Array(_) => array,
            _ => Value::Array(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            ),
        },
        // A number or a boolean that does not parse is passed on as text, so the section's
        // reader reports the wrong type at the key's path.
        _ => untyped(value),
    }
}

/// `value` read as a TOML value (`10`, `true`, `["a"]`), else as text.
fn untyped(value: &str) -> Value {
    format!("v = {value}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(value.to_owned()))
}
