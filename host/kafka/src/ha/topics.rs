//! The two topics high availability needs, created when missing and checked when present:
//! the election topic (one partition, nothing is ever written to it) and the state topic (one
//! partition so every record is ordered, compacted so it holds the live state and no history).
//! A state topic that exists with another cleanup policy or more partitions is refused, never
//! altered: it may be someone else's.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;

use super::KafkaLedger;

const TIMEOUT: Duration = Duration::from_secs(10);

pub(super) fn ensure(ledger: &KafkaLedger, rt: &tokio::runtime::Handle) -> Result<(), String> {
    let ha = &ledger.settings.config;
    let admin: AdminClient<DefaultClientContext> = ledger
        .client_config()?
        .create()
        .map_err(|e| format!("admin client: {e}"))?;
    let brokers = admin
        .inner()
        .fetch_metadata(None, TIMEOUT)
        .map_err(|e| format!("metadata: {e}"))?
        .brokers()
        .len();
    let replicas = ha
        .replication_factor
        .map_or_else(|| brokers.clamp(1, 3) as i32, i32::from);
    // With three replicas a write survives one broker down and is on two before it counts.
    let min_isr = if replicas >= 3 { "2" } else { "1" };
    let leader = NewTopic::new(&ha.leader_topic, 1, TopicReplication::Fixed(replicas));
    let state = NewTopic::new(&ha.state_topic, 1, TopicReplication::Fixed(replicas))
        .set("cleanup.policy", "compact")
        .set("min.insync.replicas", min_isr)
        // Compaction soon after a record is superseded keeps a new leader's read short.
        .set("segment.ms", "3600000")
        .set("min.cleanable.dirty.ratio", "0.1");
    let options = AdminOptions::new().operation_timeout(Some(TIMEOUT));
    let results = rt
        .block_on(admin.create_topics([&leader, &state], &options))
        .map_err(|e| format!("creating topics: {e}"))?;
    for result in results {
        match result {
            Ok(name) => tracing::info!(topic = %name, replicas, "high availability: topic created"),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => return Err(format!("creating topic {name}: {code}")),
        }
    }
    check_state_topic(&admin, rt, &ha.state_topic)
}

fn check_state_topic(
    admin: &AdminClient<DefaultClientContext>,
    rt: &tokio::runtime::Handle,
    topic: &str,
) -> Result<(), String> {
    let metadata = admin
        .inner()
        .fetch_metadata(Some(topic), TIMEOUT)
        .map_err(|e| format!("metadata of {topic}: {e}"))?;
    let partitions = metadata
        .topics()
        .first()
        .map_or(0, |t| t.partitions().len());
    if partitions != 1 {
        return Err(format!(
            "topic {topic} has {partitions} partitions; the state topic needs exactly 1 \
             (name another one in [ha] state-topic)"
        ));
    }
    let options = AdminOptions::new().request_timeout(Some(TIMEOUT));
    let described = rt
        .block_on(admin.describe_configs([&ResourceSpecifier::Topic(topic)], &options))
        .map_err(|e| format!("describing {topic}: {e}"))?;
    let policy = described
        .into_iter()
        .flatten()
        .flat_map(|resource| resource.entries)
        .find(|entry| entry.name == "cleanup.policy")
        .and_then(|entry| entry.value)
        .unwrap_or_default();
    if !policy.split(',').any(|p| p.trim() == "compact") {
        return Err(format!(
            "topic {topic} has cleanup.policy={policy:?}; the state topic must be compacted \
             (name another one in [ha] state-topic)"
        ));
    }
    Ok(())
}
