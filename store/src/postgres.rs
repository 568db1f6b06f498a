//! The PostgreSQL backend (production).

use std::sync::Arc;
use std::time::Duration;

use nips::EventId;
use sqlx::Postgres;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::query::QueryAs;
use tokio_util::sync::CancellationToken;

use super::sql::{ListStyle, Param, Sql};

use sqlx::Connection;

use super::bulk::{self, Known, KnownRow, Lookup, bulkable};
use super::health::Health;
use super::held::HeldConnection;
use super::hot::{HotEvents, HotRow, HotSource, RefRow};
use super::replicas::Replicas;
use super::{
    Failure, Options, Reader, Record, Saved, SearchIndex, StoreError, WriteOp, failure,
    migrate_error,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

mod write {
    super::super::shared::shared_writes!(sqlx::postgres::PgConnection);
}

/// The current version of an address, locked until the transaction ends.
const SELECT_ADDRESS: &str =
    "SELECT id, created_at FROM events WHERE pubkey = $1 AND kind = $2 AND d_tag = $3 FOR UPDATE";

/// How long an operation may wait for a connection. When the server is gone, connecting is
/// retried until then, so it bounds how long the first request of an outage waits.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// How often the server checks, during a long query, that the client is still there; a
/// cancelled client query closes its connection, and the server stops within this.
const CLIENT_CHECK_MS: u32 = 500;

/// Events in PostgreSQL, written in batched transactions by one writer.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    /// Clients' queries, each bounded by `statement_timeout`.
    clients: PgPool,
    /// The relay's own reads and private state, without a time limit, so client load cannot
    /// starve governance.
    pool: PgPool,
    /// The writer's own connection: always ready, its prepared statements always warm, and
    /// planned without sequential scans (see [`PostgresStore::connect`]).
    writer: Arc<HeldConnection>,
    /// The governance lane's connection, for members' votes (see [`super::Lane`]).
    governance: Arc<HeldConnection>,
    /// For checking, without the pools, whether the server answers at all.
    options: PgConnectOptions,
    health: Arc<Health>,
    search: Arc<SearchIndex>,
    /// Set on a node of a cluster: its token, under which writes announce what they commit.
    announce: Option<Arc<str>>,
    /// Streaming replicas for clients' queries, if configured.
    replicas: Option<Arc<Replicas>>,
    /// Events held in memory for clients' reads.
    hot: HotEvents,
}

