//! The functions templates call: Go's built-ins that Burrow's templates use (`eq`, `ne`, `lt`,
//! `le`, `gt`, `ge`, `len`, `index`, `print`, `printf`, `println`, `html`, `urlquery`),
//! Burrow's helpers (`jsonencoder`, `topicsbystatus`, `partitioncounts`, `add`, `minus`,
//! `multiply`, `divide`, `maxlag`, `formattimestamp`), Warren's `strftime`, and the two filters
//! translated `range`s iterate through (`govalues`, `goitems`: Go's order, a map's keys
//! sorted). Each takes its arguments in Go's order, so `{{index .Extras "app"}}` is
//! `index(Extras, "app")`.

use std::cmp::Ordering;
use std::fmt::Write as _;

use minijinja::value::{Rest, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Value};

use super::context::status_code;
use super::time;

/// Adds every function and filter to `env`.
pub fn register(env: &mut Environment<'_>) {
    env.add_function("eq", |a: Value, rest: Rest<Value>| {
        rest.iter().any(|b| compare(&a, b) == Some(Ordering::Equal))
    });
    env.add_function("ne", |a: Value, b: Value| {
        compare(&a, &b) != Some(Ordering::Equal)
    });
    env.add_function("lt", |a: Value, b: Value| ordered(&a, &b, |o| o.is_lt()));
    env.add_function("le", |a: Value, b: Value| ordered(&a, &b, |o| o.is_le()));
    env.add_function("gt", |a: Value, b: Value| ordered(&a, &b, |o| o.is_gt()));
    env.add_function("ge", |a: Value, b: Value| ordered(&a, &b, |o| o.is_ge()));
    env.add_function("len", |v: Value| {
        v.len()
            .ok_or_else(|| invalid(format!("len: {} has no length", v.kind())))
    });
    env.add_function("index", index);
    env.add_function("print", |args: Rest<Value>| print(&args, false));
    env.add_function("println", |args: Rest<Value>| print(&args, true));
    env.add_function("printf", printf);
    env.add_function("html", |v: Value| html(&display(&v)));
    env.add_function("urlquery", |v: Value| {
        warren_common::percent::encode(&display(&v))
    });
    env.add_function("jsonencoder", |v: Value| {
        let mut out = String::new();
        json(&v, &mut out).map(|()| out)
    });
    env.add_function("topicsbystatus", topics_by_status);
    env.add_function("partitioncounts", partition_counts);
    env.add_function("add", |a: i64, b: i64| {
        a.checked_add(b).ok_or_else(overflow)
    });
    env.add_function("minus", |a: i64, b: i64| {
        a.checked_sub(b).ok_or_else(overflow)
    });
    env.add_function("multiply", |a: i64, b: i64| {
        a.checked_mul(b).ok_or_else(overflow)
    });
    env.add_function("divide", |a: i64, b: i64| {
        a.checked_div(b)
            .ok_or_else(|| invalid("divide: division by zero".into()))
    });
    env.add_function("maxlag", |p: Value| {
        if p.is_none() || p.is_undefined() {
            Ok(Value::from(0))
        } else {
            p.get_attr("CurrentLag")
        }
    });
    env.add_function("formattimestamp", |ms: i64, layout: String| {
        time::go_layout(&layout)
            .and_then(|pattern| time::strftime(ms, &pattern))
            .map_err(invalid)
    });
    env.add_function("strftime", strftime);
    env.add_filter("strftime", strftime);
    env.add_filter("govalues", go_values);
    env.add_filter("goitems", go_items);
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

fn overflow() -> Error {
    invalid("integer overflow".into())
}

fn strftime(ms: i64, pattern: String) -> Result<String, Error> {
    time::strftime(ms, &pattern).map_err(invalid)
}

/// How `a` and `b` compare: numbers as numbers, a status name against a number by Burrow's
/// status numbers (`eq .Result.Status 2` is WARN), otherwise by MiniJinja's ordering of equal
/// kinds; `None` when they cannot be compared.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    let number = |v: &Value| -> Option<f64> {
        match v.kind() {
            ValueKind::Number => f64::try_from(v.clone()).ok(),
            ValueKind::String => v.as_str().and_then(status_code).map(|c| c as f64),
            _ => None,
        }
    };
    if a.kind() == ValueKind::Number || b.kind() == ValueKind::Number {
        return number(a)?.partial_cmp(&number(b)?);
    }
    if a.kind() == b.kind() {
        return a.partial_cmp(b);
    }
    (a.is_none() && b.is_none()).then_some(Ordering::Equal)
}

fn ordered(a: &Value, b: &Value, test: fn(Ordering) -> bool) -> Result<bool, Error> {
    compare(a, b)
        .map(test)
        .ok_or_else(|| invalid(format!("cannot compare {} with {}", a.kind(), b.kind())))
}

