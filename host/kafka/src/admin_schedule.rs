//! When the Admin API poller asks about which group. Every group has its own round every
//! `offset-refresh`: one DescribeConsumerGroups and one ListConsumerGroupOffsets request, each
//! with its own deadline. A round ends when both answered or timed out, and its answers are
//! applied at once, so a group never waits for another group's answers.
//!
//! Requests in flight are bounded twice: in total, and per coordinator node (as the group's
//! last description named it). The second bound is what keeps a dead broker from starving the
//! rest: its groups' requests wait out their whole timeout, and without a per-node share they
//! would soon fill every slot.
//!
//! Pure bookkeeping over `Instant`s: it sends nothing, so it is tested without Kafka.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::admin_ffi::{Described, GroupOffsets};

/// Requests in flight at once, in total.
const IN_FLIGHT: usize = 128;
/// Requests in flight at once to one coordinator (groups not yet described share one share).
const PER_COORDINATOR: usize = 32;

/// A coordinator node id; `None` until a group's first description names it.
type Coordinator = Option<i32>;

/// One answer of a round.
#[derive(Debug)]
pub(crate) enum Part {
    Described(Result<Described, String>),
    Offsets(Result<GroupOffsets, String>),
}

/// A finished round: what to apply and how the group had fared before.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) group: String,
    pub(crate) described: Result<Described, String>,
    pub(crate) offsets: Result<GroupOffsets, String>,
    /// Rounds in a row that had a failed request, before this one.
    pub(crate) failed_before: u32,
}

impl Finished {
    pub(crate) fn failed(&self) -> bool {
        self.described.is_err() || self.offsets.is_err()
    }
}

#[derive(Debug)]
struct Group {
    coordinator: Coordinator,
    /// When the next round may start (the key of its entry in `due`).
    next_at: Instant,
    round: Option<Round>,
    failed_rounds: u32,
    polled: bool,
}

#[derive(Debug)]
struct Round {
    started: Instant,
    tags: [u64; 2],
    described: Option<Result<Described, String>>,
    offsets: Option<Result<GroupOffsets, String>>,
}

#[derive(Debug)]
struct Pending {
    group: String,
    coordinator: Coordinator,
    deadline: Instant,
    describe: bool,
}

/// Every group's schedule and the requests in flight.
#[derive(Debug)]
pub(crate) struct Schedule {
    refresh: Duration,
    /// How long a request may stay unanswered before it counts as failed.
    deadline: Duration,
    groups: HashMap<String, Group>,
    /// Idle groups by coordinator, soonest first. Entries of removed groups or of rounds
    /// already started are skipped when they surface.
    due: BTreeMap<Coordinator, BinaryHeap<Reverse<(Instant, String)>>>,
    busy: HashMap<Coordinator, usize>,
    pending: HashMap<u64, Pending>,
    next_tag: u64,
}

impl Schedule {
    pub(crate) fn new(refresh: Duration, deadline: Duration) -> Schedule {
        Schedule {
            refresh,
            deadline,
            groups: HashMap::new(),
            due: BTreeMap::new(),
            busy: HashMap::new(),
            pending: HashMap::new(),
            next_tag: 0,
        }
    }

    /// Takes a group listing: new groups are due now. When `complete` (every broker answered),
    /// groups missing from it are gone from the cluster and are no longer polled; otherwise
    /// they may sit on the broker that did not answer and keep their schedule.
    pub(crate) fn listed(&mut self, names: &[String], complete: bool, now: Instant) {
        if complete {
            let keep: HashSet<&str> = names.iter().map(String::as_str).collect();
            self.groups.retain(|name, _| keep.contains(name.as_str()));
        }
        for name in names {
            if self.groups.contains_key(name) {
                continue;
            }
            self.groups.insert(
                name.clone(),
                Group {
                    coordinator: None,
                    next_at: now,
                    round: None,
                    failed_rounds: 0,
                    polled: false,
                },
            );
            self.due
                .entry(None)
                .or_default()
                .push(Reverse((now, name.clone())));
        }
    }

    /// Starts the round of the next group that is due and whose coordinator has room for
    /// its two requests; returns it with the tags for its describe and offsets requests.
    pub(crate) fn start_next(&mut self, now: Instant) -> Option<(String, [u64; 2])> {
        if self.pending.len() + 2 > IN_FLIGHT {
            return None;
        }
        let coordinators: Vec<Coordinator> = self.due.keys().copied().collect();
        for coordinator in coordinators {
            if self.busy.get(&coordinator).copied().unwrap_or(0) + 2 > PER_COORDINATOR {
                continue;
            }
            if let Some(name) = self.pop_due(coordinator, now) {
                let tags = [self.next_tag, self.next_tag + 1];
                self.next_tag += 2;
                for (tag, describe) in [(tags[0], true), (tags[1], false)] {
                    self.pending.insert(
                        tag,
                        Pending {
                            group: name.clone(),
                            coordinator,
                            deadline: now + self.deadline,
                            describe,
                        },
                    );
                }
                *self.busy.entry(coordinator).or_default() += 2;
                if let Some(g) = self.groups.get_mut(&name) {
                    g.round = Some(Round {
                        started: now,
                        tags,
                        described: None,
                        offsets: None,
                    });
                }
                return Some((name, tags));
            }
        }
        None
    }

