//! The evaluator end to end on a real broker process (noida-db): a real librdkafka consumer
//! keeps up with a steady producer (OK), stops while the producer goes on (ERR, partitions
//! STOP), then resumes and catches up (OK again). Warren reads the group through the Admin API.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::producer::{BaseRecord, Producer};
use serde_json::Value;
use warren_integration_tests::{
    Daemon, Noida, create_topic, group_consumer, producer, unique, wait_until,
};

struct Flags {
    producing: AtomicBool,
    consuming: AtomicBool,
    done: AtomicBool,
}

fn spawn_producer(bs: String, topic: String, flags: Arc<Flags>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let p = producer(&bs);
        while !flags.done.load(Ordering::Relaxed) {
            if flags.producing.load(Ordering::Relaxed) {
                for _ in 0..10 {
                    let _ = p.send(BaseRecord::<(), str>::to(&topic).partition(0).payload("x"));
                }
                let _ = p.flush(Duration::from_secs(5));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    })
}

fn spawn_consumer(
    bs: String,
    topic: String,
    group: String,
    flags: Arc<Flags>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let c = group_consumer(&bs, &group, "settlement-1", &topic);
        let mut last_commit = std::time::Instant::now();
        while !flags.done.load(Ordering::Relaxed) {
            if !flags.consuming.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            if let Some(Err(e)) = c.poll(Duration::from_millis(50)) {
                eprintln!("consumer error: {e}");
            }
            if last_commit.elapsed() >= Duration::from_millis(500) {
                let _ = c.commit_consumer_state(CommitMode::Sync);
                last_commit = std::time::Instant::now();
            }
        }
    })
}

async fn lag(daemon: &Daemon, group: &str) -> Value {
    daemon
        .get(&format!("/v3/kafka/real/consumer/{group}/lag"))
        .await
        .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_consumer_goes_from_ok_to_err_stop_and_back_to_ok_when_it_resumes() {
    let broker = Noida::start();
    let bs = broker.bootstrap.clone();
    let topic = unique("payments");
    create_topic(&bs, &topic, 1).await;
    let group = unique("settlement");
    let flags = Arc::new(Flags {
        producing: AtomicBool::new(true),
        consuming: AtomicBool::new(true),
        done: AtomicBool::new(false),
    });
    let prod = spawn_producer(bs.clone(), topic.clone(), flags.clone());
    let cons = spawn_consumer(bs.clone(), topic.clone(), group.clone(), flags.clone());

    let daemon = Daemon::start(&format!(
        r#"
[cluster.real]
servers = ["{bs}"]
offset-refresh = "1s"
[consumer.real]
class-name = "kafka-admin"
cluster = "real"
[storage.default]
intervals = 5
[evaluator.default]
expire-cache = "1s"
"#
    ))
    .await;

    wait_until(Duration::from_secs(60), "OK with a full window", || async {
        let s = lag(&daemon, &group).await;
        s["status"]["status"] == "OK" && s["status"]["complete"] == 1.0
    })
    .await;

    flags.consuming.store(false, Ordering::Relaxed);
    wait_until(
        Duration::from_secs(90),
        "ERR with the partition STOP after the consumer stopped",
        || async {
            let s = lag(&daemon, &group).await;
            s["status"]["status"] == "ERR" && s["status"]["partitions"][0]["status"] == "STOP"
        },
    )
    .await;
    let (status, body) = daemon
        .get(&format!("/v3/kafka/real/consumer/{group}/status"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["status"]["partitions"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );

    flags.consuming.store(true, Ordering::Relaxed);
    wait_until(
        Duration::from_secs(90),
        "OK again after the consumer resumed",
        || async {
            let s = lag(&daemon, &group).await;
            s["status"]["status"] == "OK"
        },
    )
    .await;

    flags.done.store(true, Ordering::Relaxed);
    let _ = (prod.join(), cons.join());
    daemon.stop().await;
}
