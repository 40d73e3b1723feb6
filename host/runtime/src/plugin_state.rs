//! Per-store state of a plugin instance: its name, its configuration, the memory budget, and a
//! WASI context that grants nothing (no files, sockets, environment or arguments; stderr is
//! captured so a guest panic message can be reported with the trap). A filter's or an
//! evaluator's store has no time and no randomness either: its clocks stand still and its
//! random bytes are a fixed sequence ([`Time::Frozen`]). A notifier's store has the real clocks
//! and holds its outbound grants, which back the `http`, `mail` and `secrets` imports.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{
    Deterministic, HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView,
};

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
    pub(crate) limits: Budget,
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

/// What time and randomness a store's WASI grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Time {
    /// Filters and evaluators: both clocks stand still (the wall clock at the Unix epoch, the
    /// monotonic clock at 0), a sleep or a clock pollable is ready at once (the linker's
    /// monotonic clock, see `sandbox::linker`), and "random" bytes are a fixed sequence. Such a
    /// plugin's answer depends on its input only (the window carries `now`), and no WASI call
    /// it can make waits: the epoch deadline bounds all of its time.
    Frozen,
    /// Notifiers: the host's clocks and randomness; their calls are bounded by an async
    /// timeout instead.
    Real,
}

/// The wall clock of a [`Time::Frozen`] store: always the Unix epoch.
struct EpochWallClock;

impl HostWallClock for EpochWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

/// The monotonic clock of a [`Time::Frozen`] store: always 0.
pub(crate) struct StoppedClock;

impl HostMonotonicClock for StoppedClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// The fixed byte sequence a [`Time::Frozen`] store gets for randomness.
fn fixed_bytes() -> Deterministic {
    Deterministic::new((0u8..=255).collect())
}

impl PluginState {
    pub(crate) fn new(
        name: Arc<str>,
        config_json: Arc<str>,
        memory_bytes: usize,
        time: Time,
    ) -> Self {
        let stderr = MemoryOutputPipe::new(16 * 1024);
        let mut wasi = WasiCtx::builder();
        wasi.stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        if time == Time::Frozen {
            wasi.wall_clock(EpochWallClock)
                .monotonic_clock(StoppedClock)
                .secure_random(fixed_bytes())
                .insecure_random(fixed_bytes())
                .insecure_random_seed(0)
                // A guest may not make the host build more "random" bytes than a page.
                .max_random_size(64 * 1024);
        }
        let wasi = wasi.build();
        PluginState {
            name,
            config_json,
            limits: Budget::new(memory_bytes),
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

/// Most core instances, tables and linear memories one store may create. A Rust component
/// has a handful of each (its module, the canonical-ABI shims), CPython or a JavaScript engine
/// a few more; each memory reserves address space, and without these limits one component
/// could declare thousands.
pub(crate) const MAX_INSTANCES: usize = 32;
/// See [`MAX_INSTANCES`].
pub(crate) const MAX_TABLES: usize = 16;
/// See [`MAX_INSTANCES`].
pub(crate) const MAX_MEMORIES: usize = 8;
/// What the host is charged per table element (a pointer, with room for metadata).
pub(crate) const TABLE_ELEMENT_BYTES: usize = 16;

/// The store's resource limiter: every linear memory and every table of the store draw on one
/// budget of `memory-mib` bytes (a table element counts [`TABLE_ELEMENT_BYTES`]), and the
/// numbers of instances, tables and memories are capped. Growing past the budget traps with a
/// message naming the cap; so does instantiating a component whose initial sizes exceed it.
pub(crate) struct Budget {
    cap: usize,
    used: usize,
    /// What the last approved growth added, given back if the growth then failed.
    last_grant: usize,
}

impl Budget {
    pub(crate) fn new(cap: usize) -> Self {
        Budget {
            cap,
            used: 0,
            last_grant: 0,
        }
    }

    fn grow(&mut self, what: &str, current: usize, desired: usize) -> wasmtime::Result<bool> {
        let extra = desired.saturating_sub(current);
        let total = self.used.saturating_add(extra);
        if total > self.cap {
            wasmtime::bail!(
                "plugin memory cap of {} bytes reached: growing a {what} to {desired} bytes \
                 would bring the plugin's memories and tables to {total} bytes",
                self.cap
            );
        }
        self.used = total;
        self.last_grant = extra;
        Ok(true)
    }

    fn give_back(&mut self) {
        self.used = self.used.saturating_sub(self.last_grant);
        self.last_grant = 0;
    }
}

impl ResourceLimiter for Budget {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grow("memory", current, desired)
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.give_back();
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grow(
            "table",
            current.saturating_mul(TABLE_ELEMENT_BYTES),
            desired.saturating_mul(TABLE_ELEMENT_BYTES),
        )
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.give_back();
        Ok(())
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
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
