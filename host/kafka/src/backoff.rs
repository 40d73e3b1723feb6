//! Retry pacing for collectors: exponential from one second to one minute with jitter, so a
//! cluster that is down is retried without hammering it and many clusters do not retry in step.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Exponential backoff state of one retry loop.
#[derive(Debug)]
pub(crate) struct Backoff {
    attempt: u32,
}

impl Backoff {
    pub(crate) fn new() -> Self {
        Backoff { attempt: 0 }
    }

    /// The next delay: 1 s, 2 s, 4 s ... capped at 60 s, each plus up to 20 % jitter.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let base = self.next_base();
        // Cheap jitter from the clock's sub-second part; cryptographic quality is not needed.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        base + base.mul_f64(f64::from(nanos % 200) / 1000.0)
    }

    fn next_base(&mut self) -> Duration {
        let base = Duration::from_secs(1u64 << self.attempt.min(6)).min(Duration::from_secs(60));
        self.attempt = self.attempt.saturating_add(1);
        base
    }

    pub(crate) fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute_and_resets() {
        let mut b = Backoff::new();
        let d: Vec<u64> = (0..9).map(|_| b.next_base().as_secs()).collect();
        assert_eq!(d, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
        b.reset();
        let first = b.next_delay();
        assert!(
            first >= Duration::from_secs(1) && first < Duration::from_millis(1200),
            "{first:?}"
        );
    }
}
