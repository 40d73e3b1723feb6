//! The election: this instance joins the `[ha] group` consumer group, subscribed to the
//! one-partition election topic, and leads while the coordinator assigns it that partition.
//! The thread also prepares the topics and runs the state reader, and every few seconds lists
//! the group's members (each member's client id is its instance id) for the API.
//!
//! Taking the lead happens on an assignment, not on a belief: a leader that was fenced while
//! it still thinks it owns the partition (it was paused, the group moved on without it) waits
//! for the coordinator to tell it what it owns now. If it still owns the partition a whole
//! session timeout later, the coordinator has kept it there and it takes the lead again.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rdkafka::ClientContext;
use rdkafka::TopicPartitionList;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;
use tokio_util::sync::CancellationToken;
use warren_core::ledger::Ledger;

use super::{KafkaLedger, lock, tail, topics};
use crate::backoff::{Backoff, pause};
use crate::client::WarrenContext;
use crate::tls_files::TlsFiles;

/// How often the member list is refreshed.
const MEMBERS_EVERY: Duration = Duration::from_secs(3);
/// How soon a failed attempt to take the lead is retried while the partition stays ours.
const RETRY: Duration = Duration::from_secs(2);

/// Ownership of the election partition, as the rebalance callbacks report it.
struct ElectionContext {
    log: WarrenContext,
    topic: String,
    owned: AtomicBool,
    /// Assignments of the partition so far.
    assignments: AtomicU64,
}

impl ElectionContext {
    fn holds_partition(&self, tpl: &TopicPartitionList) -> bool {
        tpl.elements_for_topic(&self.topic)
            .iter()
            .any(|e| e.partition() == 0)
    }
}

impl ClientContext for ElectionContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        self.log.log(level, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.log.error(error, reason);
    }
}

impl ConsumerContext for ElectionContext {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) if self.holds_partition(tpl) => {
                self.owned.store(true, Ordering::SeqCst);
                self.assignments.fetch_add(1, Ordering::SeqCst);
            }
            Rebalance::Revoke(tpl) if self.holds_partition(tpl) => {
                self.owned.store(false, Ordering::SeqCst);
            }
            Rebalance::Error(e) => {
                tracing::warn!(source = %self.log.name, error = %e, "election rebalance failed");
            }
            _ => {}
        }
    }
}

pub(super) fn run(ledger: &KafkaLedger, rt: &tokio::runtime::Handle, cancel: &CancellationToken) {
    let mut backoff = Backoff::new();
    while !cancel.is_cancelled() {
        match topics::ensure(ledger, rt) {
            Ok(()) => break,
            Err(e) => {
                ledger.set_failing(Some(e));
                pause(cancel, backoff.next_delay());
            }
        }
    }
    std::thread::scope(|scope| {
        scope.spawn(|| tail::run(ledger, cancel));
        backoff.reset();
        while !cancel.is_cancelled() {
            if let Err(e) = campaign(ledger, cancel) {
                ledger.set_failing(Some(e));
                pause(cancel, backoff.next_delay());
            }
        }
        ledger.step_down("shutting down");
    });
}

/// Joins the group and leads while assigned the partition; returns when `cancel` fires or
/// the certificate files change (leaving the group as the consumer closes).
fn campaign(ledger: &KafkaLedger, cancel: &CancellationToken) -> Result<(), String> {
    let ha = &ledger.settings.config;
    let session = ha.session_timeout.as_millis().to_string();
    let heartbeat = (ha.session_timeout.as_millis() / 5).max(500).to_string();
    let mut config = ledger.client_config()?;
    config
        .set("group.id", &ha.group)
        .set("client.id", &ledger.settings.instance)
        .set("session.timeout.ms", &session)
        .set("heartbeat.interval.ms", &heartbeat)
        // The partition stays with its owner when instances join or come back.
        .set("partition.assignment.strategy", "cooperative-sticky")
        .set("auto.offset.reset", "latest");
    let context = ElectionContext {
        log: WarrenContext::new(&format!("ha-election:{}", ha.group)),
        topic: ha.leader_topic.clone(),
        owned: AtomicBool::new(false),
        assignments: AtomicU64::new(0),
    };
    let consumer: BaseConsumer<ElectionContext> = config
        .create_with_context(context)
        .map_err(|e| format!("election consumer: {e}"))?;
    consumer
        .subscribe(&[ha.leader_topic.as_str()])
        .map_err(|e| format!("joining the election: {e}"))?;
    ledger.set_failing(None);
    let mut acted_on = 0;
    let mut retry_at: Option<Instant> = None;
    let mut members_at = Instant::now();
    let mut was_leading = false;
    let mut files = TlsFiles::of(&ledger.settings.profile);
    while !cancel.is_cancelled() {
        if files.changed() {
            // librdkafka reads them only when a client is made: rejoin with a new one.
            tracing::info!(instance = %ledger.settings.instance,
                "certificate files changed: joining the election anew with them");
            ledger.step_down("certificate files changed");
            return Ok(());
        }
        // Drives the group protocol; nothing is ever written to the election topic.
        let _ = consumer.poll(Duration::from_millis(100));
        let ctx = consumer.context();
        let owned = ctx.owned.load(Ordering::SeqCst);
        let leading = ledger.leading().is_some();
        if leading && !owned {
            ledger.step_down("the election partition was revoked");
        }
        if was_leading && !leading && owned {
            // Fenced while the coordinator still seemed to give us the partition: trust that
            // only after a whole session, when a stale view would have been corrected.
            retry_at = Some(Instant::now() + ha.session_timeout);
        }
        let assignments = ctx.assignments.load(Ordering::SeqCst);
        let fresh = assignments != acted_on;
        let due = retry_at.is_some_and(|t| Instant::now() >= t);
        if owned && !leading && (fresh || due) {
            acted_on = assignments;
            retry_at = None;
            if let Err(e) = ledger.acquire(cancel) {
                tracing::warn!(instance = %ledger.settings.instance, error = %e,
                    "cannot take the notifier lead; retrying while the partition is ours");
                ledger.step_down(&e);
                retry_at = Some(Instant::now() + RETRY);
            }
        }
        was_leading = ledger.leading().is_some();
        if members_at.elapsed() >= MEMBERS_EVERY {
            members_at = Instant::now();
            refresh_members(ledger, &consumer);
        }
    }
    ledger.step_down("shutting down");
    consumer.unsubscribe();
    Ok(())
}

fn refresh_members(ledger: &KafkaLedger, consumer: &BaseConsumer<ElectionContext>) {
    match consumer.fetch_group_list(Some(&ledger.settings.config.group), Duration::from_secs(2)) {
        Ok(list) => {
            let mut members: Vec<String> = list
                .groups()
                .iter()
                .flat_map(|g| g.members())
                .map(|m| m.client_id().to_owned())
                .collect();
            members.sort();
            members.dedup();
            *lock(&ledger.members) = members;
        }
        Err(e) => tracing::debug!(error = %e, "listing the election group's members"),
    }
}
