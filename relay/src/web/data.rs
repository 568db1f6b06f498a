//! What the page reads from the store, as a client reads it (see [`Visit`]): the decision
//! log, events by id, a proposal's discussion a page at a time, members' names and reports.
//! Every read is bounded in count; on a members-only relay, anonymous pages show only the
//! relay's own public record.

use std::collections::BTreeMap;

use governance::Decision;
use nips::{Event, EventId, Filter, PubKey};
use serde_json::json;

use super::Visit;
use super::cache::{DecisionLog, Shown};
use super::format::Names;
use crate::community::all;
use crate::relay::unix_now;
use crate::store::Reader;

/// Comments a proposal page shows at once; older ones are a link away.
pub const COMMENTS_PER_PAGE: u64 = 25;
/// People whose names one page looks up; the others are shown by key.
const MAX_NAMES: usize = 500;
/// Profiles read per query.
const NAMES_PER_QUERY: usize = 100;
/// Reports the reports page lists.
const MAX_REPORTS: u64 = 200;

/// One bounded client query (its `limit` is required). A failure fails the view.
async fn query(v: &Visit<'_>, filter: serde_json::Value) -> Vec<Event> {
    let Ok(filter) = Filter::from_value(&filter) else {
        v.fail();
        return Vec::new();
    };
    let limit = filter.limit.unwrap_or(1);
    let reader = Reader::Client {
        cancel: &v.cancel,
        wrote: None,
    };
    match v
        .relay
        .store
        .query(&filter, limit, unix_now(), reader)
        .await
    {
        Ok(rows) => rows
            .into_iter()
            .filter_map(|r| Event::from_json(&r.json).ok())
            .collect(),
        Err(e) => {
            tracing::debug!(error = %e, "a page could not read the store");
            v.fail();
            Vec::new()
        }
    }
}

/// Every decision, newest first, with its parsed form: the relay's own record, read again only
/// when it grew.
pub async fn decisions(v: &Visit<'_>) -> DecisionLog {
    let relay = v.relay;
    let count = relay.snapshot().decisions;
    let me = relay.community.pubkey().to_hex();
    let read = || async move {
        let filter = json!({"authors": [me], "kinds": [nips::cg::KIND_DECISION]});
        match all(&*relay.store, filter, unix_now()).await {
            Ok(events) => Some(
                events
                    .into_iter()
                    .filter_map(|e| Decision::parse(&e).ok().map(|d| (e, d)))
                    .collect(),
            ),
            Err(e) => {
                tracing::warn!(error = %e, "the page could not read the decision log");
                None
            }
        }
    };
    match v.pages.caches.decisions(count, read).await {
        Some(log) => log,
        None => {
            v.fail();
            DecisionLog::default()
        }
    }
}

/// Events by id (those the visitor may read).
pub async fn by_ids(v: &Visit<'_>, ids: &[EventId]) -> BTreeMap<EventId, Event> {
    if ids.is_empty() {
        return BTreeMap::new();
    }
    let hex: Vec<String> = ids.iter().map(EventId::to_hex).collect();
    let me = v.relay.community.pubkey();
    query(v, json!({"ids": hex, "limit": ids.len()}))
        .await
        .into_iter()
        .filter(|e| v.members || e.pubkey == me)
        .map(|e| (e.id, e))
        .collect()
}

/// One page of NIP-22 comments on a proposal: the newest [`COMMENTS_PER_PAGE`] dated at or
/// before `until`, oldest first, and whether older ones remain.
pub async fn comments(v: &Visit<'_>, proposal: &EventId, until: Option<u64>) -> (Vec<Event>, bool) {
    if !v.members {
        return (Vec::new(), false);
    }
    let mut filter =
        json!({"kinds": [1111], "#E": [proposal.to_hex()], "limit": COMMENTS_PER_PAGE + 1});
    if let Some(until) = until {
        filter["until"] = json!(until);
    }
    let mut found = query(v, filter).await;
    let more = found.len() as u64 > COMMENTS_PER_PAGE;
    found.truncate(COMMENTS_PER_PAGE as usize);
    found.reverse();
    (found, more)
}

