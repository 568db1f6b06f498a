//! Live delivery: an index over every open subscription so a new event is tested only against
//! the filters that could match it (by id, author, tag value or kind), not against all of them.
//!
//! Matching runs on a task of its own ([`dispatch`]), fed in commit order: a poster's `OK`
//! never waits for the subscribers its event reaches. A search filter's query is parsed once
//! when it is opened, and an event's words are indexed at most once per event, however many
//! search filters test it.

use std::collections::HashMap;
use std::sync::Arc;

use governance::visibility::Visibility;
use nips::nip50::{Query, Words};
use nips::{Event, EventId, Filter, PubKey};
use parking_lot::RwLock;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::store::Record;

/// Identifies a connection.
pub type ConnId = u64;

/// A live event on its way to one subscription; the writer task renders the frame.
#[derive(Debug, Clone)]
pub struct LiveFrame {
    pub sub_id: Arc<str>,
    pub json: Arc<str>,
}

/// A connection's live queue. When it is full the connection is too slow: `lagged` fires and the
/// session drops the connection rather than buffering without bound.
#[derive(Debug)]
pub struct Subscriber {
    pub tx: mpsc::Sender<LiveFrame>,
    pub lagged: CancellationToken,
    /// Keys the connection authenticated as: a gift wrap goes only to its recipient.
    pub authed: RwLock<Arc<[PubKey]>>,
}

impl Subscriber {
    /// A subscriber for the queue `tx`, not yet authenticated.
    pub fn new(tx: mpsc::Sender<LiveFrame>) -> Self {
        Self {
            tx,
            lagged: CancellationToken::new(),
            authed: RwLock::new(Arc::from([])),
        }
    }
}

#[derive(Debug)]
struct Entry {
    conn: ConnId,
    sub_id: Arc<str>,
    filters: Vec<Filter>,
    /// Each filter's `search`, parsed once.
    searches: Vec<Search>,
    sink: Arc<Subscriber>,
}

/// A live filter's full-text condition.
#[derive(Debug)]
enum Search {
    /// No `search`, or one without terms: everything else decides.
    Any,
    Terms(Query),
    /// A query that does not parse (refused before a subscription opens) matches nothing.
    Never,
}

impl Search {
    fn of(f: &Filter) -> Self {
        match f.search.as_deref().map(Query::parse) {
            None => Search::Any,
            Some(Ok(q)) if q.is_empty() => Search::Any,
            Some(Ok(q)) => Search::Terms(q),
            Some(Err(_)) => Search::Never,
        }
    }
}

/// An event as the matcher tests it: its words are indexed on the first search filter that
/// asks, and then shared by every other.
struct Candidate<'a> {
    event: &'a Event,
    words: std::cell::OnceCell<Words>,
}

impl Candidate<'_> {
    fn matches(&self, entry: &Entry, i: usize) -> bool {
        entry.filters[i].matches_except_search(self.event)
            && match &entry.searches[i] {
                Search::Any => true,
                Search::Never => false,
                Search::Terms(q) => {
                    q.matches_words(self.words.get_or_init(|| Words::of(self.event)))
                }
            }
    }
}

type Bucket = Vec<(Arc<Entry>, usize)>;

/// Where one filter is indexed: under its most selective field.
enum Key {
    Ids(Vec<EventId>),
    Authors(Vec<PubKey>),
    Tag(char, Vec<String>),
    Kinds(Vec<u16>),
    Scan,
}

fn key_of(f: &Filter) -> Key {
    if let Some(ids) = &f.ids {
        Key::Ids(ids.clone())
    } else if let Some(authors) = &f.authors {
        Key::Authors(authors.clone())
    } else if let Some(t) = f.tags.first() {
        Key::Tag(t.name, t.values.clone())
    } else if let Some(kinds) = &f.kinds {
        Key::Kinds(kinds.clone())
    } else {
        Key::Scan
    }
}

#[derive(Default)]
struct Index {
    subs: HashMap<(ConnId, Arc<str>), Arc<Entry>>,
    by_id: HashMap<EventId, Bucket>,
    by_author: HashMap<PubKey, Bucket>,
    by_tag: HashMap<char, HashMap<String, Bucket>>,
    by_kind: HashMap<u16, Bucket>,
    scan: Bucket,
}

