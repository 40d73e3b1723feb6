//! `class-name = "kafka-admin"`: for managed clusters that hide `__consumer_offsets`. Every
//! `offset-refresh` ListConsumerGroups finds the groups, classic and KIP-848 alike (the older
//! ListGroups path librdkafka also has does not see KIP-848 groups on Kafka 4). Each group is
//! then polled on its own schedule (`admin_schedule`): DescribeConsumerGroups (members, client
//! ids, hosts, assignments, state) and ListConsumerGroupOffsets, applied as soon as both
//! answered. A group whose coordinator is slow or dead fails alone; its failures are counted
//! and logged and every other group keeps being applied.
//!
//! A commit is recognised when a partition's committed offset changes, stamped with the time
//! Warren observed it; unchanged offsets are not commits (storage's `CommitSource::Poll`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use warren_core::config::{ClientProfile, ConsumerConfig, GroupFilter};
use warren_core::health::{ClusterHealth, ConsumerProgress};
use warren_core::model::{Commit, GroupMembership};
use warren_core::storage::{ClusterStore, CommitSource, Origin};

use crate::admin_ffi::{AdminQueue, Answer, Listed};
use crate::admin_schedule::{Finished, Part, Schedule};
use crate::backoff::Backoff;
use crate::client::{WarrenContext, client_config, consumer as new_consumer, now_ms};
use crate::tls_files::TlsFiles;

/// librdkafka's timeout of one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// When an unanswered request counts as failed: a describe may be two requests (KIP-848's
/// ConsumerGroupDescribe, then DescribeGroups for a classic group), each with the timeout.
const DEADLINE: Duration = Duration::from_secs(21);
/// Longest wait for an answer, so cancellation is noticed promptly.
const TICK: Duration = Duration::from_millis(200);
/// List requests carry tags of their own, apart from the schedule's.
const LIST_TAG: u64 = 1 << 63;

/// Polls groups until cancelled.
pub(crate) async fn run(
    consumer: ConsumerConfig,
    offset_refresh: Duration,
    store: Arc<ClusterStore>,
    cluster_health: Arc<ClusterHealth>,
    progress: Arc<ConsumerProgress>,
    cancel: CancellationToken,
) {
    let mut backoff = Backoff::new();
    // Retried like the HEAD poller's: a password file may not be written yet.
    let (config, client) = loop {
        let created =
            client_config(&consumer.servers, &consumer.client_profile).and_then(|mut config| {
                // librdkafka 2.12 answers NOT_COORDINATOR to an OffsetFetch by poking the
                // client's own group handle, which a client without `group.id` lacks: a NULL
                // dereference whenever a group's coordinator moves. A group id (never joined:
                // nothing subscribes) gives it one.
                config.set("group.id", format!("warren-admin-{}", consumer.name));
                let client = new_consumer(&config, &consumer.name).map_err(|e| e.to_string())?;
                Ok((config, client))
            });
        match created {
            Ok(made) => break made,
            Err(e) => {
                let delay = backoff.next_delay();
                warn!(consumer = %consumer.name, error = %e, retry_in = ?delay, "cannot create Kafka client; retrying");
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(delay) => {}
                }
            }
        }
    };
    let name = consumer.name.clone();
    // Commits read before the first HEAD offsets would be dropped.
    while !cluster_health.heads_ready() {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
    let poller = Poller {
        name: consumer.name.clone(),
        coordinator_moved: false,
        client_since: Instant::now(),
        files: TlsFiles::of(&consumer.client_profile),
        profile: consumer.client_profile.clone(),
        filter: consumer.groups.clone(),
        topics: consumer.topics.clone(),
        refresh: offset_refresh,
        store,
        progress,
        // Orders must keep growing across restarts, or a restored group would drop every
        // poll as a replay: start from the clock (µs), one step per commit.
        order: now_ms().saturating_mul(1_000),
    };
    let stop = cancel.clone();
    let task = tokio::task::spawn_blocking(move || {
        let mut poller = poller;
        let mut client = client;
        loop {
            match poller.run(&client, &stop) {
                Ended::Cancelled => return,
                // librdkafka caches each group's coordinator and, for another group's
                // requests, never forgets one that answered NOT_COORDINATOR: every later
                // request goes to the old broker. A new client starts with an empty cache.
                Ended::CoordinatorMoved => {
                    info!(consumer = %name, "a group's coordinator moved; making the Admin API client anew");
                }
                Ended::FilesChanged => {
                    info!(consumer = %name, "certificate files changed: connecting anew with them");
                }
            }
            match new_consumer(&config, &name) {
                Ok(c) => client = c,
                Err(e) => {
                    warn!(consumer = %name, error = %e, "cannot create Kafka client; consumer not running");
                    return;
                }
            }
        }
    });
    tokio::select! {
        _ = cancel.cancelled() => {}
        r = task => if let Err(e) = r {
            warn!(consumer = %consumer.name, error = %e, "Admin API poller failed; consumer not running");
        },
    }
}

