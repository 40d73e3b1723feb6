//! Notification state: each notifier's open incidents (keyed by notifier, cluster, group) and
//! its deliveries in the order they were decided (keyed by a sequence number). The scheduler
//! writes an incident change and the delivery it causes in one transaction; the delivery
//! worker removes a delivery only once the receiver accepted it (or refused it for good).
//! Records are JSON, so a record this build cannot read is skipped and reported, never fatal.

use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use warren_core::incident::Incident;
use warren_core::ledger::{Delivery, IncidentKey, Ledger, LedgerError, NextDue, Pending};

use crate::{Store, StoreError, db_error};

const INCIDENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("incidents");
const DELIVERIES: TableDefinition<u64, &[u8]> = TableDefinition::new("deliveries");
const SEQ: TableDefinition<&str, u64> = TableDefinition::new("sequence");

pub(crate) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(INCIDENTS).map_err(db_error)?;
    tx.open_table(DELIVERIES).map_err(db_error)?;
    tx.open_table(SEQ).map_err(db_error)?;
    Ok(())
}

fn decode<T: for<'de> Deserialize<'de>>(table: &'static str, bytes: &[u8]) -> Option<T> {
    match serde_json::from_slice(bytes) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(table, error = %e, "skipping an undecodable stored record");
            None
        }
    }
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Db(format!("cannot encode: {e}")))
}

impl Store {
    /// Every open incident.
    pub fn incidents(&self) -> Result<Vec<(IncidentKey, Incident)>, StoreError> {
        self.with_db(|db| {
            let tx = db.begin_read().map_err(db_error)?;
            let table = tx.open_table(INCIDENTS).map_err(db_error)?;
            let mut out = Vec::new();
            for row in table.iter().map_err(db_error)? {
                let (k, v) = row.map_err(db_error)?;
                let Some(key) = IncidentKey::decode(k.value()) else {
                    tracing::warn!(key = k.value(), "skipping an incident with a malformed key");
                    continue;
                };
                if let Some(incident) = decode("incidents", v.value()) {
                    out.push((key, incident));
                }
            }
            Ok(out)
        })
    }

    /// Stores the incident after a step (`None` removes it) and, in the same transaction, the
    /// delivery it caused; returns the delivery's sequence number.
    pub fn record(
        &self,
        key: &IncidentKey,
        incident: Option<&Incident>,
        delivery: Option<&Delivery>,
    ) -> Result<Option<u64>, StoreError> {
        let seq = self.with_db(|db| {
            let tx = db.begin_write().map_err(db_error)?;
            let seq = {
                let mut incidents = tx.open_table(INCIDENTS).map_err(db_error)?;
                let k = key.encode();
                match incident {
                    Some(i) => {
                        incidents
                            .insert(k.as_str(), encode(i)?.as_slice())
                            .map_err(db_error)?;
                    }
                    None => {
                        incidents.remove(k.as_str()).map_err(db_error)?;
                    }
                }
                match delivery {
                    Some(d) => {
                        let mut seqs = tx.open_table(SEQ).map_err(db_error)?;
                        let next = seqs
                            .get("deliveries")
                            .map_err(db_error)?
                            .map_or(1, |v| v.value() + 1);
                        seqs.insert("deliveries", next).map_err(db_error)?;
                        let mut deliveries = tx.open_table(DELIVERIES).map_err(db_error)?;
                        deliveries
                            .insert(next, encode(d)?.as_slice())
                            .map_err(db_error)?;
                        Some(next)
                    }
                    None => None,
                }
            };
            tx.commit().map_err(db_error)?;
            Ok(seq)
        })?;
        if let (Some(seq), Some(d)) = (seq, delivery) {
            self.pending().insert(seq, d.clone());
        }
        Ok(seq)
    }