impl Index {
    fn insert(&mut self, entry: Arc<Entry>) {
        for (i, f) in entry.filters.iter().enumerate() {
            let item = || (entry.clone(), i);
            match key_of(f) {
                Key::Ids(ids) => ids
                    .into_iter()
                    .for_each(|k| self.by_id.entry(k).or_default().push(item())),
                Key::Authors(a) => a
                    .into_iter()
                    .for_each(|k| self.by_author.entry(k).or_default().push(item())),
                Key::Tag(name, values) => {
                    let by_value = self.by_tag.entry(name).or_default();
                    values
                        .into_iter()
                        .for_each(|v| by_value.entry(v).or_default().push(item()));
                }
                Key::Kinds(k) => k
                    .into_iter()
                    .for_each(|k| self.by_kind.entry(k).or_default().push(item())),
                Key::Scan => self.scan.push(item()),
            }
        }
        self.subs.insert((entry.conn, entry.sub_id.clone()), entry);
    }

    fn remove(&mut self, entry: &Arc<Entry>) {
        fn prune<K: std::hash::Hash + Eq>(
            map: &mut HashMap<K, Bucket>,
            key: &K,
            entry: &Arc<Entry>,
        ) {
            if let Some(bucket) = map.get_mut(key) {
                bucket.retain(|(e, _)| !Arc::ptr_eq(e, entry));
                if bucket.is_empty() {
                    map.remove(key);
                }
            }
        }
        for f in &entry.filters {
            match key_of(f) {
                Key::Ids(ids) => ids.iter().for_each(|k| prune(&mut self.by_id, k, entry)),
                Key::Authors(a) => a.iter().for_each(|k| prune(&mut self.by_author, k, entry)),
                Key::Tag(name, values) => {
                    if let Some(by_value) = self.by_tag.get_mut(&name) {
                        values.iter().for_each(|v| prune(by_value, v, entry));
                        if by_value.is_empty() {
                            self.by_tag.remove(&name);
                        }
                    }
                }
                Key::Kinds(k) => k.iter().for_each(|k| prune(&mut self.by_kind, k, entry)),
                Key::Scan => self.scan.retain(|(e, _)| !Arc::ptr_eq(e, entry)),
            }
        }
        self.subs.remove(&(entry.conn, entry.sub_id.clone()));
    }

    /// Subscriptions with a filter that matches `event`, each once.
    fn matching(&self, event: &Event) -> Vec<Arc<Entry>> {
        let candidate = Candidate {
            event,
            words: std::cell::OnceCell::new(),
        };
        let mut hits: Vec<Arc<Entry>> = Vec::new();
        let mut consider = |bucket: Option<&Bucket>| {
            for (entry, i) in bucket.into_iter().flatten() {
                if !hits.iter().any(|h| Arc::ptr_eq(h, entry)) && candidate.matches(entry, *i) {
                    hits.push(entry.clone());
                }
            }
        };
        consider(self.by_id.get(&event.id));
        consider(self.by_author.get(&event.pubkey));
        for tag in &event.tags {
            if let (Some(name), Some(value)) = (tag.first(), tag.get(1)) {
                let mut chars = name.chars();
                if let (Some(c), None) = (chars.next(), chars.next()) {
                    consider(self.by_tag.get(&c).and_then(|m| m.get(value.as_str())));
                }
            }
        }
        consider(self.by_kind.get(&event.kind));
        consider(Some(&self.scan));
        hits
    }
}

/// An event on its way to the matcher, with the visibility rules it was accepted under.
struct Delivery {
    record: Arc<Record>,
    visibility: Visibility,
}

/// The receiving end of a fan-out's queue, for [`dispatch`].
pub struct Queue(mpsc::Receiver<Delivery>);

/// All open subscriptions of the relay.
#[derive(Default)]
pub struct Fanout {
    index: RwLock<Index>,
    /// Where [`Fanout::send`] hands events to the matcher; without it, they are matched at once.
    queue: Option<mpsc::Sender<Delivery>>,
}

