//! Harness for Warren's end-to-end tests: real brokers (librdkafka's mock cluster in-process,
//! noida-db as a process), real librdkafka producers and consumers, and the real daemon wiring
//! (`warren_daemon::app::serve`) listening on 127.0.0.1.

pub mod child;
pub mod kafka;
pub mod notify;
pub mod receiver;
pub mod smtp;
pub mod traffic;
pub mod zookeeper;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use serde_json::Value;
use tokio::sync::oneshot;

/// A port that was free a moment ago on 127.0.0.1, below the ephemeral range.
pub use warren_testkit::free_port;

/// A unique name for topics and groups, so tests never see each other's data.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The daemon, running in this process until dropped.
pub struct Daemon {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Daemon {
    /// Starts the daemon on `config_toml`, whose `[httpserver]` section is added here.
    pub async fn start(config_toml: &str) -> Daemon {
        test_log();
        let port = free_port();
        let text = format!("{config_toml}\n[httpserver.test]\naddress = \"127.0.0.1:{port}\"\n");
        let loaded = warren_core::config::load(&text, &|v| std::env::var(v).ok())
            .unwrap_or_else(|e| panic!("test config does not load: {e:?}\n{text}"));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            warren_daemon::app::serve(loaded.config, async move {
                let _ = stopped.await;
            })
            .await
            .expect("daemon runs");
        });
        let base = format!("http://127.0.0.1:{port}");
        let d = Daemon {
            base,
            stop: Some(stop),
            task: Some(task),
        };
        wait_until(Duration::from_secs(10), "HTTP listener up", || async {
            reqwest::get(format!("{}/burrow/admin", d.base))
                .await
                .is_ok()
        })
        .await;
        d
    }

    /// Starts the daemon on a config file (which must contain its own `[httpserver]` on
    /// `port`); plugins reload from that file.
    pub async fn start_file(path: &std::path::Path, port: u16) -> Daemon {
        test_log();
        let text = std::fs::read_to_string(path).expect("config file");
        // As `warren run FILE` reads it: files it names are found beside it.
        let loaded = warren_daemon::config_file::load_text(path, &text)
            .unwrap_or_else(|e| panic!("test config does not load: {e:?}\n{text}"));
        let (stop, stopped) = oneshot::channel::<()>();
        let path = path.to_path_buf();
        let task = tokio::spawn(async move {
            warren_daemon::app::serve_with(loaded.config, Some(path), async move {
                let _ = stopped.await;
            })
            .await
            .expect("daemon runs");
        });
        let d = Daemon {
            base: format!("http://127.0.0.1:{port}"),
            stop: Some(stop),
            task: Some(task),
        };
        wait_until(Duration::from_secs(20), "HTTP listener up", || async {
            reqwest::get(format!("{}/burrow/admin", d.base))
                .await
                .is_ok()
        })
        .await;
        d
    }

    /// POST to a path with an empty body, returning (status, JSON body).
    pub async fn post(&self, path: &str) -> (u16, Value) {
        let res = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .send()
            .await
            .expect("POST");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// GET a path, returning (status, JSON body or `Value::String` for text).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = reqwest::get(format!("{}{path}", self.base))
            .await
            .expect("GET");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Waits until every consumer has caught up (`/burrow/admin/ready` is 200): before that,
    /// status routes answer 503 rather than judge windows that may be missing commits.
    pub async fn wait_ready(&self) {
        wait_until(Duration::from_secs(30), "READY", || async {
            self.get("/burrow/admin/ready").await.0 == 200
        })
        .await;
    }

    /// Stops the daemon and waits for a clean shutdown.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(20), t)
                .await
                .expect("clean shutdown")
                .expect("daemon task");
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// The daemon's logs on the test's output when `WARREN_TEST_LOG` holds a filter (e.g.
/// `warren_kafka=debug`), for finding out why an end-to-end test failed.
fn test_log() {
    if let Ok(filter) = std::env::var("WARREN_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
}

/// Polls `check` until it is true, panicking with `what` after `timeout`.
pub async fn wait_until<F, Fut>(timeout: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A noida-db broker process on a free port with a fresh data directory, killed on drop.
/// Needs `WARREN_NOIDA_DB` (path to the noida-db binary; `scripts/test` installs it).
pub struct Noida {
    /// `127.0.0.1:PORT`.
    pub bootstrap: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Noida {
    /// Starts a broker and waits for its port.
    pub fn start() -> Noida {
        let bin = std::env::var_os("WARREN_NOIDA_DB").map(PathBuf::from).expect(
            "WARREN_NOIDA_DB is not set: broker-process tests need the noida-db binary (run scripts/test, which installs it)",
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let child = Command::new(&bin)
            .args([
                "start",
                "--only",
                "kafka",
                "--host",
                "127.0.0.1",
                "--kafka-port",
                &port.to_string(),
                "--data-dir",
            ])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin:?}: {e}"));
        let bootstrap = format!("127.0.0.1:{port}");
        let start = Instant::now();
        while std::net::TcpStream::connect(&bootstrap).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "noida-db did not open {bootstrap}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Noida {
            bootstrap,
            child,
            _dir: dir,
        }
    }
}

impl Drop for Noida {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An Admin API client on `bootstrap`.
pub fn admin(bootstrap: &str) -> AdminClient<DefaultClientContext> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("admin client")
}

/// Creates `topic` with `partitions` through the Admin API (brokers that support
/// CreateTopics, i.e. not the mock cluster) and waits until it exists.
pub async fn create_topic(bootstrap: &str, topic: &str, partitions: i32) {
    create_topic_replicated(bootstrap, topic, partitions, 1).await
}

/// As [`create_topic`], with `replicas` copies of each partition.
pub async fn create_topic_replicated(bootstrap: &str, topic: &str, partitions: i32, replicas: i32) {
    let res = admin(bootstrap)
        .create_topics(
            &[NewTopic::new(
                topic,
                partitions,
                TopicReplication::Fixed(replicas),
            )],
            &AdminOptions::new(),
        )
        .await
        .expect("create topics");
    for r in res {
        r.expect("topic created");
    }
}

/// A real consumer-group member of `group` subscribed to `topic`, reading from the earliest
/// offset and committing only when told (`commit_consumer_state`).
pub fn group_consumer(bootstrap: &str, group: &str, client_id: &str, topic: &str) -> BaseConsumer {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("client.id", client_id)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("consumer");
    c.subscribe(&[topic]).expect("subscribe");
    c
}

/// A producer on `bootstrap` that sends each record on its own (no batching surprises).
pub fn producer(bootstrap: &str) -> BaseProducer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "0")
        .create()
        .expect("producer")
}

/// Produces `n` records to each of `partitions` of `topic` and waits for delivery.
pub fn produce(p: &BaseProducer, topic: &str, partitions: i32, n: usize) {
    for part in 0..partitions {
        for i in 0..n {
            let payload = format!("record-{i}");
            let mut rec = BaseRecord::<(), String>::to(topic)
                .partition(part)
                .payload(&payload);
            loop {
                match p.send(rec) {
                    Ok(()) => break,
                    Err((_, r)) => {
                        p.poll(Duration::from_millis(10));
                        rec = r;
                    }
                }
            }
        }
    }
    p.flush(Duration::from_secs(10)).expect("flush");
}

/// Produces raw key/value bytes (an offsets-topic record) to one partition.
pub fn produce_raw(
    p: &BaseProducer,
    topic: &str,
    partition: i32,
    key: &[u8],
    value: Option<&[u8]>,
) {
    let mut rec = BaseRecord::<[u8], [u8]>::to(topic)
        .partition(partition)
        .key(key);
    if let Some(v) = value {
        rec = rec.payload(v);
    }
    p.send(rec).map_err(|(e, _)| e).expect("send raw");
}

/// Writes a group's offset commit for `topic`/`partition` into partition 0 of
/// `__consumer_offsets`, in Kafka's own record format (value v3), as a consumer's coordinator
/// would.
pub fn commit_offset(
    p: &BaseProducer,
    group: &str,
    topic: &str,
    partition: i32,
    offset: i64,
    timestamp_ms: i64,
) {
    use warren_core::codec::{self, OffsetCommitValue};
    let value = codec::encode_offset_commit_value(&OffsetCommitValue {
        version: 3,
        offset,
        leader_epoch: Some(-1),
        metadata: "",
        commit_timestamp: timestamp_ms,
        expire_timestamp: None,
    });
    produce_raw(
        p,
        "__consumer_offsets",
        0,
        &codec::encode_offset_commit_key(group, topic, partition),
        Some(&value),
    );
}

/// A group-metadata value (v3) with one member, `client_id` on host `/10.1.1.1`, assigned
/// `partitions` of `topic`: what a coordinator writes after a rebalance.
pub fn one_member_group(client_id: &str, topic: &str, partitions: Vec<i32>) -> Vec<u8> {
    use warren_core::codec::{self, GroupMetadataValue, MemberMetadata, TopicAssignment};
    codec::encode_group_metadata_value(&GroupMetadataValue {
        version: 3,
        protocol_type: "consumer",
        generation: 1,
        protocol: Some("range"),
        leader: Some("m1"),
        current_state_timestamp: Some(now_ms()),
        members: vec![MemberMetadata {
            member_id: "m1",
            group_instance_id: None,
            client_id,
            client_host: "/10.1.1.1",
            rebalance_timeout: Some(300_000),
            session_timeout: 10_000,
            assignment: vec![TopicAssignment { topic, partitions }],
        }],
    })
}

/// Milliseconds since the epoch: Warren's one clock.
pub use warren_core::clock::now_ms;
