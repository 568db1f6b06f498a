//! PostgreSQL's search: choosing how to find the newest matches, and rebuilding the search
//! column when the indexed kinds or language change.

use nips::Filter;
use nips::nip50::Query;
use sqlx::PgPool;
use std::sync::atomic::{AtomicU32, Ordering};

use super::{
    PROBE_WINDOW, RANK_WINDOW, REINDEX_BATCH, SearchIndex, documents, push_conditions, tsquery,
    tsquery_words,
};
use crate::sql::{Param, Sql};

/// How much more reading an event costs when walking time (a random read) than when the word
/// index hands the events over in storage order; measured at 1M events (BENCHMARKS.md).
/// Tests lower it to take the walking arm on a small store.
static WALK_COST: AtomicU32 = AtomicU32::new(4);

/// Makes every later search that is neither common nor absent from the sample walk time, as
/// only a large store would; each arm must find the same events.
#[cfg(test)]
pub(crate) fn prefer_walking() {
    WALK_COST.store(0, Ordering::Relaxed);
}

/// Appends the newest matches' query, found the cheap way for the term at hand whatever the
/// planner's statistics say. The newest [`PROBE_WINDOW`] events meeting the other conditions
/// are read by time first, a sample of how often the search matches (`hits`) and how often
/// all its words appear (`near`, what the word index selects before phrases are checked):
/// - a full window of hits (a common term): those are the newest matches;
/// - otherwise the cheaper of walking time on (reading about `WINDOW / hit rate` events) and
///   the word index (reading every event with all the words, about `events × near rate`).
///
/// Walking time for a rare term, or the index for a common one, would read most of the store.
/// The choice is made once (`way`); the arms not taken are skipped.
pub(super) fn select(sql: &mut Sql, f: &Filter, q: &Query, now: u64) {
    sql.push("WITH recent AS MATERIALIZED (SELECT e.created_at, e.id, e.search @@ to_tsquery(");
    sql.bind(Param::Text(tsquery(q)));
    let at = sql.params.len();
    sql.push(") AS hit, e.search @@ to_tsquery(")
        .bind(Param::Text(tsquery_words(q)))
        .push(") AS near FROM events e WHERE e.search IS NOT NULL");
    push_conditions(sql, f, now);
    let (p, w) = (PROBE_WINDOW, RANK_WINDOW);
    let cost = WALK_COST.load(Ordering::Relaxed);
    sql.push(&format!(
        " ORDER BY e.created_at DESC, e.id ASC LIMIT {p}), \
         probe AS MATERIALIZED (SELECT created_at, id FROM recent WHERE hit \
         ORDER BY created_at DESC, id ASC LIMIT {w}), \
         sample AS (SELECT count(*) AS read, count(*) FILTER (WHERE hit) AS hits, \
         count(*) FILTER (WHERE near) AS near, (SELECT reltuples FROM pg_class \
         WHERE oid = 'events'::regclass) AS stored FROM recent), \
         choice AS MATERIALIZED (SELECT CASE WHEN hits >= {w} OR read < {p} THEN 'probe' \
         WHEN hits > 0 AND {cost}.0 * {w} * {p} * {p} < GREATEST(stored, read) * near * hits \
         THEN 'walk' ELSE 'index' END AS way FROM sample), \
         hits AS (SELECT created_at, id FROM probe WHERE (SELECT way FROM choice) = 'probe' \
         UNION ALL (SELECT e.created_at, e.id FROM events e WHERE e.search IS NOT NULL \
         AND ts_match_vq(e.search, to_tsquery(${at})) AND (SELECT way FROM choice) = 'walk'"
    ));
    // Above, the function, not the operator: the word index cannot serve it, so time is walked.
    push_conditions(sql, f, now);
    sql.push(&format!(
        " ORDER BY e.created_at DESC, e.id ASC LIMIT {w}) UNION ALL \
         (SELECT e.created_at, e.id FROM events e WHERE e.search @@ to_tsquery(${at}) \
         AND (SELECT way FROM choice) = 'index'"
    ));
    push_conditions(sql, f, now);
    // `+ 0`: sorting the index's matches, never walking the time index for a rare term.
    sql.push(&format!(
        " ORDER BY e.created_at + 0 DESC, e.id ASC LIMIT {w})) \
         SELECT e.created_at, e.id, e.kind, e.json FROM hits h JOIN events e ON e.id = h.id \
         ORDER BY ts_rank_cd(e.search, to_tsquery(${at}), 1) DESC, e.created_at DESC, \
         e.id ASC LIMIT "
    ));
}

/// Brings every stored event's `search` column in line with `index`, unless it was already
/// built for it; returns how many events were read, `None` when nothing had to be done. Runs
/// beside the writer: events stored meanwhile are already indexed the new way, and an event
/// deleted meanwhile is simply not updated. The pool's connections must use `index.language`
/// as their text search configuration.
pub(crate) async fn reindex(
    pool: &PgPool,
    index: &SearchIndex,
) -> Result<Option<u64>, sqlx::Error> {
    let signature = index.signature();
    let built: Option<(String,)> =
        sqlx::query_as("SELECT signature FROM search_settings WHERE id = 1")
            .fetch_optional(pool)
            .await?;
    if built.is_some_and(|(s,)| s == signature) {
        return Ok(None);
    }
    let mut last: Vec<u8> = Vec::new();
    let mut read = 0u64;
    loop {
        let rows: Vec<(Vec<u8>, i32, String)> =
            sqlx::query_as("SELECT id, kind, json FROM events WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(&last)
                .bind(REINDEX_BATCH)
                .fetch_all(pool)
                .await?;
        let Some((id, ..)) = rows.last() else { break };
        last = id.clone();
        read += rows.len() as u64;
        let (ids, docs): (Vec<Vec<u8>>, Vec<Option<String>>) =
            documents(index, rows).into_iter().unzip();
        sqlx::query(
            "UPDATE events e SET search = to_tsvector(u.doc) \
             FROM UNNEST($1::bytea[], $2::text[]) AS u(id, doc) \
             WHERE e.id = u.id AND e.search IS DISTINCT FROM to_tsvector(u.doc)",
        )
        .bind(&ids)
        .bind(&docs)
        .execute(pool)
        .await?;
        if read % 100_000 < REINDEX_BATCH as u64 {
            tracing::info!(events = read, "rebuilding the search index");
        }
    }
    sqlx::query(
        "INSERT INTO search_settings (id, signature) VALUES (1, $1) \
         ON CONFLICT (id) DO UPDATE SET signature = excluded.signature",
    )
    .bind(&signature)
    .execute(pool)
    .await?;
    Ok(Some(read))
}
