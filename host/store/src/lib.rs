//! Warren's embedded store: one redb file under `[storage] data-dir` holding what must survive
//! a restart. redb was chosen over SQLite because it is pure Rust (nothing to compile in C on
//! our 2-core machines), crash-safe (copy-on-write B-trees, a commit is durable or absent),
//! a single file, and made for exactly this: an embedded key-value store in one process.
//!
//! It holds the notification state (`incidents.rs`): each notifier's open incidents and the
//! deliveries not yet acknowledged by their receiver, written in the same transaction as the
//! decision that produced them, so a crash between "decided to notify" and "notified" loses
//! nothing. And the collected state (`snapshots.rs`): every cluster's commit windows, HEAD
//! histories, group owners and offsets-topic positions, snapshotted periodically. A schema
//! version is stored and checked; a file that is damaged or has another version is moved aside
//! (kept, never deleted) and the daemon starts fresh, saying so. A file that cannot be read
//! because of its surroundings (permission denied, disk full, a read-only mount) is not damaged:
//! Warren refuses to start with the reason rather than set the state aside. A file in redb's
//! older format (Warren before redb 4) is upgraded in place first.

#![deny(missing_docs)]

mod incidents;
mod snapshots;

pub use snapshots::SavedCluster;
pub use warren_core::ledger::{Delivery, IncidentKey};

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use warren_core::health::StoreHealth;

use redb::{
    Database, DatabaseError, ReadableTable, StorageError as DbStorageError, TableDefinition,
};

/// The layout this build reads and writes.
pub const SCHEMA_VERSION: u64 = 1;

const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed (corruption found while reading, a bug).
    #[error("store: {0}")]
    Db(String),
    /// The file's surroundings failed (disk full, read-only, a failing device): the store is
    /// failing until it is reopened (see [`Store::health`]).
    #[error("store: I/O error: {0}")]
    Io(String),
    /// A stored value could not be decoded.
    #[error("store: undecodable record in {table}: {reason}")]
    Decode {
        /// The table.
        table: &'static str,
        /// Why.
        reason: String,
    },
}

pub(crate) fn db_error(e: impl Into<redb::Error>) -> StoreError {
    match e.into() {
        redb::Error::Io(io) => StoreError::Io(io.to_string()),
        redb::Error::PreviousIo => {
            StoreError::Io("an earlier I/O error stopped the file until it is reopened".into())
        }
        other => StoreError::Db(other.to_string()),
    }
}

/// The open store; cheap to share behind an `Arc`.
pub struct Store {
    /// `None` only while a failing file is being reopened (its lock must be let go first),
    /// or after a reopen failed.
    db: RwLock<Option<Database>>,
    path: Option<PathBuf>,
    health: Arc<StoreHealth>,
    /// The deliveries table, decoded once at open and kept in step with every write: the
    /// delivery tasks, `/v3/admin/notifiers` and `/metrics` read it without touching the file.
    pub(crate) pending: std::sync::Mutex<warren_core::ledger::Pending>,
}

/// How opening went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// An existing store was opened.
    Existing,
    /// No store existed; a new one was created.
    Created,
    /// The existing file was unusable; it was moved to `aside` and a new one created.
    Replaced {
        /// Where the old file now is.
        aside: PathBuf,
        /// Why it was unusable.
        reason: String,
    },
    /// No data directory: state lives in memory only.
    InMemory,
}

/// Why a store file could not be opened.
#[derive(Debug)]
enum OpenError {
    /// Another process holds the file.
    InUse,
    /// The file is damaged or of another version: move it aside and start afresh.
    Unusable(String),
    /// The file's surroundings failed (I/O): it may be perfectly good; never move it aside.
    Environment(String),
}

impl From<DatabaseError> for OpenError {
    fn from(e: DatabaseError) -> Self {
        match e {
            DatabaseError::DatabaseAlreadyOpen => OpenError::InUse,
            // Another process holds it through an older redb: in use, not damaged.
            DatabaseError::LockProtocolMismatch => OpenError::InUse,
            DatabaseError::Storage(s) => s.into(),
            other => OpenError::Unusable(other.to_string()),
        }
    }
}

