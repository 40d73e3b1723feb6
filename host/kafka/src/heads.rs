//! The cluster side of collection: metadata every `topic-refresh` and HEAD offsets of every
//! partition every `offset-refresh`. HEADs are read with one ListOffsets request per leader
//! broker (librdkafka's `offsets_for_times` with the LATEST sentinel groups partitions by
//! leader), not one request per partition. Earliest offsets (EARLIEST sentinel) are read the
//! same way with every metadata refresh, and so are topic ids (see `topic_ids.rs`), which name
//! the topics of KIP-848 groups' assignments.

mod topic_ids;

use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::{Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use warren_core::config::ClusterConfig;
use warren_core::health::ClusterHealth;
use warren_core::storage::ClusterStore;

use crate::backoff::Backoff;
use crate::client::{RECONNECT_BACKOFF_MAX, WarrenContext, client_config, consumer, now_ms};
use crate::tls_files::TlsFiles;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Topic name → partition ids that have a leader (leaderless ones cannot be asked).
type TopicLayout = Vec<(String, usize, Vec<i32>)>;

/// Topic name → (partition, HEAD offset) pairs.
type Heads = Vec<(String, Vec<(i32, i64)>)>;

/// Polls one cluster until cancelled. Failures are logged, recorded in `health` and retried
/// with backoff; they never end the task.
pub(crate) async fn run(
    cluster: ClusterConfig,
    store: Arc<ClusterStore>,
    health: Arc<ClusterHealth>,
    cancel: CancellationToken,
) {
    let name = cluster.name.clone();
    let mut backoff = Backoff::new();
    let ids = TopicIdLookup {
        in_flight: Arc::default(),
        not_before: Arc::default(),
        cancel: cancel.clone(),
    };
    let mut vanishing = Vanishing::default();
    // Each pass makes a client and polls with it until the profile's certificate files change.
    loop {
        let mut files = TlsFiles::of(&cluster.client_profile);
        // A password file not written yet, or a raw librdkafka property librdkafka rejects:
        // the cluster is failing, and the next attempt may succeed (the file appears, a
        // restart with a fixed config).
        let client: Arc<BaseConsumer<WarrenContext>> = loop {
            let created = client_config(&cluster.servers, &cluster.client_profile)
                .and_then(|config| consumer(&config, &name).map_err(|e| e.to_string()));
            match created {
                Ok(c) => break Arc::new(c),
                Err(e) => {
                    let delay = backoff.next_delay();
                    health.poll_failed(format!("cannot create client: {e}"), now_ms());
                    warn!(cluster = %name, error = %e, retry_in = ?delay, "cannot create Kafka client; retrying");
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = tokio::time::sleep(delay) => {}
                    }
                }
            }
        };
        backoff.reset();
        let mut layout: Option<(TopicLayout, Instant)> = None;
        loop {
            let need_metadata = layout
                .as_ref()
                .is_none_or(|(_, at)| at.elapsed() >= cluster.topic_refresh);
            let poll = poll_once(
                &client,
                &store,
                &ids,
                &mut vanishing,
                need_metadata,
                layout.as_ref().map(|(l, _)| l.clone()),
            );
            // A request to a dead broker blocks for its whole timeout; shutdown must not wait.
            let result = tokio::select! {
                _ = cancel.cancelled() => return,
                r = poll => r,
            };
            // librdkafka queues its logs and connection errors (a refused certificate or
            // password) for the client to serve; this client fetches no messages, so serving
            // them only runs the context's callbacks, which keep the reason a failed poll is
            // reported with.
            while client.poll(Duration::ZERO).is_some() {}
            let delay = match result {
                Ok(new_layout) => {
                    if let Some(l) = new_layout {
                        layout = Some((l, Instant::now()));
                    }
                    if let Some((since, failures)) = health.failing() {
                        let down_for = Duration::from_millis((now_ms() - since).max(0) as u64);
                        info!(cluster = %name, ?down_for, failures, "cluster reachable again; HEAD offsets collected");
                    } else if !health.heads_ready() {
                        info!(cluster = %name, "cluster reachable; HEAD offsets collected");
                    }
                    health.poll_succeeded();
                    client.context().clear_error();
                    backoff.reset();
                    cluster.offset_refresh
                }
                Err(e) => {
                    let delay = retry_delay(&mut backoff);
                    let e = client.context().explain(e);
                    warn!(cluster = %name, error = %e, retry_in = ?delay, "cluster poll failed; retrying");
                    health.poll_failed(e, now_ms());
                    layout = None;
                    delay
                }
            };
            if files.changed() {
                info!(cluster = %name, "certificate files changed: connecting anew with them");
                break;
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
            }
        }
    }
}