/// Why [`Poller::run`] returned.
enum Ended {
    Cancelled,
    /// A group's coordinator moved and the client must be made anew (see `run`).
    CoordinatorMoved,
    /// The profile's certificate files changed: a new client reads them.
    FilesChanged,
}

/// Shortest time between two new clients, so a coordinator that keeps moving cannot make
/// Warren reconnect in a loop.
const RENEW_AT_MOST_EVERY: Duration = Duration::from_secs(10);

struct Poller {
    name: String,
    /// Set when an answer said NOT_COORDINATOR.
    coordinator_moved: bool,
    /// When the current client was made.
    client_since: Instant,
    /// The client profile, whose certificate files the current client was made with.
    profile: ClientProfile,
    files: TlsFiles,
    filter: GroupFilter,
    /// The consumer's topic allow/deny lists: offsets of other topics are not committed.
    topics: GroupFilter,
    refresh: Duration,
    store: Arc<ClusterStore>,
    progress: Arc<ConsumerProgress>,
    order: i64,
}

/// The listing's own schedule: one ListConsumerGroups in flight at most.
struct Listing {
    next_at: Instant,
    in_flight: Option<(u64, Instant)>,
    sent: u64,
    failing: bool,
    listed_once: bool,
}

impl Poller {
    /// The poll loop: one thread, one queue. Returns when cancelled, or when the client must
    /// be made anew because a coordinator moved.
    fn run(&mut self, client: &BaseConsumer<WarrenContext>, cancel: &CancellationToken) -> Ended {
        let Some(queue) = AdminQueue::new(client.client()) else {
            warn!(consumer = %self.name, "librdkafka cannot create a queue; consumer not running");
            return Ended::Cancelled;
        };
        // Poll orders come from the clock, so they follow any earlier ones; saying so lets an
        // offsets-topic reader started later on this data know its offsets are a new count.
        let origin = Origin {
            offsets_topic: None,
            cluster_id: client.client().fetch_cluster_id(REQUEST_TIMEOUT),
            topic_id: None,
        };
        let now = origin.to_string();
        if let Some(before) = self.store.writer().claim_origin(origin) {
            info!(consumer = %self.name, before = %before, now = %now, "commits now come from the Admin API: replay marks reset; windows kept");
        }
        self.coordinator_moved = false;
        self.client_since = Instant::now();
        self.files = TlsFiles::of(&self.profile);
        let mut schedule = Schedule::new(self.refresh, DEADLINE);
        let mut listing = Listing {
            next_at: Instant::now(),
            in_flight: None,
            sent: 0,
            failing: false,
            listed_once: false,
        };
        while !cancel.is_cancelled() {
            // Serves the client's own event queue, where connection errors pile up otherwise.
            let _ = client.poll(Duration::ZERO);
            let now = Instant::now();
            if self.coordinator_moved && now - self.client_since >= RENEW_AT_MOST_EVERY {
                return Ended::CoordinatorMoved;
            }
            if self.files.changed() {
                return Ended::FilesChanged;
            }
            if listing
                .in_flight
                .is_some_and(|(_, deadline)| deadline <= now)
            {
                self.list_failed(&mut listing, format!("no answer within {DEADLINE:?}"));
            }
            if listing.in_flight.is_none() && listing.next_at <= now {
                let tag = LIST_TAG | listing.sent;
                listing.sent += 1;
                listing.next_at = now + self.refresh;
                match queue.list_groups(tag, REQUEST_TIMEOUT) {
                    Ok(()) => listing.in_flight = Some((tag, now + DEADLINE)),
                    Err(e) => self.list_failed(&mut listing, e),
                }
            }
            for finished in schedule.expire(now) {
                self.apply(finished);
            }
            while let Some((group, [describe, offsets])) = schedule.start_next(now) {
                if let Err(e) = queue.describe_group(&group, describe, REQUEST_TIMEOUT) {
                    schedule.answer(describe, Part::Described(Err(e)), now);
                }
                if let Err(e) = queue.fetch_offsets(&group, offsets, REQUEST_TIMEOUT)
                    && let Some(finished) = schedule.answer(offsets, Part::Offsets(Err(e)), now)
                {
                    self.apply(finished);
                }
            }
            self.check_ready(&listing, &schedule);

            let mut wake = now + TICK;
            wake = wake.min(listing.in_flight.map_or(listing.next_at, |(_, d)| d));
            wake = schedule.next_wake().map_or(wake, |w| wake.min(w));
            let Some((tag, answer)) = queue.poll(wake.saturating_duration_since(now)) else {
                continue;
            };
            let now = Instant::now();
            let finished = match answer {
                Answer::Listed(listed) => {
                    if listing.in_flight.is_some_and(|(t, _)| t == tag) {
                        listing.in_flight = None;
                        match listed {
                            Ok(listed) => self.listed(listed, &mut listing, &mut schedule, now),
                            Err(e) => self.list_failed(&mut listing, e),
                        }
                    }
                    None
                }
                Answer::Described(d) => schedule.answer(tag, Part::Described(d), now),
                Answer::Offsets(o) => schedule.answer(tag, Part::Offsets(o), now),
            };
            if let Some(finished) = finished {
                self.apply(finished);
            }
        }
        Ended::Cancelled
    }