impl From<DbStorageError> for OpenError {
    fn from(e: DbStorageError) -> Self {
        match e {
            DbStorageError::Corrupted(why) => OpenError::Unusable(format!("corrupted: {why}")),
            DbStorageError::Io(io) => io.into(),
            other => OpenError::Environment(other.to_string()),
        }
    }
}

impl From<std::io::Error> for OpenError {
    fn from(io: std::io::Error) -> Self {
        use std::io::ErrorKind::{InvalidData, UnexpectedEof};
        match io.kind() {
            // What redb reports for a file that is not (or no longer) one of its own.
            InvalidData | UnexpectedEof => OpenError::Unusable(io.to_string()),
            _ => OpenError::Environment(io.to_string()),
        }
    }
}

/// Any other redb error met while opening: a transaction failing in a file that opened is
/// damage unless it is I/O.
fn classify(e: impl Into<redb::Error>) -> OpenError {
    match e.into() {
        redb::Error::Corrupted(why) => OpenError::Unusable(format!("corrupted: {why}")),
        redb::Error::Io(io) => io.into(),
        other => OpenError::Unusable(other.to_string()),
    }
}

impl Store {
    /// Opens (or creates) `dir/warren.redb`. A damaged file is kept aside, never lost; an
    /// environment error (permissions, disk full, read-only) is an error, the file untouched.
    pub fn open(dir: &Path) -> Result<(Store, Opened), StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Db(format!("cannot create data-dir {}: {e}", dir.display()))
        })?;
        let path = dir.join("warren.redb");
        let existed = path.exists();
        match Self::open_file(&path) {
            Ok(store) => Ok((
                store,
                if existed {
                    Opened::Existing
                } else {
                    Opened::Created
                },
            )),
            // Another Warren holds the file: a mistake to report, not a damaged store to move
            // aside (which would take the state away from the process using it).
            Err(OpenError::InUse) => Err(StoreError::Db(format!(
                "{} is in use by another process (another Warren on the same data-dir?)",
                path.display()
            ))),
            Err(OpenError::Environment(reason)) => Err(StoreError::Db(format!(
                "cannot open {}: {reason} (the file was left as it is; fix the cause and \
                 start again)",
                path.display()
            ))),
            Err(OpenError::Unusable(reason)) if existed => {
                let aside = aside_name(&path);
                std::fs::rename(&path, &aside).map_err(|e| {
                    StoreError::Db(format!(
                        "{} is unusable ({reason}) and cannot be moved aside: {e}",
                        path.display()
                    ))
                })?;
                let store = Self::open_file(&path)
                    .map_err(|e| StoreError::Db(format!("{}: {e:?}", path.display())))?;
                Ok((store, Opened::Replaced { aside, reason }))
            }
            Err(OpenError::Unusable(reason)) => Err(StoreError::Db(reason)),
        }
    }

    /// A store that lives in memory only (no `data-dir`).
    pub fn in_memory() -> Result<Store, StoreError> {
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(db_error)?;
        let store = Store {
            db: RwLock::new(Some(db)),
            path: None,
            health: Arc::default(),
            pending: Default::default(),
        };
        store
            .check_schema()
            .map_err(|e| StoreError::Db(format!("{e:?}")))?;
        Ok(store)
    }

    /// The file, when on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The store's condition: failing after an I/O error until a reopen succeeds.
    pub fn health(&self) -> Arc<StoreHealth> {
        self.health.clone()
    }

    /// Runs `f` on the database. An I/O error marks the store failing; while it is, the file
    /// is reopened first (at most every `REOPEN_EVERY_MS`), since redb refuses every
    /// transaction after one until then.
    pub(crate) fn with_db<T>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.reopen_if_due();
        let result = {
            let db = self.db.read().unwrap_or_else(|e| e.into_inner());
            match db.as_ref() {
                Some(db) => f(db),
                None => Err(StoreError::Io(
                    "the file could not be reopened after an I/O error".into(),
                )),
            }
        };
        if let Err(StoreError::Io(reason)) = &result {
            self.health.failed(reason, warren_core::clock::now_ms());
        }
        result
    }

    fn reopen_if_due(&self) {
        let Some(path) = &self.path else {
            return;
        };
        if !self.health.reopen_due(warren_core::clock::now_ms()) {
            return;
        }
        {
            let mut db = self.db.write().unwrap_or_else(|e| e.into_inner());
            // The old handle holds the file's lock: it goes before the new one opens.
            *db = None;
            match Database::create(path) {
                Ok(reopened) => *db = Some(reopened),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "the store is still failing; reopening again soon");
                    return;
                }
            }
        }
        // What a failed write left out never reached the index, but the file is the truth.
        match self.load_pending() {
            Ok(()) => {
                self.health.reopened();
                tracing::info!(path = %path.display(), "the store works again after reopening");
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "the store is still failing; reopening again soon");
            }
        }
    }

    fn open_file(path: &Path) -> Result<Store, OpenError> {
        let db = match Database::create(path) {
            Err(DatabaseError::UpgradeRequired(_)) => {
                upgrade_format(path)?;
                Database::create(path)?
            }
            other => other?,
        };
        let store = Store {
            db: RwLock::new(Some(db)),
            path: Some(path.to_path_buf()),
            health: Arc::default(),
            pending: Default::default(),
        };
        store.check_schema()?;
        store
            .load_pending()
            .map_err(|e| OpenError::Unusable(e.to_string()))?;
        Ok(store)
    }

    /// Writes the schema version into a new store; refuses a store of another version.
    fn check_schema(&self) -> Result<(), OpenError> {
        let db = self.db.read().unwrap_or_else(|e| e.into_inner());
        let Some(db) = db.as_ref() else {
            return Err(OpenError::Environment("closed".into()));
        };
        let tx = db.begin_write().map_err(classify)?;
        {
            let mut meta = tx.open_table(META).map_err(classify)?;
            let found = meta.get("schema").map_err(classify)?.map(|v| v.value());
            match found {
                Some(SCHEMA_VERSION) => {}
                Some(other) => {
                    return Err(OpenError::Unusable(format!(
                        "schema version {other}, this Warren reads version {SCHEMA_VERSION}"
                    )));
                }
                None => {
                    meta.insert("schema", SCHEMA_VERSION).map_err(classify)?;
                }
            }
            incidents::create_tables(&tx).map_err(|e| OpenError::Unusable(e.to_string()))?;
            snapshots::create_tables(&tx).map_err(|e| OpenError::Unusable(e.to_string()))?;
        }
        tx.commit().map_err(classify)
    }
}

