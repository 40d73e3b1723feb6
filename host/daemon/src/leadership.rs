//! This instance's name and who leads the notifications, for `/v3/admin/instances` and
//! `/metrics`. Without `[ha]` the one instance leads itself from its start; with it, the
//! Kafka election says ([`warren_kafka::KafkaLedger`]).

use std::sync::Arc;

use warren_core::config::Config;
use warren_http::{InstanceAdmin, Instances};
use warren_kafka::KafkaLedger;

/// Where the answer comes from.
pub enum Leadership {
    /// No `[ha]`: this instance, leading since it started.
    Single {
        /// Its id.
        instance: String,
        /// Its start, epoch ms.
        since: i64,
    },
    /// `[ha]`: the election.
    Elected(Arc<KafkaLedger>),
}

/// `[general] instance-id`, or the host name and the first HTTP listener's port, which tells
/// apart two instances on one machine.
pub fn instance_id(config: &Config, hostname: &str) -> String {
    if let Some(id) = &config.general.instance_id {
        return id.clone();
    }
    match config.http_servers.values().next() {
        Some(http) => format!("{hostname}:{}", http.address.port()),
        None => hostname.to_owned(),
    }
}

impl InstanceAdmin for Leadership {
    fn instances(&self) -> Instances {
        match self {
            Leadership::Single { instance, since } => Instances {
                this: instance.clone(),
                leader: Some(instance.clone()),
                since: Some(*since),
                instances: vec![instance.clone()],
                changes: 1,
                failing: None,
                skipped_records: 0,
            },
            Leadership::Elected(ledger) => {
                let l = ledger.leadership();
                Instances {
                    this: l.instance,
                    leader: l.leader,
                    since: l.since,
                    instances: l.members,
                    changes: l.changes,
                    failing: l.failing,
                    skipped_records: l.skipped_records,
                }
            }
        }
    }
}
