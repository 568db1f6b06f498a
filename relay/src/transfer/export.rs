//! `communitarium export`: every event a filter selects, one JSON object per line, oldest
//! first (so an import stores history in the order it happened), the relay's own records
//! included. Streamed a page at a time, so memory stays flat
//! however many events there are.

use nips::Filter;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::{Progress, TransferError};
use crate::store::{Reader, Store, Wraps};

/// Events read per page.
const PAGE: u64 = 1_000;

/// Writes the events `filter` selects to `out`; returns how many.
pub async fn export<W: AsyncWrite + Unpin>(
    store: &dyn Store,
    filter: &Filter,
    out: &mut W,
    progress: &Progress,
) -> Result<u64, TransferError> {
    let now = crate::relay::unix_now();
    let mut after = None;
    let mut written = 0u64;
    loop {
        let page = store.scan(filter, after, PAGE, now).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.created_at, last.id));
        let mut chunk = String::with_capacity(page.iter().map(|e| e.json.len() + 1).sum());
        for e in &page {
            chunk.push_str(&e.json);
            chunk.push('\n');
        }
        out.write_all(chunk.as_bytes()).await?;
        written += page.len() as u64;
        progress.advance(page.len() as u64);
    }
    out.flush().await?;
    Ok(written)
}

/// How many events `filter` selects, for the progress bar.
pub async fn total(store: &dyn Store, filter: &Filter) -> Result<u64, TransferError> {
    let mut f = filter.clone();
    f.limit = None;
    Ok(store
        .count(&[f], crate::relay::unix_now(), Reader::Relay, Wraps::All)
        .await?)
}
