//! Event storage: one [`EventStore`] trait, a PostgreSQL and an embedded SQLite backend, and the
//! shared conformance suite both must pass.

mod bulk;
pub mod health;
mod held;
mod hot;
pub mod notify;
mod plan;
mod postgres;
mod private;
mod record;
mod replicas;
mod search;
mod shared;
mod sql;
mod sqlite;

#[cfg(test)]
mod budget_tests;
#[cfg(test)]
mod conformance;
#[cfg(test)]
mod hot_conformance;
#[cfg(test)]
mod sets_conformance;
#[cfg(test)]
#[path = "../../tests/support/db.rs"]
pub(crate) mod testdb;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use nips::{EventId, Filter};
use tokio_util::sync::CancellationToken;

pub use health::Health;
pub use hot::HotEvents;

pub use postgres::PostgresStore;
pub use private::{Claim, Invite, PrivateStore};

pub use record::{MAX_INDEXED_TAG_VALUE, Record};
pub use search::{DEFAULT_KINDS as DEFAULT_SEARCH_KINDS, SearchIndex};
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
    /// What a decision does besides its own events, committed in the same transaction as
    /// they are: a decision is never stored without its effects, nor its effects without it.
    Effect(Effect),
}

impl WriteOp {
    /// The record this op stores, if it stores one.
    pub fn record(&self) -> Option<&Arc<Record>> {
        match self {
            WriteOp::Save(r) | WriteOp::Vanish(r) => Some(r),
            WriteOp::Effect(_) => None,
        }
    }
}

/// A decision's effect on stored events and blocked addresses. Its outcome is
/// [`Saved::Stored`] when it changed something, [`Saved::Duplicate`] when there was nothing
/// to change (applying an effect twice is harmless).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Moves a stored event out of sight into quarantine, until the members ratify its removal
    /// (then [`Effect::Purge`]) or not (then [`Effect::Release`]).
    Quarantine { id: EventId, at: i64 },
    /// Deletes an event for good, stored or quarantined.
    Remove(EventId),
    /// Stores a quarantined event again.
    Release(EventId),
    /// Forgets a quarantined event.
    Purge(EventId),
    /// Refuses connections from an address (kept in the relay's private state: decisions
    /// publish only its digest).
    BlockIp { ip: String, reason: String, at: i64 },
    /// Lifts a block.
    UnblockIp { ip: String, at: i64 },
}

/// Which of the writer's lanes a write is committed on. A store that can commit on several
/// connections at once gives the governance lane a connection of its own, so a member's vote
/// is not queued behind a batch of ordinary events; elsewhere the lanes share one. Only
/// regular events (votes) go on the governance lane: replacement and deletion stay with the
/// one events lane, which relies on being the only writer to apply them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Events,
    Governance,
}

impl Lane {
    /// The lane's name in metrics.
    pub fn name(self) -> &'static str {
        match self {
            Lane::Events => "events",
            Lane::Governance => "governance",
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

/// A stored event as served: its ordering key, its kind (some kinds are served only to some
/// readers) and its canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub created_at: i64,
    pub id: EventId,
    pub kind: u16,
    pub json: String,
}

/// A stored event's keys: enough to reconcile sets of events (NIP-77) without their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventKey {
    pub created_at: i64,
    pub id: EventId,
    pub kind: u16,
}

/// Storage failures; the text is for logs, clients only see a generic `error:`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// The server answers, but the database named in the URL is not there.
    #[error("{}", missing_database_text(.0))]
    NoDatabase(String),
    /// The database is down (or its disk is full): nothing was done.
    #[error("the database is unavailable")]
    Unavailable,
    /// Every connection stayed busy for the whole wait.
    #[error("the database is busy")]
    Busy,
    /// A client's query ran over its time budget and was stopped.
    #[error("the query ran over its time budget")]
    TimedOut,
    /// The client went away (or closed the subscription) while its query ran.
    #[error("the query was cancelled")]
    Cancelled,
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
    #[error("unknown text search configuration `{0}` (search.language); see \\dF in psql")]
    SearchLanguage(String),
    #[error(
        "read replica {0} (read_database_urls) is not a standby: point it at a streaming \
         replica of the primary"
    )]
    NotAReplica(usize),
    #[error("unsupported database URL `{0}`: use postgres://… or leave it empty for SQLite")]
    UnsupportedUrl(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match missing_database(&e) {
            Some(name) => StoreError::NoDatabase(name),
            None => StoreError::Database(e),
        }
    }
}

