//! Event storage: one [`EventStore`] trait, a PostgreSQL and an embedded SQLite backend, and the
//! shared conformance suite both must pass.

mod bulk;
mod postgres;
mod private;
mod record;
mod shared;
mod sql;
mod sqlite;

#[cfg(test)]
mod conformance;
#[cfg(test)]
#[path = "../../../tests/support/db.rs"]
pub(crate) mod testdb;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use nips::{EventId, Filter};

pub use postgres::PostgresStore;
pub use private::{Claim, Invite, PrivateStore};
pub use record::{MAX_INDEXED_TAG_VALUE, Record};
pub use sqlite::SqliteStore;

/// What a write asks of the store.
#[derive(Debug, Clone)]
pub enum WriteOp {
    /// Store an event with NIP-01 replaceable/addressable semantics. A kind-5 event also
    /// deletes (and tombstones) what it targets among its author's events (NIP-09).
    Save(Arc<Record>),
    /// A NIP-62 request to vanish that names this relay: hard-delete the author's events up to
    /// its `created_at`, refuse them from now on, then store the request itself.
    Vanish(Arc<Record>),
}

impl WriteOp {
    /// The record this op writes.
    pub fn record(&self) -> &Arc<Record> {
        match self {
            WriteOp::Save(r) | WriteOp::Vanish(r) => r,
        }
    }
}

/// The result of one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Newly stored and committed.
    Stored,
    /// This exact event was already stored.
    Duplicate,
    /// A newer version of this replaceable/addressable event is stored; this one was dropped.
    Superseded,
    /// Its author deleted this event (by id or coordinate) before it arrived.
    Deleted,
    /// Its author asked this relay to vanish after this event was created.
    Vanished,
}

/// A stored event as served: its ordering key and its canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub created_at: i64,
    pub id: EventId,
    pub json: String,
}

/// Storage failures; the text is for logs, clients only see a generic `error:`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "the database schema is newer than this build (migration {0} is unknown); run a newer communitarium"
    )]
    SchemaTooNew(i64),
    #[error("could not prepare the data directory {path}: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("stored event {0} is corrupt")]
    Corrupt(String),
    #[error("unsupported database URL `{0}`: use postgres://… or leave it empty for SQLite")]
    UnsupportedUrl(String),
}

/// The storage interface. Implementations must agree exactly; `conformance` checks them.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Applies `ops` in order, atomically when possible, and reports each outcome. Returns an
    /// error only when nothing was committed; callers may retry ops one by one.
    async fn write(&self, ops: &[WriteOp]) -> Result<Vec<Saved>, StoreError>;

    /// Events matching `filter`, newest first (ties: lowest id first), at most `limit`,
    /// never expired at `now`.
    async fn query(
        &self,
        filter: &Filter,
        limit: u64,
        now: u64,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// How many distinct unexpired events match any of `filters` (NIP-45).
    async fn count(&self, filters: &[Filter], now: u64) -> Result<u64, StoreError>;

    /// Hard-deletes events whose NIP-40 expiration is at or before `now`; returns how many.
    async fn purge_expired(&self, now: u64) -> Result<u64, StoreError>;

    /// Closes pools after pending work; later calls fail.
    async fn close(&self);
}

/// Both halves of a backend: public events and private relay state.
pub trait Store: EventStore + PrivateStore {}

impl<T: EventStore + PrivateStore> Store for T {}

/// Opens the store selected by `database_url`: `postgres://…` for PostgreSQL, empty for the
/// embedded SQLite database in `data_dir`. Runs migrations.
pub async fn open(
    database_url: Option<&str>,
    data_dir: &Path,
    pool_size: u32,
) -> Result<Arc<dyn Store>, StoreError> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(PostgresStore::connect(url, pool_size).await?))
        }
        Some(url) if url.starts_with("sqlite:") => {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            Ok(Arc::new(
                SqliteStore::open(Path::new(path), pool_size).await?,
            ))
        }
        Some(other) => Err(StoreError::UnsupportedUrl(other.to_owned())),
        None => {
            std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
                path: data_dir.display().to_string(),
                source,
            })?;
            let path = data_dir.join("communitarium.db");
            Ok(Arc::new(SqliteStore::open(&path, pool_size).await?))
        }
    }
}

/// Rows of `(created_at, id, json)` as served events.
fn rows_to_events(rows: Vec<(i64, Vec<u8>, String)>) -> Result<Vec<StoredEvent>, StoreError> {
    rows.into_iter()
        .map(|(created_at, id, json)| match EventId::from_slice(&id) {
            Some(id) => Ok(StoredEvent {
                created_at,
                id,
                json,
            }),
            None => Err(StoreError::Corrupt(json)),
        })
        .collect()
}

/// The filters that can match anything (`{"ids": []}` cannot).
fn satisfiable(filters: &[Filter]) -> Vec<Filter> {
    filters
        .iter()
        .filter(|f| !f.is_unsatisfiable())
        .cloned()
        .collect()
}

/// Maps migration failures, naming the case of a database migrated by a newer build.
fn migrate_error(e: sqlx::migrate::MigrateError) -> StoreError {
    match e {
        sqlx::migrate::MigrateError::VersionMissing(v) => StoreError::SchemaTooNew(v),
        other => StoreError::Migrate(other),
    }
}

/// Does an already stored version `(created_at, id)` win over `new` under NIP-01's rule
/// (newest wins; equal timestamps keep the lowest id)?
pub(crate) fn existing_wins(existing: (i64, &[u8]), new: &Record) -> bool {
    let new_at = new.created_at();
    existing.0 > new_at
        || (existing.0 == new_at && existing.1 <= new.event.id.as_bytes().as_slice())
}
