//! librdkafka client settings shared by every collector, and the wall clock collectors stamp
//! observations with (rules never read the clock; collectors are where time enters).

use std::time::{SystemTime, UNIX_EPOCH};

use rdkafka::ClientConfig;
use rdkafka::config::RDKafkaLogLevel;

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Base configuration of a metadata/offsets client: never joins a group, never commits, reads
/// the high watermark (READ_UNCOMMITTED, as Burrow does).
pub(crate) fn client_config(servers: &[String], client_id: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", servers.join(","))
        .set("client.id", client_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("isolation.level", "read_uncommitted")
        .set("socket.keepalive.enable", "true")
        .set("reconnect.backoff.max.ms", "10000")
        .set("topic.metadata.refresh.interval.ms", "-1")
        .set_log_level(RDKafkaLogLevel::Warning);
    c
}