impl PostgresStore {
    /// Connects, then migrates (refusing a schema newer than this build).
    ///
    /// Every statement of the writer is a keyed probe or an insert. Its plans are cached per
    /// connection, so a plan made while a new database was nearly empty would scan the whole
    /// table until the next ANALYZE; with sequential scans disabled it keeps using the indexes.
    pub async fn connect(url: &str, o: Options) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        check_language(&options, &o.search.language).await?;
        // Every connection builds and reads tsvectors with the configured language, so no
        // statement has to name it.
        let options = options.options([("default_text_search_config", o.search.language.as_str())]);
        let health = Arc::new(Health::gated());
        let internal =
            pool_options(&health, (o.pool_size / 4).max(2)).connect_with(options.clone());
        let pool = internal.await?;
        MIGRATOR.run(&pool).await.map_err(migrate_error)?;
        let budget = o.query_timeout.as_millis().max(1).to_string();
        let clients = client_pool(&health, o.pool_size, &options, &budget);
        let replicas = match o.replicas.is_empty() {
            true => None,
            false => {
                let client_pool = |options: &PgConnectOptions| {
                    client_pool(&health, o.pool_size, options, &budget)
                };
                Some(Replicas::connect(&o, client_pool, &pool).await?)
            }
        };
        // Lazy: the first write connects, from the writer's own runtime (see `writer`).
        let held = |plans: &str| {
            Arc::new(HeldConnection::lazy(
                options
                    .clone()
                    .options([("enable_seqscan", "off"), ("plan_cache_mode", plans)]),
                health.clone(),
                ACQUIRE_TIMEOUT,
            ))
        };
        // The votes' lane runs only the statements of a run of plain saves (on a cluster node,
        // inside a transaction with their announcement), with arrays whose length Postgres
        // cannot know ahead: left to choose, it planned them anew at every commit (0.9 ms of a
        // vote's 3). A generic plan is made once per connection.
        let (writer, governance) = (held("auto"), held("force_generic_plan"));
        Ok(Self {
            clients,
            pool,
            writer,
            governance,
            options,
            health,
            search: Arc::new(o.search),
            announce: o.announce.map(Arc::from),
            replicas,
            hot: HotEvents::new(o.event_cache_bytes),
        })
    }

    /// The relay's pool, for tests and maintenance commands.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Runs `op`, answering at once while the database is known to be down. A connection
    /// failure is tried once more on a fresh connection (a server restart leaves every pooled
    /// connection dead, and every write is idempotent by event id); a second failure means
    /// the database is down. A wait for a connection that times out is an outage only if the
    /// server does not answer a fresh connection either; otherwise the relay is busy.
    async fn run<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        if self.health.refuses() {
            return Err(StoreError::Unavailable);
        }
        let e = match op().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        match failure(&e) {
            Failure::Connection => {
                self.health.suspect();
                match op().await {
                    Ok(v) => Ok(v),
                    Err(again) => Err(self.down(&again)),
                }
            }
            Failure::PoolTimeout if self.reachable().await => Err(StoreError::Busy),
            Failure::PoolTimeout => Err(self.down(&e)),
            Failure::Interrupted => Err(StoreError::TimedOut),
            Failure::Storage | Failure::Other => Err(StoreError::Database(e)),
        }
    }

    fn down(&self, e: &sqlx::Error) -> StoreError {
        self.health.mark_down(e);
        StoreError::Unavailable
    }

    /// Does the server accept a fresh connection?
    async fn reachable(&self) -> bool {
        match tokio::time::timeout(ACQUIRE_TIMEOUT, PgConnection::connect_with(&self.options)).await
        {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                true
            }
            _ => false,
        }
    }

    /// Rows for a client from a replica that may serve it; `None`: ask the primary (no
    /// replica may, or the one asked failed, and is out of service until measured again).
    async fn replica_rows<O>(
        &self,
        sql: &Sql,
        cancel: &CancellationToken,
        wrote: Option<std::time::Instant>,
    ) -> Option<Result<Vec<O>, StoreError>>
    where
        O: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let replicas = self.replicas.as_ref()?;
        let Some((index, pool)) = replicas.pick(wrote) else {
            metrics::counter!("communitarium_client_reads_total", "on" => "primary").increment(1);
            return None;
        };
        metrics::counter!("communitarium_client_reads_total", "on" => "replica").increment(1);
        match client_rows(pool, sql, cancel).await {
            Ok(rows) => Some(Ok(rows)),
            Err(_) if cancel.is_cancelled() => Some(Err(StoreError::Cancelled)),
            Err(e) => match failure(&e) {
                Failure::Interrupted => Some(Err(StoreError::TimedOut)),
                _ => {
                    tracing::warn!(replica = index, error = %e, "read replica failed a query");
                    replicas.failed(index);
                    None
                }
            },
        }
    }

    async fn rows<O>(&self, sql: Sql, reader: Reader<'_>) -> Result<Vec<O>, StoreError>
    where
        O: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let sql = &sql;
        match reader {
            Reader::Relay => {
                self.run(|| async move {
                    bind_all(
                        sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())),
                        sql.params.clone(),
                    )
                    .fetch_all(&self.pool)
                    .await
                })
                .await
            }
            Reader::Client { cancel, wrote } => {
                if let Some(rows) = self.replica_rows(sql, cancel, wrote).await {
                    return rows;
                }
                let rows = self
                    .run(|| async move { client_rows(&self.clients, sql, cancel).await })
                    .await;
                match rows {
                    Err(_) if cancel.is_cancelled() => Err(StoreError::Cancelled),
                    other => other,
                }
            }
        }
    }
}

/// Rows for a client, on the bounded pool. When `cancel` fires mid-query the connection
/// is closed rather than returned, and the server stops the query.
async fn client_rows<O>(
    pool: &PgPool,
    sql: &Sql,
    cancel: &CancellationToken,
) -> Result<Vec<O>, sqlx::Error>
where
    O: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    let mut conn = pool.acquire().await?;
    let outcome = {
        let q = bind_all(
            sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())),
            sql.params.clone(),
        )
        .fetch_all(&mut *conn);
        tokio::select! {
            rows = q => Some(rows),
            () = cancel.cancelled() => None,
        }
    };
    match outcome {
        Some(rows) => rows,
        None => {
            conn.close_on_drop();
            Err(sqlx::Error::PoolClosed)
        }
    }
}

