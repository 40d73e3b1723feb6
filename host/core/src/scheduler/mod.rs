//! When to notify: the pure half of notifications. Each `[notifier.NAME]` evaluates the groups
//! of its clusters every `interval` and runs [`incident::step`] per group; the daemon's
//! scheduler task owns the timers, the persistence and the delivery queue, and a notifier
//! plugin only renders and sends. Keeping the decisions here, with the time passed in, makes
//! every rule (threshold, send-interval, send-once, send-close, disappearing groups) a unit
//! test.

pub mod incident;

pub use incident::{EventKind, Incident, Policy, Step, incident_id, step};
