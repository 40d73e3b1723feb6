//! [`Notify`]: a notifier as its name, its [`Settings`] and the code that sends one event. The
//! rest every notifier would write the same way is here: the metadata with the schema derived
//! from the settings, `validate-config` (the settings' problems, then every `${secret:NAME}`
//! placeholder that names a secret the operator did not configure), and `notify` (read the
//! settings, then send; a config that no longer reads is a permanent failure).
//!
//! ```
//! use warren_plugin_sdk::notifier::{Notify, classify_response, http};
//! use warren_plugin_sdk::settings::{Declare, Key, Settings};
//! use warren_plugin_sdk::types::{IncidentEvent, NotifyError};
//!
//! struct Hook;
//!
//! struct HookSettings {
//!     url: String,
//! }
//!
//! impl Settings for HookSettings {
//!     fn declare(d: &Declare<'_>) -> Option<Self> {
//!         let url = d.url(Key::required("url", "https://hooks.example.com/${secret:hook}"));
//!         Some(Self { url: url? })
//!     }
//! }
//!
//! impl Notify for Hook {
//!     const NAME: &'static str = "hook";
//!     const VERSION: &'static str = env!("CARGO_PKG_VERSION");
//!     const DESCRIPTION: &'static str = "posts the event's id";
//!     type Settings = HookSettings;
//!
//!     fn send(event: &IncidentEvent, settings: &HookSettings) -> Result<(), NotifyError> {
//!         let request = http::Request {
//!             method: http::Method::Post,
//!             url: settings.url.clone(),
//!             headers: vec![],
//!             body: event.id.clone().into_bytes(),
//!             timeout_ms: None,
//!         };
//!         classify_response(http::send(&request))
//!     }
//! }
//!
//! warren_plugin_sdk::export_notifier!(Hook);
//! ```

use super::{Notifier, missing_secrets, permanent, secrets};
use crate::settings::{self, Settings};
use crate::types::{IncidentEvent, NotifyError, PluginMetadata};
use crate::{Plugin, host, metadata};

/// A notifier written as its settings and its sending code; [`Plugin`] and [`Notifier`] come
/// with it, so export it with [`export_notifier!`](crate::export_notifier).
pub trait Notify {
    /// The plugin's name (`slack`).
    const NAME: &'static str;
    /// Its version: `env!("CARGO_PKG_VERSION")`.
    const VERSION: &'static str;
    /// One line on what it does.
    const DESCRIPTION: &'static str;
    /// Its config.
    type Settings: Settings;

    /// Delivers one event; `Ok` once the receiver accepted it.
    fn send(event: &IncidentEvent, settings: &Self::Settings) -> Result<(), NotifyError>;
}

impl<T: Notify> Plugin for T {
    fn metadata() -> PluginMetadata {
        metadata::builder(T::NAME, T::VERSION)
            .description(T::DESCRIPTION)
            .config_schema(settings::schema::<T::Settings>())
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        validate::<T::Settings>(config, &secrets::names())
    }
}

impl<T: Notify> Notifier for T {
    fn notify(event: IncidentEvent) -> Result<(), NotifyError> {
        let settings = settings::parse::<T::Settings>(&host::plugin_config())
            .map_err(|problems| permanent(problems.join("; ")))?;
        T::send(&event, &settings)
    }
}

/// `validate-config` for settings `S`: its problems, then one per `${secret:NAME}` placeholder
/// anywhere in the config that names a secret not among `configured`.
pub fn validate<S: Settings>(json: &str, configured: &[String]) -> Result<(), Vec<String>> {
    settings::read::<S>(json, |config| {
        for problem in missing_secrets(&config.strings(), configured) {
            config.problem(problem);
        }
    })
    .map(|_| ())
}
