//! Several Warren instances on one Kafka cluster: one of them, the notifier leader, decides
//! and sends; every one of them reads, evaluates and serves as usual. Built on Kafka's own
//! guarantees only.
//!
//! - **Election.** Every instance joins one consumer group on a one-partition topic; the
//!   member the group coordinator assigns the partition to leads (`election.rs`). A leader that
//!   stops heartbeating loses the partition after the session timeout; one that shuts down
//!   leaves the group and hands over at once. The sticky assignor keeps the partition where it
//!   is when instances join, so a restart elsewhere does not move the lead.
//! - **State.** Open incidents and pending deliveries live in a compacted one-partition topic
//!   (`mirror.rs`), written only inside transactions of the leader's transactional producer and
//!   read with `read_committed` by every instance, which keeps an in-memory copy.
//! - **Fencing.** All leaders share one `transactional.id`. Taking the lead starts with
//!   `init_transactions`, which makes the transaction coordinator bump the producer epoch and
//!   abort whatever the previous holder left open: from then on every write of the previous
//!   leader fails with a fatal "fenced" error, whatever it believes. A leader proves it still
//!   leads with a committed write before each message leaves ([`Ledger::confirm`]), so a leader
//!   that was paused, replaced and resumed sends nothing more and steps down.
//! - **Hand-over.** After `init_transactions` the new leader commits an announcement and waits
//!   until it reads it back: everything committed before it (by any earlier leader) has then
//!   been applied to its copy, so the same incident ids continue and nothing is sent twice.
//!
//! What Kafka cannot fence is an HTTP request already on its way: a leader paused between its
//! confirming write and the request itself sends that one message late. Receivers see the
//! same incident id, which PagerDuty and the SDK's notifiers use to deduplicate.

mod election;
mod mirror;
mod tail;
mod topics;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::producer::{BaseRecord, Producer, ThreadedProducer};
use tokio_util::sync::CancellationToken;
use warren_core::config::{ClientProfile, HaConfig};
use warren_core::incident::Incident;
use warren_core::ledger::{Delivery, IncidentKey, Ledger, LedgerError, NextDue};

use crate::client::{WarrenContext, now_ms};
use mirror::{Announcement, Mirror, Record, delivery_record, incident_record, leader_record};

/// How long one transaction (begin, send, commit) may take before it counts as failed.
const TXN_TIMEOUT: Duration = Duration::from_secs(10);

/// What `[ha]` needs to run.
#[derive(Debug, Clone)]
pub struct HaSettings {
    /// `[ha]`.
    pub config: HaConfig,
    /// The coordinating cluster's bootstrap servers.
    pub servers: Vec<String>,
    /// Its client profile (security).
    pub profile: ClientProfile,
    /// This instance's id.
    pub instance: String,
}

/// Who leads and who takes part, for `/v3/admin/instances` and `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leadership {
    /// This instance.
    pub instance: String,
    /// The leader as last announced (this instance when it leads).
    pub leader: Option<String>,
    /// Since when it leads, epoch ms.
    pub since: Option<i64>,
    /// The instances in the election group, as the coordinator lists them.
    pub members: Vec<String>,
    /// How often this instance gained or lost the lead.
    pub changes: u64,
    /// Why this instance cannot take part right now (topics, connection).
    pub failing: Option<String>,
    /// Records of the state topic this build could not read (skipped).
    pub skipped_records: u64,
}

type TxnProducer = ThreadedProducer<WarrenContext>;

/// The state producer's records are acknowledged through its transaction's commit, which
/// fails when any of them failed: nothing to do per record.
impl rdkafka::producer::ProducerContext for WarrenContext {
    type DeliveryOpaque = ();

