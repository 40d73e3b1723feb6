//! Developer tools behind `warren dev-broker`, `warren dev-load` and `warren dev-read`: a
//! standalone Kafka-protocol broker (librdkafka's mock cluster as a process), a deterministic
//! load generator that writes data and offset commits in Kafka's own format, and a bare reader
//! of the offsets topic (the floor Warren's catch-up is measured against). The benchmark driver (`bench/`) and
//! manual experiments use them; nothing in the daemon depends on them.

pub mod broker;
pub mod load_generator;
pub mod read;