/// How long a failed poll waits: the collectors' backoff, but never longer than librdkafka
/// waits between reconnects. Until the next successful poll every lag Warren reports misses
/// what was produced meanwhile, so a cluster back from a long outage must be polled within
/// seconds, not after a minute of backoff; a poll of a dead cluster already takes its request
/// timeout, so the cap does not hammer it.
fn retry_delay(backoff: &mut Backoff) -> Duration {
    backoff.next_delay().min(RECONNECT_BACKOFF_MAX)
}

/// Topics one metadata answer missed. A topic's windows go only when two answers in a row
/// (a `topic-refresh` apart) miss it: one broker's answer can lag behind a topic's creation or
/// miss topics while the controller moves, and wiping every group's windows on a topic that
/// still exists would lose their history.
#[derive(Debug, Default)]
struct Vanishing {
    /// The topics kept after the last answer, with their partition counts.
    last: std::collections::BTreeMap<String, usize>,
    /// Those of them the last answer missed.
    missed: std::collections::BTreeSet<String>,
}

impl Vanishing {
    /// The topics to keep in storage: `answer`, plus those kept before that it misses for the
    /// first time.
    fn settle(&mut self, answer: Vec<(String, usize)>) -> Vec<(String, usize)> {
        let live: std::collections::BTreeSet<&str> =
            answer.iter().map(|(t, _)| t.as_str()).collect();
        let mut keep = answer.clone();
        let mut missed = std::collections::BTreeSet::new();
        for (topic, partitions) in &self.last {
            if live.contains(topic.as_str()) || self.missed.contains(topic) {
                continue;
            }
            keep.push((topic.clone(), *partitions));
            missed.insert(topic.clone());
        }
        self.missed = missed;
        self.last = keep.iter().cloned().collect();
        keep
    }
}

/// Topic ids by name, asked beside the HEAD polls, never in their way: only KIP-848 groups
/// need them (their assignments name topics by id), and a broker without DescribeTopics
/// (librdkafka's mock cluster, Kafka before 3.1) answers only when the request times out.
/// One lookup at a time; after a failure the next waits `IDS_RETRY`.
struct TopicIdLookup {
    in_flight: Arc<std::sync::atomic::AtomicBool>,
    not_before: Arc<std::sync::Mutex<Option<Instant>>>,
    /// The poller's: a lookup in flight is abandoned at shutdown.
    cancel: CancellationToken,
}

/// How long a failed topic-id lookup waits before the next.
const IDS_RETRY: Duration = Duration::from_secs(300);

impl TopicIdLookup {
    /// Starts a lookup of `names` in the background, unless one runs or a failure is recent.
    fn start(
        &self,
        consumer: &Arc<BaseConsumer<WarrenContext>>,
        store: &Arc<ClusterStore>,
        names: Vec<String>,
    ) {
        use std::sync::atomic::Ordering;
        let waiting = self
            .not_before
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|at| Instant::now() < at);
        if waiting || self.in_flight.swap(true, Ordering::AcqRel) {
            return;
        }
        let (c, store, in_flight, not_before, cancel) = (
            consumer.clone(),
            store.clone(),
            self.in_flight.clone(),
            self.not_before.clone(),
            self.cancel.clone(),
        );
        tokio::task::spawn_blocking(move || {
            match topic_ids::describe_topic_ids(c.client(), &names, REQUEST_TIMEOUT, &cancel) {
                Ok(ids) => store
                    .writer()
                    .learn_topic_ids(ids.iter().map(|(id, name)| (*id, name.as_str())), now_ms()),
                Err(e) => {
                    debug!(cluster = %store.name(), error = %e, retry_in = ?IDS_RETRY, "cannot describe topic ids");
                    *not_before.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(Instant::now() + IDS_RETRY);
                }
            }
            in_flight.store(false, Ordering::Release);
        });
    }
}

