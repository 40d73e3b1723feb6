//! Steady traffic for the notification and restart tests: one producer writing a record to
//! each topic every 50 ms, and for each (topic, group) pair a simulated consumer committing,
//! every 300 ms and in Kafka's record format, everything written so far, while its switch is
//! on; or, falling behind, two records short of its previous lag each time (it keeps
//! committing, its lag keeps growing: Burrow's WARN). Stops and joins on drop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

use crate::{commit_offset, now_ms, producer};

/// The running traffic.
pub struct Traffic {
    committing: Vec<Arc<AtomicBool>>,
    behind: Vec<Arc<AtomicBool>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Traffic {
    /// Starts traffic on partition 0 of each `(topic, group)` pair; every group commits.
    pub fn start(bootstrap: &str, pairs: &[(&str, &str)]) -> Traffic {
        let committing: Vec<Arc<AtomicBool>> = pairs
            .iter()
            .map(|_| Arc::new(AtomicBool::new(true)))
            .collect();
        let behind: Vec<Arc<AtomicBool>> = pairs
            .iter()
            .map(|_| Arc::new(AtomicBool::new(false)))
            .collect();
        let stop = Arc::new(AtomicBool::new(false));
        let p: BaseProducer = producer(bootstrap);
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(t, g)| (t.to_string(), g.to_string()))
            .collect();
        let (c, b, s) = (committing.clone(), behind.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut written = vec![0i64; pairs.len()];
            let mut lag = vec![0i64; pairs.len()];
            let mut last_commit = Instant::now();
            while !s.load(Ordering::Relaxed) {
                for (i, (topic, _)) in pairs.iter().enumerate() {
                    let rec = BaseRecord::<(), str>::to(topic).partition(0).payload("x");
                    if p.send(rec).is_ok() {
                        written[i] += 1;
                    }
                }
                p.poll(Duration::ZERO);
                if last_commit.elapsed() >= Duration::from_millis(300) {
                    let _ = p.flush(Duration::from_secs(2));
                    for (i, (topic, group)) in pairs.iter().enumerate() {
                        // About six records are written between commits: two more of lag
                        // each time still moves the committed offset forward.
                        lag[i] = if b[i].load(Ordering::Relaxed) {
                            lag[i] + 2
                        } else {
                            0
                        };
                        if c[i].load(Ordering::Relaxed) {
                            let offset = (written[i] - lag[i]).max(0);
                            commit_offset(&p, group, topic, 0, offset, now_ms());
                        }
                    }
                    let _ = p.flush(Duration::from_secs(2));
                    last_commit = Instant::now();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = p.flush(Duration::from_secs(2));
        });
        Traffic {
            committing,
            behind,
            stop,
            thread: Some(thread),
        }
    }

    /// Switches the commits of pair `pair` (index into `start`'s pairs) on or off.
    pub fn commits(&self, pair: usize, on: bool) {
        self.committing[pair].store(on, Ordering::Relaxed);
    }

    /// Makes pair `pair` fall behind (`true`: each commit two records further from HEAD) or
    /// catch up at once (`false`).
    pub fn falls_behind(&self, pair: usize, on: bool) {
        self.behind[pair].store(on, Ordering::Relaxed);
    }
}

impl Drop for Traffic {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
