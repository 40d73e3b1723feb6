//! A notifier plugin: delivers incident events through the host's `http` (and later `mail`)
//! capability. Unlike filters and evaluators it runs asynchronously and gets a fresh store per
//! call: nothing survives from one event to the next, a slow webhook parks only its own call
//! (the guest runs on a fiber that yields to tokio every epoch tick and while the host waits on
//! the network), and a hard wall-clock timeout ends any call. Failures are counted and feed the
//! same circuit breaker as the other plugin kinds; every message that leaves here is redacted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::Store;
use wasmtime::component::Component;

use crate::bindings::notifier::{Notifier, NotifierPre};
use crate::bindings::types::{self as wit, PluginMetadata};
use crate::convert;
use crate::engine::PluginEngine;
use crate::error::PluginError;
use crate::health::{HealthSnapshot, PluginHealth};
use crate::incident::{IncidentEvent, NotifyError};
use crate::outbound::{Capabilities, Outbound};
use crate::plugin_state::{PluginState, Time};
use crate::sandbox::{Limits, classify};

/// Longest message kept from a guest's error (the rest is cut: garbage is contained).
const MAX_MESSAGE: usize = 4096;
/// Longest pause a notifier may ask for; anything beyond is treated as this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// A loaded notifier plugin; `Send + Sync`, meant to be shared (`Arc<PluginNotifier>`) and
/// called concurrently from many tasks.
pub struct PluginNotifier {
    name: Arc<str>,
    config: Arc<str>,
    engine: PluginEngine,
    limits: Limits,
    pre: NotifierPre<PluginState>,
    outbound: Arc<Outbound>,
    health: Arc<PluginHealth>,
    metadata: PluginMetadata,
}

