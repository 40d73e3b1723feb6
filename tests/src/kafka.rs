//! Apache Kafka itself for the real-broker tier: KRaft clusters started by `scripts/kafka`
//! (jars from Maven Central), Kafka's own Java clients for what librdkafka cannot do (KIP-848
//! consumers of the Java client, transactional offset commits), and the broker's ground truth
//! (Admin `ListConsumerGroupOffsets` and `ListOffsets`) to compare Warren's answers with.
//!
//! One cluster per test binary ([`KafkaCluster::shared`]) keeps the tier within CI's time;
//! fault tests, which kill and pause nodes, start their own ([`KafkaCluster::start`]), and so
//! do the security tests, one per mode ([`KafkaCluster::secured`]).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// `scripts/kafka` in this checkout.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/kafka")
}

/// The shared cluster's one extra setting (`scripts/test` passes the same): offsets-topic
/// segments of 1 MiB, the smallest Kafka 4 allows, so the compaction test can see the log
/// cleaner at work after a few thousand commits.
pub const SHARED_PROPS: &str = "offsets.topic.segment.bytes=1048576";

/// A running KRaft cluster: N combined broker+controller nodes on 127.0.0.1.
pub struct KafkaCluster {
    /// `127.0.0.1:PORT,...`, one address per node.
    pub bootstrap: String,
    /// The cluster's state folder (node logs under `nodeN/server.log`).
    pub dir: PathBuf,
    /// Stop the nodes when dropped (not for the shared cluster, which a watcher stops).
    owned: bool,
    /// What a client needs for the secured listener `bootstrap` names (`--security MODE`).
    pub security: Option<Security>,
}

/// The `KEY=value` lines `scripts/kafka up --security MODE` prints besides `BOOTSTRAP=`.
#[derive(Debug, Clone, Default)]
pub struct Security {
    /// The mode: `tls`, `mtls`, `sasl-ssl-plain`, `sasl-ssl-scram` or `sasl-ssl-oauthbearer`.
    pub mode: String,
    /// An unsecured listener of the same nodes, for tooling.
    pub plaintext_bootstrap: String,
    /// A TLS listener whose certificate names only `misnamed.invalid`.
    pub misnamed_bootstrap: String,
    /// The CA that signed every certificate (PEM).
    pub ca: PathBuf,
    /// A client certificate and key signed by the CA (PEM).
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    /// SASL user, password and mechanism (empty in the TLS modes; the mechanism is
    /// `OAUTHBEARER` in `sasl-ssl-oauthbearer`).
    pub username: String,
    pub password: String,
    pub mechanism: String,
    /// `sasl-ssl-oauthbearer`: the test OIDC provider's token endpoint and the one client it
    /// knows (empty in the other modes).
    pub token_endpoint: String,
    pub client_id: String,
    pub client_secret: String,
    /// A Java client's properties for the secured listener (given to the Java tool).
    pub client_properties: PathBuf,
}

impl KafkaCluster {
    /// Starts a cluster of `nodes` with `offsets_partitions` offsets-topic partitions. The
    /// nodes go down when this value is dropped, or when the test process exits.
    pub fn start(nodes: usize, offsets_partitions: u32) -> KafkaCluster {
        let mut c = Self::up(nodes, offsets_partitions, &[], None);
        c.owned = true;
        c
    }

    /// Starts a one-node cluster whose client listener is secured with `mode` (`tls`, `mtls`,
    /// `sasl-ssl-plain`, `sasl-ssl-scram`); `props` are extra broker settings. The node goes
    /// down when this value is dropped, or when the test process exits.
    pub fn secured(mode: &str, props: &[&str]) -> KafkaCluster {
        let mut c = Self::up(1, 4, props, Some(mode));
        c.owned = true;
        c
    }

    /// [`KafkaCluster::secured`] in `sasl-ssl-oauthbearer` mode, its token endpoint issuing
    /// tokens valid `token_lifetime` (whole seconds); each token issued is a line of
    /// [`KafkaCluster::issued_tokens`].
    pub fn oauthbearer(token_lifetime: Duration) -> KafkaCluster {
        let lifetime = token_lifetime.as_secs().to_string();
        let mut c = Self::up_with_env(
            1,
            4,
            &[],
            Some("sasl-ssl-oauthbearer"),
            &[("WARREN_OIDC_TOKEN_LIFETIME", &lifetime)],
        );
        c.owned = true;
        c
    }

