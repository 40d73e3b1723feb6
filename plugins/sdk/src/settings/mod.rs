//! A plugin's config declared once, as typed Rust: [`Settings::declare`] names each key with a
//! [`Key`] (required or not, description, examples, default, a check) and reads it with a
//! typed getter of [`Declare`]. From that one function come the config's JSON Schema
//! ([`schema`]), the known keys that unknown ones are reported against ([`keys`]), and the
//! parsed value ([`parse`]) with every problem named by its key, as [`config`](crate::config)
//! reports them. Problems come key by key in declaration order (a key's type problem, then
//! its content problems), then whatever the plugin records about keys together.
//!
//! ```
//! use warren_plugin_sdk::settings::{self, Declare, Key, Settings};
//!
//! struct Hook {
//!     url: String,
//!     channel: String,
//! }
//!
//! impl Settings for Hook {
//!     fn declare(d: &Declare<'_>) -> Option<Self> {
//!         let url = d.url(Key::required("url", "https://hooks.example.com/${secret:hook}")
//!             .describe("Where events go"));
//!         let channel = d.text(Key::optional("channel").default("#ops").non_empty());
//!         Some(Self { url: url?, channel: channel? })
//!     }
//! }
//!
//! assert_eq!(settings::keys::<Hook>(), ["url", "channel"]);
//! assert_eq!(settings::schema::<Hook>()["required"], serde_json::json!(["url"]));
//! let hook = settings::parse::<Hook>(r#"{"url": "https://h/x"}"#).unwrap();
//! assert_eq!((hook.url.as_str(), hook.channel.as_str()), ("https://h/x", "#ops"));
//! assert_eq!(
//!     settings::parse::<Hook>(r#"{"url": "h", "channel": " ", "x": 1}"#).err().unwrap(),
//!     [
//!         "x: unknown key (known: url, channel)",
//!         "url: expected an http:// or https:// URL, got \"h\"",
//!         "channel: must not be empty (leave it out for the default)",
//!     ]
//! );
//! ```

mod declare;
mod key;

pub use declare::Declare;
pub use key::{Check, Key};

use serde_json::{Map, Value, json};

use crate::config::Config;
use declare::Declared;

/// A plugin's typed config, declared key by key.
pub trait Settings: Sized {
    /// Declares and reads every key, in the order the schema lists and problems report them,
    /// and builds the value: `Some` once every getter gave one (with `?` on each required
    /// one). Write it without early returns before the last getter: a key read only on some
    /// paths would be missing from the schema; [`parse`] reports that as a plugin bug.
    fn declare(d: &Declare<'_>) -> Option<Self>;
}

/// The known keys, in declaration order.
pub fn keys<S: Settings>() -> Vec<&'static str> {
    describe::<S>().iter().map(|k| k.name).collect()
}

/// The config's JSON Schema: an object of exactly the declared keys.
pub fn schema<S: Settings>() -> Value {
    let keys = describe::<S>();
    let required: Vec<&str> = keys.iter().filter(|k| k.required).map(|k| k.name).collect();
    let properties: Map<String, Value> = keys
        .into_iter()
        .map(|k| (k.name.to_string(), Value::Object(k.schema)))
        .collect();
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

/// Parses `json` into `S`, or every problem in it.
pub fn parse<S: Settings>(json: &str) -> Result<S, Vec<String>> {
    read(json, |_| {})
}

/// Like [`parse`], then `more` may record problems that concern the config as a whole (a
/// notifier's check of its `${secret:NAME}` placeholders) before the result is decided.
pub fn read<S: Settings>(json: &str, more: impl FnOnce(&Config)) -> Result<S, Vec<String>> {
    let declared = describe::<S>();
    let names: Vec<&str> = declared.iter().map(|k| k.name).collect();
    let config = Config::parse(json)?;
    let settings = {
        let root = config.root();
        root.deny_unknown(&names);
        let d = Declare::reading(root);
        let settings = S::declare(&d);
        let read: Vec<&str> = d.into_keys().iter().map(|k| k.name).collect();
        if read != names {
            config.problem(format!(
                "the plugin declares the keys {names:?} but read {read:?} (a plugin bug)"
            ));
        }
        settings
    };
    more(&config);
    config.finish(|| settings)
}

/// The declared keys, from a run of [`Settings::declare`] that reads nothing.
fn describe<S: Settings>() -> Vec<Declared> {
    let d = Declare::describing();
    let _ = S::declare(&d);
    let keys = d.into_keys();
    for (i, key) in keys.iter().enumerate() {
        assert!(
            !keys[..i].iter().any(|k| k.name == key.name),
            "the key {:?} is declared twice (a plugin bug)",
            key.name
        );
    }
    keys
}

#[cfg(test)]
mod tests;
