//! The call discipline every sync plugin (filter, evaluator) goes through: one warm instance
//! per plugin, reused while it behaves and thrown away after any trap; a fresh epoch deadline
//! and the memory budget on every call; the circuit breaker consulted before calling. Such a
//! plugin has no time (see [`linker`]), so no WASI call it makes can wait: the epoch deadline
//! bounds the wall-clock time of every call, `metadata` and `validate-config` included.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::{HasData, HasSelf, Linker, Resource};
use wasmtime::{Engine, Store, Trap};
use wasmtime_wasi::clocks::{WasiClocksCtxView, WasiClocksView};
use wasmtime_wasi::p2::DynPollable;
use wasmtime_wasi::p2::bindings::clocks::monotonic_clock;

use crate::bindings::types::PluginMetadata;
use crate::engine::{PluginEngine, TICK};
use crate::error::PluginError;
use crate::health::PluginHealth;
use crate::plugin_state::{PluginState, Time};

/// Hard limits of one plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// What the guest's linear memories and tables may grow to, together (a table element
    /// counts 16 bytes).
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

impl Limits {
    /// 64 MiB and 10 s: a notifier waits on the network (each request within the same 10 s).
    pub fn notifier() -> Self {
        Limits {
            memory_bytes: 64 << 20,
            timeout: Duration::from_secs(10),
        }
    }
}

type Instantiate<I> = Box<dyn Fn(&mut Store<PluginState>) -> wasmtime::Result<I> + Send + Sync>;

pub(crate) struct Sandbox<I> {
    pub(crate) name: Arc<str>,
    config: Arc<str>,
    engine: PluginEngine,
    pub(crate) limits: Limits,
    instantiate: Instantiate<I>,
    warm: Mutex<Option<(Store<PluginState>, I)>>,
    pub(crate) health: PluginHealth,
}

impl<I: Send> Sandbox<I> {
    pub(crate) fn new(
        name: &str,
        config_json: &str,
        engine: &PluginEngine,
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
        f: impl FnOnce(&I, &mut Store<PluginState>) -> wasmtime::Result<T> + Send,
    ) -> Result<T, PluginError>
    where
        T: Send,
    {
        if let Some(left) = self.health.open_for(now) {
            self.health.skipped();
            return Err(PluginError::Disabled {
                plugin: self.name.to_string(),
                retry_in_ms: left.as_millis() as u64,
            });
        }
        // The guest may reach WASI's synchronous host calls (a panic message to stderr).
        off_async_thread(move || {
            let _running = self.engine.running();
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
        })
    }

    /// Reads the plugin's metadata and has it check its configuration: what every plugin kind
    /// does once when loaded.
    pub(crate) fn introduce(
        &self,
        config_json: &str,
        metadata: impl FnOnce(&I, &mut Store<PluginState>) -> wasmtime::Result<PluginMetadata> + Send,
        validate: impl FnOnce(
            &I,
            &mut Store<PluginState>,
            &str,
        ) -> wasmtime::Result<Result<(), Vec<String>>>
        + Send,
    ) -> Result<PluginMetadata, PluginError> {
        let now = Instant::now();
        let meta = self.call(now, metadata)?;
        if let Err(mut problems) = self.call(now, |i, s| validate(i, s, config_json))? {
            // An empty list would read as "invalid, for no reason" (a JS guest throwing an
            // Error instead of an array does this).
            if problems.is_empty() {
                problems.push("rejected without naming a problem".into());
            }
            return Err(PluginError::InvalidConfig {
                plugin: self.name.to_string(),
                problems,
            });
        }
        Ok(meta)
    }

    /// Counts a call's outcome; a failure is logged with what the caller does instead.
    pub(crate) fn record<T>(&self, result: &Result<T, PluginError>, now: Instant, instead: &str) {
        if !matches!(result, Err(PluginError::Disabled { .. })) {
            self.health.time(now.elapsed());
        }
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
        deadline_ticks(self.limits.timeout)
    }

    fn new_store(&self) -> Store<PluginState> {
        sync_store(self.engine.engine(), &self.name, &self.config, self.limits)
    }

    fn classify(&self, e: wasmtime::Error, store: &Store<PluginState>) -> PluginError {
        classify(&self.name, self.limits.timeout, e, store)
    }
}

