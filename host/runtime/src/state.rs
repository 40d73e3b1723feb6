//! Per-store state of a plugin instance: its name, its configuration, the memory cap, and a
//! WASI context that grants nothing (no files, sockets, environment or arguments; stderr is
//! captured so a guest panic message can be reported with the trap).

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::bindings::{Host, LogLevel};

/// Longest log line a plugin may write.
const MAX_LOG_LINE: usize = 4096;

/// State of one store.
pub struct PluginState {
    pub(crate) name: Arc<str>,
    pub(crate) config_json: Arc<str>,
    pub(crate) limits: StoreLimits,
    wasi: WasiCtx,
    table: ResourceTable,
    stderr: MemoryOutputPipe,
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
        }
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
        if message.len() > MAX_LOG_LINE {
            let mut cut = MAX_LOG_LINE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
        }
        let plugin = &*self.name;
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
