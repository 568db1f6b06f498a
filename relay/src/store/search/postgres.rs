//! Rebuilding PostgreSQL's search column when the indexed kinds or language change.

use sqlx::PgPool;

use super::{REINDEX_BATCH, SearchIndex, documents};

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