/// One export call, so a single function owns the store discipline.
enum Call<'a> {
    Metadata,
    Validate(&'a str),
    Notify(&'a wit::IncidentEvent),
}

enum Answer {
    Metadata(PluginMetadata),
    Validate(Result<(), Vec<String>>),
    Notify(Result<(), wit::NotifyError>),
}

impl PluginNotifier {
    /// Checks the grants, pre-instantiates the component, reads its metadata and has it
    /// validate `config_json`. `limits` bounds every call ([`Limits::notifier`] is the usual
    /// choice: notifiers wait on the network).
    pub async fn load(
        engine: &PluginEngine,
        name: &str,
        component: &Component,
        config_json: &str,
        limits: Limits,
        caps: Capabilities,
    ) -> Result<Self, PluginError> {
        let health = Arc::new(PluginHealth::default());
        let outbound = Outbound::new(name.into(), caps, health.clone(), limits.timeout).map_err(
            |problems| PluginError::InvalidConfig {
                plugin: name.into(),
                problems,
            },
        )?;
        let pre = crate::world::pre_instantiate::<Notifier>(engine, name, component)?;
        let mut notifier = PluginNotifier {
            name: name.into(),
            config: config_json.into(),
            engine: engine.clone(),
            limits,
            pre,
            outbound: Arc::new(outbound),
            health,
            metadata: PluginMetadata {
                name: String::new(),
                version: String::new(),
                description: String::new(),
                config_schema: String::new(),
            },
        };
        let Answer::Metadata(metadata) = notifier.run(Call::Metadata).await? else {
            return Err(notifier.mismatch());
        };
        let Answer::Validate(verdict) = notifier.run(Call::Validate(config_json)).await? else {
            return Err(notifier.mismatch());
        };
        if let Err(problems) = verdict {
            return Err(PluginError::InvalidConfig {
                plugin: name.into(),
                problems: problems.iter().map(|p| notifier.clean(p)).collect(),
            });
        }
        notifier.metadata = metadata;
        Ok(notifier)
    }

    /// What the plugin says about itself.
    pub fn metadata(&self) -> &PluginMetadata {
        &self.metadata
    }

    /// Delivers one event: a fresh instance, `call_async`, the plugin's timeout. `Ok` once the
    /// receiver accepted it.
    pub async fn notify(&self, event: &IncidentEvent) -> Result<(), NotifyError> {
        let now = Instant::now();
        if let Some(left) = self.health.open_for(now) {
            self.health.skipped();
            return Err(NotifyError::Plugin(PluginError::Disabled {
                plugin: self.name.to_string(),
                retry_in_ms: left.as_millis() as u64,
            }));
        }
        let event = convert::incident_event(event);
        let result = match self.run(Call::Notify(&event)).await {
            Ok(Answer::Notify(Ok(()))) => Ok(()),
            Ok(Answer::Notify(Err(wit::NotifyError::Transient(t)))) => {
                Err(NotifyError::Transient {
                    message: self.clean(&t.message),
                    retry_after: t
                        .retry_after_ms
                        .map(|ms| Duration::from_millis(ms).min(MAX_RETRY_AFTER)),
                })
            }
            Ok(Answer::Notify(Err(wit::NotifyError::Permanent(m)))) => {
                Err(NotifyError::Permanent(self.clean(&m)))
            }
            Ok(_) => Err(NotifyError::Plugin(self.mismatch())),
            Err(e) => Err(NotifyError::Plugin(e)),
        };
        self.record(&result, now);
        result
    }

    /// Calls by outcome (`ok`, `transient`, `permanent`, `trap`, `timeout`, ...), refused
    /// requests (`denied`), failures, breaker state.
    pub fn health(&self) -> HealthSnapshot {
        self.health.snapshot(Instant::now())
    }

    /// Runs one export in a fresh store under the memory cap, the epoch yield and the
    /// wall-clock timeout; the store is dropped afterwards whatever happened.
    async fn run(&self, call: Call<'_>) -> Result<Answer, PluginError> {
        let _running = self.engine.running();
        let mut store = self.new_store(matches!(call, Call::Notify(_)));
        let exchange = async {
            let instance = self.pre.instantiate_async(&mut store).await?;
            let plugin = instance.warren_plugin_plugin();
            Ok(match call {
                Call::Metadata => Answer::Metadata(plugin.call_metadata(&mut store).await?),
                Call::Validate(config) => {
                    Answer::Validate(plugin.call_validate_config(&mut store, config).await?)
                }
                Call::Notify(event) => {
                    Answer::Notify(instance.call_notify(&mut store, event).await?)
                }
            })
        };
        // Dropping the exchange on timeout cancels the guest wherever it is (computing or
        // parked in a host call); its store goes with it.
        let outcome = tokio::time::timeout(self.limits.timeout, exchange).await;
        match outcome {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => Err(match classify(&self.name, self.limits.timeout, e, &store) {
                PluginError::Trap { plugin, message } => PluginError::Trap {
                    plugin,
                    message: self.outbound.redactor.redact(&message),
                },
                other => other,
            }),
            Err(_) => Err(PluginError::Timeout {
                plugin: self.name.to_string(),
                millis: self.limits.timeout.as_millis() as u64,
            }),
        }
    }

    /// A store for one call; only a `notify` call (`sending`) may send requests and mail.
    fn new_store(&self, sending: bool) -> Store<PluginState> {
        let state = PluginState::new(
            self.name.clone(),
            self.config.clone(),
            self.limits.memory_bytes,
            Time::Real,
        )
        .with_outbound(
            self.outbound.clone(),
            Instant::now() + self.limits.timeout,
            sending,
        );
        let mut store = Store::new(self.engine.engine(), state);
        store.limiter(|s| &mut s.limits);
        // Yield to tokio every tick of guest computation: a busy guest shares its thread, and
        // the timeout above can fire.
        store.set_epoch_deadline(1);
        store.epoch_deadline_async_yield_and_update(1);
        store
    }

    /// Counts the outcome. Transient and permanent failures are the receiver's, not the
    /// plugin's: they do not move the breaker.
    fn record(&self, result: &Result<(), NotifyError>, now: Instant) {
        let plugin = &*self.name;
        if !matches!(
            result,
            Err(NotifyError::Plugin(PluginError::Disabled { .. }))
        ) {
            self.health.time(now.elapsed());
        }
        match result {
            Ok(()) => self.health.success(),
            Err(NotifyError::Transient { message, .. }) => {
                tracing::info!(plugin, "notification not delivered, will retry: {message}");
                self.health.completed("transient");
            }
            Err(NotifyError::Permanent(message)) => {
                tracing::warn!(plugin, "notification rejected for good: {message}");
                self.health.completed("permanent");
            }
            Err(NotifyError::Plugin(PluginError::Disabled { .. })) => {}
            Err(NotifyError::Plugin(e)) => {
                tracing::warn!(plugin, error = %e, "notifier failed; event not delivered");
                self.health.failure(e.kind(), e.to_string(), now);
            }
        }
    }

    /// A guest string made fit for logs: secret values redacted, length capped.
    fn clean(&self, text: &str) -> String {
        let mut text = self.outbound.redactor.redact(text);
        if text.len() > MAX_MESSAGE {
            let mut cut = MAX_MESSAGE;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push_str("...");
        }
        text
    }

    fn mismatch(&self) -> PluginError {
        PluginError::InvalidOutput {
            plugin: self.name.to_string(),
            reason: "the call answered for another export".into(),
        }
    }
}
