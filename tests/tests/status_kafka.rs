//! Burrow's status rules end to end on Apache Kafka itself, with consumers no Warren code wrote
//! (Java's `KafkaConsumer` with KIP-848's protocol and the classic one, and librdkafka's) while
//! a producer keeps writing: a healthy group stays OK the whole time, a dead consumer's group
//! goes STOP, a paused one STALL, a rewound one REWIND, and each comes back to OK.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::producer::{BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use warren_integration_tests::kafka::{KafkaCluster, rdkafka_consumer};
use warren_integration_tests::{Daemon, create_topic_replicated, producer, unique};

/// Records per second the producer writes: enough that a consumer is never trivially idle.
const RATE: u64 = 20;

/// Each group's partition status, from `/lag`.
async fn statuses(daemon: &Daemon, groups: &[&str]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for g in groups {
        let (code, body) = daemon
            .get(&format!("/v3/kafka/real/consumer/{g}/lag"))
            .await;
        let status = if code == 200 {
            body["status"]["partitions"][0]["status"]
                .as_str()
                .unwrap_or("?")
                .to_string()
        } else {
            format!("HTTP {code}")
        };
        out.insert(g.to_string(), status);
    }
    out
}

/// Commits (newest window entries) the group has in Warren's window.
async fn window_len(daemon: &Daemon, group: &str, topic: &str) -> usize {
    let (_, d) = daemon
        .get(&format!("/v3/kafka/real/consumer/{group}"))
        .await;
    d["topics"][topic][0]["offsets"]
        .as_array()
        .map_or(0, |o| o.iter().filter(|c| !c.is_null()).count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_consumers_are_judged_ok_stop_stall_rewind_and_recover() {
    let kafka = KafkaCluster::shared();
    let topic = unique("events");
    create_topic_replicated(&kafka.bootstrap, &topic, 1, 1).await;

    // A producer writing RATE records/s for the whole test.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (p, stop, topic) = (producer(&kafka.bootstrap), stop.clone(), topic.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let _ = p.send(BaseRecord::<(), str>::to(&topic).partition(0).payload("x"));
                p.poll(Duration::ZERO);
                std::thread::sleep(Duration::from_millis(1000 / RATE));
            }
            let _ = p.flush(Duration::from_secs(5));
        })
    };

    let daemon = Daemon::start(&format!(
        r#"
[cluster.real]
servers = ["{}"]
offset-refresh = "1s"
topic-refresh = "5s"
[consumer.real]
class-name = "kafka"
cluster = "real"
[storage.default]
intervals = 5
[evaluator.default]
expire-cache = "1s"
"#,
        kafka.bootstrap
    ))
    .await;
    daemon.wait_ready().await;

    let (healthy, stopped, stalled, rewound) = (
        unique("healthy"),
        unique("stopped"),
        unique("stalled"),
        unique("rewound"),
    );
    let _healthy = kafka.java_consumer(&healthy, &topic, "consumer", 2000, 0);
    let mut stopping = kafka.java_consumer(&stopped, &topic, "classic", 1500, 0);
    let _stalling = kafka.java_consumer(&stalled, &topic, "consumer", 1500, -1);

    // The rewinding group: a librdkafka member whose commits the test chooses.
    let rewinder = rdkafka_consumer(&kafka.bootstrap, &rewound, &topic, "classic");
    // A commit before the member has joined is refused (IllegalGeneration): wait for the
    // assignment first.
    let joined = Instant::now();
    while rewinder.assignment().map_or(0, |a| a.count()) == 0 {
        assert!(
            joined.elapsed() < Duration::from_secs(60),
            "the rewinding member never got its partition"
        );
        rewinder.poll(Duration::from_millis(100));
    }
    let commit_at = |offset: i64| {
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&topic, 0, Offset::Offset(offset))
            .unwrap();
        rewinder.commit(&tpl, CommitMode::Sync).expect("commit");
    };
    let head = || {
        let (_, high) = rewinder
            .fetch_watermarks(&topic, 0, Duration::from_secs(5))
            .expect("watermarks");
        high
    };

    let groups = [
        healthy.as_str(),
        stopped.as_str(),
        stalled.as_str(),
        rewound.as_str(),
    ];
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut healthy_judged = Vec::new();
    let start = Instant::now();
    let mut rewound_at = None;
    let mut stopped_at = None;
    let mut restarted = None;
    let mut rewind_base = 0;
    while start.elapsed() < Duration::from_secs(100) {
        let t = start.elapsed();
        rewinder.poll(Duration::ZERO);
        // The rewinding group commits its HEAD every 1.5 s, once jumps 200 back at 15 s and
        // from there advances slowly, then catches up again at 45 s.
        if t.as_millis() % 1500 < 250 {
            let h = head();
            let offset = match rewound_at {
                None if t < Duration::from_secs(15) => h,
                None => {
                    rewound_at = Some(t);
                    rewind_base = (h - 200).max(0);
                    rewind_base
                }
                Some(_) if t < Duration::from_secs(45) => {
                    rewind_base += 1;
                    rewind_base
                }
                Some(_) => h,
            };
            commit_at(offset);
        }
        if stopped_at.is_none() && t >= Duration::from_secs(15) {
            stopping.kill();
            stopped_at = Some(t);
        }
        if restarted.is_none() && t >= Duration::from_secs(45) {
            restarted = Some(kafka.java_consumer(&stopped, &topic, "classic", 1500, 0));
        }
        let now = statuses(&daemon, &groups).await;
        for (g, s) in &now {
            let list = seen.entry(g.clone()).or_default();
            if list.last() != Some(s) {
                list.push(s.clone());
            }
        }
        // The healthy group is judged once its window is full.
        if window_len(&daemon, &healthy, &topic).await >= 5 {
            healthy_judged.push(now[&healthy].clone());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();

    let has_then_ok = |g: &str, status: &str| {
        let list = &seen[g];
        list.iter()
            .position(|s| s == status)
            .is_some_and(|i| list[i + 1..].iter().any(|s| s == "OK"))
            && list.last().map(String::as_str) == Some("OK")
    };
    assert!(
        healthy_judged.len() > 100 && healthy_judged.iter().all(|s| s == "OK"),
        "the healthy group left OK: {:?}",
        seen[&healthy]
    );
    assert!(
        has_then_ok(&stopped, "STOP"),
        "stopped group: {:?}",
        seen[&stopped]
    );
    assert!(
        seen[&stalled].iter().any(|s| s == "STALL"),
        "stalled group: {:?}",
        seen[&stalled]
    );
    assert!(
        has_then_ok(&rewound, "REWIND"),
        "rewound group: {:?}",
        seen[&rewound]
    );
    daemon.stop().await;
}
