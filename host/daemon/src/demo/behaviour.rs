//! What each simulated consumer group does and what it is there to show. A behaviour is a pure
//! function from the simulation's tick (one a second; negative ticks are the history seeded
//! before the daemon's first evaluation, see `sim.rs`) and a partition's HEAD to the offset the
//! group commits, so the same code writes the seeded history and the live commits.

/// Records produced per partition per tick: the slope every offset below is computed against.
pub(crate) const RATE: i64 = 20;

/// Ticks of history seeded before the first evaluation: enough for two full windows of the
/// groups that commit every other tick, and for the time-lag SLO's 14-second gap.
pub(crate) const HISTORY: i64 = 24;

/// The `lag-seconds` SLO of the plugin cluster, in seconds: WARN from this much behind...
pub(crate) const SLO_WARN_SECS: i64 = 10;
/// ...and ERR from this much.
pub(crate) const SLO_ERR_SECS: i64 = 20;
/// How long ago the noise group last committed, and the `skip-empty` limit it is past.
pub(crate) const NOISE_IDLE_SECS: i64 = 600;
/// `skip-empty`'s `empty-for-secs` in the demo.
pub(crate) const NOISE_FILTER_SECS: i64 = 300;

/// The two demo clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cluster {
    /// Judged by Burrow's rules (the bare demo has only this one).
    Burrow,
    /// Judged by the `lag-seconds` evaluator plugin, filtered by `skip-empty`, notified
    /// through the `webhook` notifier.
    Plugins,
}

impl Cluster {
    /// The `[cluster.NAME]`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Cluster::Burrow => "demo",
            Cluster::Plugins => "demo-slo",
        }
    }

    /// The data topic its groups consume.
    pub(crate) fn topic(self) -> &'static str {
        match self {
            Cluster::Burrow => "demo-events",
            Cluster::Plugins => "orders",
        }
    }
}

/// A simulated group's behaviour, named after what it is meant to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behaviour {
    /// Commits the HEAD every tick: OK.
    Healthy,
    /// Consumes a quarter of what is produced and commits every third tick, so that lag grows
    /// by more between two commits than HEAD polling can blur: WARN.
    Slow,
    /// Committed for the first six ticks of the history while behind, then never again: STOP.
    Stopped,
    /// Commits the same offset every tick while records pile up: STALL.
    Stalled,
    /// Commits every other tick; every 30 ticks jumps back 500 records and keeps the
    /// producer's pace for 18 ticks (REWIND while the jump is in its window and not made up),
    /// then catches up (OK: a rewind that is caught up with is forgiven, by design).
    Rewinding,
    /// Commits the HEAD every tick: far inside the SLO, OK.
    Fresh,
    /// Always 14 seconds of records behind: breaks the WARN SLO, well inside the ERR one.
    Behind,
    /// Every 40 ticks: 15 ticks caught up, then 25 paused on the same offset, so its time lag
    /// grows through WARN (an incident opens) to ERR, and the catch-up resolves it.
    Batch,
    /// A console consumer that committed once ten minutes ago and left: hidden by the
    /// `skip-empty` group filter (under Burrow's rules it would show STOP for ever).
    Noise,
}

/// The rewinding group's cycle: ticks, how far it jumps back, and for how long it stays back.
const REWIND_CYCLE: i64 = 30;
const REWIND_BACK: i64 = 500;
const REWIND_BEHIND_TICKS: i64 = 18;
/// Shifts the cycle so the history ends two ticks after a rewind: the demo opens on REWIND.
const REWIND_SHIFT: i64 = 2;

/// The batch group's cycle, its caught-up part, and the shift that opens the demo 13 ticks
/// into a pause (already WARN, with its incident open; ERR soon, resolved at tick 13).
const BATCH_CYCLE: i64 = 40;
const BATCH_RUNS: i64 = 15;
const BATCH_SHIFT: i64 = 28;

impl Behaviour {
    pub(crate) const ALL: [Behaviour; 9] = [
        Behaviour::Healthy,
        Behaviour::Slow,
        Behaviour::Stopped,
        Behaviour::Stalled,
        Behaviour::Rewinding,
        Behaviour::Fresh,
        Behaviour::Behind,
        Behaviour::Batch,
        Behaviour::Noise,
    ];

    /// The cluster the group commits on.
    pub(crate) fn cluster(self) -> Cluster {
        match self {
            Behaviour::Healthy
            | Behaviour::Slow
            | Behaviour::Stopped
            | Behaviour::Stalled
            | Behaviour::Rewinding => Cluster::Burrow,
            Behaviour::Fresh | Behaviour::Behind | Behaviour::Batch | Behaviour::Noise => {
                Cluster::Plugins
            }
        }
    }

