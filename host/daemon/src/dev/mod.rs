//! Developer tools behind `warren dev-broker` and `warren dev-load`: a standalone Kafka-protocol
//! broker (librdkafka's mock cluster as a process) and a deterministic load generator that
//! writes data and offset commits in Kafka's own format. The benchmark driver (`bench/`) and
//! manual experiments use them; nothing in the daemon depends on them.

pub mod broker;
pub mod load_generator;