/// Rewrites a file of redb's format v2 (what Warren wrote before redb 4) as format v3, in
/// place, with the last redb that reads both.
fn upgrade_format(path: &Path) -> Result<(), OpenError> {
    let environment = |e: redb2::StorageError| match e {
        redb2::StorageError::Corrupted(why) => OpenError::Unusable(format!("corrupted: {why}")),
        redb2::StorageError::Io(io) => io.into(),
        other => OpenError::Environment(other.to_string()),
    };
    let mut old = redb2::Database::open(path).map_err(|e| match e {
        redb2::DatabaseError::DatabaseAlreadyOpen => OpenError::InUse,
        redb2::DatabaseError::Storage(s) => environment(s),
        other => OpenError::Unusable(other.to_string()),
    })?;
    let upgraded = old.upgrade().map_err(|e| match e {
        redb2::UpgradeError::Storage(s) => environment(s),
        other => OpenError::Unusable(format!("cannot upgrade the file format: {other}")),
    })?;
    if upgraded {
        tracing::info!(path = %path.display(), "store upgraded to redb's file format v3");
    }
    Ok(())
}

/// `warren.redb` → `warren.redb.unusable-<epoch secs>` (a new name each time).
fn aside_name(path: &Path) -> PathBuf {
    let secs = warren_core::clock::now_ms() / 1000;
    let mut n = 0;
    loop {
        let candidate = path.with_extension(format!("redb.unusable-{secs}{}", suffix(n)));
        if !candidate.exists() {
            return candidate;
        }
        n += 1;
    }
}

fn suffix(n: u32) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("-{n}")
    }
}

#[cfg(test)]
mod tests;