    /// The first live, due group in `coordinator`'s queue, dropping stale entries on the way.
    fn pop_due(&mut self, coordinator: Coordinator, now: Instant) -> Option<String> {
        let heap = self.due.get_mut(&coordinator)?;
        while let Some(Reverse((at, name))) = heap.peek() {
            let live = self.groups.get(name).is_some_and(|g| {
                g.round.is_none() && g.next_at == *at && g.coordinator == coordinator
            });
            if !live {
                heap.pop();
                continue;
            }
            if *at > now {
                return None;
            }
            return heap.pop().map(|Reverse((_, name))| name);
        }
        None
    }

    /// Records the answer to request `tag`; returns the group's round once both its requests
    /// are answered. Late answers (after their deadline) and answers for groups no longer
    /// polled are dropped.
    pub(crate) fn answer(&mut self, tag: u64, part: Part, now: Instant) -> Option<Finished> {
        let pending = self.pending.remove(&tag)?;
        if let Some(n) = self.busy.get_mut(&pending.coordinator) {
            *n = n.saturating_sub(1);
        }
        let g = self.groups.get_mut(&pending.group)?;
        let round = g.round.as_mut().filter(|r| r.tags.contains(&tag))?;
        match part {
            Part::Described(d) => round.described = Some(d),
            Part::Offsets(o) => round.offsets = Some(o),
        }
        if round.described.is_none() || round.offsets.is_none() {
            return None;
        }
        let round = g.round.take()?;
        let (described, offsets) = (round.described?, round.offsets?);
        if let Ok(Described {
            coordinator: Some(node),
            ..
        }) = &described
        {
            g.coordinator = Some(*node);
        }
        let failed_before = g.failed_rounds;
        g.failed_rounds = if described.is_err() || offsets.is_err() {
            g.failed_rounds.saturating_add(1)
        } else {
            0
        };
        g.polled = true;
        g.next_at = (round.started + self.refresh).max(now);
        self.due
            .entry(g.coordinator)
            .or_default()
            .push(Reverse((g.next_at, pending.group.clone())));
        Some(Finished {
            group: pending.group,
            described,
            offsets,
            failed_before,
        })
    }

    /// Fails every request past its deadline; returns the rounds this finished.
    pub(crate) fn expire(&mut self, now: Instant) -> Vec<Finished> {
        let late: Vec<(u64, bool)> = self
            .pending
            .iter()
            .filter(|(_, p)| p.deadline <= now)
            .map(|(tag, p)| (*tag, p.describe))
            .collect();
        let error = format!("no answer within {:?}", self.deadline);
        late.into_iter()
            .filter_map(|(tag, describe)| {
                let part = if describe {
                    Part::Described(Err(error.clone()))
                } else {
                    Part::Offsets(Err(error.clone()))
                };
                self.answer(tag, part, now)
            })
            .collect()
    }

    /// When something is next to do: a request's deadline, or a due group with room to start.
    pub(crate) fn next_wake(&self) -> Option<Instant> {
        let deadline = self.pending.values().map(|p| p.deadline).min();
        let room = self.pending.len() + 2 <= IN_FLIGHT;
        let due = self
            .due
            .iter()
            .filter(|(c, _)| room && self.busy.get(c).copied().unwrap_or(0) + 2 <= PER_COORDINATOR)
            .filter_map(|(_, heap)| heap.peek().map(|Reverse((at, _))| *at))
            .min();
        deadline.into_iter().chain(due).min()
    }

    /// Whether every group known has finished a round (the poller's first poll is complete).
    pub(crate) fn all_polled(&self) -> bool {
        self.groups.values().all(|g| g.polled)
    }

    /// Groups polled.
    pub(crate) fn len(&self) -> usize {
        self.groups.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFRESH: Duration = Duration::from_secs(1);
    const DEADLINE: Duration = Duration::from_secs(10);

    fn described(coordinator: i32) -> Part {
        Part::Described(Ok(Described {
            state: Some("Stable"),
            kind: Some("Consumer"),
            coordinator: Some(coordinator),
            members: Vec::new(),
        }))
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("g{i}")).collect()
    }