    fn listed(&self, listed: Listed, listing: &mut Listing, schedule: &mut Schedule, now: Instant) {
        let names: Vec<String> = listed
            .groups
            .iter()
            .filter(|g| self.filter.accepts(&g.name))
            .map(|g| g.name.clone())
            .collect();
        let kip848 = listed
            .groups
            .iter()
            .filter(|g| g.kind == Some("Consumer"))
            .count();
        debug!(consumer = %self.name, groups = names.len(), kip848, "groups listed");
        // A broker that did not answer hides its groups; they keep their schedule meanwhile.
        let complete = listed.errors.is_empty();
        schedule.listed(&names, complete, now);
        listing.listed_once = true;
        if complete {
            if listing.failing {
                info!(consumer = %self.name, "every broker lists its groups again");
            }
            listing.failing = false;
        } else {
            let errors = listed.errors.join("; ");
            if listing.failing {
                debug!(consumer = %self.name, errors, "some brokers did not list their groups");
            } else {
                warn!(consumer = %self.name, errors, "some brokers did not list their groups; polling the groups known");
            }
            listing.failing = true;
        }
    }

    fn list_failed(&self, listing: &mut Listing, error: String) {
        listing.in_flight = None;
        if listing.failing {
            debug!(consumer = %self.name, error, "ListConsumerGroups failed");
        } else {
            warn!(consumer = %self.name, error, retry_in = ?self.refresh, "ListConsumerGroups failed; polling the groups known");
        }
        listing.failing = true;
    }

    /// Writes what a round learned, and logs a group's failures once per streak.
    fn apply(&mut self, f: Finished) {
        let now = now_ms();
        self.progress.add_records(1);
        let mut writer = self.store.writer();
        if let Ok(d) = &f.described {
            debug!(consumer = %self.name, group = %f.group, kind = d.kind, state = d.state, members = d.members.len(), "group described");
            let mut members = d.members.clone();
            // A topic the consumer's lists exclude gets no owners either, so it does not
            // appear in the group without commits.
            for m in &mut members {
                m.assignment.retain(|(topic, _)| self.topics.accepts(topic));
            }
            let membership = GroupMembership {
                state: d.state.map(str::to_string),
                members,
            };
            writer.set_membership(&f.group, &membership, now);
        }
        if let Ok(offsets) = &f.offsets {
            for (topic, partition, offset) in offsets {
                if !self.topics.accepts(topic) {
                    continue;
                }
                let commit = Commit {
                    group: &f.group,
                    topic,
                    partition: *partition,
                    offset: *offset,
                    timestamp_ms: now,
                    order: self.order,
                };
                self.order += 1;
                writer.commit(&commit, CommitSource::Poll, now);
            }
        }
        drop(writer);
        let (describe, offsets) = (f.described.as_ref().err(), f.offsets.as_ref().err());
        if describe
            .into_iter()
            .chain(offsets)
            .any(|e| e.contains("Not coordinator"))
        {
            self.coordinator_moved = true;
        }
        match (f.failed(), f.failed_before) {
            (true, 0) => {
                warn!(consumer = %self.name, group = %f.group, describe, offsets, "Admin API requests for a group failed; what answered is applied, the rest retried next round")
            }
            (true, n) => {
                debug!(consumer = %self.name, group = %f.group, failed_rounds = n + 1, describe, offsets, "Admin API requests for a group failed again")
            }
            (false, n) if n > 0 => {
                info!(consumer = %self.name, group = %f.group, failed_rounds = n, "group answers again")
            }
            _ => {}
        }
    }

    /// Ready once groups were listed and every group listed finished a round.
    fn check_ready(&self, listing: &Listing, schedule: &Schedule) {
        if !self.progress.is_ready() && listing.listed_once && schedule.all_polled() {
            info!(consumer = %self.name, groups = schedule.len(), "first Admin API poll complete");
            self.progress.mark_ready();
        }
    }
}
