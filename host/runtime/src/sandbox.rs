//! The call discipline every sync plugin (filter, evaluator) goes through: one warm instance
//! per plugin, reused while it behaves and thrown away after any trap; a fresh epoch deadline
//! and the memory cap on every call; the circuit breaker consulted before calling.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Engine, Store, Trap};

use crate::bindings::types::PluginMetadata;
use crate::engine::TICK;
use crate::error::PluginError;
use crate::health::PluginHealth;
use crate::state::PluginState;

/// Hard limits of one plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory the guest may grow to.
    pub memory_bytes: usize,
    /// Wall-clock budget of one call (rounded up to the 10 ms tick).
    pub timeout: Duration,
}

impl Default for Limits {
    /// 32 MiB and 100 ms: generous for a filter or an evaluation of one group.
    fn default() -> Self {
        Limits {
            memory_bytes: 32 << 20,
            timeout: Duration::from_millis(100),
        }
    }
}

type Instantiate<I> = Box<dyn Fn(&mut Store<PluginState>) -> wasmtime::Result<I> + Send + Sync>;

pub(crate) struct Sandbox<I> {
    pub(crate) name: Arc<str>,
    config: Arc<str>,
    engine: Engine,
    pub(crate) limits: Limits,
    instantiate: Instantiate<I>,
    warm: Mutex<Option<(Store<PluginState>, I)>>,
    pub(crate) health: PluginHealth,
}

impl<I> Sandbox<I> {
    pub(crate) fn new(
        name: &str,
        config_json: &str,
        engine: &Engine,
        limits: Limits,
        instantiate: Instantiate<I>,
    ) -> Self {
        Sandbox {
            name: name.into(),
            config: config_json.into(),
            engine: engine.clone(),
            limits,
            instantiate,
            warm: Mutex::new(None),
            health: PluginHealth::default(),
        }
    }

    /// Calls into the warm instance (creating it if needed). A trap or timeout discards it.
    pub(crate) fn call<T>(
        &self,
        now: Instant,
        f: impl FnOnce(&I, &mut Store<PluginState>) -> wasmtime::Result<T>,
    ) -> Result<T, PluginError> {
        if let Some(left) = self.health.open_for(now) {
            self.health.skipped();
            return Err(PluginError::Disabled {
                plugin: self.name.to_string(),
                retry_in_ms: left.as_millis() as u64,
            });
        }
        let mut warm = self.warm.lock().unwrap_or_else(|e| e.into_inner());
        if warm.is_none() {
            let mut store = self.new_store();
            match (self.instantiate)(&mut store) {
                Ok(instance) => *warm = Some((store, instance)),
                Err(e) => return Err(self.classify(e, &store)),
            }
        }
        let Some((store, instance)) = warm.as_mut() else {
            return Err(PluginError::Load {
                plugin: self.name.to_string(),
                reason: "no instance".into(),
            });
        };
        store.set_epoch_deadline(self.ticks());
        match f(instance, store) {
            Ok(v) => Ok(v),
            Err(e) => {
                let error = self.classify(e, store);
                // A trapped instance cannot be entered again; the next call gets a fresh one.
                *warm = None;
                Err(error)
            }
        }
    }

    /// Reads the plugin's metadata and has it check its configuration: what every plugin kind
    /// does once when loaded.
    pub(crate) fn introduce(
        &self,
        config_json: &str,
        metadata: impl FnOnce(&I, &mut Store<PluginState>) -> wasmtime::Result<PluginMetadata>,
        validate: impl FnOnce(
            &I,
            &mut Store<PluginState>,
            &str,
        ) -> wasmtime::Result<Result<(), Vec<String>>>,
    ) -> Result<PluginMetadata, PluginError> {
        let now = Instant::now();
        let meta = self.call(now, metadata)?;
        if let Err(problems) = self.call(now, |i, s| validate(i, s, config_json))? {
            return Err(PluginError::InvalidConfig {
                plugin: self.name.to_string(),
                problems,
            });
        }
        Ok(meta)
    }

    /// Counts a call's outcome; a failure is logged with what the caller does instead.
    pub(crate) fn record<T>(&self, result: &Result<T, PluginError>, now: Instant, instead: &str) {
        match result {
            Ok(_) => self.health.success(),
            Err(PluginError::Disabled { .. }) => {}
            Err(e) => {
                tracing::warn!(plugin = %self.name, error = %e, "plugin failed; {instead}");
                self.health.failure(e.kind(), e.to_string(), now);
            }
        }
    }

    fn ticks(&self) -> u64 {
        (self.limits.timeout.as_millis() as u64)
            .div_ceil(TICK.as_millis() as u64)
            .max(1)
    }

    fn new_store(&self) -> Store<PluginState> {
        let state = PluginState::new(
            self.name.clone(),
            self.config.clone(),
            self.limits.memory_bytes,
        );
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(self.ticks());
        store
    }

    fn classify(&self, e: wasmtime::Error, store: &Store<PluginState>) -> PluginError {
        let plugin = self.name.to_string();
        if e.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
            return PluginError::Timeout {
                plugin,
                millis: self.limits.timeout.as_millis() as u64,
            };
        }
        let stderr = store.data().stderr_text();
        let mut message = format!("{e:?}");
        if !stderr.is_empty() {
            message.push_str("\nguest stderr: ");
            message.push_str(&stderr);
        }
        PluginError::Trap { plugin, message }
    }
}

/// A linker with the host interface and a WASI that grants nothing.
pub(crate) fn linker(
    engine: &Engine,
    add_world: impl FnOnce(&mut Linker<PluginState>) -> wasmtime::Result<()>,
) -> wasmtime::Result<Linker<PluginState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    add_world(&mut linker)?;
    Ok(linker)
}

/// The `HasSelf` marker the generated `add_to_linker` functions take.
pub(crate) type Me = HasSelf<PluginState>;
