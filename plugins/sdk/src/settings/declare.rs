//! [`Declare`]: what a [`Settings::declare`](super::Settings::declare) calls for each key.
//! The same code runs twice: once describing (every getter records its key and schema and
//! returns `None`), which gives the schema and the list of known keys, and once reading a
//! config (every getter records its key again and reads it), so the keys a plugin documents
//! and the keys it reads cannot differ; if the two runs name different keys (a getter behind
//! an `if`), reading reports it as a plugin bug.

use std::cell::RefCell;
use std::fmt::Display;

use serde_json::{Map, Value, json};

use super::key::Key;
use crate::config::Object;
use crate::notifier::{secret_names, url_problem};

/// One declared key: its name, whether it is required, and its JSON Schema.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Declared {
    pub(super) name: &'static str,
    pub(super) required: bool,
    pub(super) schema: Map<String, Value>,
}

/// The getters a [`Settings`](super::Settings) declares its keys with. Each returns `None`
/// while describing, and when reading: `Some` value (the [default](Key::default) when the key
/// is left out), or `None` after recording the problem (a missing required key, a wrong
/// type). Problems about a value's content are recorded too, but the value is still returned.
#[derive(Debug)]
pub struct Declare<'c> {
    reading: Option<Object<'c>>,
    keys: RefCell<Vec<Declared>>,
}

impl<'c> Declare<'c> {
    pub(super) fn describing() -> Self {
        Self {
            reading: None,
            keys: RefCell::default(),
        }
    }

    pub(super) fn reading(root: Object<'c>) -> Self {
        Self {
            reading: Some(root),
            keys: RefCell::default(),
        }
    }

    pub(super) fn into_keys(self) -> Vec<Declared> {
        self.keys.into_inner()
    }

    /// A string.
    pub fn text(&self, key: Key) -> Option<String> {
        self.string(key, json!({"type": "string"}), |_| None)
    }

    /// An absolute `http://` or `https://` URL, or one that starts with a `${secret:NAME}`
    /// placeholder (see [`url_problem`]).
    pub fn url(&self, key: Key) -> Option<String> {
        self.string(key, json!({"type": "string"}), url_problem)
    }

    /// A credential, which must be a `${secret:NAME}` placeholder rather than written into a
    /// config file that many read and some log; `what` names it in the problem ("the
    /// integration key"). The placeholder the problem suggests is the key's first example.
    pub fn secret(&self, key: Key, what: &str) -> Option<String> {
        let example = first_example(&key);
        let name = secret_names(&example)
            .first()
            .map_or("NAME", |n| n)
            .to_string();
        let schema = json!({"type": "string", "pattern": "\\$\\{secret:[^}]+\\}"});
        self.string(key, schema, |value| {
            (!value.contains("${secret:")).then(|| {
                format!(
                    "keep {what} out of the config: use a placeholder such as {example:?} \
                     and add secrets = {{ {name} = \"env:...\" }}"
                )
            })
        })
    }

    /// One of `choices` (the schema's `enum`), as written: matching it (case, aliases) and
    /// saying what is wrong is the plugin's, which knows what its values mean.
    pub fn choice(&self, key: Key, choices: &[&str]) -> Option<String> {
        self.string(key, json!({"enum": choices}), |_| None)
    }

    /// A list of strings; the key's [check](Key::check) runs on each, and its problems name
    /// the item as the config holds it (`to[2]: ...`).
    pub fn strings(&self, key: Key) -> Option<Vec<String>> {
        let object = self.declare(&key, json!({"type": "array", "items": {"type": "string"}}))?;
        if object.get(key.name).is_none() {
            return self.absent(object, &key, |d| {
                d.as_array()?
                    .iter()
                    .map(|s| s.as_str().map(str::to_string))
                    .collect()
            });
        }
        let strings = object.optional_strings(key.name)?;
        // Indices from the raw list, so they match the config even around a non-string entry.
        let raw = object.get(key.name).and_then(Value::as_array);
        for (i, item) in raw.into_iter().flatten().enumerate() {
            if let Some(why) = item.as_str().and_then(|s| key.check.and_then(|c| c(s))) {
                object.problem(&format!("{}[{i}]", key.name), why);
            }
        }
        Some(strings)
    }

    /// A table of strings (HTTP headers, say), in key order.
    pub fn string_map(&self, key: Key) -> Option<Vec<(String, String)>> {
        let schema = json!({"type": "object", "additionalProperties": {"type": "string"}});
        let object = self.declare(&key, schema)?;
        if object.get(key.name).is_none() {
            return self.absent(object, &key, |d| {
                d.as_object()?
                    .iter()
                    .map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            });
        }
        object.optional_string_map(key.name)
    }

    /// Records a problem with `key` that the getters cannot see (a value's meaning, or how two
    /// keys go together); nothing while describing.
    pub fn problem(&self, key: &str, message: impl Display) {
        if let Some(object) = &self.reading {
            object.problem(key, message);
        }
    }

    /// A string key: the type check, then `non_empty`, `content` and the key's own check,
    /// each independently, all on the same value.
    fn string(
        &self,
        key: Key,
        schema: Value,
        content: impl Fn(&str) -> Option<String>,
    ) -> Option<String> {
        let object = self.declare(&key, schema)?;
        if object.get(key.name).is_none() {
            return self.absent(object, &key, |d| d.as_str().map(str::to_string));
        }
        let value = object.optional_str(key.name)?;
        if key.non_empty && value.trim().is_empty() {
            object.problem(key.name, "must not be empty (leave it out for the default)");
        }
        for why in [content(&value), key.check.and_then(|c| c(&value))]
            .into_iter()
            .flatten()
        {
            object.problem(key.name, why);
        }
        Some(value)
    }

    /// Records `key` with its schema (the getter's, then the key's own keywords over it);
    /// the object to read it from, when reading.
    fn declare(&self, key: &Key, schema: Value) -> Option<&Object<'c>> {
        let Value::Object(mut schema) = schema else {
            unreachable!("getters pass an object schema")
        };
        schema.extend(key.schema.clone());
        self.keys.borrow_mut().push(Declared {
            name: key.name,
            required: key.required.is_some(),
            schema,
        });
        self.reading.as_ref()
    }

    /// A key left out: the problem if it is required, else its default (a plugin bug, said as
    /// one, if the default does not have the getter's type), else `None`.
    fn absent<T>(
        &self,
        object: &Object<'c>,
        key: &Key,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Option<T> {
        if let Some(example) = key.required_example() {
            object.require(key.name, example);
            return None;
        }
        let default = key.default.as_ref()?;
        let value = convert(default);
        if value.is_none() {
            object.problem(
                key.name,
                format_args!("the plugin's default {default} has the wrong type (a plugin bug)"),
            );
        }
        value
    }
}

/// The key's first example as text (`""` when it has none).
fn first_example(key: &Key) -> String {
    let first = key
        .schema
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|e| e.first());
    match first {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}