    fn delivery(&self, _: &rdkafka::message::DeliveryResult<'_>, _: Self::DeliveryOpaque) {}
}

enum Role {
    Follower,
    /// Fenced the previous leader; reading back its announcement.
    Acquiring,
    Leading {
        term: u64,
        producer: Arc<TxnProducer>,
    },
}

/// The state topic as a [`Ledger`], plus the election that decides whether this instance may
/// write it.
pub struct KafkaLedger {
    settings: HaSettings,
    mirror: Mutex<Mirror>,
    role: Mutex<Role>,
    /// One transaction at a time (a transactional producer runs them one after another).
    txn: Mutex<()>,
    terms: AtomicU64,
    changes: AtomicU64,
    malformed: AtomicU64,
    /// Set by a step down: the tail reads the topic again from its start.
    resync: AtomicBool,
    members: Mutex<Vec<String>>,
    failing: Mutex<Option<String>>,
}

impl KafkaLedger {
    /// Starts the election on a thread of its own: it creates the topics if missing (or
    /// checks them), starts the state reader, then joins the election group. Everything stops
    /// when `cancel` fires, the election leaving the group so another instance takes over at
    /// once; [`HaThreads::join`] waits for that. Must be called inside a tokio runtime (the
    /// admin requests that create topics run on it).
    pub fn start(
        settings: HaSettings,
        cancel: CancellationToken,
    ) -> Result<(Arc<KafkaLedger>, HaThreads), String> {
        let ledger = Arc::new(KafkaLedger {
            settings,
            mirror: Mutex::new(Mirror::default()),
            role: Mutex::new(Role::Follower),
            txn: Mutex::new(()),
            terms: AtomicU64::new(0),
            changes: AtomicU64::new(0),
            malformed: AtomicU64::new(0),
            resync: AtomicBool::new(false),
            members: Mutex::new(Vec::new()),
            failing: Mutex::new(None),
        });
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| "high availability starts inside the daemon's runtime".to_owned())?;
        let thread = {
            let ledger = ledger.clone();
            std::thread::Builder::new()
                .name("warren-ha".into())
                .spawn(move || election::run(&ledger, &handle, &cancel))
                .map_err(|e| format!("starting the election: {e}"))?
        };
        Ok((ledger, HaThreads(thread)))
    }

    /// Who leads, for the API.
    pub fn leadership(&self) -> Leadership {
        let announced = lock(&self.mirror).leader.clone();
        let members = lock(&self.members).clone();
        // An announcement outlives its leader until the next one is written: a leader that
        // left the group no longer counts.
        let current = announced.filter(|a| {
            members.is_empty() || members.contains(&a.instance) || self.leading().is_some()
        });
        Leadership {
            instance: self.settings.instance.clone(),
            leader: current.as_ref().map(|a| a.instance.clone()),
            since: current.map(|a| a.since),
            members,
            changes: self.changes.load(Ordering::Relaxed),
            failing: lock(&self.failing).clone(),
            skipped_records: self.malformed.load(Ordering::Relaxed),
        }
    }

    fn client_config(&self) -> Result<ClientConfig, String> {
        crate::client::client_config(&self.settings.servers, &self.settings.profile)
    }

    fn set_failing(&self, reason: Option<String>) {
        let mut failing = lock(&self.failing);
        if *failing != reason {
            match &reason {
                Some(r) => {
                    tracing::warn!(instance = %self.settings.instance, reason = %r, "high availability: cannot take part")
                }
                None => {
                    tracing::info!(instance = %self.settings.instance, "high availability: taking part")
                }
            }
            *failing = reason;
        }
    }

