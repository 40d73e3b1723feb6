//! Collection from Kafka: everything that talks to a broker. Per cluster, a HEAD-offset poller
//! (metadata every `topic-refresh`, ListOffsets every `offset-refresh`) and one consumer:
//! either the offsets-topic reader (`class-name = "kafka"`, Burrow's way) or the Admin API
//! poller (`class-name = "kafka-admin"`), and beside it, if configured, the ZooKeeper reader
//! (`class-name = "kafka_zk"`, `zk/`). All of them write into `warren_core::storage` and
//! report progress into `warren_core::health`; nothing here keeps state of its own beyond
//! connections. With `[ha]`, [`KafkaLedger`] elects the notifier leader among several
//! instances and keeps the notification state in a Kafka topic.

mod admin;
mod admin_ffi;
mod admin_schedule;
mod backoff;
mod client;
mod collector;
mod ha;
mod heads;
pub mod msk_iam;
mod oauth;
mod offsets_topic;
mod security;
mod supervise;
mod tls_files;
mod zk;

pub use collector::{CollectorSet, spawn_collectors};
pub use ha::{HaSettings, HaThreads, KafkaLedger, Leadership};
pub use offsets_topic::reader_config;
