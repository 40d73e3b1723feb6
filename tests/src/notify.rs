//! The setting of the notification tests: librdkafka's mock cluster with groups committing in
//! Kafka's record format ([`Traffic`]), the daemon on a config file with fast timers (so a
//! restart or a reload can rewrite it), and `[notifier.NAME]` sections bound to the
//! first-party notifier plugins, delivering to real HTTP receivers on 127.0.0.1.

use std::path::Path;
use std::time::Duration;

use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;
use serde_json::Value;

use crate::receiver::Receiver;
use crate::traffic::Traffic;
use crate::{Daemon, free_port, unique, wait_until};

/// librdkafka's in-process cluster.
pub type Mock = MockCluster<'static, DefaultProducerContext>;

/// A broker with one (topic, group) pair per prefix (pair `i` of the traffic), the offsets
/// topic, and traffic started: every group commits.
pub fn broker_with(prefixes: &[&str]) -> (Mock, Traffic, Vec<(String, String)>) {
    let mock = MockCluster::new(1).expect("mock cluster");
    mock.create_topic("__consumer_offsets", 1, 1)
        .expect("offsets topic");
    let mut pairs = Vec::new();
    for prefix in prefixes {
        let topic = unique(&format!("{prefix}-events"));
        mock.create_topic(&topic, 1, 1).expect("topic");
        pairs.push((topic, unique(prefix)));
    }
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(t, g)| (t.as_str(), g.as_str()))
        .collect();
    let traffic = Traffic::start(&mock.bootstrap_servers(), &refs);
    (mock, traffic, pairs)
}

/// [`broker_with`] one group.
pub fn broker() -> (Mock, Traffic, String) {
    let (mock, traffic, mut pairs) = broker_with(&["billing"]);
    (mock, traffic, pairs.remove(0).1)
}

/// The daemon's config: one cluster `prod`, fast timers, a compiled-plugin cache shared by
/// every test daemon, and `notifiers` (TOML) appended; a `[general]` section in `notifiers`
/// gets the cache's key.
///
/// A debug build compiles each first-party plugin for seconds: a daemon that compiled them
/// anew at every start could miss its start-up deadline on a loaded machine.
pub fn config(bootstrap: &str, port: u16, data_dir: &Path, notifiers: &str) -> String {
    let cache = format!(
        "plugin-cache-dir = \"{}\"\n",
        std::env::temp_dir()
            .join("warren-tests-plugin-cache")
            .display()
    );
    let notifiers = if notifiers.contains("[general]\n") {
        notifiers.replacen("[general]\n", &format!("[general]\n{cache}"), 1)
    } else {
        format!("{notifiers}\n[general]\n{cache}")
    };
    format!(
        r#"
[cluster.prod]
servers = ["{bootstrap}"]
offset-refresh = "300ms"
topic-refresh = "5s"
[consumer.prod]
class-name = "kafka"
cluster = "prod"
[storage.default]
intervals = 3
data-dir = "{dir}"
[evaluator.default]
expire-cache = "0s"
# A group's first commit, behind HEAD, is STOP under Burrow's rules until a second one comes;
# judging only full windows keeps that start-up blip out of the notification counts.
minimum-complete = 1.0
[httpserver.test]
address = "127.0.0.1:{port}"
{notifiers}
"#,
        dir = data_dir.display(),
    )
}

/// Writes `dir/warren.toml` (state in `dir/data`) with `notifiers` and starts the daemon on it.
pub async fn start(mock: &Mock, dir: &Path, notifiers: &str) -> Daemon {
    let port = free_port();
    let file = dir.join("warren.toml");
    let text = config(
        &mock.bootstrap_servers(),
        port,
        &dir.join("data"),
        notifiers,
    );
    std::fs::write(&file, text).unwrap();
    Daemon::start_file(&file, port).await
}

/// Starts the daemon again on `dir/warren.toml`, first moved to a free port (the old one may
/// linger) and passed through `edit`, line by line.
pub async fn restart(dir: &Path, edit: impl Fn(&str) -> String) -> Daemon {
    let file = dir.join("warren.toml");
    let port = free_port();
    let text: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with("address = ") {
                format!("address = \"127.0.0.1:{port}\"")
            } else {
                edit(l)
            }
        })
        .collect();
    std::fs::write(&file, text.join("\n")).unwrap();
    Daemon::start_file(&file, port).await
}