    /// Takes the lead: fences every earlier leader, then reads back its own announcement.
    /// On failure this instance stays a follower; the election retries while it still owns
    /// the partition.
    fn acquire(&self, cancel: &CancellationToken) -> Result<(), String> {
        *lock(&self.role) = Role::Acquiring;
        let producer = self.producer()?;
        // The fence: the coordinator bumps the epoch of the shared transactional id.
        producer
            .init_transactions(Duration::from_secs(30))
            .map_err(|e| format!("init_transactions: {e}"))?;
        let term = self.terms.fetch_add(1, Ordering::Relaxed) + 1;
        let since = now_ms();
        let announcement = Announcement {
            instance: self.settings.instance.clone(),
            since,
            nonce: format!("{}/{term}/{since}", self.settings.instance),
        };
        commit(
            &producer,
            &self.settings.config.state_topic,
            &[leader_record(&announcement)],
        )
        .map_err(|e| e.to_string())?;
        // Read back: once the tail applied our announcement, it applied everything before it.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if lock(&self.mirror).leader.as_ref() == Some(&announcement) {
                break;
            }
            if cancel.is_cancelled() || std::time::Instant::now() > deadline {
                return Err("the state topic did not return the announcement within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        *lock(&self.role) = Role::Leading {
            term,
            producer: Arc::new(producer),
        };
        self.changes.fetch_add(1, Ordering::Relaxed);
        let m = lock(&self.mirror);
        tracing::info!(instance = %self.settings.instance, open = m.incidents.len(),
            pending = m.deliveries.len(), "notifier leader: took the lead");
        Ok(())
    }

    /// Stops leading (partition revoked, fenced, shutting down). The copy is rebuilt from the
    /// topic, so nothing this instance wrote without knowing the outcome stays in it.
    fn step_down(&self, why: &str) {
        let mut role = lock(&self.role);
        let was_leading = matches!(*role, Role::Leading { .. });
        if matches!(*role, Role::Follower) {
            return;
        }
        *role = Role::Follower;
        drop(role);
        self.resync.store(true, Ordering::Relaxed);
        if was_leading {
            self.changes.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(instance = %self.settings.instance, reason = why, "notifier leader: stepped down");
        }
    }

    fn producer(&self) -> Result<TxnProducer, String> {
        let mut c = ClientConfig::new();
        crate::security::apply(&self.settings.profile, &mut c)?;
        c.set("bootstrap.servers", self.settings.servers.join(","))
            .set("client.id", &self.settings.instance)
            .set(
                "transactional.id",
                format!("warren-ha.{}", self.settings.config.group),
            )
            .set("transaction.timeout.ms", "60000")
            .set("linger.ms", "0")
            .set("acks", "all")
            .set_log_level(rdkafka::config::RDKafkaLogLevel::Warning);
        c.create_with_context(WarrenContext::new(&format!(
            "ha:{}",
            self.settings.config.group
        )))
        .map_err(|e| format!("creating the producer: {e}"))
    }

