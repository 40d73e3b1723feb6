//! Per-store state of a plugin instance: its name, its configuration, the memory cap, and a
//! WASI context that grants nothing (no files, sockets, environment or arguments; stderr is
//! captured so a guest panic message can be reported with the trap). A notifier's store also
//! holds its outbound grants, which back the `http`, `mail` and `secrets` imports.

use std::sync::Arc;
use std::time::Instant;

use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::bindings::notifier::warren::plugin::{http, mail, secrets};
use crate::bindings::{Host, LogLevel};
use crate::outbound::Outbound;

/// Longest log line a plugin may write.
const MAX_LOG_LINE: usize = 4096;

/// Why a request outside `notify` is refused.
const NOT_SENDING: &str = "requests and mail are sent only while notifying, never while the \
                           plugin is described or its config validated";

/// State of one store.
pub struct PluginState {
    pub(crate) name: Arc<str>,
    pub(crate) config_json: Arc<str>,
    pub(crate) limits: StoreLimits,
    wasi: WasiCtx,
    table: ResourceTable,
    stderr: MemoryOutputPipe,
    /// A notifier's grants; `None` for filters and evaluators (which cannot import them).
    outbound: Option<Arc<Outbound>>,
    /// When a notifier's call must be over; its requests end before it.
    deadline: Option<Instant>,
    /// Whether this call may send (only `notify`): describing or validating a plugin, which
    /// `check-config` and a reload do, must never reach a receiver.
    sending: bool,
}

impl PluginState {
    pub(crate) fn new(name: Arc<str>, config_json: Arc<str>, memory_bytes: usize) -> Self {
        let stderr = MemoryOutputPipe::new(16 * 1024);
        let wasi = WasiCtx::builder()
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        PluginState {
            name,
            config_json,
            limits: StoreLimitsBuilder::new()
                .memory_size(memory_bytes)
                .instances(16)
                .trap_on_grow_failure(true)
                .build(),
            wasi,
            table: ResourceTable::new(),
            stderr,
            outbound: None,
            deadline: None,
            sending: false,
        }
    }

    /// The same state with a notifier's grants, for a call that must end by `deadline` and
    /// may send requests and mail when `sending`.
    pub(crate) fn with_outbound(
        mut self,
        outbound: Arc<Outbound>,
        deadline: Instant,
        sending: bool,
    ) -> Self {
        self.outbound = Some(outbound);
        self.deadline = Some(deadline);
        self.sending = sending;
        self
    }

    /// What the guest wrote to stderr (a panic message, typically).
    pub(crate) fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents())
            .trim()
            .to_string()
    }
}

impl WasiView for PluginState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl Host for PluginState {
    fn log(&mut self, level: LogLevel, message: String) {
        let mut message = message;
        // A guest never holds a secret, but a receiver may echo one back to it. Redact before
        // truncating, so no partial value survives the cut.
        if let Some(o) = &self.outbound {
            message = o.redactor.redact(&message);
        }
        if message.len() > MAX_LOG_LINE {
            let mut cut = MAX_LOG_LINE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
        }
        let plugin = &*self.name;
        let Some(dropped) = crate::loglimit::admit(plugin, std::time::Instant::now()) else {
            return;
        };
        if dropped > 0 {
            message = format!("({dropped} log lines dropped by the rate limit) {message}");
        }
        match level {
            LogLevel::Trace => tracing::trace!(plugin, "{message}"),
            LogLevel::Debug => tracing::debug!(plugin, "{message}"),
            LogLevel::Info => tracing::info!(plugin, "{message}"),
            LogLevel::Warn => tracing::warn!(plugin, "{message}"),
            LogLevel::Error => tracing::error!(plugin, "{message}"),
        }
    }

    fn plugin_config(&mut self) -> String {
        self.config_json.to_string()
    }
}

impl crate::bindings::types::Host for PluginState {}

impl http::Host for PluginState {
    async fn send(&mut self, req: http::Request) -> Result<http::Response, http::Error> {
        match &self.outbound {
            Some(o) if self.sending => o.clone().send(req, self.deadline).await,
            Some(o) => {
                o.health.count("denied");
                Err(http::Error::Denied(NOT_SENDING.into()))
            }
            None => Err(http::Error::Denied(
                "this plugin has no outbound capability".into(),
            )),
        }
    }
}

impl mail::Host for PluginState {
    async fn send(&mut self, msg: mail::Message) -> Result<(), mail::Error> {
        match &self.outbound {
            Some(o) if self.sending => o.clone().mail(msg, self.deadline).await,
            Some(o) => {
                o.health.count("denied");
                Err(mail::Error::Denied(NOT_SENDING.into()))
            }
            None => Err(mail::Error::Denied(
                "this plugin has no mail capability".into(),
            )),
        }
    }
}

impl secrets::Host for PluginState {
    fn names(&mut self) -> Vec<String> {
        self.outbound
            .as_ref()
            .map(|o| o.caps.secrets.keys().cloned().collect())
            .unwrap_or_default()
    }
}
