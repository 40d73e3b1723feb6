//! Group filters (`group-filter` world): decide whether Warren monitors a consumer group. A
//! filter that traps or times out fails open, so the group stays monitored; a filter should
//! do the same on anything it cannot judge.

use crate::Plugin;
use crate::types::GroupInfo;

/// The filter's export, `accept`.
pub trait Filter: Plugin {
    /// `true` to monitor the group, `false` to leave it out.
    fn accept(group: GroupInfo) -> bool;
}