/// Pool settings every pool shares: no ping before each use (it would add a round trip to
/// every query and every batch; a broken connection fails its use and is replaced), a short
/// wait for a connection, and connections made before an outage thrown away.
fn pool_options(health: &Arc<Health>, size: u32) -> PgPoolOptions {
    let health = health.clone();
    PgPoolOptions::new()
        .max_connections(size)
        .test_before_acquire(false)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .before_acquire(move |_, meta| {
            let fresh = !health.is_stale(meta.age);
            Box::pin(async move { Ok(fresh) })
        })
}

/// The bounded pool for clients' queries on one server, each within `budget` milliseconds.
fn client_pool(
    health: &Arc<Health>,
    size: u32,
    options: &PgConnectOptions,
    budget: &str,
) -> PgPool {
    pool_options(health, size.max(2))
        .after_connect(|conn, _| {
            Box::pin(async move {
                // PostgreSQL 14+: notice a client that went away in mid-query. Older
                // servers lack the setting; the statement timeout still bounds the query.
                let check = format!("SET client_connection_check_interval = {CLIENT_CHECK_MS}");
                let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(check))
                    .execute(conn)
                    .await;
                Ok(())
            })
        })
        .connect_lazy_with(options.clone().options([("statement_timeout", budget)]))
}

/// Refuses a text search configuration the server does not have, naming it (a connection
/// that asked for it would fail with a less helpful message).
async fn check_language(options: &PgConnectOptions, language: &str) -> Result<(), StoreError> {
    let mut conn = PgConnection::connect_with(options).await?;
    let (found,): (bool,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM pg_ts_config c \
         JOIN pg_namespace n ON n.oid = c.cfgnamespace \
         WHERE c.cfgname = $1 OR n.nspname || '.' || c.cfgname = $1)",
    )
    .bind(language)
    .fetch_one(&mut conn)
    .await?;
    let _ = conn.close().await;
    match found {
        true => Ok(()),
        false => Err(StoreError::SearchLanguage(language.to_owned())),
    }
}

