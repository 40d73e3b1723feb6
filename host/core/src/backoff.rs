//! Retry pacing, written once: exponential from a first delay to a cap, with jitter so that
//! many waiting retries (clusters that went down together, messages to a receiver that comes
//! back) do not fire in step. Two policies use it: the collectors' reconnects
//! ([`Backoff::COLLECTOR`]) and notification deliveries ([`Backoff::DELIVERY`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A retry policy: attempt `n` (from 0) waits `first · 2ⁿ`, at most `cap`, moved by a jitter
/// drawn uniformly from `[-below %, +above %]` of that base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait before the second attempt.
    pub first: Duration,
    /// The longest wait, before jitter.
    pub cap: Duration,
    /// How far below the base a wait may fall, in percent of the base.
    pub below_percent: u32,
    /// How far above the base a wait may reach, in percent of the base.
    pub above_percent: u32,
}

impl Backoff {
    /// Collectors reconnecting to a cluster: 1 s doubling to 60 s, plus up to 20 %.
    pub const COLLECTOR: Backoff = Backoff {
        first: Duration::from_secs(1),
        cap: Duration::from_secs(60),
        below_percent: 0,
        above_percent: 20,
    };

    /// A notification delivery that failed with a retryable error: 1 s doubling to 5 min,
    /// ±20 %, so a receiver that comes back is not hit by every waiting message at once.
    pub const DELIVERY: Backoff = Backoff {
        first: Duration::from_secs(1),
        cap: Duration::from_secs(300),
        below_percent: 20,
        above_percent: 20,
    };

    /// The wait before attempt `attempts + 1` without jitter.
    pub fn base(&self, attempts: u32) -> Duration {
        let first = u64::try_from(self.first.as_millis()).unwrap_or(u64::MAX);
        let cap = u64::try_from(self.cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(first.saturating_mul(1 << attempts.min(20)).min(cap))
    }

    /// The wait before attempt `attempts + 1`, jittered by `seed`: the same seed gives the
    /// same wait (tests, and a delivery's id), different seeds spread over the whole range.
    pub fn delay(&self, attempts: u32, seed: u64) -> Duration {
        let base = u64::try_from(self.base(attempts).as_millis()).unwrap_or(u64::MAX);
        let below = base / 100 * u64::from(self.below_percent)
            + base % 100 * u64::from(self.below_percent) / 100;
        let above = base / 100 * u64::from(self.above_percent)
            + base % 100 * u64::from(self.above_percent) / 100;
        let jitter = splitmix64(seed) % (below + above + 1);
        Duration::from_millis(base - below + jitter)
    }
}

/// A fresh jitter seed for callers without a natural one (a collector's retry loop): the
/// clock's nanoseconds mixed with a process-wide counter, so two loops retrying in the same
/// instant still draw different jitters.
pub fn fresh_seed() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos
        ^ COUNTER
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// splitmix64: a cheap, well-spread hash of the seed; no RNG dependency for a jitter.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ms(d: Duration) -> u128 {
        d.as_millis()
    }

    #[test]
    fn deliveries_double_from_one_second_to_five_minutes_within_twenty_percent() {
        let b = Backoff::DELIVERY;
        for seed in 0..200 {
            assert!((800..=1200).contains(&ms(b.delay(0, seed))));
            assert!((3200..=4800).contains(&ms(b.delay(2, seed))));
            assert!((240_000..=360_000).contains(&ms(b.delay(30, seed))));
        }
        let spread: BTreeSet<u128> = (0..50).map(|s| ms(b.delay(3, s))).collect();
        assert!(spread.len() > 10, "jitter spreads retries");
    }

    #[test]
    fn collectors_double_up_to_a_minute_and_only_wait_longer() {
        let b = Backoff::COLLECTOR;
        let bases: Vec<u64> = (0..9).map(|n| b.base(n).as_secs()).collect();
        assert_eq!(bases, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
        for seed in 0..200 {
            assert!((1000..=1200).contains(&ms(b.delay(0, seed))));
            assert!((60_000..=72_000).contains(&ms(b.delay(9, seed))));
        }
    }

    #[test]
    fn fresh_seeds_spread_even_on_a_coarse_clock() {
        let b = Backoff::COLLECTOR;
        let waits: BTreeSet<u128> = (0..50).map(|_| ms(b.delay(3, fresh_seed()))).collect();
        assert!(waits.len() > 10, "{waits:?}");
    }
}
