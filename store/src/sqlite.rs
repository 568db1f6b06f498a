//! The embedded SQLite backend: the zero-setup default, one file in the data directory.

use std::path::Path;
use std::time::{Duration, Instant};

use nips::EventId;
use sqlx::query::QueryAs;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Sqlite};
use tokio_util::sync::CancellationToken;

use super::bulk::{self, Known, KnownRow, Lookup, bulkable};
use super::health::Health;
use super::hot::{HotEvents, HotRow, HotSource, RefRow};
use super::sql::{ListStyle, Param, Sql};
use super::{
    Failure, Options, Reader, Record, Saved, SearchIndex, StoreError, WriteOp, failure,
    migrate_error,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

mod write {
    super::super::shared::shared_writes!(sqlx::sqlite::SqliteConnection);
}

/// The current version of an address (the single writer needs no lock).
const SELECT_ADDRESS: &str =
    "SELECT id, created_at FROM events WHERE pubkey = $1 AND kind = $2 AND d_tag = $3";

/// SQLite runs this many virtual-machine steps between checks of a client query's budget.
const STEPS_PER_CHECK: i32 = 10_000;

/// Events in one SQLite file (WAL mode): a single writer connection and pools of readers.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    /// Clients' queries, each stopped past the budget or when cancelled.
    clients: SqlitePool,
    /// The relay's own reads, without a time limit, so client load cannot starve governance.
    reader: SqlitePool,
    query_timeout: Duration,
    health: std::sync::Arc<Health>,
    search: std::sync::Arc<SearchIndex>,
    /// Events held in memory for clients' reads.
    hot: HotEvents,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    ///
    /// `synchronous = FULL` so a commit survives power loss, not just a crash: `OK true` is
    /// only sent after commit, and batching keeps the fsync cost per event small.
    pub async fn open(path: &Path, o: Options) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // Connections are in-process; a ping before each use would only cost time.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&writer).await.map_err(migrate_error)?;
        let readers = |n: u32| {
            SqlitePoolOptions::new()
                .max_connections(n)
                .test_before_acquire(false)
                .connect_lazy_with(options.clone().read_only(true))
        };
        Ok(Self {
            writer,
            clients: readers(o.pool_size.max(1)),
            reader: readers(2),
            query_timeout: o.query_timeout,
            health: std::sync::Arc::new(Health::reporting()),
            // FTS5 has its own tokenizer; the language setting is PostgreSQL's.
            search: std::sync::Arc::new(SearchIndex::new(o.search.kinds, "simple".into())),
            hot: HotEvents::new(o.event_cache_bytes),
        })
    }

    /// Maps a failure, reporting a full or unwritable disk once (its end is the next batch the
    /// writer commits). SQLite fails at once, so nothing is refused in advance.
    async fn run<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        match op().await {
            Ok(v) => Ok(v),
            Err(e) => Err(match failure(&e) {
                Failure::Storage | Failure::Connection => {
                    self.health.mark_down(&e);
                    StoreError::Unavailable
                }
                Failure::Interrupted => StoreError::TimedOut,
                Failure::PoolTimeout => StoreError::Busy,
                Failure::Other => StoreError::Database(e),
            }),
        }
    }

    /// Rows for a client: SQLite checks the budget and `cancel` every few thousand steps and
    /// interrupts the query when either is spent.
    async fn client_rows<O>(
        &self,
        sql: &Sql,
        cancel: &CancellationToken,
    ) -> Result<Vec<O>, sqlx::Error>
    where
        O: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    {
        let mut conn = self.clients.acquire().await?;
        let deadline = Instant::now() + self.query_timeout;
        let token = cancel.clone();
        conn.lock_handle()
            .await?
            .set_progress_handler(STEPS_PER_CHECK, move || {
                !token.is_cancelled() && Instant::now() < deadline
            });
        bind_all(
            sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())),
            sql.params.clone(),
        )
        .fetch_all(&mut *conn)
        .await
    }

    async fn rows<O>(&self, sql: Sql, reader: Reader<'_>) -> Result<Vec<O>, StoreError>
    where
        O: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    {
        let sql = &sql;
        match reader {
            Reader::Relay => {
                self.run(|| async move {
                    bind_all(
                        sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())),
                        sql.params.clone(),
                    )
                    .fetch_all(&self.reader)
                    .await
                })
                .await
            }
            Reader::Client { cancel, .. } => {
                let rows = self
                    .run(|| async move { self.client_rows(sql, cancel).await })
                    .await;
                match rows {
                    Err(_) if cancel.is_cancelled() => Err(StoreError::Cancelled),
                    other => other,
                }
            }
        }
    }
}