    /// The expiry (seconds since the Unix epoch) of every token the `sasl-ssl-oauthbearer`
    /// token endpoint has issued so far to clients whose `User-Agent` starts with `agent`
    /// (Warren's is `warren/VERSION`), in issue order.
    pub fn issued_tokens(&self, agent: &str) -> Vec<u64> {
        std::fs::read_to_string(self.dir.join("oidc/issued.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                let [_, expiry, user_agent] = f[..] else {
                    return None;
                };
                user_agent
                    .starts_with(agent)
                    .then(|| expiry.parse().ok())
                    .flatten()
            })
            .collect()
    }

    /// Starts a one-node cluster with extra broker settings `props`, stopped like
    /// [`KafkaCluster::start`]'s.
    pub fn start_with(offsets_partitions: u32, props: &[&str]) -> KafkaCluster {
        let mut c = Self::up(1, offsets_partitions, props, None);
        c.owned = true;
        c
    }

    /// An address for tooling that must not depend on the security under test: the plaintext
    /// listener of a secured cluster, else `bootstrap`.
    pub fn plaintext_bootstrap(&self) -> &str {
        self.security
            .as_ref()
            .map_or(self.bootstrap.as_str(), |s| s.plaintext_bootstrap.as_str())
    }

    /// A one-node cluster with 50 offsets-topic partitions (Kafka's default) shared by every
    /// test of this binary: the one `scripts/test` started for the whole run when
    /// `WARREN_KAFKA_BOOTSTRAP` and `WARREN_KAFKA_DIR` name it, else one started on first use
    /// and stopped when the process exits.
    pub fn shared() -> &'static KafkaCluster {
        static SHARED: OnceLock<KafkaCluster> = OnceLock::new();
        SHARED.get_or_init(|| {
            match (
                std::env::var("WARREN_KAFKA_BOOTSTRAP"),
                std::env::var_os("WARREN_KAFKA_DIR"),
            ) {
                (Ok(bootstrap), Some(dir)) if !bootstrap.is_empty() => KafkaCluster {
                    bootstrap,
                    dir: dir.into(),
                    owned: false,
                    security: None,
                },
                _ => Self::up(1, 50, &[SHARED_PROPS], None),
            }
        })
    }

    fn up(
        nodes: usize,
        offsets_partitions: u32,
        props: &[&str],
        security: Option<&str>,
    ) -> KafkaCluster {
        Self::up_with_env(nodes, offsets_partitions, props, security, &[])
    }

    fn up_with_env(
        nodes: usize,
        offsets_partitions: u32,
        props: &[&str],
        security: Option<&str>,
        env: &[(&str, &str)],
    ) -> KafkaCluster {
        let dir = tempfile::Builder::new()
            .prefix("warren-kafka-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let mut cmd = Command::new("bash");
        cmd.arg(script())
            .args(["up", "--nodes", &nodes.to_string()])
            .args(["--offsets-partitions", &offsets_partitions.to_string()])
            .arg("--dir")
            .arg(&dir)
            .args(["--owner", &std::process::id().to_string()]);
        for p in props {
            cmd.args(["--prop", p]);
        }
        if let Some(mode) = security {
            cmd.args(["--security", mode]);
        }
        cmd.envs(env.iter().copied());
        let out = cmd
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/kafka up");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "scripts/kafka up failed ({}): {stdout}",
            out.status
        );
        let line = |key: &str| -> String {
            stdout
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .unwrap_or_default()
                .to_string()
        };
        let bootstrap = line("BOOTSTRAP");
        assert!(!bootstrap.is_empty(), "no BOOTSTRAP= line in {stdout}");
        let security = security.map(|mode| Security {
            mode: mode.to_string(),
            plaintext_bootstrap: line("PLAINTEXT_BOOTSTRAP"),
            misnamed_bootstrap: line("MISNAMED_BOOTSTRAP"),
            ca: line("CA").into(),
            client_cert: line("CLIENT_CERT").into(),
            client_key: line("CLIENT_KEY").into(),
            username: line("USERNAME"),
            password: line("PASSWORD"),
            mechanism: line("MECHANISM"),
            token_endpoint: line("TOKEN_ENDPOINT"),
            client_id: line("CLIENT_ID"),
            client_secret: line("CLIENT_SECRET"),
            client_properties: line("CLIENT_PROPERTIES").into(),
        });
        KafkaCluster {
            bootstrap,
            dir,
            owned: false,
            security,
        }
    }

    /// `scripts/kafka tool ARGS`, talking to the secured listener when there is one.
    fn tool_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("bash");
        cmd.arg(script()).arg("tool").args(args);
        if let Some(s) = &self.security {
            cmd.env("KAFKA_TOOL_CONFIG", &s.client_properties);
        }
        cmd
    }

    /// `scripts/kafka OP NODE --dir D`: `kill` (SIGKILL), `stop` (SIGSTOP), `cont`, `start`.
    pub fn node(&self, op: &str, node: usize) {
        let status = Command::new("bash")
            .arg(script())
            .args([op, &node.to_string(), "--dir"])
            .arg(&self.dir)
            .status()
            .expect("run scripts/kafka");
        assert!(status.success(), "scripts/kafka {op} {node} failed");
    }

    /// The bootstrap addresses as the items of a TOML array: `"h:p", "h:p"`.
    pub fn servers_toml(&self) -> String {
        self.bootstrap
            .split(',')
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Runs a command of the Java test tool (`tests/kafka/java/KafkaTool.java`) to its end and
    /// returns its stdout.
    pub fn tool(&self, args: &[&str]) -> String {
        let out = self
            .tool_command(args)
            .stderr(Stdio::inherit())
            .output()
            .expect("run the Java tool");
        assert!(
            out.status.success(),
            "KafkaTool {args:?} failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts a long-running command of the Java test tool; it is killed on drop.
    pub fn spawn_tool(&self, args: &[&str]) -> JavaProcess {
        let mut child = self
            .tool_command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .expect("spawn the Java tool");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        JavaProcess {
            child,
            lines,
            reaped: false,
        }
    }

    /// The broker's own answer: committed offset and HEAD of every partition of `groups`
    /// (every consumer group when empty), from Admin `ListConsumerGroupOffsets` and
    /// `ListOffsets`.
    pub fn truth(&self, groups: &[&str]) -> BTreeMap<(String, String, i32), Truth> {
        let mut args = vec!["truth", self.bootstrap.as_str()];
        args.extend_from_slice(groups);
        self.tool(&args)
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                let [group, topic, partition, committed, head] = f[..] else {
                    return None;
                };
                Some((
                    (
                        group.to_string(),
                        topic.to_string(),
                        partition.parse().ok()?,
                    ),
                    Truth {
                        committed: committed.parse().ok()?,
                        head: head.parse().ok()?,
                    },
                ))
            })
            .collect()
    }

    /// A Java `KafkaConsumer` in `group` subscribed to `topic` with `protocol` (`classic` or
    /// `consumer`, KIP-848), committing every `commit_ms`, reading at most `rate` records/s
    /// (0: unbounded; -1: stalled after its first commit); returns once it has partitions.
    pub fn java_consumer(
        &self,
        group: &str,
        topic: &str,
        protocol: &str,
        commit_ms: u64,
        rate: i32,
    ) -> JavaProcess {
        let mut p = self.spawn_tool(&[
            "consume",
            &self.bootstrap,
            group,
            topic,
            protocol,
            &commit_ms.to_string(),
            &rate.to_string(),
        ]);
        p.expect_line("assigned", Duration::from_secs(60));
        p
    }
}

