//! The typed table walker every section parser uses. A [`Reader`] wraps one TOML table and its
//! key path; each lookup substitutes `${VAR}`s, checks the type, records any problem with its full
//! key path in the shared [`Ctx`] and remembers the key, so that [`Reader::finish`] can flag every
//! key nobody asked for. Parsers therefore never stop at the first problem: a lookup that fails
//! returns `None` (or the default) and parsing carries on.

use std::ops::RangeInclusive;

use toml::{Table, Value};

use super::{Problem, env};

/// Everything one `load` call accumulates: the environment lookup and the problems found.
pub(crate) struct Ctx<'e> {
    env: &'e dyn Fn(&str) -> Option<String>,
    /// The config file's folder, where files it names are looked up first.
    pub(crate) dir: Option<&'e std::path::Path>,
    /// Keys the environment set (their values are never shown back).
    pub(crate) overridden: &'e [super::Override],
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl<'e> Ctx<'e> {
    pub(crate) fn new(env: &'e dyn Fn(&str) -> Option<String>) -> Self {
        Self {
            env,
            dir: None,
            overridden: &[],
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub(crate) fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(problem(path, message.into(), None));
    }

    pub(crate) fn error_with(&mut self, path: &str, message: impl Into<String>, example: &str) {
        self.errors
            .push(problem(path, message.into(), Some(example.to_owned())));
    }

    pub(crate) fn warn(&mut self, path: &str, message: impl Into<String>) {
        self.warnings.push(problem(path, message.into(), None));
    }

    /// `value` at `path` as the operator wrote it: a key the environment set reads as
    /// `${VARIABLE}` (its value may be a password), tables key by key.
    pub(crate) fn as_written(&self, path: &str, value: &Value) -> Value {
        if let Some(o) = self.overridden.iter().find(|o| o.path == path) {
            return Value::String(format!("${{{}}}", o.variable));
        }
        match value {
            Value::Table(table) => Value::Table(
                table
                    .iter()
                    .map(|(k, v)| (k.clone(), self.as_written(&join(path, k), v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    pub(crate) fn into_parts(self) -> (Vec<Problem>, Vec<Problem>) {
        (self.errors, self.warnings)
    }

    /// Returns `value` with `${VAR}` substituted in every string it contains, or `None` after
    /// recording each failure at its own path (array elements as `key[i]`).
    pub(crate) fn substitute(&mut self, path: &str, value: &Value) -> Option<Value> {
        match value {
            Value::String(text) => match env::substitute(text, self.env) {
                Ok(text) => Some(Value::String(text)),
                Err(messages) => {
                    for message in messages {
                        self.error(path, message);
                    }
                    None
                }
            },
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    // Keep going after a failure so every bad element is reported.
                    match self.substitute(&format!("{path}[{i}]"), item) {
                        Some(item) => out.push(item),
                        None => ok = false,
                    }
                }
                ok.then_some(Value::Array(out))
            }
            Value::Table(table) => {
                let mut out = Table::new();
                let mut ok = true;
                for (key, item) in table {
                    match self.substitute(&join(path, key), item) {
                        Some(item) => {
                            out.insert(key.clone(), item);
                        }
                        None => ok = false,
                    }
                }
                ok.then_some(Value::Table(out))
            }
            other => Some(other.clone()),
        }
    }
}

fn problem(path: &str, message: String, example: Option<String>) -> Problem {
    Problem {
        path: path.to_owned(),
        message,
        example,
    }
}

/// Appends `key` to a dotted path, quoting it the way TOML would when it is not a bare key, so
/// `cluster."my cluster".servers` stays unambiguous.
pub(crate) fn join(parent: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let key = if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    };
    if parent.is_empty() {
        key
    } else {
        format!("{parent}.{key}")
    }
}

/// "a string", "an integer", …: the wording used in "expected X, got Y".
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a datetime",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// The closest candidate within a small edit distance, for "did you mean" hints.
pub(crate) fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// One value read from a table, already substituted, with the key and path needed to report
/// problems about it. Typed conversions live beside their parsers (`duration.rs`, `values.rs`).
pub(crate) struct Field {
    pub(crate) key: &'static str,
    pub(crate) path: String,
    pub(crate) value: Value,
}

impl Field {
    pub(crate) fn wrong_type(&self, cx: &mut Ctx<'_>, expected: &str) {
        cx.error(
            &self.path,
            format!("expected {expected}, got {}", type_name(&self.value)),
        );
    }

    pub(crate) fn string(self, cx: &mut Ctx<'_>) -> Option<String> {
        match self.value {
            Value::String(s) => Some(s),
            _ => {
                self.wrong_type(cx, "a string");
                None
            }
        }
    }

    pub(crate) fn boolean(self, cx: &mut Ctx<'_>) -> Option<bool> {
        match self.value {
            Value::Boolean(b) => Some(b),
            _ => {
                cx.error_with(
                    &self.path,
                    format!("expected a boolean, got {}", type_name(&self.value)),
                    &format!("{} = true", self.key),
                );
                None
            }
        }
    }

    /// An integer within `range`; "out of range" names the range, the example shows `default`.
    pub(crate) fn integer(
        self,
        cx: &mut Ctx<'_>,
        range: RangeInclusive<i64>,
        default: i64,
    ) -> Option<i64> {
        let example = format!("{} = {default}", self.key);
        match self.value {
            Value::Integer(n) if range.contains(&n) => Some(n),
            Value::Integer(n) => {
                let message = if *range.end() == i64::MAX {
                    format!("must be at least {}, got {n}", range.start())
                } else {
                    format!(
                        "must be between {} and {}, got {n}",
                        range.start(),
                        range.end()
                    )
                };
                cx.error_with(&self.path, message, &example);
                None
            }
            _ => {
                let message = format!("expected an integer, got {}", type_name(&self.value));
                cx.error_with(&self.path, message, &example);
                None
            }
        }
    }
}

/// A walker over one table (a section). Every key a parser looks up becomes known; whatever is
/// left at [`Reader::finish`] is an unknown key.
pub(crate) struct Reader<'t> {
    path: String,
    table: &'t Table,
    /// Warren's own keys, listed in "unknown key" hints.
    known: Vec<&'static str>,
    /// Burrow keys that are accepted but not advertised.
    hidden: Vec<&'static str>,
}

impl<'t> Reader<'t> {
    pub(crate) fn new(path: String, table: &'t Table) -> Self {
        Self {
            path,
            table,
            known: Vec::new(),
            hidden: Vec::new(),
        }
    }

    pub(crate) fn key_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Whether the key is written at all, even if its value is bad.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    /// Reads a Warren key. `None` when absent or when substitution failed (already reported).
    pub(crate) fn field(&mut self, cx: &mut Ctx<'_>, key: &'static str) -> Option<Field> {
        self.known.push(key);
        self.lookup(cx, key)
    }

    /// Reads a Burrow key that Warren accepts without advertising it (legacy spellings).
    pub(crate) fn hidden_field(&mut self, cx: &mut Ctx<'_>, key: &'static str) -> Option<Field> {
        self.hidden.push(key);
        self.lookup(cx, key)
    }

    fn lookup(&self, cx: &mut Ctx<'_>, key: &'static str) -> Option<Field> {
        let path = self.key_path(key);
        let value = cx.substitute(&path, self.table.get(key)?)?;
        Some(Field { key, path, value })
    }

    /// The value as written, before `${VAR}` substitution and with the environment's overrides
    /// as `${VARIABLE}`: what to print back to the operator, since a substituted or overridden
    /// value may be a secret kept out of the file.
    pub(crate) fn written(&self, cx: &Ctx<'_>, key: &str) -> Option<Value> {
        Some(cx.as_written(&self.key_path(key), self.table.get(key)?))
    }

    /// Like [`Reader::field`], but a missing key is an error with `example`.
    pub(crate) fn required(
        &mut self,
        cx: &mut Ctx<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Field> {
        if !self.has(key) {
            cx.error_with(&self.key_path(key), "missing required key", example);
        }
        self.field(cx, key)
    }

    /// A Burrow key Warren has no use for: accepted, with the warning "ignored: `reason`".
    pub(crate) fn ignore(&mut self, cx: &mut Ctx<'_>, key: &'static str, reason: &str) {
        self.hidden.push(key);
        if self.has(key) {
            cx.warn(&self.key_path(key), format!("ignored: {reason}"));
        }
    }

    /// A key Warren understands but cannot honour yet: present means error.
    pub(crate) fn reject(&mut self, cx: &mut Ctx<'_>, key: &'static str, message: &str) {
        self.hidden.push(key);
        if self.has(key) {
            cx.error(&self.key_path(key), message);
        }
    }

    pub(crate) fn string(&mut self, cx: &mut Ctx<'_>, key: &'static str) -> Option<String> {
        self.field(cx, key)?.string(cx)
    }

    /// A string where `""` means "not set", as in Burrow's sample configs.
    pub(crate) fn optional_string(
        &mut self,
        cx: &mut Ctx<'_>,
        key: &'static str,
    ) -> Option<String> {
        self.string(cx, key).filter(|s| !s.is_empty())
    }

    pub(crate) fn boolean(&mut self, cx: &mut Ctx<'_>, key: &'static str, default: bool) -> bool {
        self.field(cx, key)
            .and_then(|f| f.boolean(cx))
            .unwrap_or(default)
    }

    /// Checks the optional `class-name` against the only class Warren implements here.
    pub(crate) fn class_name(&mut self, cx: &mut Ctx<'_>, only: &str) {
        let Some(field) = self.field(cx, "class-name") else {
            return;
        };
        let path = field.path.clone();
        if let Some(class) = field.string(cx)
            && class != only
        {
            let message = format!("unknown class-name {class:?}; the only class is {only:?}");
            cx.error_with(&path, message, &format!("class-name = {only:?}"));
        }
    }

    /// Reports every key no parser asked for: an error naming the valid keys.
    pub(crate) fn finish(self, cx: &mut Ctx<'_>) {
        for key in self.table.keys() {
            if self.known.contains(&key.as_str()) || self.hidden.contains(&key.as_str()) {
                continue;
            }
            let message = match suggest(key, &self.known) {
                Some(near) => format!("unknown key; did you mean {near:?}?"),
                None => "unknown key".to_owned(),
            };
            let path = self.key_path(key);
            if self.known.is_empty() {
                cx.error(&path, message);
            } else {
                cx.error_with(
                    &path,
                    message,
                    &format!("valid keys: {}", self.known.join(", ")),
                );
            }
        }
    }
}