/// Inserts the event row, and its words into the search index when its kind is searched.
async fn insert_event(
    conn: &mut SqliteConnection,
    r: &Record,
    search: &SearchIndex,
) -> Result<(), sqlx::Error> {
    let e = &r.event;
    let done = sqlx::query(
        "INSERT INTO events (id, pubkey, created_at, kind, d_tag, expires_at, json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.id.as_bytes().as_slice())
    .bind(e.pubkey.as_bytes().as_slice())
    .bind(r.created_at())
    .bind(i32::from(e.kind))
    .bind(r.address_d())
    .bind(r.expires_at)
    .bind(&*r.json)
    .execute(&mut *conn)
    .await?;
    if let Some(doc) = search.document(e) {
        sqlx::query("INSERT INTO event_search (rowid, doc) VALUES ($1, $2)")
            .bind(done.last_insert_rowid())
            .bind(doc)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Indexes the event's single-letter tags, one prepared insert each.
async fn insert_tags(conn: &mut SqliteConnection, r: &Record) -> Result<(), sqlx::Error> {
    for (name, value) in r.indexed_tags() {
        sqlx::query(
            "INSERT INTO event_tags (event_id, name, value, kind, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(r.event.id.as_bytes().as_slice())
        .bind(name)
        .bind(value)
        .bind(i32::from(r.event.kind))
        .bind(r.created_at())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Deletes the author's events among `ids` and tombstones all of them.
async fn delete_ids(
    conn: &mut SqliteConnection,
    pubkey: &[u8],
    ids: &[EventId],
) -> Result<(), sqlx::Error> {
    for id in ids {
        sqlx::query("DELETE FROM events WHERE id = $1 AND pubkey = $2 AND kind NOT IN (5, 62)")
            .bind(id.as_bytes().as_slice())
            .bind(pubkey)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO deleted_events (id, pubkey) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id.as_bytes().as_slice())
        .bind(pubkey)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Writes a batch in one transaction. Runs of plain saves go in bulk: each statement is a
/// hop to SQLite's worker thread, and bulk takes four hops per run instead of four per event.
///
/// A batch that fails closes its connection: a commit that fails (a full disk) can leave the
/// transaction open, and on that connection every later "commit" would only release a
/// savepoint of it, acknowledging events that are never written.
async fn write_batch(
    pool: &SqlitePool,
    ops: &[WriteOp],
    search: &SearchIndex,
) -> Result<Vec<Saved>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let written = write_in_transaction(&mut conn, ops, search).await;
    if written.is_err() {
        conn.close_on_drop();
    }
    written
}

async fn write_in_transaction(
    conn: &mut SqliteConnection,
    ops: &[WriteOp],
    search: &SearchIndex,
) -> Result<Vec<Saved>, sqlx::Error> {
    // IMMEDIATE takes the write lock at once (waiting up to the busy timeout): a deferred
    // transaction that reads first fails outright ("database is locked") when another process
    // (an `import` beside the relay) wrote in between.
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let mut out = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        let run = ops[i..].iter().take_while(|op| bulkable(op)).count();
        if run > 1 {
            out.extend(bulk_save(&mut tx, &ops[i..i + run], search).await?);
            i += run;
        } else {
            out.push(write::apply_one(&mut tx, &ops[i], search).await?);
            i += 1;
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// Hex strings for SQLite's `unhex`: lists go in as one JSON array each (read with
/// `json_each`), which keeps the statements fixed whatever the run's length.
fn hex_list<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Vec<String> {
    items.into_iter().map(hex::encode).collect()
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(v).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// One statement: duplicates, tombstones, vanished authors, current versions and deleted
/// addresses for every record of a run. `CROSS JOIN` keeps the address list outermost, so
/// each address is one probe of the address index.
async fn known(conn: &mut SqliteConnection, records: &[&Record]) -> Result<Known, sqlx::Error> {
    let l = Lookup::new(records);
    let addresses: Vec<(String, i32, &str)> = l
        .address_pubkeys
        .iter()
        .zip(&l.address_kinds)
        .zip(&l.address_ds)
        .map(|((p, k), d)| (hex::encode(p), *k, *d))
        .collect();
    let rows: Vec<KnownRow> = sqlx::query_as(
        "WITH ids(id) AS (SELECT unhex(value) FROM json_each($1)), \
              authors(pk) AS (SELECT unhex(value) FROM json_each($2)), \
              addrs(p, k, d) AS (SELECT unhex(value ->> 0), value ->> 1, value ->> 2 FROM json_each($3)) \
         SELECT 'stored', id, NULL, NULL, NULL, NULL FROM events WHERE id IN ids \
         UNION ALL SELECT 'deleted', id, pubkey, NULL, NULL, NULL FROM deleted_events WHERE id IN ids \
         UNION ALL SELECT 'vanished', NULL, pubkey, NULL, NULL, until FROM vanished_pubkeys WHERE pubkey IN authors \
         UNION ALL SELECT 'version', e.id, e.pubkey, e.kind, e.d_tag, e.created_at \
           FROM addrs a CROSS JOIN events e ON e.pubkey = a.p AND e.kind = a.k AND e.d_tag = a.d \
         UNION ALL SELECT 'address-deleted', NULL, x.pubkey, x.kind, x.d_tag, x.until \
           FROM addrs a CROSS JOIN deleted_addresses x ON x.pubkey = a.p AND x.kind = a.k AND x.d_tag = a.d",
    )
    .bind(to_json(&hex_list(l.ids.iter().copied()))?)
    .bind(to_json(&hex_list(l.authors.iter().copied()))?)
    .bind(to_json(&addresses)?)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Known::from_rows(rows))
}

/// Stores a run of plain saves in at most four statements (see [`bulk`](super::bulk)).
async fn bulk_save(
    conn: &mut SqliteConnection,
    ops: &[WriteOp],
    search: &SearchIndex,
) -> Result<Vec<Saved>, sqlx::Error> {
    let records: Vec<&Record> = ops
        .iter()
        .filter_map(|op| op.record().map(|r| &**r))
        .collect();
    let plan = bulk::plan(&records, known(conn, &records).await?);
    if !plan.replaced.is_empty() {
        // Before the inserts: the address index holds one version per address.
        sqlx::query("DELETE FROM events WHERE id IN (SELECT unhex(value) FROM json_each($1))")
            .bind(to_json(&hex_list(plan.replaced.iter().map(Vec::as_slice)))?)
            .execute(&mut *conn)
            .await?;
    }
    if plan.fresh.is_empty() {
        return Ok(plan.outcomes);
    }
    let events: Vec<_> = plan
        .fresh
        .iter()
        .map(|r| {
            (
                r.event.id.to_hex(),
                r.event.pubkey.to_hex(),
                r.created_at(),
                r.event.kind,
                r.address_d(),
                r.expires_at,
                &*r.json,
            )
        })
        .collect();
    sqlx::query(
        "INSERT INTO events (id, pubkey, created_at, kind, d_tag, expires_at, json) \
         SELECT unhex(value ->> 0), unhex(value ->> 1), value ->> 2, value ->> 3, value ->> 4, \
                value ->> 5, value ->> 6 FROM json_each($1)",
    )
    .bind(to_json(&events)?)
    .execute(&mut *conn)
    .await?;
    index_search(conn, &plan.fresh, search).await?;
    let t = plan.tag_columns();
    if !t.ids.is_empty() {
        let rows: Vec<_> = (0..t.ids.len())
            .map(|i| {
                (
                    hex::encode(t.ids[i]),
                    t.names[i],
                    t.values[i],
                    t.kinds[i],
                    t.times[i],
                )
            })
            .collect();
        sqlx::query(
            "INSERT INTO event_tags (event_id, name, value, kind, created_at) \
             SELECT unhex(value ->> 0), value ->> 1, value ->> 2, value ->> 3, value ->> 4 \
             FROM json_each($1)",
        )
        .bind(to_json(&rows)?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(plan.outcomes)
}

/// Adds the searchable ones among `records`, just inserted, to the search index.
async fn index_search(
    conn: &mut SqliteConnection,
    records: &[&Record],
    search: &SearchIndex,
) -> Result<(), sqlx::Error> {
    let docs: Vec<(String, String)> = records
        .iter()
        .filter_map(|r| Some((r.event.id.to_hex(), search.document(&r.event)?)))
        .collect();
    if docs.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO event_search (rowid, doc) \
         SELECT e.rowid, j.value ->> 1 FROM json_each($1) j JOIN events e ON e.id = unhex(j.value ->> 0)",
    )
    .bind(to_json(&docs)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn bind_all<'q, O>(
    mut q: QueryAs<'q, Sqlite, O, SqliteArguments>,
    params: Vec<Param>,
) -> QueryAs<'q, Sqlite, O, SqliteArguments> {
    for p in params {
        q = match p {
            Param::Int(v) => q.bind(v),
            Param::Kind(v) => q.bind(v),
            Param::Text(v) => q.bind(v),
            Param::Bytes(v) => q.bind(v),
            // ListStyle::Expand never produces list parameters.
            Param::KindList(_) | Param::TextList(_) | Param::BytesList(_) => q,
        };
    }
    q
}

impl HotSource for SqliteStore {
    async fn ref_rows(&self, sql: Sql, reader: Reader<'_>) -> Result<Vec<RefRow>, StoreError> {
        self.rows(sql, reader).await
    }

    async fn hot_rows(&self, sql: Sql, reader: Reader<'_>) -> Result<Vec<HotRow>, StoreError> {
        self.rows(sql, reader).await
    }
}

#[async_trait::async_trait]
impl super::EventStore for SqliteStore {
    async fn write(&self, ops: &[WriteOp]) -> Result<Vec<Saved>, StoreError> {
        let written = self
            .run(|| async move { write_batch(&self.writer, ops, &self.search).await })
            .await;
        if written.is_ok() && self.health.is_down() {
            // Reads may work on a full disk; only a commit says the disk takes writes again.
            self.health.mark_up();
        }
        if let Ok(saved) = &written {
            self.hot.remember(super::stored_records(ops, saved));
        }
        written
    }

    async fn query(
        &self,
        filter: &nips::Filter,
        limit: u64,
        now: u64,
        reader: Reader<'_>,
    ) -> Result<Vec<super::StoredEvent>, StoreError> {
        if limit == 0 || filter.is_unsatisfiable() {
            return Ok(Vec::new());
        }
        if matches!(reader, Reader::Client { .. })
            && let Some(events) = self
                .hot
                .query(self, filter, limit, now, ListStyle::Expand, reader)
                .await?
        {
            return Ok(events);
        }
        let sql = crate::plan::select(filter, limit, now, ListStyle::Expand);
        super::rows_to_events(self.rows(sql, reader).await?)
    }

    async fn keys(
        &self,
        filter: &nips::Filter,
        limit: u64,
        now: u64,
        reader: Reader<'_>,
    ) -> Result<Vec<super::EventKey>, StoreError> {
        if limit == 0 || filter.is_unsatisfiable() {
            return Ok(Vec::new());
        }
        let sql = crate::plan::select_columns(
            filter,
            limit,
            now,
            ListStyle::Expand,
            crate::plan::Columns::Keys,
        );
        super::rows_to_keys(self.rows(sql, reader).await?)
    }

    async fn scan(
        &self,
        filter: &nips::Filter,
        after: Option<(i64, EventId)>,
        limit: u64,
        now: u64,
    ) -> Result<Vec<super::StoredEvent>, StoreError> {
        if limit == 0 || filter.is_unsatisfiable() {
            return Ok(Vec::new());
        }
        let after = after
            .as_ref()
            .map(|(at, id)| (*at, id.as_bytes().as_slice()));
        let sql = crate::plan::scan(filter, after, limit, now, ListStyle::Expand);
        super::rows_to_events(self.rows(sql, Reader::Relay).await?)
    }

    async fn count(
        &self,
        filters: &[nips::Filter],
        now: u64,
        reader: Reader<'_>,
        wraps: super::Wraps<'_>,
    ) -> Result<u64, StoreError> {
        let filters = super::satisfiable(filters);
        if filters.is_empty() {
            return Ok(0);
        }
        let sql = crate::plan::count(&filters, now, ListStyle::Expand, wraps);
        let rows: Vec<(i64,)> = self.rows(sql, reader).await?;
        Ok(rows
            .first()
            .map_or(0, |(n,)| u64::try_from(*n).unwrap_or(0)))
    }

    async fn reindex_search(&self) -> Result<Option<u64>, StoreError> {
        self.run(|| async move { super::search::reindex_sqlite(&self.writer, &self.search).await })
            .await
    }

    async fn purge_expired(&self, now: u64) -> Result<u64, StoreError> {
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        self.run(|| async move {
            let done =
                sqlx::query("DELETE FROM events WHERE expires_at IS NOT NULL AND expires_at <= $1")
                    .bind(now)
                    .execute(&self.writer)
                    .await?;
            Ok(done.rows_affected())
        })
        .await
    }

    fn health(&self) -> &Health {
        &self.health
    }

    fn name(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.clients.close().await;
        self.reader.close().await;
    }
}

super::private::private_store_impl!(SqliteStore, writer);
