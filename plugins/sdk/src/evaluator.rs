//! Evaluators (`evaluator` world): a policy that replaces Burrow's rules for the clusters that
//! choose it. Build partition verdicts with [`verdict::partition`](crate::verdict::partition)
//! and roll them up with [`verdict::group`](crate::verdict::group).

use crate::Plugin;
use crate::types::{GroupStatus, GroupWindow};

/// The evaluator's export, `evaluate`.
pub trait Evaluator: Plugin {
    /// Judges one group. An `Err` carries a reason; the host then falls back to Burrow's
    /// rules for that group and says so in the status.
    fn evaluate(window: GroupWindow) -> Result<GroupStatus, String>;
}
