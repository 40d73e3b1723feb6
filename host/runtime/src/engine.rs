//! One wasmtime engine for the process: component model on, epoch interruption driven by a
//! 10 ms ticker thread (every call gets a deadline in ticks), a bounded guest stack, and
//! compilation that goes through an on-disk cache of compiled artifacts keyed by the
//! component's SHA-256 and the engine's compatibility hash.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

use crate::error::PluginError;

/// Length of one epoch tick; deadlines are whole ticks.
pub const TICK: Duration = Duration::from_millis(10);

struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The process's plugin engine; cheap to clone.
#[derive(Clone)]
pub struct PluginEngine {
    engine: Engine,
    cache_dir: Option<PathBuf>,
    _ticker: Arc<Ticker>,
}

impl PluginEngine {
    /// Creates the engine and starts its ticker. `cache_dir` holds compiled artifacts (created
    /// if missing); `None` compiles every time.
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Self, PluginError> {
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            .max_wasm_stack(512 * 1024);
        let engine = Engine::new(&config).map_err(|e| load_error("<engine>", e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (ticking, flag) = (engine.clone(), stop.clone());
        std::thread::Builder::new()
            .name("warren-plugin-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    ticking.increment_epoch();
                }
            })
            .map_err(|e| load_error("<engine>", e))?;
        Ok(PluginEngine {
            engine,
            cache_dir,
            _ticker: Arc::new(Ticker { stop }),
        })
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Compiles a component, checking `sha256` (hex) when given; reuses the cached artifact.
    pub fn compile(
        &self,
        plugin: &str,
        wasm: &[u8],
        sha256: Option<&str>,
    ) -> Result<Component, PluginError> {
        let digest = hex(&Sha256::digest(wasm));
        if let Some(expected) = sha256
            && !expected.eq_ignore_ascii_case(&digest)
        {
            return Err(PluginError::Load {
                plugin: plugin.into(),
                reason: format!("sha256 is {digest}, the configuration expects {expected}"),
            });
        }
        let Some(dir) = &self.cache_dir else {
            return Component::new(&self.engine, wasm).map_err(|e| load_error(plugin, e));
        };
        let path = dir.join(format!("{digest}-{:016x}.cwasm", self.compat_hash()));
        if path.exists() {
            // SAFETY: the cache directory belongs to the daemon and only ever holds artifacts this
            // engine configuration produced (the name carries its compatibility hash); wasmtime
            // still checks the header and version before using one.
            match unsafe { Component::deserialize_file(&self.engine, &path) } {
                Ok(c) => return Ok(c),
                Err(e) => {
                    tracing::warn!(plugin, error = %e, "compiled-plugin cache entry unusable; recompiling")
                }
            }
        }
        let bytes = self
            .engine
            .precompile_component(wasm)
            .map_err(|e| load_error(plugin, e))?;
        if let Err(e) = write_atomically(dir, &path, &bytes) {
            tracing::warn!(plugin, error = %e, "cannot write the compiled-plugin cache");
        }
        // SAFETY: the bytes were produced by this engine a moment ago.
        unsafe { Component::deserialize(&self.engine, &bytes) }.map_err(|e| load_error(plugin, e))
    }

    fn compat_hash(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.engine.precompile_compatibility_hash().hash(&mut h);
        h.finish()
    }
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, path)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn load_error(plugin: &str, e: impl std::fmt::Display) -> PluginError {
    PluginError::Load {
        plugin: plugin.into(),
        reason: format!("{e:#}"),
    }
}
