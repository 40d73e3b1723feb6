//! Three Warren instances with `[ha]` on a three-node Apache Kafka cluster, each a child
//! process that can be killed (SIGKILL), paused (SIGSTOP) or stopped (SIGTERM), all sending
//! to one webhook receiver on 127.0.0.1. A group driven from here commits, stops (ERR: an
//! incident opens), resumes (it closes). Deliveries are counted at the receiver, never in
//! logs:
//!
//! 1. one leader is elected, every instance names the same one, and all answer the same
//!    status for the group;
//! 2. the group stops: one open; the leader is SIGKILLed together with the broker leading the
//!    state topic; a new leader takes over and, when the group recovers, sends one close with
//!    the open's id;
//! 3. the receiver refuses a new incident's open; the leader is paused with it queued;
//!    another takes over and delivers it; the paused one, resumed with the open due in its own
//!    queue, sends nothing (fenced) and no longer claims the lead;
//! 4. the receiver is down while a leader holds a pending open; that leader is killed; the
//!    next leader delivers the open, then the close;
//! 5. a rolling restart of all three: no notification is lost or sent twice.
//!
//! One test, so the cluster starts once; the phases print how long each failover took.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{BaseRecord, Producer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::Value;
use warren_integration_tests::child::ChildDaemon;
use warren_integration_tests::kafka::KafkaCluster;
use warren_integration_tests::receiver::{Receiver, Reply};
use warren_integration_tests::{create_topic_replicated, free_port, producer, unique, wait_until};

/// The child process of the test below ([`warren_integration_tests::child`]).
#[test]
#[ignore = "the HA test's child process"]
fn daemon_child() {
    warren_integration_tests::child::run_child();
}

