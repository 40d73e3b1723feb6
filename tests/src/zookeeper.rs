//! Apache ZooKeeper for the `kafka_zk` consumer's tests: one standalone server per test binary,
//! started by `scripts/zookeeper` (jars from Maven Central) and stopped when the process exits,
//! or the one `scripts/test` started when `WARREN_ZOOKEEPER` names it. Tests write commits the
//! way Kafka's old ZooKeeper consumers did: the offset as decimal text in
//! `<path>/consumers/GROUP/offsets/TOPIC/PARTITION`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use zookeeper_client::{Acls, Client, CreateMode, Error};

/// `scripts/zookeeper` in this checkout.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/zookeeper")
}

/// A running ZooKeeper server.
pub struct ZooKeeper {
    /// `127.0.0.1:PORT`.
    pub address: String,
    /// The server's folder, for [`ZooKeeper::stop`] and [`ZooKeeper::start_again`]; only for
    /// a server of the test's own ([`ZooKeeper::own`]).
    dir: Option<String>,
}

impl ZooKeeper {
    /// The server shared by every test of this binary.
    pub fn shared() -> &'static ZooKeeper {
        static SHARED: OnceLock<ZooKeeper> = OnceLock::new();
        SHARED.get_or_init(|| match std::env::var("WARREN_ZOOKEEPER") {
            Ok(address) if !address.is_empty() => ZooKeeper { address, dir: None },
            _ => Self::up(),
        })
    }

    fn up() -> ZooKeeper {
        let out = Command::new("bash")
            .arg(script())
            .args(["up", "--owner", &std::process::id().to_string()])
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/zookeeper up");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "scripts/zookeeper up failed ({}): {stdout}",
            out.status
        );
        let line = |key: &str| {
            stdout
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .unwrap_or_else(|| panic!("no {key}= line in {stdout}"))
                .to_string()
        };
        ZooKeeper {
            address: line("ZOOKEEPER"),
            dir: Some(line("DIR")),
        }
    }

    /// A server of the test's own, which it may stop and start (the shared one must not be).
    pub fn own() -> ZooKeeper {
        Self::up()
    }

    /// Kills the server (SIGKILL); its port and data stay for [`ZooKeeper::start_again`].
    pub fn stop(&self) {
        self.run("stop");
    }

    /// Starts a stopped server on its port and data, and waits until it serves.
    pub fn start_again(&self) {
        self.run("start");
    }

    fn run(&self, op: &str) {
        let dir = self
            .dir
            .as_deref()
            .expect("only a server of the test's own");
        let status = Command::new("bash")
            .arg(script())
            .args([op, "--dir", dir])
            .status()
            .expect("run scripts/zookeeper");
        assert!(
            status.success(),
            "scripts/zookeeper {op} --dir {dir} failed"
        );
    }

    /// A client session, for writing commits.
    pub async fn client(&self) -> Client {
        Client::connect(&self.address)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to ZooKeeper at {}: {e}", self.address))
    }
}

/// Commits `offset` for `group` on `topic`/`partition` under `prefix` (Burrow's
/// `zookeeper-path`), creating the path as a ZooKeeper consumer would. Writing the same offset
/// again is a new commit (a new transaction id), as it is for a real consumer.
pub async fn commit(
    client: &Client,
    prefix: &str,
    group: &str,
    topic: &str,
    partition: i32,
    offset: i64,
) {
    write(
        client,
        prefix,
        group,
        topic,
        partition,
        offset.to_string().as_bytes(),
    )
    .await;
}

/// Writes `data` as `group`'s commit on `topic`/`partition`, whatever it holds (for malformed
/// znodes).
pub async fn write(
    client: &Client,
    prefix: &str,
    group: &str,
    topic: &str,
    partition: i32,
    data: &[u8],
) {
    let dir = format!("{prefix}/consumers/{group}/offsets/{topic}");
    let path = format!("{dir}/{partition}");
    match client.set_data(&path, data, None).await {
        Ok(_) => return,
        Err(Error::NoNode) => {}
        Err(e) => panic!("set {path}: {e}"),
    }
    let options = CreateMode::Persistent.with_acls(Acls::anyone_all());
    match client.mkdir(&dir, &options).await {
        Ok(()) | Err(Error::NodeExists) => {}
        Err(e) => panic!("mkdir {dir}: {e}"),
    }
    client
        .create(&path, data, &options)
        .await
        .unwrap_or_else(|e| panic!("create {path}: {e}"));
}
