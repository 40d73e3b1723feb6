//! `warren demo`: the whole product on one machine with nothing installed. Embedded
//! Kafka-protocol brokers (librdkafka's mock cluster, in-process), a producer writing at a
//! steady rate, simulated consumer groups committing in Kafka's own record format to
//! `__consumer_offsets` (see `sim.rs`), and the real daemon monitoring it all through its
//! normal collection path and serving the API and the dashboard. Two clusters: `demo`, judged
//! by Burrow's rules, and `demo-slo`, which shows the plugin platform: the `lag-seconds`
//! evaluator with an SLO, the `skip-empty` filter hiding a noise group, and the `webhook`
//! notifier posting incidents to a receiver the demo runs (`receiver.rs`). `--no-plugins`
//! keeps only the first. The terminal says what each group demonstrates (`table.rs`).

mod behaviour;
mod config;
mod receiver;
mod sim;
mod table;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use rdkafka::ClientConfig;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, DefaultProducerContext};
use tokio_util::sync::CancellationToken;
use warren_core::storage::StorageHandle;

use behaviour::Cluster;

/// A group of the demo as built: its cluster, its name, the group status and one partition
/// status it shows from the first screen on, and whether it then changes on a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Designed {
    /// The `[cluster.NAME]`.
    pub cluster: &'static str,
    /// The consumer group.
    pub group: &'static str,
    /// Its group status at the first evaluation.
    pub status: &'static str,
    /// A partition status it has then.
    pub partition_status: &'static str,
    /// It moves through other statuses on a cycle by design (the rewinding and batch groups).
    pub cyclic: bool,
}

/// The groups the API shows, with plugins (`--no-plugins`: the `demo` cluster's only).
pub fn designed_groups(plugins: bool) -> Vec<Designed> {
    behaviour::Behaviour::ALL
        .iter()
        .filter(|b| plugins || b.cluster() == behaviour::Cluster::Burrow)
        .filter_map(|b| {
            b.expected().map(|(status, partition_status)| Designed {
                cluster: b.cluster().name(),
                group: b.group(),
                status,
                partition_status,
                cyclic: b.cyclic(),
            })
        })
        .collect()
}

/// The groups a group filter hides in the demo (they are in storage, not in the API).
pub fn hidden_groups() -> Vec<(&'static str, &'static str)> {
    behaviour::Behaviour::ALL
        .iter()
        .filter(|b| b.expected().is_none())
        .map(|b| (b.cluster().name(), b.group()))
        .collect()
}

/// Demo options.
pub struct DemoOptions {
    /// Where the API listens.
    pub listen: SocketAddr,
    /// Draw the live table (off: log lines only, for tests and CI).
    pub table: bool,
    /// Load the plugins and the second cluster (off: Burrow's rules on one cluster).
    pub plugins: bool,
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

/// One embedded broker with its simulation, history already produced.
struct Broker {
    mock: MockCluster<'static, DefaultProducerContext>,
    sim: sim::Simulation,
}

fn broker(cluster: Cluster) -> anyhow::Result<Broker> {
    let mock = MockCluster::new(1).context("starting an embedded broker")?;
    mock.create_topic(cluster.topic(), sim::PARTITIONS, 1)
        .context("creating the data topic")?;
    mock.create_topic("__consumer_offsets", sim::OFFSETS_PARTITIONS, 1)
        .context("creating the offsets topic")?;
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", mock.bootstrap_servers())
        .set("linger.ms", "5")
        .create()
        .context("creating the demo producer")?;
    let mut sim = sim::Simulation::new(cluster, producer);
    sim.prefill();
    Ok(Broker { mock, sim })
}

async fn demo(options: DemoOptions) -> anyhow::Result<()> {
    let clusters: &[Cluster] = if options.plugins {
        &[Cluster::Burrow, Cluster::Plugins]
    } else {
        &[Cluster::Burrow]
    };
    let brokers = clusters
        .iter()
        .map(|&c| broker(c).map(|b| (c, b)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let stop_receiver = CancellationToken::new();
    let receiver = match options.plugins {
        true => Some(receiver::start(!options.table, stop_receiver.clone()).await?),
        false => None,
    };
    let bootstraps: Vec<(Cluster, String)> = brokers
        .iter()
        .map(|(c, b)| (*c, b.mock.bootstrap_servers()))
        .collect();
    let config_text = config::text(options.listen, &bootstraps, receiver.as_ref().map(|r| r.0));
    let loaded = warren_core::config::load(&config_text, &|_| None)
        .map_err(|p| anyhow::anyhow!("demo config is invalid: {p:?}"))?;

    let (mocks, mut sims): (Vec<_>, Vec<_>) =
        brokers.into_iter().map(|(_, b)| (b.mock, b.sim)).unzip();
    let running = Arc::new(AtomicBool::new(true));
    let (seeded_tx, seeded_rx) = std::sync::mpsc::channel::<Vec<sim::Simulation>>();
    let sim_running = running.clone();
    let sim = std::thread::Builder::new()
        .name("warren-demo-sim".into())
        .spawn(move || {
            // Live ticks start once the history is in storage (the daemon starts first).
            let Ok(mut sims) = seeded_rx.recv() else {
                return;
            };
            for s in &mut sims {
                s.announce_members();
            }
            // One tick a second on the clock, not a second plus the tick's own work: the
            // time-lag SLOs are designed in seconds of ticks.
            let mut next = std::time::Instant::now();
            while sim_running.load(Ordering::Relaxed) {
                for s in &mut sims {
                    s.tick();
                }
                next += Duration::from_secs(1);
                std::thread::sleep(next.saturating_duration_since(std::time::Instant::now()));
            }
        })?;
    let seed = move |storage: &StorageHandle| {
        let now = warren_core::clock::now_ms();
        for s in &mut sims {
            s.seed(storage, now);
        }
        let _ = seeded_tx.send(sims);
    };

    let base = format!("http://{}", options.listen);
    println!(
        "Warren demo: embedded broker(s) at {}",
        bootstraps
            .iter()
            .map(|(_, b)| b.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("  dashboard: {base}/");
    println!("  API:       {base}/v3/kafka");
    println!("  a group:   {base}/v3/kafka/demo/consumer/demo-slow/lag");
    if let Some((address, _)) = &receiver {
        println!("  incidents: webhook notifier -> receiver on http://{address}/incidents");
    }
    println!(
        "What each group shows (from the first screen: {} s of history are seeded):",
        behaviour::HISTORY
    );
    for b in behaviour::Behaviour::ALL
        .iter()
        .filter(|b| clusters.contains(&b.cluster()))
    {
        println!(
            "  {:<9} {:<23} {}",
            b.cluster().name(),
            b.group(),
            b.shows()
        );
    }
    println!("Ctrl-C stops the demo.");
    let table = options.table.then(|| {
        tokio::spawn(table::refresh(
            base.clone(),
            clusters.to_vec(),
            receiver.as_ref().map(|r| r.1.clone()),
            running.clone(),
        ))
    });

    let result =
        crate::app::serve_seeded(loaded.config, None, seed, crate::app::shutdown_signal()).await;
    running.store(false, Ordering::Relaxed);
    stop_receiver.cancel();
    if let Some(t) = table {
        let _ = t.await;
    }
    let _ = tokio::task::spawn_blocking(move || sim.join()).await;
    drop(mocks);
    println!("demo stopped");
    result
}