    /// The group's name.
    pub(crate) fn group(self) -> &'static str {
        match self {
            Behaviour::Healthy => "demo-healthy",
            Behaviour::Slow => "demo-slow",
            Behaviour::Stopped => "demo-stopped",
            Behaviour::Stalled => "demo-stalled",
            Behaviour::Rewinding => "demo-rewinding",
            Behaviour::Fresh => "orders-fresh",
            Behaviour::Behind => "orders-behind",
            Behaviour::Batch => "orders-batch",
            Behaviour::Noise => "console-consumer-48213",
        }
    }

    /// The group status and a partition status it shows from the first screen on; `None` for
    /// the group the filter hides.
    pub(crate) fn expected(self) -> Option<(&'static str, &'static str)> {
        match self {
            Behaviour::Healthy | Behaviour::Fresh => Some(("OK", "OK")),
            Behaviour::Slow | Behaviour::Behind | Behaviour::Batch => Some(("WARN", "WARN")),
            Behaviour::Stopped => Some(("ERR", "STOP")),
            Behaviour::Stalled => Some(("ERR", "STALL")),
            Behaviour::Rewinding => Some(("ERR", "REWIND")),
            Behaviour::Noise => None,
        }
    }

    /// Whether the status changes on a cycle by design (then `expected` is the first screen's).
    pub(crate) fn cyclic(self) -> bool {
        matches!(self, Behaviour::Rewinding | Behaviour::Batch)
    }

    /// What the group demonstrates, as the terminal says it.
    pub(crate) fn shows(self) -> String {
        match self {
            Behaviour::Healthy => "commits the newest offset every second: OK".into(),
            Behaviour::Slow => "reads a quarter of the traffic, lag keeps growing: WARN".into(),
            Behaviour::Stopped => "stopped committing before the demo began: STOP".into(),
            Behaviour::Stalled => "commits one offset while data piles up: STALL".into(),
            Behaviour::Rewinding => format!(
                "jumps back {REWIND_BACK} records every {REWIND_CYCLE}s: REWIND, then OK once \
                 caught up"
            ),
            Behaviour::Fresh => format!("keeps up: inside the {SLO_WARN_SECS}s SLO, OK"),
            Behaviour::Behind => {
                format!("always 14s behind: breaks the {SLO_WARN_SECS}s SLO, WARN")
            }
            Behaviour::Batch => format!(
                "pauses {}s in every {BATCH_CYCLE}s: WARN, ERR, then OK; an incident opens \
                 and resolves",
                BATCH_CYCLE - BATCH_RUNS
            ),
            Behaviour::Noise => format!(
                "left {}min ago: hidden by the skip-empty filter (Burrow: STOP for ever)",
                NOISE_IDLE_SECS / 60
            ),
        }
    }

    /// Whether the group announces a member (the noise group has none: that is what lets
    /// `skip-empty` hide it).
    pub(crate) fn has_member(self) -> bool {
        self != Behaviour::Noise
    }

    /// How much older than its tick the group's commit timestamps are.
    pub(crate) fn backdate_ms(self) -> i64 {
        if self == Behaviour::Noise {
            NOISE_IDLE_SECS * 1000
        } else {
            0
        }
    }

    /// The committed offset at `tick` for a partition whose HEAD is `head`; `None` = no commit.
    pub(crate) fn offset(self, tick: i64, head: i64) -> Option<i64> {
        match self {
            Behaviour::Healthy | Behaviour::Fresh => Some(head),
            Behaviour::Slow => (tick.rem_euclid(3) == 0).then_some(head / 4),
            Behaviour::Stopped => (tick < -HISTORY + 6).then(|| (head - 30).max(0)),
            Behaviour::Stalled => Some(10),
            Behaviour::Rewinding => {
                let phase = (tick + REWIND_SHIFT).rem_euclid(REWIND_CYCLE);
                let back = if phase < REWIND_BEHIND_TICKS {
                    REWIND_BACK
                } else {
                    0
                };
                (phase % 2 == 0).then(|| (head - back).max(0))
            }
            Behaviour::Behind => Some((head - 14 * RATE).max(0)),
            Behaviour::Batch => {
                let phase = (tick + BATCH_SHIFT).rem_euclid(BATCH_CYCLE);
                // Paused: still at the offset it reached at the end of its run.
                let paused = (phase - BATCH_RUNS + 1).max(0);
                Some((head - paused * RATE).max(0))
            }
            Behaviour::Noise => (tick == -HISTORY).then_some(5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HEAD at `tick` of a partition produced into at RATE from the start of the history.
    fn head(tick: i64) -> i64 {
        (tick + HISTORY + 1) * RATE
    }

    #[test]
    fn stopped_group_commits_only_at_the_start_of_the_history() {
        assert!(Behaviour::Stopped.offset(-HISTORY + 5, 100).is_some());
        assert!(Behaviour::Stopped.offset(-HISTORY + 6, 120).is_none());
        assert!(Behaviour::Stopped.offset(0, 120).is_none());
    }

    #[test]
    fn rewinding_group_goes_back_once_per_cycle_and_just_before_the_demo_opens() {
        let offsets: Vec<(i64, i64)> = (-HISTORY..REWIND_CYCLE)
            .filter_map(|t| Behaviour::Rewinding.offset(t, head(t)).map(|o| (t, o)))
            .collect();
        let rewinds: Vec<i64> = offsets
            .windows(2)
            .filter(|w| w[1].1 < w[0].1)
            .map(|w| w[1].0)
            .collect();
        assert_eq!(rewinds, [-REWIND_SHIFT, REWIND_CYCLE - REWIND_SHIFT]);
    }

    #[test]
    fn batch_group_is_paused_when_the_demo_opens_and_catches_up_within_fifteen_seconds() {
        let lag_secs = |t: i64| (head(t) - Behaviour::Batch.offset(t, head(t)).unwrap()) / RATE;
        assert!(lag_secs(0) >= SLO_WARN_SECS, "{}", lag_secs(0));
        let caught_up = (0..BATCH_CYCLE).find(|&t| lag_secs(t) == 0).unwrap();
        assert!(caught_up <= 15, "{caught_up}");
        let worst = (0..caught_up).map(lag_secs).max().unwrap();
        assert!(worst >= SLO_ERR_SECS, "reaches ERR before: {worst}");
    }
}
