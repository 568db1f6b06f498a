//! Reading the community's public record from the store: every event a filter matches, and
//! the proposals and votes among them. Loading, reopening and reporting all read through here.

use governance::{Proposal, Vote};
use nips::{Event, Filter, cg, nip88};

use super::CommunityError;
use crate::store::{Reader, Store, StoredEvent};

/// Everything matching `filter`, newest first: all of it, unless the filter sets a `limit`.
pub async fn all(
    store: &dyn Store,
    filter: serde_json::Value,
    now: u64,
) -> Result<Vec<Event>, CommunityError> {
    let filter = Filter::from_value(&filter).map_err(|e| CommunityError::Genesis(e.to_string()))?;
    let limit = filter.limit.unwrap_or(i64::MAX as u64);
    let rows: Vec<StoredEvent> = store.query(&filter, limit, now, Reader::Relay).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Event::from_json(&r.json).ok())
        .collect())
}

/// Is `event` a governance proposal (a poll with a `gov` tag)?
pub(crate) fn is_proposal(event: &Event) -> bool {
    event.kind == nip88::KIND_POLL && event.has_tag(cg::TAG_GOV)
}

/// Votes among `events`.
pub(crate) fn votes(events: &[Event]) -> Vec<Vote> {
    events.iter().filter_map(Vote::parse).collect()
}

/// Proposals among `events` (malformed ones skipped).
pub(crate) fn parse_proposals(events: &[Event]) -> Vec<(Event, Proposal)> {
    events
        .iter()
        .filter(|e| is_proposal(e))
        .filter_map(|e| Proposal::parse(e).ok().flatten().map(|p| (e.clone(), p)))
        .collect()
}