impl Drop for KafkaCluster {
    fn drop(&mut self) {
        if self.owned {
            let _ = Command::new("bash")
                .arg(script())
                .args(["down", "--dir"])
                .arg(&self.dir)
                .status();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// One partition of a group as the broker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truth {
    pub committed: i64,
    pub head: i64,
}

/// A Java test-tool process (its whole process group is killed on drop).
pub struct JavaProcess {
    child: Child,
    lines: Receiver<String>,
    reaped: bool,
}

impl JavaProcess {
    /// Reads stdout until a line starting with `prefix`, panicking after `timeout`.
    pub fn expect_line(&mut self, prefix: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    panic!("no '{prefix}' line from the Java tool within {timeout:?}")
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    panic!("the Java tool exited before printing '{prefix}'")
                }
            }
        }
    }

    /// Kills the process group at once (SIGKILL): a consumer that dies without leaving.
    pub fn kill(&mut self) {
        if self.reaped {
            return;
        }
        // The group, not only `bash`: the JVM is its child. A signal by group id, never
        // through `kill(1)`, whose parsing of a negative id is easy to get fatally wrong.
        let group = libc::pid_t::try_from(self.child.id()).expect("pid");
        // SAFETY: killpg has no memory effects; the group is the child's own (process_group(0)).
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
        let _ = self.child.wait();
        self.reaped = true;
    }
}

