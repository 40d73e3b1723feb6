//! The state of one collector retry loop: how many attempts in a row have failed. The pacing
//! itself (1 s doubling to a minute, plus up to 20 % jitter) is
//! [`warren_core::backoff::Backoff::COLLECTOR`], the one backoff Warren has. [`pause`] is how
//! the collectors' threads wait out a delay.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use warren_core::backoff::{self, Backoff as Policy};

/// Consecutive failures of one retry loop.
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
        let delay = Policy::COLLECTOR.delay(self.attempt, backoff::fresh_seed());
        self.attempt = self.attempt.saturating_add(1);
        delay
    }

    pub(crate) fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// Sleeps `wait` on the current thread, waking early when `cancel` fires.
pub(crate) fn pause(cancel: &CancellationToken, wait: Duration) {
    let deadline = Instant::now() + wait;
    while !cancel.is_cancelled() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_reset() {
        let mut b = Backoff::new();
        let delays: Vec<Duration> = (0..8).map(|_| b.next_delay()).collect();
        assert!(delays[0] <= Duration::from_millis(1200), "{delays:?}");
        assert!(delays[7] >= Duration::from_secs(60), "{delays:?}");
        b.reset();
        let first = b.next_delay();
        assert!(
            first >= Duration::from_secs(1) && first <= Duration::from_millis(1200),
            "{first:?}"
        );
    }
}