/// Go's `index`: a map's value (`""` for a missing key, as Burrow's `index .Extras "x"`
/// gives), a list's element by position.
fn index(v: Value, keys: Rest<Value>) -> Result<Value, Error> {
    let mut current = v;
    for key in keys.iter() {
        current = match current.kind() {
            ValueKind::Map => match current.get_item(key)? {
                found if found.is_undefined() => Value::from(""),
                found => found,
            },
            ValueKind::Seq => {
                let len = current.len().unwrap_or(0);
                match i64::try_from(key.clone()) {
                    Ok(i) if i >= 0 && (i as usize) < len => current.get_item(key)?,
                    _ => return Err(invalid(format!("index {key} out of range (length {len})"))),
                }
            }
            kind => return Err(invalid(format!("cannot index a {kind}"))),
        };
    }
    Ok(current)
}

/// A value as templates print it, as Go's templates do: none as nothing, a whole float
/// without `.0`, a list as `[a b]`, a map as `map[k:v]` (keys sorted).
pub(crate) fn display(v: &Value) -> String {
    if v.is_none() || v.is_undefined() {
        return String::new();
    }
    match v.kind() {
        ValueKind::Seq => {
            let items: Vec<String> = v
                .try_iter()
                .into_iter()
                .flatten()
                .map(|i| display(&i))
                .collect();
            return format!("[{}]", items.join(" "));
        }
        ValueKind::Map => {
            let items: Vec<String> = go_pairs(v)
                .unwrap_or_default()
                .iter()
                .map(|(k, e)| format!("{}:{}", display(k), display(e)))
                .collect();
            return format!("map[{}]", items.join(" "));
        }
        _ => {}
    }
    if let Ok(f) = f64::try_from(v.clone())
        && v.as_i64().is_none()
        && f.fract() == 0.0
        && f.abs() < 1e15
    {
        return format!("{}", f as i64);
    }
    v.to_string()
}

/// Go's `print`/`println`: `println` separates every operand by a space and ends the line;
/// `print` only puts spaces between two operands that are not strings.
fn print(args: &[Value], line: bool) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let strings = a.kind() == ValueKind::String
            || args.get(i.wrapping_sub(1)).map(Value::kind) == Some(ValueKind::String);
        if i > 0 && (line || !strings) {
            out.push(' ');
        }
        out.push_str(&display(a));
    }
    if line {
        out.push('\n');
    }
    out
}

/// Go's `printf` for the verbs templates use: `%v %s %d %q %t %f %.Nf %x %%`, with widths
/// (`%5d`, `%-10s`).
fn printf(format: String, args: Rest<Value>) -> Result<String, Error> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_digit() || n == '-' || n == '.' {
                spec.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let verb = chars
            .next()
            .ok_or_else(|| invalid("printf: dangling %".into()))?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = args
            .next()
            .ok_or_else(|| invalid(format!("printf: no value for %{spec}{verb}")))?;
        let (left, rest) = match spec.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, spec.as_str()),
        };
        let (width, precision) = match rest.split_once('.') {
            Some((w, p)) => (w.parse().unwrap_or(0), p.parse::<usize>().ok()),
            None => (rest.parse().unwrap_or(0), None),
        };
        let text = match verb {
            'v' | 's' | 'd' | 't' => display(arg),
            'q' => serde_json::to_string(&display(arg)).unwrap_or_default(),
            'f' => {
                let f = f64::try_from(arg.clone())
                    .map_err(|_| invalid(format!("printf: %f of a {}", arg.kind())))?;
                format!("{f:.*}", precision.unwrap_or(6))
            }
            'x' => match arg.as_i64() {
                Some(n) => format!("{n:x}"),
                None => display(arg).bytes().fold(String::new(), |mut s, b| {
                    let _ = write!(s, "{b:02x}");
                    s
                }),
            },
            other => return Err(invalid(format!("printf: unsupported verb %{other}"))),
        };
        let _ = if left {
            write!(out, "{text:<width$}")
        } else {
            write!(out, "{text:>width$}")
        };
    }
    Ok(out)
}

fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The JSON names Burrow's structs marshal to (`encoding/json` tags), for `jsonencoder`.
const JSON_NAMES: &[(&str, &str)] = &[
    ("Cluster", "cluster"),
    ("Group", "group"),
    ("Status", "status"),
    ("Complete", "complete"),
    ("Partitions", "partitions"),
    ("TotalPartitions", "partition_count"),
    ("Maxlag", "maxlag"),
    ("TotalLag", "totallag"),
    ("Topic", "topic"),
    ("Partition", "partition"),
    ("Owner", "owner"),
    ("ClientID", "client_id"),
    ("Start", "start"),
    ("End", "end"),
    ("CurrentLag", "current_lag"),
    ("Offset", "offset"),
    ("Timestamp", "timestamp"),
    ("ObservedAt", "observedAt"),
    ("Lag", "lag"),
];