/// `[plugin.NAME]` + `[notifier.NAME]` for a first-party notifier sending to `receiver`, every
/// 300 ms at threshold ERR, reminding hourly; `notifier` (TOML lines) adds to or overrides the
/// notifier's keys.
pub fn notifier(
    name: &str,
    builtin: &str,
    receiver: &Receiver,
    config: &str,
    secrets: &str,
) -> String {
    notifier_with(name, builtin, receiver, config, secrets, "")
}

/// [`notifier`] with `keys` (TOML lines such as `send-once = true`) in its `[notifier.NAME]`.
pub fn notifier_with(
    name: &str,
    builtin: &str,
    receiver: &Receiver,
    config: &str,
    secrets: &str,
    keys: &str,
) -> String {
    let mut lines = vec![
        ("interval", "\"300ms\""),
        ("threshold", "\"ERR\""),
        ("send-interval", "\"1h\""),
    ];
    let extra: Vec<(&str, &str)> = keys
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    lines.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    lines.extend(extra);
    let keys: String = lines.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
    format!(
        r#"
[plugin.{name}]
kind = "notifier"
path = "builtin:{builtin}"
allowed-outbound-hosts = ["{authority}"]
allow-private-addresses = true
secrets = {{ {secrets} }}
config = {config}
[plugin.{name}.limits]
timeout = "2s"
[notifier.{name}]
plugin = "{name}"
{keys}"#,
        authority = receiver.authority,
    )
}

/// A webhook notifier `name` posting to `receiver`'s `/NAME`, with `keys` as in
/// [`notifier_with`].
pub fn webhook(name: &str, receiver: &Receiver, keys: &str) -> String {
    notifier_with(
        name,
        "webhook",
        receiver,
        &format!(r#"{{ url = "{}/{name}" }}"#, receiver.base),
        "",
        keys,
    )
}

/// The group's status as `/v3/kafka/prod/consumer/GROUP/status` reports it.
pub async fn status(d: &Daemon, group: &str) -> String {
    let (_, v) = d
        .get(&format!("/v3/kafka/prod/consumer/{group}/status"))
        .await;
    v["status"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Waits until the group's status is `want`.
pub async fn wait_status(d: &Daemon, group: &str, want: &str, within: Duration) {
    wait_until(within, &format!("group {group} {want}"), || async {
        status(d, group).await == want
    })
    .await;
}

/// Waits until the group is OK with a full window (every judged commit in place).
pub async fn wait_ok_and_full(d: &Daemon, group: &str) {
    wait_until(Duration::from_secs(30), "a full OK window", || async {
        let (_, v) = d.get(&format!("/v3/kafka/prod/consumer/{group}/lag")).await;
        v["status"]["status"] == "OK" && v["status"]["complete"] == 1.0
    })
    .await;
}

/// Waits until `r` has seen `n` requests to `path`, and returns the bodies of all of them.
pub async fn wait_requests(r: &Receiver, path: &str, n: usize, within: Duration) -> Vec<Value> {
    wait_until(within, &format!("{n} request(s) to {path}"), || async {
        r.requests(path).len() >= n
    })
    .await;
    r.requests(path).into_iter().map(|r| r.body).collect()
}

/// The entry of notifier `name` in `/v3/admin/notifiers` (`Null` when absent).
pub async fn notifier_report(d: &Daemon, name: &str) -> Value {
    let (_, report) = d.get("/v3/admin/notifiers").await;
    report["notifiers"]
        .as_array()
        .and_then(|a| a.iter().find(|n| n["name"] == name))
        .cloned()
        .unwrap_or(Value::Null)
}

/// The groups named by the webhook bodies `bodies` (opens and updates name theirs; closes
/// carry only ids and name none).
pub fn groups_named(bodies: &[Value]) -> Vec<String> {
    bodies
        .iter()
        .flat_map(|b| b["events"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["event"]["group"].as_str().map(str::to_owned))
        .collect()
}