    /// Commits the records `build` makes from the copy as one transaction, then applies them
    /// to the copy. Building under the transaction lock keeps sequence numbers unique. Only the
    /// leader writes; a fenced write steps this instance down.
    fn write(&self, build: impl FnOnce(&Mirror) -> Vec<Record>) -> Result<(), LedgerError> {
        let _one = lock(&self.txn);
        let producer = match &*lock(&self.role) {
            Role::Leading { producer, .. } => producer.clone(),
            _ => return Err(LedgerError::Fenced("this instance does not lead".into())),
        };
        let records = build(&lock(&self.mirror));
        match commit(&producer, &self.settings.config.state_topic, &records) {
            Ok(()) => {
                let mut m = lock(&self.mirror);
                for (k, v) in &records {
                    // Our own records: they parse.
                    let _ = m.apply(k.as_bytes(), v.as_deref());
                }
                Ok(())
            }
            Err(e @ LedgerError::Fenced(_)) => {
                self.step_down(&e.to_string());
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}

/// The election thread [`KafkaLedger::start`] runs (it runs the state reader too).
pub struct HaThreads(std::thread::JoinHandle<()>);

impl HaThreads {
    /// Waits for the election to end (after the cancel token fired): this instance has left
    /// the group by then, so another one takes over without waiting for a session timeout.
    pub fn join(self) {
        let _ = self.0.join();
    }
}

/// One transaction: begin, send every record to partition 0, commit. A fatal error (the
/// producer was fenced) is [`LedgerError::Fenced`]; anything else aborts and is
/// [`LedgerError::Failed`].
fn commit(producer: &TxnProducer, topic: &str, records: &[Record]) -> Result<(), LedgerError> {
    let result = (|| {
        producer.begin_transaction()?;
        for (key, value) in records {
            let mut record = BaseRecord::<String, Vec<u8>>::to(topic)
                .partition(0)
                .key(key);
            if let Some(v) = value {
                record = record.payload(v);
            }
            producer.send(record).map_err(|(e, _)| e)?;
        }
        producer.commit_transaction(TXN_TIMEOUT)
    })();
    match result {
        Ok(()) => Ok(()),
        Err(e) if fatal(&e) => Err(LedgerError::Fenced(e.to_string())),
        Err(e) => {
            let _ = producer.abort_transaction(TXN_TIMEOUT);
            Err(LedgerError::Failed(e.to_string()))
        }
    }
}

/// Whether the producer is unusable: fenced by a newer leader, or otherwise fatally failed.
fn fatal(e: &KafkaError) -> bool {
    match e {
        KafkaError::Transaction(t) => t.is_fatal(),
        _ => false,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Ledger for KafkaLedger {
    fn leading(&self) -> Option<u64> {
        match &*lock(&self.role) {
            Role::Leading { term, .. } => Some(*term),
            _ => None,
        }
    }

    fn confirm(&self) -> Result<(), LedgerError> {
        let announced = lock(&self.mirror).leader.clone();
        match announced {
            Some(a) if a.instance == self.settings.instance => {
                self.write(|_| vec![leader_record(&a)])
            }
            _ => Err(LedgerError::Fenced(
                "another instance announced the lead".into(),
            )),
        }
    }

    fn incidents(&self) -> Result<Vec<(IncidentKey, Incident)>, LedgerError> {
        let m = lock(&self.mirror);
        Ok(m.incidents
            .iter()
            .map(|(k, i)| (k.clone(), i.clone()))
            .collect())
    }

    fn record(
        &self,
        key: &IncidentKey,
        incident: Option<&Incident>,
        delivery: Option<&Delivery>,
    ) -> Result<Option<u64>, LedgerError> {
        let mut seq = None;
        self.write(|m| {
            let mut records = vec![incident_record(key, incident)];
            if let Some(d) = delivery {
                let next = m.max_seq + 1;
                seq = Some(next);
                records.push(delivery_record(next, Some(d)));
            }
            records
        })?;
        Ok(seq)
    }

    fn deliveries(&self, notifier: &str) -> Result<Vec<(u64, Delivery)>, LedgerError> {
        Ok(lock(&self.mirror).deliveries.of(notifier))
    }

    fn notifier_names(&self) -> Result<Vec<String>, LedgerError> {
        Ok(lock(&self.mirror)
            .deliveries
            .notifiers()
            .into_iter()
            .collect())
    }

    fn next_due(&self, notifier: &str, now_ms: i64) -> Result<NextDue, LedgerError> {
        Ok(lock(&self.mirror).deliveries.next_due(notifier, now_ms))
    }

    fn pending_updates(&self, key: &IncidentKey, incident: &str) -> Result<Vec<u64>, LedgerError> {
        Ok(lock(&self.mirror).deliveries.updates_of(key, incident))
    }

    fn update_delivery(&self, seq: u64, delivery: &Delivery) -> Result<(), LedgerError> {
        if lock(&self.mirror).deliveries.get(seq).is_none() {
            return Ok(());
        }
        self.write(|_| vec![delivery_record(seq, Some(delivery))])
    }

    fn finish_delivery(&self, seq: u64) -> Result<(), LedgerError> {
        self.write(|_| vec![delivery_record(seq, None)])
    }
}
