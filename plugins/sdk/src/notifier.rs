//! Notifiers (`notifier` world): deliver incident events through the host's [`http`] or
//! [`mail`] capability. The host decides when to notify; a notifier only shapes and sends the
//! message, and every call gets a fresh instance.
//!
//! Return [`NotifyError::Transient`] for anything worth retrying (5xx, 429, timeouts) and
//! [`NotifyError::Permanent`] for the rest; [`transient`] and [`permanent`] build them, and
//! [`classify_response`] / [`classify_mail`] map the host's answers the same way for every
//! notifier. [`missing_secrets`] and [`url_problem`] are the `validate-config` checks every
//! notifier needs; [`render`] has the pieces of a message (times, lags, links); an HTTP
//! notifier renders an [`inert_event`] and sends [`json_body`] bytes, so names in the event
//! cannot smuggle `${secret:NAME}` placeholders into the request; [`fixture`] has sample
//! events for unit tests.
//!
//! Most notifiers are [`Notify`]: a name, typed [`Settings`](crate::settings::Settings) and the
//! code that sends one event; the metadata, `validate-config` and `notify` come with it.

mod checks;
pub mod fixture;
mod inert;
mod outcome;
pub mod render;
mod skeleton;

pub use checks::{missing_secrets, secret_names, url_problem};
pub use inert::{defuse, inert_event, json_body};
pub use outcome::{classify_mail, classify_response, retry_after_ms};
pub use skeleton::{Notify, validate};

use crate::Plugin;
use crate::types::{IncidentEvent, NotifyError, TransientError};

/// Outbound HTTP performed by the host (`warren:plugin/http`); URLs, headers and bodies may
/// carry `${secret:NAME}` placeholders.
pub use warren_plugin_sdk_notifier::bindings::warren::plugin::http;

/// Mail sent by the host over SMTP (`warren:plugin/mail`).
pub use warren_plugin_sdk_notifier::bindings::warren::plugin::mail;

/// The names of the secrets configured for this plugin (`warren:plugin/secrets`).
pub use warren_plugin_sdk_notifier::bindings::warren::plugin::secrets;

/// The notifier's export, `notify`.
pub trait Notifier: Plugin {
    /// Delivers one event; `Ok` once the receiver accepted it.
    fn notify(event: IncidentEvent) -> Result<(), NotifyError>;
}

/// A failure worth retrying, no sooner than `retry_after_ms` when the receiver asked for a
/// pause.
pub fn transient(message: impl Into<String>, retry_after_ms: Option<u64>) -> NotifyError {
    NotifyError::Transient(TransientError {
        message: message.into(),
        retry_after_ms,
    })
}

/// A failure retrying cannot fix; the host logs it and drops the event.
pub fn permanent(message: impl Into<String>) -> NotifyError {
    NotifyError::Permanent(message.into())
}