impl Drop for JavaProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Warren's view of `group` on `cluster`: per (topic, partition), the newest committed offset
/// in its window and its current lag (`None` for a partition with no commit in the window).
pub async fn warren_offsets(
    daemon: &crate::Daemon,
    cluster: &str,
    group: &str,
) -> BTreeMap<(String, i32), (Option<i64>, i64)> {
    let (status, detail) = daemon
        .get(&format!("/v3/kafka/{cluster}/consumer/{group}"))
        .await;
    let mut out = BTreeMap::new();
    if status != 200 {
        return out;
    }
    let Some(topics) = detail["topics"].as_object() else {
        return out;
    };
    for (topic, partitions) in topics {
        for (p, part) in partitions.as_array().into_iter().flatten().enumerate() {
            let newest = part["offsets"]
                .as_array()
                .and_then(|o| o.iter().rev().find(|c| !c.is_null()))
                .and_then(|c| c["offset"].as_i64());
            let lag = part["current-lag"].as_i64().unwrap_or(-1);
            out.insert((topic.clone(), p as i32), (newest, lag));
        }
    }
    out
}

/// A topic with records written on the plaintext listener (so the setup does not depend on what
/// is tested) and a Java consumer group committing through the secured one; then Warren, with
/// `profile` (TOML sections defining `[client-profile.secure]`) and consumer class `class`,
/// must report what the broker says. Returns the running daemon.
pub async fn warren_matches_the_broker(
    kafka: &KafkaCluster,
    profile: &str,
    class: &str,
) -> crate::Daemon {
    let topic = crate::unique("secured");
    crate::create_topic(kafka.plaintext_bootstrap(), &topic, 2).await;
    crate::produce(
        &crate::producer(kafka.plaintext_bootstrap()),
        &topic,
        2,
        100,
    );
    let group = crate::unique("java");
    let mut java = kafka.java_consumer(&group, &topic, "consumer", 300, 0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    java.kill();

    let daemon = crate::Daemon::start(&format!(
        r#"
{profile}
[cluster.secured]
servers = ["{}"]
client-profile = "secure"
offset-refresh = "1s"
topic-refresh = "2s"
[consumer.secured]
class-name = "{class}"
cluster = "secured"
"#,
        kafka.bootstrap
    ))
    .await;
    daemon.wait_ready().await;
    assert_matches_truth(
        kafka,
        &daemon,
        "secured",
        &[&group],
        Duration::from_secs(30),
    )
    .await;
    daemon
}

/// Waits until Warren's committed offset and lag of every partition of `groups` equal the
/// broker's ground truth, panicking with both views after `timeout`.
pub async fn assert_matches_truth(
    kafka: &KafkaCluster,
    daemon: &crate::Daemon,
    cluster: &str,
    groups: &[&str],
    timeout: Duration,
) {
    let truth = kafka.truth(groups);
    assert!(
        groups
            .iter()
            .all(|g| truth.keys().any(|(tg, _, _)| tg == g)),
        "the broker has no committed offsets for some of {groups:?}: {truth:?}"
    );
    let start = Instant::now();
    loop {
        let mut diffs = Vec::new();
        for group in groups {
            let seen = warren_offsets(daemon, cluster, group).await;
            for ((g, topic, partition), t) in truth.iter().filter(|((g, _, _), _)| g == group) {
                // Lag as Burrow defines it: a commit beyond HEAD (possible through the Admin
                // API) has no lag, not a negative one.
                let want = (Some(t.committed), (t.head - t.committed).max(0));
                let got = seen.get(&(topic.clone(), *partition)).copied();
                if got != Some(want) {
                    diffs.push(format!(
                        "{g} {topic}/{partition}: broker (offset, lag) = {want:?}, Warren {got:?}"
                    ));
                }
            }
        }
        if diffs.is_empty() {
            return;
        }
        assert!(
            start.elapsed() < timeout,
            "Warren differs from the broker after {timeout:?}:\n{}",
            diffs.join("\n")
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A librdkafka consumer in `group` subscribed to `topic`, with the classic protocol or
/// KIP-848's (`protocol` = `classic` | `consumer`), committing only when told.
pub fn rdkafka_consumer(
    bootstrap: &str,
    group: &str,
    topic: &str,
    protocol: &str,
) -> rdkafka::consumer::BaseConsumer {
    use rdkafka::consumer::Consumer;
    let mut cfg = rdkafka::ClientConfig::new();
    cfg.set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("client.id", format!("rdkafka-{group}"))
        .set("group.protocol", protocol)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest");
    if protocol == "classic" {
        cfg.set("session.timeout.ms", "6000");
    }
    let c: rdkafka::consumer::BaseConsumer = cfg.create().expect("consumer");
    c.subscribe(&[topic]).expect("subscribe");
    c
}

/// Polls `c` until it has read `n` records (or `timeout`), then commits synchronously what it
/// consumed; returns how many it read.
pub fn consume_and_commit(
    c: &rdkafka::consumer::BaseConsumer,
    n: usize,
    timeout: Duration,
) -> usize {
    use rdkafka::consumer::{CommitMode, Consumer};
    let start = Instant::now();
    let mut read = 0;
    while read < n && start.elapsed() < timeout {
        match c.poll(Duration::from_millis(100)) {
            Some(Ok(_)) => read += 1,
            Some(Err(e)) => panic!("consumer error: {e}"),
            None => {}
        }
    }
    c.commit_consumer_state(CommitMode::Sync).expect("commit");
    read
}

pub use warren_core::codec::offsets_partition;

/// A name starting with `prefix` whose group lands in offsets-topic partition `target`.
pub fn group_in_partition(prefix: &str, target: i32, partitions: i32) -> String {
    (0..)
        .map(|i| crate::unique(&format!("{prefix}{i}")))
        .find(|g| offsets_partition(g, partitions) == target)
        .expect("some name lands there")
}

impl KafkaCluster {
    /// Waits until the cluster's metadata lists `n` brokers.
    pub fn wait_brokers(&self, n: usize, timeout: Duration) {
        let start = Instant::now();
        loop {
            let out = self
                .tool_command(&["count-brokers", &self.bootstrap])
                .stderr(Stdio::null())
                .output()
                .expect("run the Java tool");
            if String::from_utf8_lossy(&out.stdout).trim() == n.to_string() {
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "{n} brokers not back within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// The node (1-based, as `node.id`) leading `partition` of `topic`.
    pub fn leader_of(&self, topic: &str, partition: i32) -> usize {
        use rdkafka::consumer::Consumer;
        let c: rdkafka::consumer::BaseConsumer = rdkafka::ClientConfig::new()
            .set("bootstrap.servers", self.plaintext_bootstrap())
            .create()
            .expect("client");
        let md = c
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .expect("metadata");
        let leader = md.topics()[0]
            .partitions()
            .iter()
            .find(|p| p.id() == partition)
            .expect("partition")
            .leader();
        usize::try_from(leader).expect("a leader")
    }
}
