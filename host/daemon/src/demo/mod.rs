//! `warren demo`: the whole product on one machine with nothing installed. An embedded
//! Kafka-protocol broker (librdkafka's mock cluster, in-process), a producer writing at a
//! steady rate, five simulated consumer groups committing in Kafka's own record format to
//! `__consumer_offsets` (see `sim.rs`), and the real daemon monitoring it all through its
//! normal collection path and serving the API. The terminal shows a refreshed table.

mod sim;
mod table;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use rdkafka::ClientConfig;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::BaseProducer;

/// The demo's groups with the group status and partition status each is built to show.
pub fn expected_statuses() -> Vec<(&'static str, &'static str, &'static str)> {
    sim::Behaviour::ALL
        .iter()
        .map(|b| (b.group(), b.expected().0, b.expected().1))
        .collect()
}

/// Demo options.
pub struct DemoOptions {
    /// Where the API listens.
    pub listen: SocketAddr,
    /// Draw the live table (off: log lines only, for tests and CI).
    pub table: bool,
}

/// Runs the demo until Ctrl-C / SIGTERM.
pub fn run(options: DemoOptions) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let result = runtime.block_on(demo(options));
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn demo(options: DemoOptions) -> anyhow::Result<()> {
    let mock = MockCluster::new(1).context("starting the embedded broker")?;
    mock.create_topic(sim::TOPIC, sim::PARTITIONS, 1)
        .context("creating the data topic")?;
    mock.create_topic("__consumer_offsets", sim::OFFSETS_PARTITIONS, 1)
        .context("creating the offsets topic")?;
    let bootstrap = mock.bootstrap_servers();
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("linger.ms", "5")
        .create()
        .context("creating the demo producer")?;

    let config_text = format!(
        r#"
[logging]
level = "warn"
[cluster.demo]
servers = ["{bootstrap}"]
offset-refresh = "1s"
topic-refresh = "10s"
[consumer.demo]
class-name = "kafka"
cluster = "demo"
[storage.default]
intervals = 10
[evaluator.default]
expire-cache = "1s"
[httpserver.demo]
address = "{listen}"
"#,
        listen = options.listen
    );
    let loaded = warren_core::config::load(&config_text, &|_| None)
        .map_err(|p| anyhow::anyhow!("demo config is invalid: {p:?}"))?;

    let mut simulation = sim::Simulation::new(producer);
    simulation.prefill(5);
    let running = Arc::new(AtomicBool::new(true));
    let sim_running = running.clone();
    let sim = std::thread::Builder::new()
        .name("warren-demo-sim".into())
        .spawn(move || {
            let mut sim = simulation;
            sim.announce_members();
            while sim_running.load(Ordering::Relaxed) {
                sim.tick();
                std::thread::sleep(Duration::from_secs(1));
            }
        })?;

    let base = format!("http://{}", options.listen);
    println!("Warren demo: embedded broker at {bootstrap}");
    println!("  dashboard: {base}/");
    println!("  API:       {base}/v3/kafka/demo/consumer");
    println!("  status:    {base}/v3/kafka/demo/status");
    println!("  a group:   {base}/v3/kafka/demo/consumer/demo-slow/lag");
    println!("Ctrl-C stops the demo.");
    let table = options
        .table
        .then(|| tokio::spawn(table::refresh(base.clone(), running.clone())));

    let result = crate::app::serve(loaded.config, crate::app::shutdown_signal()).await;
    running.store(false, Ordering::Relaxed);
    if let Some(t) = table {
        let _ = t.await;
    }
    let _ = tokio::task::spawn_blocking(move || sim.join()).await;
    drop(mock);
    println!("demo stopped");
    result
}