    /// Starts every round that can start now.
    fn start_all(s: &mut Schedule, now: Instant) -> Vec<(String, [u64; 2])> {
        std::iter::from_fn(|| s.start_next(now)).collect()
    }

    /// Answers a started round in full; returns the finished round.
    fn answer_round(s: &mut Schedule, tags: [u64; 2], node: i32, now: Instant) -> Finished {
        assert!(s.answer(tags[0], described(node), now).is_none());
        s.answer(tags[1], Part::Offsets(Ok(Vec::new())), now)
            .expect("both answered")
    }

    #[test]
    fn a_round_finishes_when_both_requests_answered_and_repeats_after_the_refresh() {
        let t0 = Instant::now();
        let mut s = Schedule::new(REFRESH, DEADLINE);
        s.listed(&names(1), true, t0);
        let (group, tags) = s.start_next(t0).expect("due at once");
        assert!(s.start_next(t0).is_none(), "one round at a time per group");
        let done = answer_round(&mut s, tags, 1, t0 + Duration::from_millis(5));
        assert_eq!((done.group.as_str(), done.failed()), ("g0", false));
        assert_eq!(group, "g0");
        assert!(s.all_polled());
        assert!(s.start_next(t0 + Duration::from_millis(900)).is_none());
        assert_eq!(s.next_wake(), Some(t0 + REFRESH));
        assert!(s.start_next(t0 + REFRESH).is_some());
    }

    #[test]
    fn a_dead_coordinators_groups_never_take_more_than_its_share() {
        let t0 = Instant::now();
        let mut s = Schedule::new(REFRESH, DEADLINE);
        s.listed(&names(200), true, t0);
        // First rounds: node 1 coordinates the first 100 groups, node 2 the rest.
        let mut t = t0;
        while !s.all_polled() {
            let started = start_all(&mut s, t);
            for (group, tags) in started {
                let n: usize = group[1..].parse().unwrap();
                answer_round(&mut s, tags, if n < 100 { 1 } else { 2 }, t);
            }
            t += Duration::from_millis(1);
        }
        // Node 1 dies: its requests never come back. Node 2's groups still all get rounds.
        t += REFRESH;
        let mut node2_rounds = 0;
        for _ in 0..50 {
            for (group, tags) in start_all(&mut s, t) {
                let n: usize = group[1..].parse().unwrap();
                if n >= 100 {
                    answer_round(&mut s, tags, 2, t);
                    node2_rounds += 1;
                }
            }
            assert!(s.busy[&Some(1)] <= PER_COORDINATOR);
            t += Duration::from_millis(100);
            s.expire(t);
        }
        assert!(
            node2_rounds >= 100,
            "node 2's groups starved: {node2_rounds} rounds"
        );
    }

    #[test]
    fn an_unanswered_request_fails_its_round_at_its_deadline_and_keeps_what_answered() {
        let t0 = Instant::now();
        let mut s = Schedule::new(REFRESH, DEADLINE);
        s.listed(&names(1), true, t0);
        let (_, tags) = s.start_next(t0).unwrap();
        assert!(
            s.answer(tags[1], Part::Offsets(Ok(vec![("t".into(), 0, 5)])), t0)
                .is_none()
        );
        assert!(
            s.expire(t0 + DEADLINE - Duration::from_millis(1))
                .is_empty()
        );
        let done = s
            .expire(t0 + DEADLINE)
            .pop()
            .expect("round finished by its deadline");
        assert!(done.described.is_err());
        assert_eq!(done.offsets.unwrap(), vec![("t".to_string(), 0, 5)]);
        // The late answer is dropped, and the next round starts at once.
        assert!(s.answer(tags[0], described(1), t0 + DEADLINE).is_none());
        let (_, next) = s.start_next(t0 + DEADLINE).unwrap();
        s.answer(next[0], described(1), t0 + DEADLINE);
        let done = s
            .answer(next[1], Part::Offsets(Ok(Vec::new())), t0 + DEADLINE)
            .unwrap();
        assert_eq!(done.failed_before, 1);
    }

    #[test]
    fn a_complete_listing_drops_gone_groups_and_a_partial_one_keeps_them() {
        let t0 = Instant::now();
        let mut s = Schedule::new(REFRESH, DEADLINE);
        s.listed(&names(3), true, t0);
        s.listed(&names(2), false, t0);
        assert_eq!(s.len(), 3);
        s.listed(&names(2), true, t0);
        assert_eq!(s.len(), 2);
        let started: Vec<String> = start_all(&mut s, t0).into_iter().map(|(g, _)| g).collect();
        assert_eq!(started.len(), 2, "{started:?}");
        assert!(!started.contains(&"g2".to_string()));
    }
}
