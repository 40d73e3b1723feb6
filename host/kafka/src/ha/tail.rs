//! The state reader: follows the state topic from its start with `read_committed` (a fenced
//! leader's unfinished transaction is never seen) and applies each record to the in-memory
//! copy. While this instance leads, the copy is its own to write and the records it reads back
//! are its own: they are skipped. After a step down the copy is rebuilt from the start.

use std::sync::atomic::Ordering;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;
use warren_core::ledger::Ledger;

use super::mirror::Mirror;
use super::{KafkaLedger, lock};
use crate::backoff::{Backoff, pause};
use crate::client::WarrenContext;
use crate::tls_files::TlsFiles;

/// Runs until `cancel` fires, reconnecting with backoff when the consumer cannot be built.
pub(super) fn run(ledger: &KafkaLedger, cancel: &CancellationToken) {
    let mut backoff = Backoff::new();
    while !cancel.is_cancelled() {
        match follow(ledger, cancel) {
            // Cancelled, or the certificate files changed: read again with a new client.
            Ok(()) => backoff.reset(),
            Err(e) => {
                ledger.set_failing(Some(format!("state reader: {e}")));
                pause(cancel, backoff.next_delay());
            }
        }
    }
}

fn follow(ledger: &KafkaLedger, cancel: &CancellationToken) -> Result<(), String> {
    let topic = ledger.settings.config.state_topic.as_str();
    let mut config = ledger.client_config()?;
    config
        // librdkafka wants a group id even for assigned partitions; nothing is committed.
        .set(
            "group.id",
            format!("{}-reader", ledger.settings.config.group),
        )
        .set("isolation.level", "read_committed")
        .set("auto.offset.reset", "earliest")
        .set("fetch.wait.max.ms", "50");
    let consumer: BaseConsumer<WarrenContext> = config
        .create_with_context(WarrenContext::new(&format!("ha-state:{topic}")))
        .map_err(|e| e.to_string())?;
    let from_start = || -> Result<(), String> {
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, 0, Offset::Beginning)
            .map_err(|e| e.to_string())?;
        consumer.assign(&tpl).map_err(|e| e.to_string())
    };
    *lock(&ledger.mirror) = Mirror::default();
    from_start()?;
    let mut files = TlsFiles::of(&ledger.settings.profile);
    while !cancel.is_cancelled() {
        if files.changed() {
            tracing::info!(
                topic,
                "certificate files changed: reading the state anew with them"
            );
            return Ok(());
        }
        if ledger.resync.swap(false, Ordering::Relaxed) {
            *lock(&ledger.mirror) = Mirror::default();
            from_start()?;
        }
        let Some(result) = consumer.poll(Duration::from_millis(100)) else {
            continue;
        };
        let msg = match result {
            Ok(msg) => msg,
            Err(e) => {
                tracing::debug!(topic, error = %e, "state reader");
                continue;
            }
        };
        if ledger.leading().is_some() {
            continue;
        }
        let applied = lock(&ledger.mirror).apply(msg.key().unwrap_or_default(), msg.payload());
        if let Err(why) = applied {
            ledger.malformed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(topic, offset = msg.offset(), reason = %why,
                "state topic: skipping a record this build cannot read");
        }
    }
    Ok(())
}
