//! [`PluginMetadata`] without a hand-written JSON Schema string: a builder that takes the
//! schema as a `serde_json::Value` (write it with `serde_json::json!`).
//!
//! ```
//! use warren_plugin_sdk::metadata;
//! let m = metadata::builder("lag-threshold", env!("CARGO_PKG_VERSION"))
//!     .description("WARN/ERR thresholds on a group's maximum current lag")
//!     .config_schema(serde_json::json!({"type": "object", "required": ["warn", "err"]}))
//!     .build();
//! assert_eq!(m.name, "lag-threshold");
//! ```

use crate::types::PluginMetadata;

/// Starts the metadata of plugin `name` at `version` (usually `env!("CARGO_PKG_VERSION")`).
pub fn builder(name: &str, version: &str) -> Builder {
    Builder(PluginMetadata {
        name: name.into(),
        version: version.into(),
        description: String::new(),
        config_schema: "{}".into(),
    })
}

/// Builds a [`PluginMetadata`]; the schema defaults to `{}` (no configuration keys).
#[derive(Debug, Clone)]
pub struct Builder(PluginMetadata);

impl Builder {
    /// One line on what the plugin does.
    pub fn description(mut self, description: &str) -> Self {
        self.0.description = description.into();
        self
    }

    /// The configuration keys, as a JSON Schema document.
    pub fn config_schema(mut self, schema: serde_json::Value) -> Self {
        self.0.config_schema = schema.to_string();
        self
    }

    /// The finished metadata.
    pub fn build(self) -> PluginMetadata {
        self.0
    }
}
