//! What the page reads from the store, through the relay's own reads: the decision log,
//! events by id, a proposal's discussion, members' names and reports. On a members-only relay,
//! anonymous pages show only the relay's own public record.

use std::collections::BTreeMap;

use governance::Decision;
use nips::{Event, EventId, PubKey};
use serde_json::json;

use super::Visit;
use super::format::Names;
use crate::community::all;
use crate::relay::{Relay, unix_now};

async fn query(relay: &Relay, filter: serde_json::Value) -> Vec<Event> {
    match all(&*relay.store, filter, unix_now()).await {
        Ok(events) => events,
        Err(e) => {
            tracing::warn!(error = %e, "the page could not read the store");
            Vec::new()
        }
    }
}

/// Every decision, newest first, with its parsed form.
pub async fn decisions(relay: &Relay) -> Vec<(Event, Decision)> {
    let me = relay.community.pubkey().to_hex();
    query(
        relay,
        json!({"authors": [me], "kinds": [nips::cg::KIND_DECISION]}),
    )
    .await
    .into_iter()
    .filter_map(|e| Decision::parse(&e).ok().map(|d| (e, d)))
    .collect()
}

/// Events by id (those the visitor may read).
pub async fn by_ids(v: &Visit<'_>, ids: &[EventId]) -> BTreeMap<EventId, Event> {
    let relay = v.relay;
    if ids.is_empty() {
        return BTreeMap::new();
    }
    let hex: Vec<String> = ids.iter().map(EventId::to_hex).collect();
    let me = relay.community.pubkey();
    query(relay, json!({"ids": hex}))
        .await
        .into_iter()
        .filter(|e| v.members || e.pubkey == me)
        .map(|e| (e.id, e))
        .collect()
}

/// NIP-22 comments on a proposal, oldest first.
pub async fn comments(v: &Visit<'_>, proposal: &EventId) -> Vec<Event> {
    let relay = v.relay;
    if !v.members {
        return Vec::new();
    }
    let mut found = query(
        relay,
        json!({"kinds": [1111], "#E": [proposal.to_hex()], "limit": 2000}),
    )
    .await;
    found.reverse();
    found
}

/// Names people gave themselves (kind 0 `display_name` or `name`), for `keys`.
pub async fn names(v: &Visit<'_>, keys: impl IntoIterator<Item = PubKey>) -> Names {
    let relay = v.relay;
    let keys: Vec<String> = keys.into_iter().map(|k| k.to_hex()).collect();
    if keys.is_empty() || !v.members {
        return Names::new();
    }
    let mut names = Names::new();
    for chunk in keys.chunks(1_000) {
        for e in query(relay, json!({"kinds": [0], "authors": chunk})).await {
            let profile: serde_json::Value = serde_json::from_str(&e.content).unwrap_or_default();
            let name = ["display_name", "name"]
                .iter()
                .filter_map(|f| profile[f].as_str())
                .map(|n| n.trim().chars().take(64).collect::<String>())
                .find(|n| !n.is_empty());
            if let Some(name) = name {
                names.insert(e.pubkey, name);
            }
        }
    }
    names
}

/// Reports (NIP-56) of the last `days` days, newest first.
pub async fn reports(v: &Visit<'_>, days: u64) -> Vec<Event> {
    let relay = v.relay;
    if !v.members {
        return Vec::new();
    }
    let since = unix_now().saturating_sub(days * 86_400);
    query(
        relay,
        json!({"kinds": [1984], "since": since, "limit": 500}),
    )
    .await
}