    /// Fills the in-memory index from the deliveries table (at open).
    pub(crate) fn load_pending(&self) -> Result<(), StoreError> {
        let pending = self.with_db(|db| {
            let tx = db.begin_read().map_err(db_error)?;
            let table = tx.open_table(DELIVERIES).map_err(db_error)?;
            let mut pending = Pending::default();
            for row in table.iter().map_err(db_error)? {
                let (k, v) = row.map_err(db_error)?;
                if let Some(d) = decode::<Delivery>("deliveries", v.value()) {
                    pending.insert(k.value(), d);
                }
            }
            Ok(pending)
        })?;
        *self.pending() = pending;
        Ok(())
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A notifier's pending deliveries, oldest decision first.
    pub fn deliveries(&self, notifier: &str) -> Result<Vec<(u64, Delivery)>, StoreError> {
        Ok(self.pending().of(notifier))
    }

    /// Names of the notifiers that have pending deliveries.
    pub fn notifier_names(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.pending().notifiers().into_iter().collect())
    }

    /// Saves a delivery's retry state; a delivery removed meanwhile (superseded) stays removed.
    pub fn update_delivery(&self, seq: u64, delivery: &Delivery) -> Result<(), StoreError> {
        self.with_db(|db| {
            let tx = db.begin_write().map_err(db_error)?;
            {
                let mut table = tx.open_table(DELIVERIES).map_err(db_error)?;
                let exists = table.get(seq).map_err(db_error)?.is_some();
                if exists {
                    table
                        .insert(seq, encode(delivery)?.as_slice())
                        .map_err(db_error)?;
                }
            }
            tx.commit().map_err(db_error)
        })?;
        let mut pending = self.pending();
        if pending.get(seq).is_some() {
            pending.insert(seq, delivery.clone());
        }
        Ok(())
    }

    /// Removes a delivery that is done (accepted, or refused for good).
    pub fn finish_delivery(&self, seq: u64) -> Result<(), StoreError> {
        self.with_db(|db| {
            let tx = db.begin_write().map_err(db_error)?;
            {
                let mut table = tx.open_table(DELIVERIES).map_err(db_error)?;
                table.remove(seq).map_err(db_error)?;
            }
            tx.commit().map_err(db_error)
        })?;
        self.pending().remove(seq);
        Ok(())
    }
}

/// The single instance's ledger: it always leads, and a write is durable once it returns.
impl Ledger for Store {
    fn leading(&self) -> Option<u64> {
        Some(0)
    }

    fn confirm(&self) -> Result<(), LedgerError> {
        Ok(())
    }

    fn incidents(&self) -> Result<Vec<(IncidentKey, Incident)>, LedgerError> {
        Store::incidents(self).map_err(failed)
    }

    fn record(
        &self,
        key: &IncidentKey,
        incident: Option<&Incident>,
        delivery: Option<&Delivery>,
    ) -> Result<Option<u64>, LedgerError> {
        Store::record(self, key, incident, delivery).map_err(failed)
    }

    fn deliveries(&self, notifier: &str) -> Result<Vec<(u64, Delivery)>, LedgerError> {
        Store::deliveries(self, notifier).map_err(failed)
    }

    fn notifier_names(&self) -> Result<Vec<String>, LedgerError> {
        Store::notifier_names(self).map_err(failed)
    }

    fn next_due(&self, notifier: &str, now_ms: i64) -> Result<NextDue, LedgerError> {
        Ok(self.pending().next_due(notifier, now_ms))
    }

    fn pending_updates(&self, key: &IncidentKey, incident: &str) -> Result<Vec<u64>, LedgerError> {
        Ok(self.pending().updates_of(key, incident))
    }

    fn update_delivery(&self, seq: u64, delivery: &Delivery) -> Result<(), LedgerError> {
        Store::update_delivery(self, seq, delivery).map_err(failed)
    }

    fn finish_delivery(&self, seq: u64) -> Result<(), LedgerError> {
        Store::finish_delivery(self, seq).map_err(failed)
    }
}

fn failed(e: StoreError) -> LedgerError {
    LedgerError::Failed(e.to_string())
}