/// Variables Burrow's structs do not have: left out so `jsonencoder` writes exactly what
/// Burrow's receivers parse.
const WARREN_ONLY: &[&str] = &["TimeLagMs", "MaxTimeLagMs"];

/// Burrow's `jsonencoder`: `v` as JSON, Burrow's field names and order.
fn json(v: &Value, out: &mut String) -> Result<(), Error> {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if v.is_true() { "true" } else { "false" }),
        ValueKind::Number => out.push_str(&display(v)),
        ValueKind::String => out.push_str(&go_json_string(v.as_str().unwrap_or(""))),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            for (i, item) in v.try_iter()?.enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json(&item, out)?;
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            let mut first = true;
            for key in v.try_iter()? {
                let name = key.as_str().unwrap_or_default();
                if WARREN_ONLY.contains(&name) {
                    continue;
                }
                let name = JSON_NAMES
                    .iter()
                    .find(|(go, _)| *go == name)
                    .map_or(name, |(_, json)| json);
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&go_json_string(name));
                out.push(':');
                json(&v.get_item(&key)?, out)?;
            }
            out.push('}');
        }
        other => return Err(invalid(format!("jsonencoder: cannot encode a {other}"))),
    }
    Ok(())
}

/// A JSON string as Go's `encoding/json` writes it: `<`, `>`, `&`, U+2028 and U+2029 as
/// `\u` escapes (so the JSON is safe inside HTML and JavaScript too).
fn go_json_string(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    if !quoted.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return quoted;
    }
    quoted
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Burrow's `topicsbystatus`: status name → the topics with a partition in it (sorted, each
/// once).
fn topics_by_status(partitions: Value) -> Result<Value, Error> {
    partition_list("topicsbystatus", &partitions)?;
    let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in partitions.try_iter()? {
        let status = p.get_attr("Status")?.to_string();
        let topic = p.get_attr("Topic")?.to_string();
        let topics = by.entry(status).or_default();
        if !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    by.values_mut().for_each(|t| t.sort());
    Ok(Value::from_iter(by))
}

/// Burrow's `partitioncounts`: how many partitions are `warn`, `stop`, `stall`, `rewind` and
/// `unknown` (anything else but OK; partitions are never ERR).
fn partition_counts(partitions: Value) -> Result<Value, Error> {
    partition_list("partitioncounts", &partitions)?;
    let mut counts = [0u64; 5];
    for p in partitions.try_iter()? {
        let at = match p.get_attr("Status")?.as_str() {
            Some("OK") => continue,
            Some("WARN") => 0,
            Some("STOP") => 1,
            Some("STALL") => 2,
            Some("REWIND") => 3,
            _ => 4,
        };
        counts[at] += 1;
    }
    let names = ["warn", "stop", "stall", "rewind", "unknown"];
    Ok(Value::from_iter(names.into_iter().zip(counts)))
}

/// An error unless `partitions` is a list (a partition is a map, and iterating it would
/// count its field names).
fn partition_list(function: &str, partitions: &Value) -> Result<(), Error> {
    match partitions.kind() {
        ValueKind::Seq | ValueKind::Iterable => Ok(()),
        kind => Err(invalid(format!(
            "{function}: expected a list of partitions, got {kind}"
        ))),
    }
}

/// What Go's `range` iterates: a list's elements, a map's values (keys sorted).
fn go_values(v: Value) -> Result<Value, Error> {
    Ok(Value::from(
        go_pairs(&v)?
            .into_iter()
            .map(|(_, e)| e)
            .collect::<Vec<_>>(),
    ))
}

/// What Go's `range $i, $e :=` iterates: (position, element) of a list, (key, value) of a
/// map (keys sorted).
fn go_items(v: Value) -> Result<Value, Error> {
    Ok(Value::from(
        go_pairs(&v)?
            .into_iter()
            .map(|(k, e)| Value::from(vec![k, e]))
            .collect::<Vec<_>>(),
    ))
}

fn go_pairs(v: &Value) -> Result<Vec<(Value, Value)>, Error> {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => Ok(Vec::new()),
        ValueKind::Map => {
            let mut keys: Vec<Value> = v.try_iter()?.collect();
            keys.sort();
            keys.into_iter()
                .map(|k| v.get_item(&k).map(|e| (k, e)))
                .collect()
        }
        ValueKind::Seq | ValueKind::Iterable => Ok(v
            .try_iter()?
            .enumerate()
            .map(|(i, e)| (Value::from(i), e))
            .collect()),
        other => Err(invalid(format!("range over a {other}"))),
    }
}
