//! Hot events: a bounded in-process cache of stored events by id, and the two-step read that
//! uses it. An event's id is the hash of its content, so an entry never goes stale and needs
//! no invalidation: the database still decides *which* events match, from its indexes alone
//! (ids in order, without reading the events' rows), and only events not cached are fetched.
//! On a tag query that is most of the database's work: the row lookups and the JSON.
//!
//! Exactness is kept by falling back to the one-step query whenever the two steps could
//! disagree with it: an event of the answer has expired but is not yet purged (the index
//! step does not read expiration), or an id vanished between the steps.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use nips::{EventId, Filter};
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::sql::{self, ListStyle, Sql};
use super::{Reader, Record, StoreError, StoredEvent};

/// Bookkeeping per cached event besides its JSON: the entry, the key and the cache's slot.
const ENTRY_OVERHEAD: u64 = 96;

/// Rows of `(created_at, id)`: what the index step returns.
pub(crate) type RefRow = (i64, Vec<u8>);

/// Rows of `(created_at, id, kind, expires_at, json)`: what the fetch step returns.
pub(crate) type HotRow = (i64, Vec<u8>, i32, Option<i64>, String);

/// A backend's two steps, on the connections `reader` selects.
pub(crate) trait HotSource: Sync {
    fn ref_rows(
        &self,
        sql: Sql,
        reader: Reader<'_>,
    ) -> impl Future<Output = Result<Vec<RefRow>, StoreError>> + Send;

    fn hot_rows(
        &self,
        sql: Sql,
        reader: Reader<'_>,
    ) -> impl Future<Output = Result<Vec<HotRow>, StoreError>> + Send;
}

/// One cached event.
#[derive(Debug, Clone)]
struct Hot {
    created_at: i64,
    kind: u16,
    expires_at: Option<i64>,
    json: Arc<str>,
}

