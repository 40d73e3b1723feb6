//! A notifier's dry run (`warren plugin test NOTIFIER.wasm`): the plugin runs as it would in
//! the daemon, but each HTTP request or mail it asks the host for is recorded instead of
//! sent, with whether the grants would let it through, and answered as accepted (HTTP 200 with
//! an empty body) or with the refusal a real send would get, so the plugin reports what it
//! would in the daemon. Secrets appear as the plugin wrote their
//! placeholders unless `reveal` is set; the allow-list is checked on the URL with its secrets
//! filled in, as a real send would be.

use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::bindings::notifier::warren::plugin::http::Request;
use crate::bindings::notifier::warren::plugin::mail::Message as MailMessage;

/// Where a dry run's intercepted messages go; clones share the record.
#[derive(Debug, Clone, Default)]
pub struct DryRun {
    /// Show secret values instead of their `${secret:NAME}` placeholders.
    pub reveal: bool,
    sent: Arc<Mutex<Vec<Intercepted>>>,
}

/// One message the plugin asked the host to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Intercepted {
    /// An `http.send`.
    Http {
        /// `GET`, `POST`, ...
        method: String,
        /// As sent (placeholders unless revealed).
        url: String,
        /// In the plugin's order.
        headers: Vec<(String, String)>,
        /// The body, as text (binary bodies are shown lossily).
        body: String,
        /// `None` when the grants let it through, else why not.
        refused: Option<String>,
    },
    /// A `mail.send`.
    Mail {
        /// Recipients; empty means the configured `to`.
        to: Vec<String>,
        /// Subject line.
        subject: String,
        /// Plain-text body.
        text: String,
        /// HTML alternative.
        html: Option<String>,
        /// `None` when the grants let it through, else why not.
        refused: Option<String>,
    },
}

impl DryRun {
    /// What was intercepted so far, in order.
    pub fn intercepted(&self) -> Vec<Intercepted> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn push(&self, message: Intercepted) {
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(message);
    }

    /// Records a request; `shown` fills placeholders for display when revealing.
    pub(crate) fn http(
        &self,
        method: &str,
        req: &Request,
        shown: impl Fn(&str) -> String,
        refused: Option<String>,
    ) {
        let body = String::from_utf8_lossy(&req.body);
        self.push(Intercepted::Http {
            method: method.into(),
            url: shown(&req.url),
            headers: req
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), shown(v)))
                .collect(),
            body: shown(&body),
            refused,
        });
    }

    /// Records a mail.
    pub(crate) fn mail(
        &self,
        msg: &MailMessage,
        shown: impl Fn(&str) -> String,
        refused: Option<String>,
    ) {
        self.push(Intercepted::Mail {
            to: msg.to.clone(),
            subject: shown(&msg.subject),
            text: shown(&msg.text),
            html: msg.html.as_deref().map(&shown),
            refused,
        });
    }
}
