//! [`Key`]: one config key as a plugin declares it: its name, whether it is required (and then
//! the example the "required" problem shows), its description, examples and default, and an
//! optional check on its text. A getter of [`Declare`](super::Declare) turns it into JSON
//! Schema and reads it, so both come from this one value.

use serde_json::{Map, Value};

/// A check on one string value: why it is wrong, as the end of `key: ...`.
pub type Check = fn(&str) -> Option<String>;

/// One key of a plugin's config; see the [module docs](super) for an example.
#[derive(Debug, Clone)]
pub struct Key {
    pub(super) name: &'static str,
    pub(super) required: Option<Value>,
    pub(super) schema: Map<String, Value>,
    pub(super) default: Option<Value>,
    pub(super) non_empty: bool,
    pub(super) check: Option<Check>,
}

impl Key {
    /// A key the config must have; `example` is the first of the schema's `examples` and what
    /// the problem for a missing key shows (`url: required (example: url = "https://…")`).
    pub fn required(name: &'static str, example: impl Into<Value>) -> Self {
        let example = example.into();
        let key = Self::optional(name).example(example.clone());
        Self {
            required: Some(example),
            ..key
        }
    }

    /// A key the config may leave out.
    pub fn optional(name: &'static str) -> Self {
        Self {
            name,
            required: None,
            schema: Map::new(),
            default: None,
            non_empty: false,
            check: None,
        }
    }

    /// The schema's `description`: one line for the operator.
    pub fn describe(self, description: &str) -> Self {
        self.schema_field("description", description)
    }

    /// Adds one of the schema's `examples`.
    pub fn example(mut self, example: impl Into<Value>) -> Self {
        let examples = self
            .schema
            .entry("examples")
            .or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(list) = examples {
            list.push(example.into());
        }
        self
    }

    /// The value when the key is left out, also the schema's `default`.
    pub fn default(mut self, default: impl Into<Value>) -> Self {
        let default = default.into();
        self.default = Some(default.clone());
        self.schema_field("default", default)
    }

    /// A string that must not be blank when given (`minLength: 1`): leaving the key out is how
    /// to get its default.
    pub fn non_empty(mut self) -> Self {
        self.non_empty = true;
        self.schema_field("minLength", 1)
    }

    /// A check on the value (each item, for a list of strings), run after the type check.
    pub fn check(mut self, check: Check) -> Self {
        self.check = Some(check);
        self
    }

    /// Any other JSON Schema keyword (`pattern`, `items`, ...); it overrides what the getter
    /// would write for the same keyword.
    pub fn schema_field(mut self, keyword: &str, value: impl Into<Value>) -> Self {
        self.schema.insert(keyword.into(), value.into());
        self
    }

    /// The example for the "required" problem: a string as Rust quotes it, anything else as
    /// JSON.
    pub(super) fn required_example(&self) -> Option<String> {
        self.required.as_ref().map(|example| match example {
            Value::String(s) => format!("{s:?}"),
            other => other.to_string(),
        })
    }
}