/// The group's consumer, played from here: a record to partition 0 every 100 ms, and every
/// 300 ms, while switched on, a commit of everything written (through the group coordinator,
/// as a consumer outside any generation commits). Nothing in the loop waits without bound,
/// so production and commits go on through a broker's death.
struct Committer {
    /// The last commit attempt: offset and outcome, for a failure message.
    last: Arc<std::sync::Mutex<String>>,
    on: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Committer {
    fn start(bootstrap: &str, topic: &str, group: &str) -> Committer {
        let on = Arc::new(AtomicBool::new(true));
        let stop = Arc::new(AtomicBool::new(false));
        let p = producer(bootstrap);
        let c: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            // A partition leader that died with its broker is otherwise remembered for
            // minutes: ListOffsets would keep going to it.
            .set("topic.metadata.refresh.interval.ms", "1000")
            .create()
            .expect("committer");
        let last = Arc::new(std::sync::Mutex::new(String::new()));
        let (topic, flags, seen) = (topic.to_owned(), (on.clone(), stop.clone()), last.clone());
        let thread = std::thread::spawn(move || {
            let mut last = Instant::now();
            while !flags.1.load(Ordering::Relaxed) {
                let _ = p.send(BaseRecord::<(), str>::to(&topic).partition(0).payload("x"));
                p.poll(Duration::ZERO);
                // Serves the consumer's commit results and errors.
                let _ = c.poll(Duration::ZERO);
                if flags.0.load(Ordering::Relaxed) && last.elapsed() >= Duration::from_millis(300) {
                    let _ = p.flush(Duration::from_secs(5));
                    let outcome = match c.fetch_watermarks(&topic, 0, Duration::from_secs(5)) {
                        Ok((_, high)) => {
                            let mut tpl = TopicPartitionList::new();
                            let _ = tpl.add_partition_offset(&topic, 0, Offset::Offset(high));
                            // Async: a synchronous commit waits without bound for a
                            // coordinator that died with its broker; the next one, 300 ms
                            // later, carries the offset anyway.
                            format!("commit {high}: {:?}", c.commit(&tpl, CommitMode::Async))
                        }
                        Err(e) => format!("watermarks: {e}"),
                    };
                    *seen.lock().unwrap_or_else(|e| e.into_inner()) = outcome;
                    last = Instant::now();
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Committer {
            last,
            on,
            stop,
            thread: Some(thread),
        }
    }

    fn commits(&self, on: bool) {
        self.on.store(on, Ordering::Relaxed);
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The three instances' shared setting and each one's port, config file and process.
struct Instances {
    dir: PathBuf,
    ports: Vec<u16>,
    live: Vec<Option<ChildDaemon>>,
    started: usize,
}

impl Instances {
    fn new(dir: &Path, kafka: &KafkaCluster, receiver: &Receiver, ha: &str) -> Instances {
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        for (i, port) in ports.iter().enumerate() {
            let text = format!(
                r#"
[general]
instance-id = "w{n}"
plugin-cache-dir = "{cache}"
[cluster.real]
servers = [{servers}]
offset-refresh = "1s"
topic-refresh = "5s"
[consumer.real]
class-name = "kafka"
cluster = "real"
[storage.default]
intervals = 3
[evaluator.default]
expire-cache = "0s"
minimum-complete = 1.0
[httpserver.test]
address = "127.0.0.1:{port}"
[ha]
cluster = "real"
group = "{ha}"
leader-topic = "{ha}-leader"
state-topic = "{ha}-state"
session-timeout = "6s"
[plugin.hook]
kind = "notifier"
path = "builtin:webhook"
allowed-outbound-hosts = ["{authority}"]
allow-private-addresses = true
config = {{ url = "{base}/hook" }}
[plugin.hook.limits]
timeout = "2s"
[notifier.hook]
plugin = "hook"
interval = "500ms"
threshold = "ERR"
send-interval = "1h"
group-allowlist = "^ha-"
"#,
                n = i + 1,
                cache = dir.join("plugin-cache").display(),
                servers = kafka.servers_toml(),
                authority = receiver.authority,
                base = receiver.base,
            );
            std::fs::write(dir.join(format!("w{}.toml", i + 1)), text).unwrap();
        }
        Instances {
            dir: dir.to_path_buf(),
            ports,
            live: vec![None, None, None],
            started: 0,
        }
    }

    /// Starts instance `i` (0-based) and waits until it is ready.
    async fn start(&mut self, i: usize) {
        self.started += 1;
        let log = self.dir.join(format!("w{}-{}.log", i + 1, self.started));
        let config = self.dir.join(format!("w{}.toml", i + 1));
        let d = ChildDaemon::start(&config, self.ports[i], &log).await;
        wait_until(Duration::from_secs(60), "instance ready", || async {
            d.get("/burrow/admin/ready").await.0 == 200
        })
        .await;
        self.live[i] = Some(d);
    }

    fn up(&self) -> impl Iterator<Item = (usize, &ChildDaemon)> {
        self.live
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.as_ref().map(|d| (i, d)))
    }

    /// Waits until every running instance except `paused` names the same leader, and that
    /// leader says it leads; returns its index.
    async fn leader(&self, paused: Option<usize>, within: Duration) -> usize {
        let start = Instant::now();
        loop {
            let mut named = Vec::new();
            for (i, d) in self.up().filter(|(i, _)| Some(*i) != paused) {
                let (_, v) = d.get("/v3/admin/instances").await;
                named.push((i, v["leader"].as_str().map(str::to_owned), v));
            }
            let first = named.first().and_then(|(_, l, _)| l.clone());
            if let Some(leader) = first
                && named
                    .iter()
                    .all(|(_, l, _)| l.as_deref() == Some(leader.as_str()))
            {
                let index = leader.trim_start_matches('w').parse::<usize>().unwrap() - 1;
                if Some(index) != paused && self.live[index].is_some() {
                    return index;
                }
            }
            assert!(
                start.elapsed() < within,
                "no agreed leader within {within:?}: {named:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn take(&mut self, i: usize) -> ChildDaemon {
        self.live[i].take().expect("running")
    }
}

/// The webhook's accepted messages so far: `("open", id)` or `("close", id)`.
fn messages(hook: &Receiver) -> Vec<(&'static str, String)> {
    hook.accepted("/hook")
        .into_iter()
        .map(|r| match r.body["events"][0]["id"].as_str() {
            Some(id) => ("open", id.to_owned()),
            None => ("close", r.body["ids"][0].as_str().unwrap_or("?").to_owned()),
        })
        .collect()
}

/// Waits for the `n`th accepted message; on timeout, says what every instance thought.
async fn wait_messages(
    hook: &Receiver,
    w: &Instances,
    (group, committer): (&str, &Committer),
    n: usize,
    what: &str,
) -> Vec<(&'static str, String)> {
    let start = Instant::now();
    while hook.accepted("/hook").len() < n {
        if start.elapsed() > Duration::from_secs(60) {
            let mut seen = Vec::new();
            for (i, d) in w.up() {
                let status = group_status(d, group).await;
                let (_, instances) = d.get("/v3/admin/instances").await;
                let (_, notifiers) = d.get("/v3/admin/notifiers").await;
                seen.push(format!(
                    "w{}: status {} lag {}; leader {}; notifiers {}",
                    i + 1,
                    status["status"],
                    status["totallag"],
                    instances["leader"],
                    notifiers["notifiers"]
                ));
            }
            panic!(
                "timed out waiting for {what}; received {:?}; last {}\n{}",
                messages(hook),
                committer.last.lock().unwrap_or_else(|e| e.into_inner()),
                seen.join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    messages(hook)
}

/// Waits until instance `i` has recorded every delivery's outcome (nothing pending). Kafka
/// cannot make an HTTP request and the write recording it one step: a leader killed in the
/// milliseconds between them has its successor send that message again, with the same id
/// (the README says so). The scenarios kill after that window, as they mean to.
async fn settled(w: &Instances, i: usize) {
    let d = w.live[i].as_ref().expect("running");
    wait_until(
        Duration::from_secs(30),
        "every outcome recorded",
        || async {
            let (_, v) = d.get("/v3/admin/notifiers").await;
            v["notifiers"][0]["pending"]
                .as_array()
                .is_some_and(Vec::is_empty)
        },
    )
    .await;
}

/// Makes the receiver refuse everything, stops the group's commits, and waits until the
/// leader's open was refused once; returns its incident id.
async fn refused_open(hook: &Receiver, committer: &Committer) -> String {
    hook.script("/hook", vec![Reply::Status(503); 1000]);
    let before = hook.requests("/hook").len();
    committer.commits(false);
    wait_until(Duration::from_secs(60), "an open refused", || async {
        hook.requests("/hook").len() > before
    })
    .await;
    hook.requests("/hook")[before].body["events"][0]["id"]
        .as_str()
        .expect("an open")
        .to_owned()
}

async fn group_status(d: &ChildDaemon, group: &str) -> Value {
    let (_, v) = d
        .get(&format!("/v3/kafka/real/consumer/{group}/status"))
        .await;
    v["status"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_send_each_notification_once_through_kills_pauses_and_restarts() {
    let kafka = KafkaCluster::start(3, 10);
    let topic = unique("ha-orders");
    create_topic_replicated(&kafka.bootstrap, &topic, 1, 3).await;
    let group = unique("ha-billing");
    let committer = Committer::start(&kafka.bootstrap, &topic, &group);
    let hook = Receiver::start().await;
    // Kept when the test fails: the instances' logs are there.
    let dir = tempfile::tempdir().unwrap().keep();
    eprintln!("instance logs in {}", dir.display());
    let ha = unique("warren-ha");
    let mut w = Instances::new(&dir, &kafka, &hook, &ha);
    for i in 0..3 {
        w.start(i).await;
    }

    // 1. One leader, named by all; the same verdict everywhere.
    let t = Instant::now();
    let leader = w.leader(None, Duration::from_secs(30)).await;
    eprintln!(
        "phase 1: w{} leads, agreed {:?} after the last start",
        leader + 1,
        t.elapsed()
    );
    let t = Instant::now();
    loop {
        let mut all = Vec::new();
        for (_, d) in w.up() {
            all.push(group_status(d, &group).await);
        }
        let same = all
            .iter()
            .all(|s| s["status"] == "OK" && s["partition_count"] == 1 && s["complete"] == 1.0);
        if same {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the group is not OK on every instance: {all:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // 2. STOP: one open. Kill the leader and the broker leading the state topic.
    committer.commits(false);
    let got = wait_messages(&hook, &w, (&group, &committer), 1, "the open").await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "open");
    let first_id = got[0].1.clone();
    settled(&w, leader).await;
    let broker = kafka.leader_of(&format!("{ha}-state"), 0);
    let t = Instant::now();
    w.take(leader).kill();
    kafka.node("kill", broker);
    let next = w.leader(None, Duration::from_secs(60)).await;
    eprintln!(
        "phase 2: w{} killed with broker {broker}; w{} leads after {:?}",
        leader + 1,
        next + 1,
        t.elapsed()
    );
    committer.commits(true);
    let got = wait_messages(
        &hook,
        &w,
        (&group, &committer),
        2,
        "the close after failover",
    )
    .await;
    assert_eq!(got[1], ("close", first_id.clone()), "{got:?}");
    kafka.node("start", broker);
    kafka.wait_brokers(3, Duration::from_secs(60));
    w.start(leader).await;

    // 3. A new incident whose open the receiver refuses; its leader is paused with the open
    //    still queued; another delivers it; the paused one, resumed with the open due in its
    //    own queue, sends nothing (fenced) and no longer claims the lead.
    let second_id = refused_open(&hook, &committer).await;
    assert_ne!(second_id, first_id);
    let paused = w.leader(None, Duration::from_secs(10)).await;
    let t = Instant::now();
    w.live[paused].as_ref().unwrap().signal(libc::SIGSTOP);
    let next = w.leader(Some(paused), Duration::from_secs(60)).await;
    eprintln!(
        "phase 3: w{} paused holding a pending open; w{} leads after {:?}",
        paused + 1,
        next + 1,
        t.elapsed()
    );
    hook.heal("/hook");
    let got = wait_messages(
        &hook,
        &w,
        (&group, &committer),
        3,
        "the open delivered by the new leader",
    )
    .await;
    assert_eq!(got[2], ("open", second_id.clone()), "{got:?}");
    settled(&w, next).await;
    let zombie = w.live[paused].as_ref().unwrap();
    zombie.signal(libc::SIGCONT);
    let zombie_id = format!("w{}", paused + 1);
    wait_until(
        Duration::from_secs(30),
        "the resumed instance no longer claims the lead",
        || async {
            let (_, v) = zombie.get("/v3/admin/instances").await;
            v["leader"].as_str().is_some_and(|l| l != zombie_id)
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = messages(&hook);
    assert_eq!(
        got.len(),
        3,
        "the resumed instance sent its queued open: {got:?}"
    );
    committer.commits(true);
    let got = wait_messages(
        &hook,
        &w,
        (&group, &committer),
        4,
        "the close by the new leader",
    )
    .await;
    assert_eq!(got[3], ("close", second_id.clone()), "{got:?}");

    // 4. The receiver is down while the leader holds the open; the leader is killed; the
    //    next leader delivers it.
    let refused_id = refused_open(&hook, &committer).await;
    let holder = w.leader(None, Duration::from_secs(10)).await;
    let t = Instant::now();
    w.take(holder).kill();
    let next = w.leader(None, Duration::from_secs(60)).await;
    eprintln!(
        "phase 4: w{} killed holding a pending open; w{} leads after {:?}",
        holder + 1,
        next + 1,
        t.elapsed()
    );
    hook.heal("/hook");
    let got = wait_messages(
        &hook,
        &w,
        (&group, &committer),
        5,
        "the pending open delivered",
    )
    .await;
    assert_eq!(got[4], ("open", refused_id.clone()), "{got:?}");
    committer.commits(true);
    let got = wait_messages(&hook, &w, (&group, &committer), 6, "its close").await;
    assert_eq!(got[5], ("close", refused_id.clone()), "{got:?}");
    w.start(holder).await;

    // 5. Rolling restart, one instance at a time, with an incident opening and closing
    //    across it.
    committer.commits(false);
    for i in 0..3 {
        w.take(i).terminate().await;
        w.start(i).await;
        if i == 0 {
            let got = wait_messages(
                &hook,
                &w,
                (&group, &committer),
                7,
                "the open during the restart",
            )
            .await;
            assert_eq!(got[6].0, "open", "{got:?}");
            committer.commits(true);
        }
    }
    let got = wait_messages(
        &hook,
        &w,
        (&group, &committer),
        8,
        "the close after the restart",
    )
    .await;
    assert_eq!(got[7], ("close", got[6].1.clone()), "{got:?}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = messages(&hook);
    assert_eq!(got.len(), 8, "a notification was sent twice: {got:?}");
    drop(committer);
    drop(w);
    let _ = std::fs::remove_dir_all(&dir);
}
