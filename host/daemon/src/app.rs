//! Wiring of the daemon, in Burrow's start order (servers before clients): storage, plugins
//! (compiled and validated before anything connects), the embedded store, notifications and
//! the `/metrics` renderer, HTTP, then collectors; shutdown in reverse on Ctrl-C or SIGTERM,
//! the `[ha]` election last so a leader hands over only once its notifiers have stopped.
//! SIGHUP reloads the plugins and the HTTPS certificates.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::info;
use warren_core::config::Config;
use warren_core::evaluator::EvaluatorHandle;
use warren_core::health::Health;
use warren_core::ledger::Ledger;
use warren_core::storage::{StorageHandle, StorageSettings};
use warren_http::{AppState, PluginAdmin};
use warren_kafka::{HaSettings, HaThreads, KafkaLedger};
use warren_store::{Opened, Store};

use crate::leadership::Leadership;
use crate::notify::{Inputs, Notifications};
use crate::plugins::PluginManager;

/// Runs the daemon until a shutdown signal; `config_path` is re-read when plugins reload.
pub fn run(config: Config, config_path: &Path) -> anyhow::Result<()> {
    // Removed when dropped, at the end of this function, after everything stopped.
    let _pidfile = match &config.general.pidfile {
        Some(path) => Some(crate::process::PidFile::create(path)?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.spawn(crate::process::reopen_log_on_usr1());
    let result = runtime.block_on(serve_with(
        config,
        Some(config_path.to_path_buf()),
        shutdown_signal(),
    ));
    // Blocking librdkafka calls against a dead broker may still be running; do not let them
    // hold the exit for their whole request timeout.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// Storage settings from the resolved `[storage]` section.
pub fn storage_settings(config: &Config) -> StorageSettings {
    let s = &config.storage;
    StorageSettings {
        intervals: s.intervals,
        head_history: s.head_history,
        min_distance_ms: s.min_distance.as_millis() as i64,
        expire_group_ms: s.expire_group.as_millis().min(i64::MAX as u128) as i64,
        allow: s.groups.allow.clone(),
        deny: s.groups.deny.clone(),
        topic_allow: s.topics.allow.clone(),
        topic_deny: s.topics.deny.clone(),
        snapshots: s.data_dir.is_some(),
    }
}

/// Runs every subsystem until `stop` resolves, then shuts down in reverse order (no config file
/// to reload plugins from).
pub async fn serve(
    config: Config,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    serve_with(config, None, stop).await
}

/// [`serve`], with the config file plugins are reloaded from (SIGHUP, `POST
/// /v3/admin/plugins/reload`) and relative plugin paths are resolved against.
pub async fn serve_with(
    config: Config,
    config_path: Option<PathBuf>,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    serve_seeded(config, config_path, |_| {}, stop).await
}

/// [`serve_with`], with `seed` writing into storage once it is restored and before anything
/// reads it or collects into it (`warren demo` seeds its simulated history there, so the first
/// evaluation already has full windows).
pub async fn serve_seeded(
    config: Config,
    config_path: Option<PathBuf>,
    seed: impl FnOnce(&StorageHandle),
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let storage = StorageHandle::new(config.clusters.keys().cloned(), storage_settings(&config));
    let plugins = Arc::new(
        PluginManager::start(&config, config_path.as_deref())
            .await
            .context("loading plugins")?,
    );
    let health = Health::new(
        config.clusters.keys().cloned(),
        config.consumers.keys().cloned(),
    )
    .with_consumer_clusters(
        config
            .consumers
            .iter()
            .map(|(name, c)| (name.clone(), c.cluster.clone())),
    );
    let cancel = CancellationToken::new();
    let background =
        crate::background::Background::start().context("starting the background runtime")?;
    // Before anything starts: a token that cannot be read must stop the start, not open the API.
    let access = warren_http::Access::from_config(&config, &|name| std::env::var(name).ok())
        .map_err(|errors| anyhow::anyhow!("API credentials: {}", errors.join("; ")))?;

    let hostname = hostname();
    let store = Arc::new(open_store(&config)?);
    let health = health.with_store(store.health());
    // Stopped only after the notifiers: a leader hands over once its last message is recorded.
    let ha_cancel = CancellationToken::new();
    let (ledger, leadership, ha_threads) = start_ledger(&config, &hostname, &store, &ha_cancel)?;
    // Before anything reads or writes storage: a restart resumes where the snapshot stands.
    crate::persist::restore(&storage, &store, warren_core::clock::now_ms());
    seed(&storage);
    let admin: Arc<dyn PluginAdmin> = plugins.clone();
    // One evaluator (and one expire-cache) for the API and the notifiers.
    let evaluator = EvaluatorHandle::from_config(&config, plugins.bindings());
    let state = AppState::with_plugins(
        &config,
        storage.clone(),
        health.clone(),
        &hostname,
        evaluator.clone(),
        Some(admin),
    );
    // Before the collectors: a notifier only ever sees a cluster once its consumer caught up.
    let tracker = TaskTracker::new();
    let notifications = Notifications::start(
        Inputs {
            config: config.clone(),
            plugins: plugins.clone(),
            evaluator,
            storage: storage.clone(),
            health: health.clone(),
            ledger,
        },
        &tracker,
        background.handle(),
        &cancel,
    );
    let state = state
        .with_notifiers(Arc::new(notifications))
        .with_instances(Arc::new(leadership))
        .with_access(access.clone());
    let state = match crate::telemetry::control() {
        Some(control) => state.with_log_level(control),
        None => state,
    };
    background.spawn(
        &tracker,
        render_metrics(
            state.clone(),
            config.general.metrics_refresh,
            cancel.clone(),
        ),
    );
    let mut servers = tokio::task::JoinSet::new();
    let mut certificates = Vec::new();
    for (name, http) in &config.http_servers {
        let tls = match http.tls.as_ref().and_then(|p| config.tls.get(p)) {
            Some(profile) => {
                let handle = warren_http::tls::TlsHandle::load(profile)
                    .map_err(anyhow::Error::msg)
                    .with_context(|| format!("HTTPS of httpserver.{name}"))?;
                certificates.push(handle.clone());
                Some(handle)
            }
            None => None,
        };
        let listener = TcpListener::bind(http.address)
            .await
            .with_context(|| format!("binding httpserver.{name} to {}", http.address))?;
        let policy = warren_http::ListenerPolicy::of(http);
        info!(
            listener = %name,
            address = %listener.local_addr()?,
            scheme = if tls.is_some() { "https" } else { "http" },
            access = %policy.describe(access.required()),
            "HTTP API listening"
        );
        let router = warren_http::listener_router(state.clone(), http);
        let token = cancel.clone();
        let http = http.clone();
        servers.spawn(async move {
            warren_http::server::serve(listener, router, &http, tls, token).await
        });
    }
    tracker.spawn(warren_http::tls::watch(
        certificates,
        Duration::from_secs(5),
        cancel.clone(),
    ));

    let reloads = tokio::spawn(reload_on_hangup(plugins.clone(), cancel.clone()));
    let collectors = warren_kafka::spawn_collectors(&config, &storage, &health, &cancel);
    tracker.spawn(crate::progress::report(health.clone(), cancel.clone()));
    let snapshots = background.handle().spawn(crate::persist::run(
        storage.clone(),
        store.clone(),
        config.storage.snapshot_interval,
        cancel.clone(),
    ));
    let expiry = background.handle().spawn(expire_groups(
        storage.clone(),
        config.storage.expire_group,
        cancel.clone(),
    ));
    info!(
        clusters = config.clusters.len(),
        consumers = config.consumers.len(),
        "warren started"
    );

    stop.await;
    info!("shutting down");
    cancel.cancel();
    collectors.join().await;
    let _ = snapshots.await;
    crate::persist::last_snapshot(storage.clone(), store.clone()).await;
    let _ = expiry.await;
    let _ = reloads.await;
    tracker.close();
    tracker.wait().await;
    ha_cancel.cancel();
    if let Some(threads) = ha_threads {
        let _ = tokio::task::spawn_blocking(move || threads.join()).await;
    }
    while let Some(r) = servers.join_next().await {
        if let Ok(Err(e)) = r {
            tracing::warn!(error = %e, "HTTP server stopped with an error");
        }
    }
    info!("stopped");
    Ok(())
}

/// Deletes expired groups, and the topics a group stopped committing to, actively (Burrow
/// only does it when someone asks for the group).
async fn expire_groups(storage: StorageHandle, expire: Duration, cancel: CancellationToken) {
    let every = (expire / 10).clamp(Duration::from_secs(1), Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        let now = warren_core::clock::now_ms();
        for cluster in storage.clusters() {
            let expired = cluster.writer().expire_groups(now);
            for group in expired.groups {
                info!(cluster = %cluster.name(), group = %group, "group expired");
            }
            for (group, topic) in expired.topics {
                info!(cluster = %cluster.name(), group = %group, topic = %topic,
                    "topic expired from group");
            }
        }
    }
}

/// Renders the `/metrics` body every `every` while someone scrapes it, off the async workers
/// (it evaluates every group, and an evaluator plugin call may block).
async fn render_metrics(state: AppState, every: Duration, cancel: CancellationToken) {
    loop {
        let s = state.clone();
        let _ = tokio::task::spawn_blocking(move || s.metrics.refresh_if_scraped(&s)).await;
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Where notification state lives: the embedded store of a single instance, or with `[ha]`
/// the state topic of the coordinating cluster, written only by the elected leader.
fn start_ledger(
    config: &Config,
    hostname: &str,
    store: &Arc<Store>,
    cancel: &CancellationToken,
) -> anyhow::Result<(Arc<dyn Ledger>, Leadership, Option<HaThreads>)> {
    let instance = crate::leadership::instance_id(config, hostname);
    let Some(ha) = &config.ha else {
        let since = warren_core::clock::now_ms();
        return Ok((store.clone(), Leadership::Single { instance, since }, None));
    };
    let cluster = config
        .clusters
        .get(&ha.cluster)
        .with_context(|| format!("[ha] cluster {:?} is not configured", ha.cluster))?;
    info!(instance = %instance, cluster = %ha.cluster, group = %ha.group,
        "high availability: joining the notifier election");
    let settings = HaSettings {
        config: ha.clone(),
        servers: cluster.servers.clone(),
        profile: cluster.client_profile.clone(),
        instance,
    };
    let (ledger, threads) =
        KafkaLedger::start(settings, cancel.clone()).map_err(anyhow::Error::msg)?;
    Ok((ledger.clone(), Leadership::Elected(ledger), Some(threads)))
}

/// The embedded store under `[storage] data-dir`, or one in memory without it.
fn open_store(config: &Config) -> anyhow::Result<Store> {
    let Some(dir) = &config.storage.data_dir else {
        return Store::in_memory().context("creating the in-memory store");
    };
    let (store, opened) =
        Store::open(dir).with_context(|| format!("opening the store in {}", dir.display()))?;
    match opened {
        Opened::Replaced { aside, reason } => tracing::error!(
            path = %dir.display(), aside = %aside.display(), reason = %reason,
            "the store was unusable: kept aside, starting fresh"
        ),
        other => info!(path = %dir.display(), state = ?other, "store opened"),
    }
    Ok(store)
}

/// Reloads the plugins on every SIGHUP.
async fn reload_on_hangup(plugins: Arc<PluginManager>, cancel: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                got = hup.recv() => if got.is_none() { return },
            }
            info!("SIGHUP: reloading plugins");
            if let Err(problems) = plugins.reload_now().await {
                for p in problems {
                    tracing::error!("plugin reload refused: {p}");
                }
            }
        }
    }
    #[cfg(not(unix))]
    cancel.cancelled().await;
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}
