//! Collected state: each cluster's group windows, HEAD histories and offsets-topic positions,
//! as `warren_core::storage` encodes them (`Delta`). The daemon writes a delta every
//! `snapshot-interval` and at shutdown, in one transaction, so a file holds one consistent
//! snapshot or the previous one, never half of each; at start it reads a cluster back with
//! [`Store::load_cluster`].
//!
//! Keys are (cluster, name) tuples, so no separator character is reserved in group names.

use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use warren_core::storage::Delta;

use crate::{Store, StoreError, db_error};

const GROUPS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("groups");
const HEADS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("heads");
const POSITIONS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("positions");
const SNAPSHOTS: TableDefinition<&str, i64> = TableDefinition::new("snapshots");
/// Where each cluster's commit orders and positions come from (`Origin`'s text form).
const ORIGINS: TableDefinition<&str, &str> = TableDefinition::new("origins");

pub(crate) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(GROUPS).map_err(db_error)?;
    tx.open_table(HEADS).map_err(db_error)?;
    tx.open_table(POSITIONS).map_err(db_error)?;
    tx.open_table(SNAPSHOTS).map_err(db_error)?;
    tx.open_table(ORIGINS).map_err(db_error)?;
    Ok(())
}

/// One cluster's persisted state, as stored.
#[derive(Debug, Default)]
pub struct SavedCluster {
    /// (group, encoded state).
    pub groups: Vec<(String, Vec<u8>)>,
    /// (topic, encoded HEAD history).
    pub topics: Vec<(String, Vec<u8>)>,
    /// (offsets-topic reader, next offset per partition).
    pub positions: Vec<(String, Vec<i64>)>,
    /// When the snapshot was written, epoch ms; `None` if never.
    pub snapshot_ms: Option<i64>,
    /// Where the commit orders and positions come from; `None` if no collector said yet.
    pub origin: Option<String>,
}

fn encode_positions(p: &[i64]) -> Vec<u8> {
    p.iter().flat_map(|o| o.to_le_bytes()).collect()
}

fn decode_positions(bytes: &[u8]) -> Option<Vec<i64>> {
    if !bytes.len().is_multiple_of(8) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect(),
    )
}

/// `each(name, value)` of every row of `table` that belongs to `cluster`.
fn rows_of<T>(
    table: &impl ReadableTable<(&'static str, &'static str), &'static [u8]>,
    cluster: &str,
    each: impl Fn(&str, &[u8]) -> T,
) -> Result<Vec<T>, StoreError> {
    let mut rows = Vec::new();
    for row in table.range((cluster, "")..).map_err(db_error)? {
        let (k, v) = row.map_err(db_error)?;
        let (c, name) = k.value();
        if c != cluster {
            break;
        }
        rows.push(each(name, v.value()));
    }
    Ok(rows)
}

impl Store {
    /// Writes one cluster's snapshot delta at `now_ms`, atomically.
    pub fn write_snapshot(
        &self,
        cluster: &str,
        delta: &Delta,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.with_db(|db| write_delta(db, cluster, delta, now_ms))
    }

    /// Everything stored for `cluster`.
    pub fn load_cluster(&self, cluster: &str) -> Result<SavedCluster, StoreError> {
        self.with_db(|db| load_cluster_in(db, cluster))
    }
}

/// One cluster's rows, in one read transaction.
fn load_cluster_in(db: &redb::Database, cluster: &str) -> Result<SavedCluster, StoreError> {
    let tx = db.begin_read().map_err(db_error)?;
    let mut saved = SavedCluster::default();
    let read = |table: TableDefinition<(&str, &str), &[u8]>| {
        rows_of(&tx.open_table(table).map_err(db_error)?, cluster, |n, v| {
            (n.to_owned(), v.to_vec())
        })
    };
    saved.groups = read(GROUPS)?;
    saved.topics = read(HEADS)?;
    for (consumer, bytes) in read(POSITIONS)? {
        match decode_positions(&bytes) {
            Some(p) => saved.positions.push((consumer, p)),
            None => tracing::warn!(cluster, consumer, "skipping undecodable stored positions"),
        }
    }
    saved.snapshot_ms = tx
        .open_table(SNAPSHOTS)
        .map_err(db_error)?
        .get(cluster)
        .map_err(db_error)?
        .map(|v| v.value());
    saved.origin = tx
        .open_table(ORIGINS)
        .map_err(db_error)?
        .get(cluster)
        .map_err(db_error)?
        .map(|v| v.value().to_owned());
    Ok(saved)
}

/// One snapshot delta, in one write transaction.
fn write_delta(
    db: &redb::Database,
    cluster: &str,
    delta: &Delta,
    now_ms: i64,
) -> Result<(), StoreError> {
    let tx = db.begin_write().map_err(db_error)?;
    {
        let mut groups = tx.open_table(GROUPS).map_err(db_error)?;
        for (name, bytes) in &delta.groups {
            groups
                .insert((cluster, name.as_str()), bytes.as_slice())
                .map_err(db_error)?;
        }
        for name in &delta.removed {
            groups.remove((cluster, name.as_str())).map_err(db_error)?;
        }
        // The delta carries every topic: whatever else is stored was deleted.
        let mut heads = tx.open_table(HEADS).map_err(db_error)?;
        let live: std::collections::HashSet<&str> =
            delta.topics.iter().map(|(t, _)| t.as_str()).collect();
        for gone in rows_of(&heads, cluster, |name, _| name.to_owned())? {
            if !live.contains(gone.as_str()) {
                heads.remove((cluster, gone.as_str())).map_err(db_error)?;
            }
        }
        for (topic, bytes) in &delta.topics {
            heads
                .insert((cluster, topic.as_str()), bytes.as_slice())
                .map_err(db_error)?;
        }
        let mut positions = tx.open_table(POSITIONS).map_err(db_error)?;
        for (consumer, p) in &delta.positions {
            positions
                .insert((cluster, consumer.as_str()), encode_positions(p).as_slice())
                .map_err(db_error)?;
        }
        if let Some(origin) = &delta.origin {
            let mut origins = tx.open_table(ORIGINS).map_err(db_error)?;
            origins.insert(cluster, origin.as_str()).map_err(db_error)?;
        }
        let mut snapshots = tx.open_table(SNAPSHOTS).map_err(db_error)?;
        snapshots.insert(cluster, now_ms).map_err(db_error)?;
    }
    tx.commit().map_err(db_error)
}
