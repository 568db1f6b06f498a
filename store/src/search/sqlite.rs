//! Rebuilding SQLite's FTS5 index when the indexed kinds change.

use sqlx::{Connection, SqlitePool};

use super::{REINDEX_BATCH, SearchIndex, documents};

/// Brings the FTS5 index in line with `index`, unless it was already built for it; returns how
/// many events were read, `None` when nothing had to be done. Each batch is one short
/// transaction on the writer's connection, so event writes go on between batches.
pub(crate) async fn reindex(
    writer: &SqlitePool,
    index: &SearchIndex,
) -> Result<Option<u64>, sqlx::Error> {
    let signature = index.signature();
    let built: Option<(String,)> =
        sqlx::query_as("SELECT signature FROM search_settings WHERE id = 1")
            .fetch_optional(writer)
            .await?;
    if built.is_some_and(|(s,)| s == signature) {
        return Ok(None);
    }
    let mut last = 0i64;
    let mut read = 0u64;
    loop {
        let mut conn = writer.acquire().await?;
        let mut tx = conn.begin().await?;
        let rows: Vec<(i64, i32, String)> = sqlx::query_as(
            "SELECT rowid, kind, json FROM events WHERE rowid > $1 ORDER BY rowid LIMIT $2",
        )
        .bind(last)
        .bind(REINDEX_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let Some((rowid, ..)) = rows.last() else {
            break;
        };
        let first = last;
        last = *rowid;
        read += rows.len() as u64;
        let docs: Vec<(i64, String)> = documents(index, rows)
            .into_iter()
            .filter_map(|(rowid, doc)| Some((rowid, doc?)))
            .collect();
        sqlx::query("DELETE FROM event_search WHERE rowid > $1 AND rowid <= $2")
            .bind(first)
            .bind(last)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO event_search (rowid, doc) \
             SELECT value ->> 0, value ->> 1 FROM json_each($1)",
        )
        .bind(serde_json::to_string(&docs).map_err(|e| sqlx::Error::Encode(Box::new(e)))?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if read % 100_000 < REINDEX_BATCH as u64 {
            tracing::info!(events = read, "rebuilding the search index");
        }
    }
    sqlx::query(
        "INSERT INTO search_settings (id, signature) VALUES (1, $1) \
         ON CONFLICT (id) DO UPDATE SET signature = excluded.signature",
    )
    .bind(&signature)
    .execute(writer)
    .await?;
    Ok(Some(read))
}