/// The database's name, when `e` says the database does not exist (PostgreSQL's `3D000`).
pub fn missing_database(e: &sqlx::Error) -> Option<String> {
    let sqlx::Error::Database(db) = e else {
        return None;
    };
    (db.code().as_deref() == Some("3D000")).then(|| {
        db.message()
            .split('"')
            .nth(1)
            .unwrap_or_default()
            .to_string()
    })
}

/// What to do about a database that does not exist.
pub fn missing_database_text(name: &str) -> String {
    format!(
        "the database `{name}` does not exist on that server: create it (`createdb {name}`, or \
         `CREATE DATABASE \"{name}\";` in psql), or correct --database-url"
    )
}

/// Settings every backend takes.
#[derive(Debug, Clone)]
pub struct Options {
    /// Connections for clients' queries.
    pub pool_size: u32,
    /// The most one client query may take; the database stops it then.
    pub query_timeout: Duration,
    /// What NIP-50 search indexes.
    pub search: SearchIndex,
    /// PostgreSQL: announce committed events to other nodes, as this process (its token).
    pub announce: Option<String>,
    /// PostgreSQL: streaming replicas that may answer clients' queries.
    pub replicas: Vec<String>,
    /// How far behind the primary a replica may be and still answer.
    pub replica_max_lag: Duration,
    /// Bytes of events kept in memory for clients' reads (0: none).
    pub event_cache_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            pool_size: 8,
            query_timeout: Duration::from_secs(1),
            search: SearchIndex::default(),
            announce: None,
            replicas: Vec::new(),
            replica_max_lag: Duration::from_secs(5),
            event_cache_bytes: 64 << 20,
        }
    }
}

/// Whom a read serves, which decides its connections and its limits.
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    /// The relay itself (governance, start-up, commands): its own connections, no time limit.
    Relay,
    /// A client: the clients' connections, the query time budget, and stopped as soon as
    /// `cancel` fires (the subscription closed or the client left). `wrote` is when its
    /// connection's last write was acknowledged: a read replica answers only once it holds it.
    Client {
        cancel: &'a CancellationToken,
        wrote: Option<Instant>,
    },
}

impl<'a> Reader<'a> {
    /// A client that has written nothing on this connection.
    pub fn client(cancel: &'a CancellationToken) -> Self {
        Self::Client {
            cancel,
            wrote: None,
        }
    }
}

/// Whose gift wraps (NIP-59) a count includes. A client's count includes only wraps addressed
/// to the keys it authenticated as, whatever its filters ask, so no filter can count another
/// person's messages; the relay's own counts include every wrap.
#[derive(Debug, Clone, Copy)]
pub enum Wraps<'a> {
    All,
    For(&'a [nips::PubKey]),
}

/// What a database error says about the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connection or the server is gone.
    Connection,
    /// No connection came free in time (a busy pool, or a server refusing connections).
    PoolTimeout,
    /// The statement was stopped: over its time limit, or cancelled.
    Interrupted,
    /// The disk is full or read-only, or the database file is unreadable.
    Storage,
    Other,
}

/// Classifies `e` by its kind and SQLSTATE (PostgreSQL) or result code (SQLite), and counts it.
pub(crate) fn failure(e: &sqlx::Error) -> Failure {
    let f = classify(e);
    if matches!(e, sqlx::Error::PoolClosed) {
        // Shutdown, or a client query abandoned on purpose: not a database error.
        return f;
    }
    let kind = match f {
        Failure::Connection | Failure::PoolTimeout => "connection",
        Failure::Interrupted => "timeout",
        Failure::Storage => "storage",
        Failure::Other => "other",
    };
    metrics::counter!("communitarium_db_errors_total", "kind" => kind).increment(1);
    f
}

fn classify(e: &sqlx::Error) -> Failure {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) => Failure::Connection,
        sqlx::Error::WorkerCrashed => Failure::Connection,
        sqlx::Error::PoolTimedOut => Failure::PoolTimeout,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            match code.as_ref() {
                "57014" => Failure::Interrupted,
                "57P01" | "57P02" | "57P03" | "53300" => Failure::Connection,
                c if c.starts_with("08") => Failure::Connection,
                c => match c.parse::<i32>().map(|n| n & 0xff) {
                    // SQLite: SQLITE_INTERRUPT; READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB.
                    Ok(9) => Failure::Interrupted,
                    Ok(8 | 10 | 11 | 13 | 14 | 26) => Failure::Storage,
                    _ => Failure::Other,
                },
            }
        }
        _ => Failure::Other,
    }
}