impl Hot {
    fn served(&self, id: EventId) -> StoredEvent {
        StoredEvent {
            created_at: self.created_at,
            id,
            kind: self.kind,
            json: self.json.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct ByBytes;

impl Weighter<EventId, Hot> for ByBytes {
    fn weight(&self, _: &EventId, hot: &Hot) -> u64 {
        hot.json.len() as u64 + ENTRY_OVERHEAD
    }
}

/// The cache, bounded by the bytes of JSON it holds (`server.event_cache_mb`); empty when the
/// bound is 0, and every read then takes one step.
#[derive(Debug, Clone)]
pub struct HotEvents {
    cache: Option<Arc<Cache<EventId, Hot, ByBytes>>>,
}

impl HotEvents {
    pub fn new(bytes: u64) -> Self {
        let cache = (bytes > 0).then(|| {
            // A typical event's JSON is under 1 KB; the estimate only sizes the table.
            let items = usize::try_from(bytes / 1024).unwrap_or(usize::MAX).max(16);
            Arc::new(Cache::with_weighter(items, bytes, ByBytes))
        });
        Self { cache }
    }

    /// Remembers events the writer just committed: the newest events are the most read.
    pub fn remember(&self, records: impl Iterator<Item = Arc<Record>>) {
        let Some(cache) = &self.cache else { return };
        for r in records {
            let hot = Hot {
                created_at: r.created_at(),
                kind: r.event.kind,
                expires_at: r.expires_at,
                json: r.json.clone(),
            };
            cache.insert(r.event.id, hot);
        }
    }

    /// How many events and bytes the cache holds.
    pub fn usage(&self) -> (usize, u64) {
        self.cache
            .as_ref()
            .map_or((0, 0), |c| (c.len(), c.weight()))
    }

    /// The newest `limit` events matching `f` in two steps, or `None` when this filter (or
    /// this answer) needs the one-step query.
    pub(crate) async fn query<S: HotSource>(
        &self,
        source: &S,
        f: &Filter,
        limit: u64,
        now: u64,
        style: ListStyle,
        reader: Reader<'_>,
    ) -> Result<Option<Vec<StoredEvent>>, StoreError> {
        let Some(cache) = &self.cache else {
            return Ok(None);
        };
        let Some(refs_sql) = crate::plan::refs(f, limit, style) else {
            return Ok(None);
        };
        let refs = source.ref_rows(refs_sql, reader).await?;
        let mut found: Vec<(EventId, Option<Hot>)> = Vec::with_capacity(refs.len());
        let mut missing: HashMap<EventId, usize> = HashMap::new();
        for (_, id) in refs {
            let id =
                EventId::from_slice(&id).ok_or_else(|| StoreError::Corrupt(hex::encode(&id)))?;
            let hot = cache.get(&id);
            if hot.is_none() {
                missing.insert(id, found.len());
            }
            found.push((id, hot));
        }
        metrics::counter!("communitarium_event_cache_total", "outcome" => "hit")
            .increment((found.len() - missing.len()) as u64);
        metrics::counter!("communitarium_event_cache_total", "outcome" => "miss")
            .increment(missing.len() as u64);
        if !missing.is_empty() {
            let ids: Vec<EventId> = missing.keys().copied().collect();
            let rows = source
                .hot_rows(crate::plan::by_ids(&ids, style), reader)
                .await?;
            for (created_at, id, kind, expires_at, json) in rows {
                let (Some(id), Ok(kind)) = (EventId::from_slice(&id), u16::try_from(kind)) else {
                    return Err(StoreError::Corrupt(json));
                };
                let hot = Hot {
                    created_at,
                    kind,
                    expires_at,
                    json: json.into(),
                };
                cache.insert(id, hot.clone());
                if let Some(&at) = missing.get(&id) {
                    found[at].1 = Some(hot);
                }
            }
        }
        Ok(served(found, now))
    }
}

/// The answer in the index's order, or `None` if an id was not found or an event expired.
fn served(found: Vec<(EventId, Option<Hot>)>, now: u64) -> Option<Vec<StoredEvent>> {
    let now = sql::clamp(now);
    let mut events = Vec::with_capacity(found.len());
    for (id, hot) in found {
        let hot = hot?;
        if hot.expires_at.is_some_and(|at| at <= now) {
            return None;
        }
        events.push(hot.served(id));
    }
    Some(events)
}

#[cfg(test)]
mod tests {
    use nips::Keys;

    use super::*;
    use crate::conformance::sign;

    fn record(keys: &Keys, at: u64, tags: &[&[&str]], content: &str) -> Arc<Record> {
        Arc::new(Record::new(sign(keys, at, 1, tags, content)))
    }

    fn found(hot: &HotEvents, r: &Record) -> (EventId, Option<Hot>) {
        let cache = hot.cache.as_ref().unwrap();
        (r.event.id, cache.get(&r.event.id))
    }

    #[test]
    fn committed_events_are_served_from_memory_in_the_index_order() {
        let keys = Keys::generate();
        let hot = HotEvents::new(1 << 20);
        let (a, b) = (record(&keys, 10, &[], "a"), record(&keys, 20, &[], "b"));
        hot.remember([a.clone(), b.clone()].into_iter());
        assert_eq!(hot.usage().0, 2);
        let served = served(vec![found(&hot, &b), found(&hot, &a)], 100).unwrap();
        assert_eq!(served[0].json, &*b.json);
        assert_eq!(served[1].id, a.event.id);
        assert_eq!((served[1].created_at, served[1].kind), (10, 1));
    }

    #[test]
    fn an_expired_or_absent_event_sends_the_read_the_exact_way() {
        let keys = Keys::generate();
        let hot = HotEvents::new(1 << 20);
        let expiring = record(&keys, 10, &[&["expiration", "50"]], "soon gone");
        let lasting = record(&keys, 20, &[], "stays");
        hot.remember([expiring.clone()].into_iter());
        assert!(served(vec![found(&hot, &expiring)], 49).is_some());
        assert!(served(vec![found(&hot, &expiring)], 50).is_none());
        assert!(served(vec![found(&hot, &lasting)], 10).is_none());
    }

    #[test]
    fn the_cache_stays_within_its_bytes() {
        let keys = Keys::generate();
        let bound = 64 << 10;
        let hot = HotEvents::new(bound);
        let text = "x".repeat(1000);
        hot.remember((0..1_000).map(|i| record(&keys, i, &[], &text)));
        let (events, bytes) = hot.usage();
        assert!(bytes <= bound, "{bytes} bytes held, bound {bound}");
        assert!(events > 10 && events < 100, "{events} events held");
    }

    #[test]
    fn a_zero_bound_holds_nothing() {
        let keys = Keys::generate();
        let hot = HotEvents::new(0);
        hot.remember([record(&keys, 1, &[], "a")].into_iter());
        assert_eq!(hot.usage(), (0, 0));
    }
}