/// One comment on `proposal` by id, whole.
pub async fn comment(v: &Visit<'_>, proposal: &EventId, id: &EventId) -> Option<Event> {
    if !v.members {
        return None;
    }
    let filter =
        json!({"ids": [id.to_hex()], "kinds": [1111], "#E": [proposal.to_hex()], "limit": 1});
    query(v, filter).await.into_iter().next()
}

/// Votes on a decided proposal, newest first, at most `limit`.
pub async fn votes(v: &Visit<'_>, proposal: &EventId, limit: u64) -> Vec<Event> {
    let filter =
        json!({"kinds": [nips::nip88::KIND_RESPONSE], "#e": [proposal.to_hex()], "limit": limit});
    query(v, filter).await
}

/// Names people gave themselves (kind 0 `display_name` or `name`), for at most
/// [`MAX_NAMES`] of `keys`; names read in the last minute are not read again.
pub async fn names(v: &Visit<'_>, keys: impl IntoIterator<Item = PubKey>) -> Names {
    let mut names = Names::new();
    if !v.members {
        return names;
    }
    let caches = &v.pages.caches;
    let mut wanted: Vec<PubKey> = keys.into_iter().collect();
    wanted.sort_unstable();
    wanted.dedup();
    wanted.truncate(MAX_NAMES);
    let missing = |names: &mut Names| -> Vec<PubKey> {
        wanted
            .iter()
            .filter(|k| match caches.name(k) {
                Some(found) => {
                    add(names, **k, found);
                    false
                }
                None => true,
            })
            .copied()
            .collect()
    };
    if missing(&mut names).is_empty() {
        return names;
    }
    // One view reads profiles at a time; the others then find most of them remembered.
    let _loading = caches.loading_names.lock().await;
    for chunk in missing(&mut names).chunks(NAMES_PER_QUERY) {
        let hex: Vec<String> = chunk.iter().map(PubKey::to_hex).collect();
        let profiles = query(
            v,
            json!({"kinds": [0], "authors": hex, "limit": chunk.len()}),
        )
        .await;
        if v.failed() {
            break;
        }
        for key in chunk {
            let found = profiles
                .iter()
                .find(|e| e.pubkey == *key)
                .and_then(|e| name_of(&e.content));
            add(&mut names, *key, found.clone());
            // A key without a profile is asked again next time: it may be someone who has
            // just joined and is giving themselves a name.
            if found.is_some() {
                caches.remember(*key, found);
            }
        }
    }
    names
}

/// The biggest picture a page shows from a profile (a data: URL), in bytes.
const MAX_PICTURE: usize = 16 * 1024;

fn add(names: &mut Names, key: PubKey, found: Option<Shown>) {
    if let Some((name, picture)) = found {
        names.insert(key, name);
        if let Some(p) = picture {
            names.set_picture(key, p);
        }
    }
}

/// The name a profile gives (64 characters at most), and its picture when it is kept inside
/// the profile (a small `data:image/…` URL).
fn name_of(content: &str) -> Option<Shown> {
    let profile: serde_json::Value = serde_json::from_str(content).ok()?;
    let name = ["display_name", "name"]
        .iter()
        .filter_map(|f| profile[f].as_str())
        .map(|n| n.trim().chars().take(64).collect::<String>())
        .find(|n| !n.is_empty())?;
    let picture = profile["picture"]
        .as_str()
        .filter(|p| {
            [
                "data:image/jpeg;base64,",
                "data:image/png;base64,",
                "data:image/webp;base64,",
            ]
            .iter()
            .any(|prefix| p.starts_with(prefix))
                && p.len() <= MAX_PICTURE
        })
        .map(str::to_owned);
    Some((name, picture))
}

/// Reports (NIP-56) of the last `days` days, newest first, at most [`MAX_REPORTS`].
pub async fn reports(v: &Visit<'_>, days: u64) -> Vec<Event> {
    if !v.members {
        return Vec::new();
    }
    let since = unix_now().saturating_sub(days * 86_400);
    query(
        v,
        json!({"kinds": [1984], "since": since, "limit": MAX_REPORTS}),
    )
    .await
}