/// Matches what [`Fanout::send`] queued, in order, until `stop`.
pub async fn dispatch(fanout: Arc<Fanout>, mut queue: Queue, stop: CancellationToken) {
    loop {
        let delivery = tokio::select! {
            () = stop.cancelled() => return,
            d = queue.0.recv() => d,
        };
        let Some(Delivery { record, visibility }) = delivery else {
            return;
        };
        fanout.broadcast_visible(&record.event, &record.json, &visibility);
    }
}

impl Fanout {
    /// A fan-out whose matching runs on [`dispatch`] with the returned queue, at most
    /// `capacity` events behind the writers.
    pub fn queued(capacity: usize) -> (Self, Queue) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let fanout = Self {
            index: RwLock::default(),
            queue: Some(tx),
        };
        (fanout, Queue(rx))
    }

    /// Hands a committed (or ephemeral) event to the matcher, under the community's
    /// `visibility`. Returns at once unless the matcher is a whole queue behind, which only
    /// an overloaded relay sees: then the poster waits, rather than memory growing.
    pub async fn send(&self, record: &Arc<Record>, visibility: Visibility) {
        let delivery = Delivery {
            record: record.clone(),
            visibility,
        };
        match &self.queue {
            Some(tx) => {
                if let Err(mpsc::error::TrySendError::Full(d)) = tx.try_send(delivery) {
                    metrics::counter!("communitarium_fanout_queue_full_total").increment(1);
                    let _ = tx.send(d).await;
                }
            }
            None => {
                self.broadcast_visible(&record.event, &record.json, &visibility);
            }
        }
    }

    /// Opens (or replaces) subscription `sub_id` of `conn`.
    pub fn subscribe(
        &self,
        conn: ConnId,
        sub_id: Arc<str>,
        filters: Vec<Filter>,
        sink: Arc<Subscriber>,
    ) {
        let entry = Arc::new(Entry {
            conn,
            sub_id,
            searches: filters.iter().map(Search::of).collect(),
            filters,
            sink,
        });
        let mut index = self.index.write();
        if let Some(old) = index.subs.get(&(conn, entry.sub_id.clone())).cloned() {
            index.remove(&old);
        }
        index.insert(entry);
    }

    /// Closes subscription `sub_id` of `conn`, if open.
    pub fn unsubscribe(&self, conn: ConnId, sub_id: &str) {
        let mut index = self.index.write();
        if let Some(old) = index.subs.get(&(conn, Arc::from(sub_id))).cloned() {
            index.remove(&old);
        }
    }

    /// Closes every subscription of `conn`.
    pub fn remove_connection(&self, conn: ConnId) {
        let mut index = self.index.write();
        let mine: Vec<Arc<Entry>> = index
            .subs
            .values()
            .filter(|e| e.conn == conn)
            .cloned()
            .collect();
        for e in mine {
            index.remove(&e);
        }
    }

    /// Delivers `event` (serialized as `json`) to every matching subscription. Never waits: a
    /// full queue marks that connection as lagging instead.
    pub fn broadcast(&self, event: &Event, json: &Arc<str>) -> usize {
        self.broadcast_visible(event, json, &Visibility::default())
    }

    /// As [`Fanout::broadcast`], for a member's event under the community's `visibility`:
    /// a private reaction reaches only the subscribers it may (see [`Visibility::may_see`]).
    pub fn broadcast_visible(
        &self,
        event: &Event,
        json: &Arc<str>,
        visibility: &Visibility,
    ) -> usize {
        let mut hits = self.index.read().matching(event);
        if event.kind == nips::nip59::KIND_GIFT_WRAP {
            hits.retain(|e| nips::nip59::may_receive(event, &e.sink.authed.read()));
        }
        if !visibility.may_see(event, &[]) {
            hits.retain(|e| visibility.may_see(event, &e.sink.authed.read()));
        }
        for entry in &hits {
            let frame = LiveFrame {
                sub_id: entry.sub_id.clone(),
                json: json.clone(),
            };
            if entry.sink.tx.try_send(frame).is_err() && !entry.sink.lagged.is_cancelled() {
                entry.sink.lagged.cancel();
                metrics::counter!("communitarium_slow_consumers_dropped_total").increment(1);
            }
        }
        metrics::counter!("communitarium_live_deliveries_total").increment(hits.len() as u64);
        hits.len()
    }

    /// Number of open subscriptions.
    pub fn len(&self) -> usize {
        self.index.read().subs.len()
    }

    /// True when no subscription is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nips::Keys;
    use serde_json::json;

    fn sink(cap: usize) -> (Arc<Subscriber>, mpsc::Receiver<LiveFrame>) {
        let (tx, rx) = mpsc::channel(cap);
        (Arc::new(Subscriber::new(tx)), rx)
    }

    fn filters(v: serde_json::Value) -> Vec<Filter> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| Filter::from_value(f).unwrap())
            .collect()
    }

    fn received(rx: &mut mpsc::Receiver<LiveFrame>) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(f) = rx.try_recv() {
            out.push(f.sub_id.to_string());
        }
        out
    }

    #[test]
    fn delivers_to_matching_subscriptions_once() {
        let fanout = Fanout::default();
        let k = Keys::generate();
        let e = k.sign(10, 1, vec![vec!["t".into(), "rust".into()]], "hi".into());
        let json: Arc<str> = e.to_json().into();
        let (s, mut rx) = sink(16);
        let pk = k.pubkey().to_hex();
        fanout.subscribe(
            1,
            "by-author".into(),
            filters(json!([{"authors": [pk]}, {"kinds": [1]}])),
            s.clone(),
        );
        fanout.subscribe(
            1,
            "by-tag".into(),
            filters(json!([{"#t": ["rust"]}])),
            s.clone(),
        );
        fanout.subscribe(
            1,
            "wrong-kind".into(),
            filters(json!([{"#t": ["rust"], "kinds": [7]}])),
            s.clone(),
        );
        fanout.subscribe(1, "all".into(), filters(json!([{}])), s.clone());
        fanout.subscribe(
            1,
            "id".into(),
            filters(json!([{"ids": [e.id.to_hex()]}])),
            s.clone(),
        );
        fanout.subscribe(1, "old".into(), filters(json!([{"until": 5}])), s.clone());
        assert_eq!(fanout.broadcast(&e, &json), 4);
        let mut got = received(&mut rx);
        got.sort();
        assert_eq!(got, vec!["all", "by-author", "by-tag", "id"]);
    }

    #[test]
    fn replace_unsubscribe_and_disconnect() {
        let fanout = Fanout::default();
        let k = Keys::generate();
        let e = k.sign(10, 1, vec![], String::new());
        let json: Arc<str> = e.to_json().into();
        let (s, mut rx) = sink(16);
        fanout.subscribe(1, "s".into(), filters(json!([{"kinds": [1]}])), s.clone());
        fanout.subscribe(1, "s".into(), filters(json!([{"kinds": [7]}])), s.clone());
        assert_eq!(
            fanout.broadcast(&e, &json),
            0,
            "the re-used id replaced the old filters"
        );
        fanout.subscribe(2, "s".into(), filters(json!([{"kinds": [1]}])), s.clone());
        assert_eq!(fanout.len(), 2, "subscription ids are per connection");
        fanout.unsubscribe(2, "s");
        assert_eq!(fanout.broadcast(&e, &json), 0);
        fanout.subscribe(3, "a".into(), filters(json!([{}])), s.clone());
        fanout.subscribe(3, "b".into(), filters(json!([{}])), s.clone());
        fanout.remove_connection(3);
        assert_eq!(fanout.len(), 1);
        assert!(received(&mut rx).is_empty());
    }

    #[test]
    fn a_full_queue_marks_the_connection_lagging() {
        let fanout = Fanout::default();
        let k = Keys::generate();
        let (s, _rx) = sink(1);
        fanout.subscribe(1, "s".into(), filters(json!([{}])), s.clone());
        for i in 0..2 {
            let e = k.sign(i, 1, vec![], String::new());
            fanout.broadcast(&e, &e.to_json().into());
        }
        assert!(s.lagged.is_cancelled());
    }
}