/// Inserts the event row with its search words (`NULL` when its kind is not searched).
async fn insert_event(
    conn: &mut PgConnection,
    r: &Record,
    search: &SearchIndex,
) -> Result<(), sqlx::Error> {
    let e = &r.event;
    sqlx::query(
        "INSERT INTO events (id, pubkey, created_at, kind, d_tag, expires_at, json, search) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, to_tsvector($8))",
    )
    .bind(e.id.as_bytes().as_slice())
    .bind(e.pubkey.as_bytes().as_slice())
    .bind(r.created_at())
    .bind(i32::from(e.kind))
    .bind(r.address_d())
    .bind(r.expires_at)
    .bind(&*r.json)
    .bind(search.document(e))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Indexes the event's single-letter tags in one statement.
async fn insert_tags(conn: &mut PgConnection, r: &Record) -> Result<(), sqlx::Error> {
    let tags = r.indexed_tags();
    if tags.is_empty() {
        return Ok(());
    }
    let (names, values): (Vec<&str>, Vec<&str>) = tags.into_iter().unzip();
    sqlx::query(
        "INSERT INTO event_tags (event_id, name, value, kind, created_at) \
         SELECT $1, n, v, $4, $5 FROM UNNEST($2::text[], $3::text[]) AS t(n, v)",
    )
    .bind(r.event.id.as_bytes().as_slice())
    .bind(names)
    .bind(values)
    .bind(i32::from(r.event.kind))
    .bind(r.created_at())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes the author's events among `ids` and tombstones all of them.
async fn delete_ids(
    conn: &mut PgConnection,
    pubkey: &[u8],
    ids: &[EventId],
) -> Result<(), sqlx::Error> {
    let ids: Vec<&[u8]> = ids.iter().map(|i| i.as_bytes().as_slice()).collect();
    sqlx::query("DELETE FROM events WHERE id = ANY($1) AND pubkey = $2 AND kind NOT IN (5, 62)")
        .bind(&ids)
        .bind(pubkey)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO deleted_events (id, pubkey) SELECT i, $2 FROM UNNEST($1::bytea[]) AS t(i) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&ids)
    .bind(pubkey)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes a batch atomically. A batch of plain saves (the usual case) takes two round trips
/// and no explicit transaction: one read of what the store already holds, then one statement
/// that removes replaced versions and inserts the events and their tags, and commits. That is
/// safe without a transaction because only the events lane inserts replaceable events (the
/// governance lane writes votes, which replace nothing); other writers only delete, which at
/// worst makes a delete of a replaced version a no-op. Batches with deletion
/// or vanish requests go op by op in one transaction, runs of plain saves still in bulk.
///
/// A batch that fails closes its connection, so no half-finished transaction or dead socket
/// carries over to the next batch.
async fn write_batch(
    writer: &HeldConnection,
    ops: &[WriteOp],
    search: &SearchIndex,
    announce: Option<&str>,
) -> Result<Vec<Saved>, sqlx::Error> {
    writer
        .run(async |conn| write_on(conn, ops, search, announce).await)
        .await
}

async fn write_on(
    conn: &mut PgConnection,
    ops: &[WriteOp],
    search: &SearchIndex,
    announce: Option<&str>,
) -> Result<Vec<Saved>, sqlx::Error> {
    if announce.is_none() && ops.iter().all(bulkable) {
        return bulk_save(conn, ops, search).await;
    }
    let mut tx = conn.begin().await?;
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
    if let Some(token) = announce {
        let stored: Vec<EventId> = ops
            .iter()
            .zip(&out)
            .filter(|(_, saved)| **saved == Saved::Stored)
            .filter_map(|(op, _)| op.record().map(|r| r.event.id))
            .collect();
        super::notify::announce(&mut tx, token, &stored).await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// One round trip: duplicates, tombstones, vanished authors, current versions and deleted
/// addresses for every record of a run. Each address lookup is a LATERAL subquery with a
/// LIMIT, which the planner cannot flatten into a join, so it stays one index probe per
/// address even when table statistics are stale (a join would hash the whole table).
async fn known(conn: &mut PgConnection, records: &[&Record]) -> Result<Known, sqlx::Error> {
    let l = Lookup::new(records);
    let rows: Vec<KnownRow> = sqlx::query_as(
        "SELECT 'stored', id, NULL::bytea, NULL::int4, NULL::text, NULL::int8 FROM events WHERE id = ANY($1) \
         UNION ALL SELECT 'deleted', id, pubkey, NULL, NULL, NULL FROM deleted_events WHERE id = ANY($1) \
         UNION ALL SELECT 'vanished', NULL, pubkey, NULL, NULL, until FROM vanished_pubkeys WHERE pubkey = ANY($2) \
         UNION ALL SELECT 'version', e.id, e.pubkey, e.kind, e.d_tag, e.created_at \
           FROM UNNEST($3::bytea[], $4::int4[], $5::text[]) AS a(p, k, d), LATERAL \
           (SELECT * FROM events WHERE pubkey = a.p AND kind = a.k AND d_tag = a.d LIMIT 1) e \
         UNION ALL SELECT 'address-deleted', NULL, x.pubkey, x.kind, x.d_tag, x.until \
           FROM UNNEST($3::bytea[], $4::int4[], $5::text[]) AS a(p, k, d), LATERAL \
           (SELECT * FROM deleted_addresses WHERE pubkey = a.p AND kind = a.k AND d_tag = a.d LIMIT 1) x",
    )
    .bind(&l.ids)
    .bind(&l.authors)
    .bind(&l.address_pubkeys)
    .bind(&l.address_kinds)
    .bind(&l.address_ds)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Known::from_rows(rows))
}

/// Stores a run of plain saves in two round trips (see [`bulk`](super::bulk)).
async fn bulk_save(
    conn: &mut PgConnection,
    ops: &[WriteOp],
    search: &SearchIndex,
) -> Result<Vec<Saved>, sqlx::Error> {
    let records: Vec<&Record> = ops
        .iter()
        .filter_map(|op| op.record().map(|r| &**r))
        .collect();
    let plan = bulk::plan(&records, known(conn, &records).await?);
    if plan.is_empty() {
        return Ok(plan.outcomes);
    }
    let tags = plan.tag_columns();
    let fresh = &plan.fresh;
    // One statement for the whole run. The insert reads `gone`, so every replaced version is
    // deleted before the first new row meets the one-version-per-address unique index.
    sqlx::query(
        "WITH gone AS (DELETE FROM events WHERE id = ANY($13) RETURNING id), \
         stored AS (INSERT INTO events (id, pubkey, created_at, kind, d_tag, expires_at, json, search) \
           SELECT i, p, c, k, d, x, j, to_tsvector(s) FROM UNNEST($1::bytea[], $2::bytea[], $3::int8[], $4::int4[], $5::text[], $6::int8[], $7::text[], $14::text[]) \
             AS u(i, p, c, k, d, x, j, s) \
           WHERE (SELECT count(*) FROM gone) >= 0) \
         INSERT INTO event_tags (event_id, name, value, kind, created_at) \
           SELECT * FROM UNNEST($8::bytea[], $9::text[], $10::text[], $11::int4[], $12::int8[])",
    )
    .bind(fresh.iter().map(|r| r.event.id.as_bytes().as_slice()).collect::<Vec<_>>())
    .bind(fresh.iter().map(|r| r.event.pubkey.as_bytes().as_slice()).collect::<Vec<_>>())
    .bind(fresh.iter().map(|r| r.created_at()).collect::<Vec<_>>())
    .bind(fresh.iter().map(|r| i32::from(r.event.kind)).collect::<Vec<_>>())
    .bind(fresh.iter().map(|r| r.address_d()).collect::<Vec<_>>())
    .bind(fresh.iter().map(|r| r.expires_at).collect::<Vec<_>>())
    .bind(fresh.iter().map(|r| &*r.json).collect::<Vec<_>>())
    .bind(&tags.ids)
    .bind(&tags.names)
    .bind(&tags.values)
    .bind(&tags.kinds)
    .bind(&tags.times)
    .bind(&plan.replaced)
    .bind(fresh.iter().map(|r| search.document(&r.event)).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(plan.outcomes)
}

fn bind_all<'q, O>(
    mut q: QueryAs<'q, Postgres, O, PgArguments>,
    params: Vec<Param>,
) -> QueryAs<'q, Postgres, O, PgArguments> {
    for p in params {
        q = match p {
            Param::Int(v) => q.bind(v),
            Param::Kind(v) => q.bind(v),
            Param::Text(v) => q.bind(v),
            Param::Bytes(v) => q.bind(v),
            Param::KindList(v) => q.bind(v),
            Param::TextList(v) => q.bind(v),
            Param::BytesList(v) => q.bind(v),
        };
    }
    q
}

impl HotSource for PostgresStore {
    async fn ref_rows(&self, sql: Sql, reader: Reader<'_>) -> Result<Vec<RefRow>, StoreError> {
        self.rows(sql, reader).await
    }

    async fn hot_rows(&self, sql: Sql, reader: Reader<'_>) -> Result<Vec<HotRow>, StoreError> {
        self.rows(sql, reader).await
    }
}

#[async_trait::async_trait]
impl super::EventStore for PostgresStore {
    async fn write(&self, ops: &[WriteOp]) -> Result<Vec<Saved>, StoreError> {
        self.write_on(super::Lane::Events, ops).await
    }

    async fn write_on(&self, lane: super::Lane, ops: &[WriteOp]) -> Result<Vec<Saved>, StoreError> {
        let held = match lane {
            super::Lane::Events => &self.writer,
            super::Lane::Governance => &self.governance,
        };
        let saved =
            self.run(|| async move {
                write_batch(held, ops, &self.search, self.announce.as_deref()).await
            })
            .await?;
        self.hot.remember(super::stored_records(ops, &saved));
        Ok(saved)
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
                .query(self, filter, limit, now, ListStyle::Array, reader)
                .await?
        {
            return Ok(events);
        }
        let sql = crate::plan::select(filter, limit, now, ListStyle::Array);
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
            ListStyle::Array,
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
        let sql = crate::plan::scan(filter, after, limit, now, ListStyle::Array);
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
        let sql = crate::plan::count(&filters, now, ListStyle::Array, wraps);
        let rows: Vec<(i64,)> = self.rows(sql, reader).await?;
        Ok(rows
            .first()
            .map_or(0, |(n,)| u64::try_from(*n).unwrap_or(0)))
    }

    async fn reindex_search(&self) -> Result<Option<u64>, StoreError> {
        self.run(|| async move { super::search::reindex_postgres(&self.pool, &self.search).await })
            .await
    }

    async fn purge_expired(&self, now: u64) -> Result<u64, StoreError> {
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        self.run(|| async move {
            let done =
                sqlx::query("DELETE FROM events WHERE expires_at IS NOT NULL AND expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
            Ok(done.rows_affected())
        })
        .await
    }

    fn health(&self) -> &Health {
        &self.health
    }

    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        if let Some(replicas) = &self.replicas {
            replicas.close().await;
        }
        self.writer.close().await;
        self.governance.close().await;
        self.clients.close().await;
        self.pool.close().await;
    }
}

super::private::private_store_impl!(PostgresStore, pool);