async fn poll_once(
    consumer: &Arc<BaseConsumer<WarrenContext>>,
    store: &Arc<ClusterStore>,
    ids: &TopicIdLookup,
    vanishing: &mut Vanishing,
    need_metadata: bool,
    layout: Option<TopicLayout>,
) -> Result<Option<TopicLayout>, PollError> {
    let c = consumer.clone();
    let (layout, fresh) = match layout {
        Some(l) if !need_metadata => (l, false),
        _ => (
            tokio::task::spawn_blocking(move || fetch_layout(&c)).await??,
            true,
        ),
    };
    if fresh {
        let answer: Vec<(String, usize)> = layout.iter().map(|(t, n, _)| (t.clone(), *n)).collect();
        let topics = vanishing.settle(answer);
        let removed = store.writer().set_topics(&topics);
        for topic in removed {
            info!(cluster = %store.name(), topic = %topic, "topic deleted; removed from storage");
        }
        ids.start(
            consumer,
            store,
            layout.iter().map(|(t, _, _)| t.clone()).collect(),
        );
    }
    let c = consumer.clone();
    let asked = layout.clone();
    let heads =
        tokio::task::spawn_blocking(move || fetch_offsets(&c, &asked, Offset::End)).await??;
    // Earliest offsets move only with retention: one more round per metadata refresh.
    let earliest = if fresh {
        let c = consumer.clone();
        let asked = layout.clone();
        tokio::task::spawn_blocking(move || fetch_offsets(&c, &asked, Offset::Beginning)).await??
    } else {
        Vec::new()
    };
    let now = now_ms();
    let mut writer = store.writer();
    for (topic, partitions) in &heads {
        writer.record_heads(topic, partitions, now);
    }
    for (topic, partitions) in &earliest {
        writer.record_earliest(topic, partitions);
    }
    drop(writer);
    debug!(cluster = %store.name(), topics = heads.len(), "HEAD offsets recorded");
    Ok(fresh.then_some(layout))
}

/// Why one poll failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PollError {
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    #[error("blocking Kafka call failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("the broker's metadata is malformed: {0}")]
    Malformed(String),
}

fn fetch_layout(consumer: &BaseConsumer<WarrenContext>) -> Result<TopicLayout, PollError> {
    // Serve the client's event queue so errors reported while the broker was down do not pile up.
    let _ = consumer.poll(Duration::ZERO);
    let metadata = consumer.fetch_metadata(None, REQUEST_TIMEOUT)?;
    let mut layout = Vec::with_capacity(metadata.topics().len());
    for topic in metadata.topics() {
        if topic.error().is_some() {
            continue;
        }
        let partitions: Vec<(i32, i32)> = topic
            .partitions()
            .iter()
            .map(|p| (p.id(), p.leader()))
            .collect();
        let Some((count, led)) = topic_layout(&partitions) else {
            return Err(PollError::Malformed(format!(
                "topic {:?}: partition ids are not 0..{}",
                topic.name(),
                partitions.len()
            )));
        };
        layout.push((topic.name().to_string(), count, led));
    }
    Ok(layout)
}

/// A topic's partition count and its partitions with a leader, from one metadata answer; `None`
/// unless the ids are exactly `0..n` as Kafka assigns them. Storage allocates per partition, so a
/// broken or hostile broker must not be able to name a partition 2,000,000,000; such an answer
/// fails the poll (the cluster is reported failing) rather than being applied.
fn topic_layout(partitions: &[(i32, i32)]) -> Option<(usize, Vec<i32>)> {
    let count = partitions.len();
    let mut seen = vec![false; count];
    for &(id, _) in partitions {
        let i = usize::try_from(id).ok().filter(|&i| i < count)?;
        if std::mem::replace(&mut seen[i], true) {
            return None;
        }
    }
    let led = partitions
        .iter()
        .filter(|&&(_, leader)| leader >= 0)
        .map(|&(id, _)| id)
        .collect();
    Some((count, led))
}