/// A store for a sync plugin (filter, evaluator, or any plugin being inspected): frozen time,
/// the memory budget, and an epoch deadline that traps after `limits.timeout`.
pub(crate) fn sync_store(
    engine: &Engine,
    name: &Arc<str>,
    config: &Arc<str>,
    limits: Limits,
) -> Store<PluginState> {
    let state = PluginState::new(
        name.clone(),
        config.clone(),
        limits.memory_bytes,
        Time::Frozen,
    );
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limits);
    store.epoch_deadline_trap();
    store.set_epoch_deadline(deadline_ticks(limits.timeout));
    store
}

/// A timeout in whole epoch ticks (at least one).
fn deadline_ticks(timeout: Duration) -> u64 {
    (timeout.as_millis() as u64)
        .div_ceil(TICK.as_millis() as u64)
        .max(1)
}

/// Turns a failed call into the plugin's fault: a timeout (epoch interrupt), or a trap with the
/// guest backtrace and whatever the guest wrote to stderr.
pub(crate) fn classify(
    name: &str,
    timeout: Duration,
    e: wasmtime::Error,
    store: &Store<PluginState>,
) -> PluginError {
    let plugin = name.to_string();
    if e.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
        return PluginError::Timeout {
            plugin,
            millis: timeout.as_millis() as u64,
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

/// A linker for sync plugins (filters, evaluators, inspection): the host interface and a WASI
/// that grants nothing, whose monotonic clock stands still.
///
/// The synchronous WASI bindings block the calling thread inside a host call (`poll`,
/// `pollable.block`), where the epoch deadline cannot reach; the only such wait a store that
/// grants no files, sockets or stdin can start is on a clock pollable (`std::thread::sleep`,
/// `time.sleep`, `poll(2)` with a timeout). WASI's own `subscribe-duration` sleeps for real
/// whatever clock the context has, so it is replaced here: every clock pollable is ready at
/// once, as it would be if the time asked for had passed in a clock that does not move. A
/// guest that waits for time to pass therefore spins in wasm, where the deadline stops it.
pub(crate) fn linker(
    engine: &Engine,
    add_world: impl FnOnce(&mut Linker<PluginState>) -> wasmtime::Result<()>,
) -> wasmtime::Result<Linker<PluginState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    linker.allow_shadowing(true);
    monotonic_clock::add_to_linker::<PluginState, Stopped>(&mut linker, |s| {
        StoppedView(WasiClocksView::clocks(s))
    })?;
    linker.allow_shadowing(false);
    add_world(&mut linker)?;
    Ok(linker)
}

/// `wasi:clocks/monotonic-clock` for sync plugins: the context's (stopped) clock for `now`,
/// and pollables that are ready at once.
struct Stopped;

impl HasData for Stopped {
    type Data<'a> = StoppedView<'a>;
}

struct StoppedView<'a>(WasiClocksCtxView<'a>);

impl monotonic_clock::Host for StoppedView<'_> {
    fn now(&mut self) -> wasmtime::Result<monotonic_clock::Instant> {
        monotonic_clock::Host::now(&mut self.0)
    }

    fn resolution(&mut self) -> wasmtime::Result<monotonic_clock::Duration> {
        monotonic_clock::Host::resolution(&mut self.0)
    }

    fn subscribe_instant(
        &mut self,
        _when: monotonic_clock::Instant,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        monotonic_clock::Host::subscribe_duration(&mut self.0, 0)
    }

    fn subscribe_duration(
        &mut self,
        _duration: monotonic_clock::Duration,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        monotonic_clock::Host::subscribe_duration(&mut self.0, 0)
    }
}

/// The same for async stores (notifiers): WASI's async bindings, so every import may suspend.
pub(crate) fn async_linker(
    engine: &Engine,
    add_world: impl FnOnce(&mut Linker<PluginState>) -> wasmtime::Result<()>,
) -> wasmtime::Result<Linker<PluginState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    add_world(&mut linker)?;
    Ok(linker)
}

/// The `HasSelf` marker the generated `add_to_linker` functions take.
pub(crate) type Me = HasSelf<PluginState>;

/// Runs `f` where a blocking host call is allowed. WASI's synchronous bindings drive their I/O
/// with `Handle::block_on`, which panics on a thread that is running async tasks; a plugin
/// evaluated from an HTTP handler that writes to stderr (every guest panic does) would take
/// the handler down with it. Outside a runtime `f` runs as is; on a multi-threaded runtime's
/// worker, in `block_in_place`; on a current-thread runtime, on a scoped thread.
fn off_async_thread<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Err(_) => f(),
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        Ok(_) => std::thread::scope(|s| {
            s.spawn(f)
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }),
    }
}
