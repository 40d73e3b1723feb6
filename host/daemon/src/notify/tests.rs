//! The notification wiring in-process, without Kafka: storage filled by hand, the real
//! scheduler and delivery tasks, the in-memory ledger, and a built-in notifier plugin.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use warren_core::clock::now_ms;
use warren_core::config::{Config, load};
use warren_core::evaluator::EvaluatorHandle;
use warren_core::health::Health;
use warren_core::ledger::Ledger;
use warren_core::model::Commit;
use warren_core::storage::{CommitSource, StorageHandle};
use warren_store::Store;

use super::{Inputs, Notifications};
use crate::plugins::PluginManager;

const CONFIG: &str = r#"
[cluster.local]
servers = ["127.0.0.1:9"]
[consumer.local]
class-name = "kafka"
cluster = "local"
[storage.default]
intervals = 3
[plugin.hook]
kind = "notifier"
path = "builtin:webhook"
allowed-outbound-hosts = ["127.0.0.1:9"]
allow-private-addresses = true
config = { url = "http://127.0.0.1:9/hook" }
[notifier.hook]
plugin = "hook"
interval = "100ms"
threshold = "ERR"
"#;

/// Storage where group `stalled` stopped committing a minute ago, behind HEAD: ERR.
fn stalled_storage(config: &Config) -> StorageHandle {
    let storage = StorageHandle::new(
        config.clusters.keys().cloned(),
        crate::app::storage_settings(config),
    );
    let now = now_ms();
    {
        let mut w = storage.cluster("local").unwrap().writer();
        w.set_topics(&[("orders".into(), 1)]);
        w.record_heads("orders", &[(0, 1_000)], now - 120_000);
        for (i, offset) in [100, 200, 300].into_iter().enumerate() {
            let at = now - 90_000 + 10_000 * i as i64;
            let commit = Commit {
                group: "stalled",
                topic: "orders",
                partition: 0,
                offset,
                timestamp_ms: at,
                order: i as i64,
            };
            w.commit(&commit, CommitSource::OffsetsTopic, at);
        }
        w.record_heads("orders", &[(0, 2_000)], now);
    }
    storage
}

async fn until(what: &str, check: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !check() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_incident_is_decided_for_a_cluster_until_its_consumer_has_caught_up() {
    let config = load(CONFIG, &|_| None).expect("config loads").config;
    let plugins = Arc::new(PluginManager::start(&config, None).await.expect("plugins"));
    let health = Health::new(["local".to_string()], ["local".to_string()])
        .with_consumer_clusters([("local".to_string(), "local".to_string())]);
    let ledger: Arc<dyn Ledger> = Arc::new(Store::in_memory().unwrap());
    let storage = stalled_storage(&config);
    let evaluator = EvaluatorHandle::from_config(&config, plugins.bindings());
    assert_eq!(
        evaluator
            .group(storage.cluster("local").unwrap(), "stalled", now_ms())
            .status
            .to_string(),
        "ERR",
        "the fixture's group is ERR"
    );
    let (tracker, cancel) = (TaskTracker::new(), CancellationToken::new());
    let _notifications = Notifications::start(
        Inputs {
            config,
            plugins,
            evaluator,
            storage,
            health: health.clone(),
            ledger: ledger.clone(),
        },
        &tracker,
        &tokio::runtime::Handle::current(),
        &cancel,
    );

    // Ten scheduler intervals while the offsets topic is still being read.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(ledger.incidents().unwrap().is_empty());
    health.consumer("local").unwrap().mark_ready();
    until("the incident opens once caught up", || {
        ledger.incidents().unwrap().len() == 1
    })
    .await;
    cancel.cancel();
    tracker.close();
    tracker.wait().await;
}