/// The storage interface. Implementations must agree exactly; `conformance` checks them.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Applies `ops` in order, atomically when possible, and reports each outcome. Returns an
    /// error only when nothing was committed; callers may retry ops one by one.
    async fn write(&self, ops: &[WriteOp]) -> Result<Vec<Saved>, StoreError>;

    /// As [`EventStore::write`], committed on `lane`.
    async fn write_on(&self, lane: Lane, ops: &[WriteOp]) -> Result<Vec<Saved>, StoreError> {
        let _ = lane;
        self.write(ops).await
    }

    /// Events matching `filter`, newest first (ties: lowest id first), at most `limit`,
    /// never expired at `now`.
    async fn query(
        &self,
        filter: &Filter,
        limit: u64,
        now: u64,
        reader: Reader<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// The keys of the events matching `filter` (its `search` ignored), newest first, at
    /// most `limit`, never expired at `now`.
    async fn keys(
        &self,
        filter: &Filter,
        limit: u64,
        now: u64,
        reader: Reader<'_>,
    ) -> Result<Vec<EventKey>, StoreError>;

    /// One page of every unexpired event matching `filter` (its `search` and `limit`
    /// ignored), oldest first (the reverse of query order), after the event `after` (its
    /// `created_at` and id): what `export` streams, a page at a time, so an import stores
    /// history in the order it happened. Runs as the relay, without a time limit.
    async fn scan(
        &self,
        filter: &Filter,
        after: Option<(i64, EventId)>,
        limit: u64,
        now: u64,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// How many distinct unexpired events match any of `filters` (NIP-45), counting only the
    /// gift wraps `wraps` allows.
    async fn count(
        &self,
        filters: &[Filter],
        now: u64,
        reader: Reader<'_>,
        wraps: Wraps<'_>,
    ) -> Result<u64, StoreError>;

    /// Rebuilds the search index if it was built for other kinds or another language than
    /// this store's; returns how many events were re-read (`None`: it was up to date).
    async fn reindex_search(&self) -> Result<Option<u64>, StoreError>;

    /// Hard-deletes events whose NIP-40 expiration is at or before `now`; returns how many.
    async fn purge_expired(&self, now: u64) -> Result<u64, StoreError>;

    /// Whether the database is reachable.
    fn health(&self) -> &Health;

    /// The backend's name, for metrics and logs: `postgres` or `sqlite`.
    fn name(&self) -> &'static str;

    /// Asks the database for a trivial answer, even while it is known to be down: how the
    /// relay notices it is back.
    async fn ping(&self) -> Result<(), StoreError>;

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
    options: Options,
) -> Result<Arc<dyn Store>, StoreError> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(PostgresStore::connect(url, options).await?))
        }
        Some(url) if url.starts_with("sqlite:") => {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            Ok(Arc::new(SqliteStore::open(Path::new(path), options).await?))
        }
        Some(other) => Err(StoreError::UnsupportedUrl(other.to_owned())),
        None => {
            std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
                path: data_dir.display().to_string(),
                source,
            })?;
            let path = data_dir.join("communitarium.db");
            Ok(Arc::new(SqliteStore::open(&path, options).await?))
        }
    }
}

/// The records of `ops` that were newly stored.
fn stored_records<'a>(
    ops: &'a [WriteOp],
    saved: &'a [Saved],
) -> impl Iterator<Item = Arc<Record>> + 'a {
    ops.iter()
        .zip(saved)
        .filter(|(_, s)| **s == Saved::Stored)
        .filter_map(|(op, _)| op.record().cloned())
}

/// Rows of `(created_at, id, kind, json)` as served events.
fn rows_to_events(rows: Vec<(i64, Vec<u8>, i32, String)>) -> Result<Vec<StoredEvent>, StoreError> {
    rows.into_iter()
        .map(
            |(created_at, id, kind, json)| match (EventId::from_slice(&id), u16::try_from(kind)) {
                (Some(id), Ok(kind)) => Ok(StoredEvent {
                    created_at,
                    id,
                    kind,
                    json,
                }),
                _ => Err(StoreError::Corrupt(json)),
            },
        )
        .collect()
}

/// Rows of `(created_at, id, kind)` as event keys.
fn rows_to_keys(rows: Vec<(i64, Vec<u8>, i32)>) -> Result<Vec<EventKey>, StoreError> {
    rows.into_iter()
        .map(
            |(created_at, id, kind)| match (EventId::from_slice(&id), u16::try_from(kind)) {
                (Some(id), Ok(kind)) => Ok(EventKey {
                    created_at,
                    id,
                    kind,
                }),
                _ => Err(StoreError::Corrupt(hex::encode(id))),
            },
        )
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