/// HEAD (`Offset::End`) or earliest (`Offset::Beginning`) offsets of every led partition.
fn fetch_offsets(
    consumer: &BaseConsumer<WarrenContext>,
    layout: &TopicLayout,
    at: Offset,
) -> Result<Heads, KafkaError> {
    let mut tpl = TopicPartitionList::new();
    for (topic, _, partitions) in layout {
        for &p in partitions {
            tpl.add_partition_offset(topic, p, at)?;
        }
    }
    if tpl.count() == 0 {
        return Ok(Vec::new());
    }
    let answer = consumer.offsets_for_times(tpl, REQUEST_TIMEOUT)?;
    let mut out: Heads = Vec::new();
    for elem in answer.elements() {
        let Offset::Offset(offset) = elem.offset() else {
            continue;
        };
        if elem.error().is_err() {
            continue;
        }
        match out.last_mut() {
            Some((t, v)) if t == elem.topic() => v.push((elem.partition(), offset)),
            _ => out.push((elem.topic().to_string(), vec![(elem.partition(), offset)])),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Backoff, Vanishing, retry_delay, topic_layout};

    #[test]
    fn a_cluster_back_from_a_long_outage_is_polled_again_within_ten_seconds() {
        let mut backoff = Backoff::new();
        let delays: Vec<Duration> = (0..12).map(|_| retry_delay(&mut backoff)).collect();
        assert!(delays[0] <= Duration::from_millis(1200), "{delays:?}");
        assert!(
            delays.iter().all(|d| *d <= Duration::from_secs(10)),
            "{delays:?}"
        );
        assert_eq!(delays[11], Duration::from_secs(10), "{delays:?}");
    }

    fn topics(names: &[&str]) -> Vec<(String, usize)> {
        names.iter().map(|n| ((*n).to_owned(), 3)).collect()
    }

    fn names(kept: &[(String, usize)]) -> Vec<&str> {
        let mut n: Vec<&str> = kept.iter().map(|(t, _)| t.as_str()).collect();
        n.sort();
        n
    }

    #[test]
    fn a_topic_goes_only_when_two_answers_in_a_row_miss_it() {
        let mut v = Vanishing::default();
        assert_eq!(names(&v.settle(topics(&["a", "b"]))), ["a", "b"]);
        // One answer without b: kept, with its partition count.
        let kept = v.settle(topics(&["a"]));
        assert_eq!(names(&kept), ["a", "b"]);
        assert!(kept.contains(&("b".to_owned(), 3)));
        // Back in the next answer: nothing was lost, and the count starts over.
        assert_eq!(names(&v.settle(topics(&["a", "b"]))), ["a", "b"]);
        assert_eq!(names(&v.settle(topics(&["a"]))), ["a", "b"]);
        // Missed twice in a row: gone.
        assert_eq!(names(&v.settle(topics(&["a"]))), ["a"]);
        assert_eq!(names(&v.settle(topics(&["a"]))), ["a"]);
    }

    #[test]
    fn partition_ids_a_broker_could_not_have_assigned_are_refused_before_allocating() {
        assert_eq!(
            topic_layout(&[(1, 7), (0, -1), (2, 3)]),
            Some((3, vec![1, 2])),
            "order does not matter; leaderless partitions are counted, not asked"
        );
        assert_eq!(topic_layout(&[]), Some((0, vec![])));
        // One partition claiming id 2e9 would have made a 2e9-slot topic; i32::MAX overflowed.
        assert_eq!(topic_layout(&[(0, 1), (2_000_000_000, 1)]), None);
        assert_eq!(topic_layout(&[(i32::MAX, 1)]), None);
        assert_eq!(topic_layout(&[(-1, 1)]), None);
        assert_eq!(topic_layout(&[(0, 1), (0, 2)]), None, "a duplicate id");
    }
}
