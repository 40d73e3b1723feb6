//! Lag in seconds against the truth, on a real broker process (noida-db): a producer writes
//! 20 records/s with their creation time as record timestamp, a real librdkafka consumer
//! group reads 10/s and commits twice a second, and Warren reads the group through the Admin
//! API. Every second the test asks Warren for the partition's `time_lag_ms` and the committed
//! offset it judged; afterwards it reads those records back and compares with their real age
//! (query time minus record timestamp). Each estimate must be within 10 % or one
//! offset-refresh interval of it. The catch-up ETA must be absent while the consumer is
//! slower than the producer and appear once it is faster.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::BaseRecord;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use warren_integration_tests::{
    Daemon, Noida, create_topic, group_consumer, now_ms, producer, unique, wait_until,
};

const PRODUCE_PER_SEC: u32 = 20;
const REFRESH_MS: i64 = 500;

struct Load {
    consume_per_sec: AtomicU32,
    done: AtomicBool,
}

fn spawn_producer(bs: String, topic: String, load: Arc<Load>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let p = producer(&bs);
        let every = Duration::from_millis(1_000 / u64::from(PRODUCE_PER_SEC));
        let mut next = Instant::now();
        while !load.done.load(Ordering::Relaxed) {
            let rec = BaseRecord::<(), str>::to(&topic)
                .partition(0)
                .payload("x")
                .timestamp(now_ms());
            let _ = p.send(rec);
            p.poll(Duration::ZERO);
            next += every;
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
    })
}

/// Reads one record per `1 / consume_per_sec` and commits its position every 500 ms.
fn spawn_consumer(
    bs: String,
    topic: String,
    group: String,
    load: Arc<Load>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let c = group_consumer(&bs, &group, "slow-reader-1", &topic);
        let mut last_commit = Instant::now();
        let mut next = Instant::now();
        while !load.done.load(Ordering::Relaxed) {
            if let Some(Ok(_)) = c.poll(Duration::from_millis(20)) {
                let rate = load.consume_per_sec.load(Ordering::Relaxed).max(1);
                next += Duration::from_secs(1) / rate;
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            } else {
                next = Instant::now();
            }
            if last_commit.elapsed() >= Duration::from_millis(500) {
                let _ = c.commit_consumer_state(CommitMode::Sync);
                last_commit = Instant::now();
            }
        }
    })
}

/// Timestamps of offsets `0..=last` of the topic's partition 0, read back from the broker.
fn record_timestamps(bs: &str, topic: &str, last: i64) -> HashMap<i64, i64> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bs)
        .set("group.id", unique("verifier"))
        .set("enable.auto.commit", "false")
        .create()
        .expect("verifier");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .unwrap();
    c.assign(&tpl).expect("assign");
    let mut out = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while out.len() as i64 <= last && Instant::now() < deadline {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(200))
            && let Some(ts) = m.timestamp().to_millis()
        {
            out.insert(m.offset(), ts);
        }
    }
    out
}

struct Sample {
    at_ms: i64,
    committed: i64,
    estimate_ms: i64,
    kind: String,
    eta: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lag_in_seconds_tracks_the_true_age_of_the_next_unconsumed_record() {
    let broker = Noida::start();
    let bs = broker.bootstrap.clone();
    let topic = unique("clicks");
    create_topic(&bs, &topic, 1).await;
    let group = unique("slow-reader");
    let load = Arc::new(Load {
        consume_per_sec: AtomicU32::new(PRODUCE_PER_SEC / 2),
        done: AtomicBool::new(false),
    });
    let prod = spawn_producer(bs.clone(), topic.clone(), load.clone());
    let cons = spawn_consumer(bs.clone(), topic.clone(), group.clone(), load.clone());
    let daemon = Daemon::start(&format!(
        r#"
[cluster.real]
servers = ["{bs}"]
offset-refresh = "{REFRESH_MS}ms"
[consumer.real]
class-name = "kafka-admin"
cluster = "real"
[evaluator.default]
expire-cache = "0s"
"#
    ))
    .await;
    let path = format!("/v3/kafka/real/consumer/{group}/lag");
    wait_until(
        Duration::from_secs(60),
        "a time lag for the group",
        || async { daemon.get(&path).await.1["status"]["partitions"][0]["time_lag_ms"].is_u64() },
    )
    .await;

    // Let the lag build up, then sample once a second.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let mut samples = Vec::new();
    for _ in 0..12 {
        let before = now_ms();
        let (_, v) = daemon.get(&path).await;
        let at_ms = (before + now_ms()) / 2;
        let p = &v["status"]["partitions"][0];
        samples.push(Sample {
            at_ms,
            committed: p["end"]["offset"].as_i64().expect("committed offset"),
            estimate_ms: p["time_lag_ms"].as_i64().expect("time lag"),
            kind: p["time_lag_estimate"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            eta: p.get("catchup_eta_ms").is_some() || v["status"].get("catchup_eta_ms").is_some(),
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    // Now three times faster than the producer: the ETA appears, and it is finite.
    load.consume_per_sec
        .store(PRODUCE_PER_SEC * 3, Ordering::Relaxed);
    wait_until(Duration::from_secs(30), "a catch-up ETA", || async {
        let (_, v) = daemon.get(&path).await;
        v["status"]["catchup_eta_ms"]
            .as_u64()
            .is_some_and(|ms| (100..600_000).contains(&ms))
    })
    .await;
    load.done.store(true, Ordering::Relaxed);
    let _ = (prod.join(), cons.join());
    daemon.stop().await;

    let last = samples.iter().map(|s| s.committed).max().unwrap();
    let timestamps = record_timestamps(&bs, &topic, last);
    let mut report = String::new();
    let mut bad = 0;
    for s in &samples {
        let written = timestamps
            .get(&s.committed)
            .unwrap_or_else(|| panic!("no record at offset {}", s.committed));
        let truth = s.at_ms - written;
        let allowed = (truth / 10).max(REFRESH_MS);
        let error = s.estimate_ms - truth;
        report.push_str(&format!(
            "offset {:>5}  true {:>6} ms  estimate {:>6} ms ({})  error {:>5} ms  allowed {:>5} ms  eta {}\n",
            s.committed, truth, s.estimate_ms, s.kind, error, allowed, s.eta
        ));
        if error.abs() > allowed || s.kind != "interpolated" || s.eta {
            bad += 1;
        }
    }
    println!("{report}");
    // The lag must really have been growing for this to test anything.
    assert!(samples.last().unwrap().estimate_ms >= 4_000, "{report}");
    assert_eq!(bad, 0, "estimates off the truth:\n{report}");
}
