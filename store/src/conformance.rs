//! The one behaviour suite every [`EventStore`] backend must pass, run against SQLite and
//! PostgreSQL alike.

use std::sync::Arc;

use nips::{Event, Filter, Keys};
use serde_json::json;

use super::testdb::TestPostgres;
use tokio_util::sync::CancellationToken;

use super::{
    Claim, Effect, Invite, Options, PostgresStore, Reader, Record, Saved, SqliteStore, Store,
    StoredEvent, Wraps, WriteOp,
};

pub(crate) const NOW: u64 = 1_700_000_000;

/// A store under test plus whatever keeps its database alive.
pub(crate) struct Harness {
    pub store: Arc<dyn Store>,
    pub(crate) _pg: Option<TestPostgres>,
    _dir: Option<tempfile::TempDir>,
}

impl Harness {
    pub async fn sqlite() -> Self {
        Self::sqlite_with(options()).await
    }

    pub async fn sqlite_with(options: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db"), options)
            .await
            .unwrap();
        Self {
            store: Arc::new(store),
            _pg: None,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Self {
        Self::postgres_with(options()).await
    }

    pub async fn postgres_with(options: Options) -> Self {
        let pg = TestPostgres::create().await;
        let store = PostgresStore::connect(&pg.url, options).await.unwrap();
        Self {
            store: Arc::new(store),
            _pg: Some(pg),
            _dir: None,
        }
    }

    /// A second handle on the same database, as another node (or process) would have.
    pub async fn another(&self, options: Options) -> Arc<dyn Store> {
        match (&self._pg, &self._dir) {
            (Some(pg), _) => Arc::new(PostgresStore::connect(&pg.url, options).await.unwrap()),
            (None, Some(dir)) => Arc::new(
                SqliteStore::open(&dir.path().join("t.db"), options)
                    .await
                    .unwrap(),
            ),
            (None, None) => unreachable!("a harness holds a database"),
        }
    }

    /// Opens the same database again with `options`, as a restarted relay would.
    pub async fn reopen(&mut self, options: Options) {
        self.store.close().await;
        self.store = self.another(options).await;
    }
}

pub(crate) fn options() -> Options {
    Options {
        pool_size: 2,
        query_timeout: std::time::Duration::from_secs(10),
        ..Options::default()
    }
}

pub(crate) fn sign(keys: &Keys, at: u64, kind: u16, tags: &[&[&str]], content: &str) -> Event {
    let tags = tags
        .iter()
        .map(|t| t.iter().map(|s| s.to_string()).collect())
        .collect();
    keys.sign(at, kind, tags, content.to_string())
}

pub(crate) async fn save(store: &dyn Store, e: &Event) -> Saved {
    store
        .write(&[WriteOp::Save(Arc::new(Record::new(e.clone())))])
        .await
        .unwrap()[0]
}

pub(crate) async fn vanish(store: &dyn Store, e: &Event) -> Saved {
    store
        .write(&[WriteOp::Vanish(Arc::new(Record::new(e.clone())))])
        .await
        .unwrap()[0]
}

pub(crate) async fn query(store: &dyn Store, f: serde_json::Value) -> Vec<StoredEvent> {
    let f = Filter::from_value(&f).unwrap();
    let limit = f.limit.unwrap_or(500);
    let relays = store.query(&f, limit, NOW, Reader::Relay).await.unwrap();
    let never = CancellationToken::new();
    let clients = store
        .query(&f, limit, NOW, Reader::client(&never))
        .await
        .unwrap();
    assert_eq!(relays, clients, "the relay's and clients' reads agree");
    relays
}

pub(crate) async fn ids(store: &dyn Store, f: serde_json::Value) -> Vec<nips::EventId> {
    query(store, f).await.into_iter().map(|s| s.id).collect()
}

pub(crate) async fn count(store: &dyn Store, fs: serde_json::Value) -> u64 {
    let fs: Vec<Filter> = fs
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Filter::from_value(f).unwrap())
        .collect();
    let relays = store
        .count(&fs, NOW, Reader::Relay, Wraps::All)
        .await
        .unwrap();
    let never = CancellationToken::new();
    let clients = store
        .count(&fs, NOW, Reader::client(&never), Wraps::All)
        .await
        .unwrap();
    assert_eq!(relays, clients, "the relay's and clients' counts agree");
    relays
}

pub(crate) async fn stores_and_serves_verbatim(store: &dyn Store) {
    let k = Keys::generate();
    let e = sign(&k, NOW - 10, 1, &[&["t", "x"]], "hello \"world\"\n");
    assert_eq!(save(store, &e).await, Saved::Stored);
    let got = query(store, json!({"ids": [e.id.to_hex()]})).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json, e.to_json());
    assert_eq!(got[0].created_at, (NOW - 10) as i64);
    assert_eq!(Event::from_json(&got[0].json).unwrap(), e);
    // The same through a batch, with content and tags that need escaping on every path.
    let odd = "quote \" backslash \\ tab \t nul-ish \u{1} emoji 🦀 cjk 共同体 \u{2028}";
    let batch: Vec<Event> = (0..3)
        .map(|i| {
            sign(
                &k,
                NOW - 5 + i,
                1,
                &[&["t", odd], &["e", &"ab".repeat(32)]],
                &format!("{odd} {i}"),
            )
        })
        .collect();
    let ops: Vec<WriteOp> = batch
        .iter()
        .map(|e| WriteOp::Save(Arc::new(Record::new(e.clone()))))
        .collect();
    assert_eq!(store.write(&ops).await.unwrap(), vec![Saved::Stored; 3]);
    for e in &batch {
        let got = query(store, json!({"ids": [e.id.to_hex()]})).await;
        assert_eq!(got[0].json, e.to_json(), "served byte for byte");
    }
    assert_eq!(
        ids(store, json!({"#t": [odd]})).await.len(),
        3,
        "odd tag values are indexed as sent"
    );
}

pub(crate) async fn duplicates_are_reported(store: &dyn Store) {
    let k = Keys::generate();
    let e = sign(&k, NOW, 1, &[], "once");
    let r = Arc::new(Record::new(e.clone()));
    let out = store
        .write(&[WriteOp::Save(r.clone()), WriteOp::Save(r)])
        .await
        .unwrap();
    assert_eq!(out, vec![Saved::Stored, Saved::Duplicate]);
    assert_eq!(save(store, &e).await, Saved::Duplicate);
    assert_eq!(
        ids(store, json!({"authors": [k.pubkey().to_hex()]}))
            .await
            .len(),
        1
    );
}

pub(crate) async fn orders_newest_first_then_lowest_id(store: &dyn Store) {
    let k = Keys::generate();
    let mut same: Vec<Event> = (0..4)
        .map(|i| sign(&k, NOW - 5, 1, &[], &format!("tie {i}")))
        .collect();
    let old = sign(&k, NOW - 100, 1, &[], "old");
    let new = sign(&k, NOW - 1, 1, &[], "new");
    for e in same.iter().chain([&old, &new]) {
        save(store, e).await;
    }
    same.sort_by_key(|e| e.id);
    let mut expected = vec![new.id];
    expected.extend(same.iter().map(|e| e.id));
    expected.push(old.id);
    let pk = k.pubkey().to_hex();
    assert_eq!(ids(store, json!({"authors": [pk]})).await, expected);
    // limit keeps the newest, and ties resolve to the lowest ids.
    assert_eq!(
        ids(store, json!({"authors": [pk], "limit": 3})).await,
        expected[..3].to_vec()
    );
    assert!(
        ids(store, json!({"authors": [pk], "limit": 0}))
            .await
            .is_empty()
    );
}

pub(crate) async fn filters_by_every_field(store: &dyn Store) {
    let a = Keys::generate();
    let b = Keys::generate();
    let target = "e1".repeat(32);
    let note = sign(
        &a,
        NOW - 30,
        1,
        &[&["t", "nostr"], &["e", &target]],
        "a note",
    );
    let reaction = sign(
        &b,
        NOW - 20,
        7,
        &[&["e", &target], &["p", &a.pubkey().to_hex()]],
        "+",
    );
    let other = sign(
        &b,
        NOW - 10,
        1,
        &[&["t", "rust", "ignored"], &["t", "nostr"]],
        "b note",
    );
    for e in [&note, &reaction, &other] {
        assert_eq!(save(store, e).await, Saved::Stored);
    }
    let (pa, pb) = (a.pubkey().to_hex(), b.pubkey().to_hex());
    assert_eq!(ids(store, json!({"authors": [pa]})).await, vec![note.id]);
    assert_eq!(
        ids(store, json!({"authors": [pa, pb], "kinds": [1]})).await,
        vec![other.id, note.id]
    );
    assert_eq!(
        ids(store, json!({"kinds": [7], "authors": [pb]})).await,
        vec![reaction.id]
    );
    assert_eq!(
        ids(store, json!({"#e": [target]})).await,
        vec![reaction.id, note.id]
    );
    assert_eq!(
        ids(store, json!({"#e": [target], "kinds": [7]})).await,
        vec![reaction.id]
    );
    assert_eq!(
        ids(store, json!({"#t": ["nostr"], "authors": [pb]})).await,
        vec![other.id]
    );
    assert_eq!(
        ids(store, json!({"#t": ["rust", "nostr"]})).await,
        vec![other.id, note.id]
    );
    assert!(
        ids(store, json!({"#t": ["ignored"]})).await.is_empty(),
        "only first values are indexed"
    );
    assert_eq!(
        ids(store, json!({"#t": ["nostr"], "#e": [target]})).await,
        vec![note.id]
    );
    assert_eq!(
        ids(store, json!({"#p": [pa], "#e": [target]})).await,
        vec![reaction.id]
    );
    assert_eq!(
        ids(
            store,
            json!({"authors": [pa, pb], "since": NOW - 20, "until": NOW - 10})
        )
        .await,
        vec![other.id, reaction.id]
    );
    assert_eq!(
        ids(store, json!({"#e": [target], "until": NOW - 25})).await,
        vec![note.id]
    );
    assert_eq!(
        ids(
            store,
            json!({"ids": [note.id.to_hex(), other.id.to_hex()], "kinds": [1]})
        )
        .await,
        vec![other.id, note.id]
    );
    assert!(ids(store, json!({"ids": []})).await.is_empty());
    assert!(
        ids(store, json!({"authors": [pa], "kinds": [7]}))
            .await
            .is_empty()
    );
}

pub(crate) async fn replaceable_keeps_the_newest(store: &dyn Store) {
    let k = Keys::generate();
    let v1 = sign(&k, NOW - 20, 0, &[], "{\"name\":\"one\"}");
    let v2 = sign(&k, NOW - 10, 0, &[], "{\"name\":\"two\"}");
    assert_eq!(save(store, &v1).await, Saved::Stored);
    assert_eq!(save(store, &v2).await, Saved::Stored);
    assert_eq!(save(store, &v1).await, Saved::Superseded);
    let pk = k.pubkey().to_hex();
    assert_eq!(
        ids(store, json!({"authors": [pk], "kinds": [0]})).await,
        vec![v2.id]
    );
    // Equal timestamps: the lowest id wins, whichever arrives first.
    let mut ties: Vec<Event> = (0..3)
        .map(|i| sign(&k, NOW - 5, 10002, &[&["r", &format!("wss://{i}")]], ""))
        .collect();
    for e in &ties {
        save(store, e).await;
    }
    ties.sort_by_key(|e| e.id);
    assert_eq!(
        ids(store, json!({"authors": [pk], "kinds": [10002]})).await,
        vec![ties[0].id]
    );
    assert_eq!(save(store, &ties[2]).await, Saved::Superseded);
    // The replaced version's tags are gone from the tag index too.
    assert!(
        ids(store, json!({"#r": ["wss://1", "wss://2"]}))
            .await
            .iter()
            .all(|id| *id == ties[0].id)
    );
}

pub(crate) async fn addressable_is_keyed_by_d(store: &dyn Store) {
    let k = Keys::generate();
    let a1 = sign(&k, NOW - 20, 30023, &[&["d", "post"]], "v1");
    let a2 = sign(&k, NOW - 10, 30023, &[&["d", "post"]], "v2");
    let other = sign(&k, NOW - 30, 30023, &[&["d", "other"]], "x");
    let none = sign(&k, NOW - 30, 30023, &[], "no d");
    let empty = sign(&k, NOW - 25, 30023, &[&["d", ""]], "empty d");
    for e in [&a2, &a1, &other, &none, &empty] {
        save(store, e).await;
    }
    let pk = k.pubkey().to_hex();
    let got = ids(store, json!({"authors": [pk], "kinds": [30023]})).await;
    assert_eq!(
        got,
        vec![a2.id, empty.id, other.id],
        "missing d is the same address as empty d"
    );
    assert_eq!(ids(store, json!({"#d": ["post"]})).await, vec![a2.id]);
}

pub(crate) async fn deletion_by_id(store: &dyn Store) {
    let me = Keys::generate();
    let them = Keys::generate();
    let mine = sign(&me, NOW - 10, 1, &[], "mine");
    let theirs = sign(&them, NOW - 10, 1, &[], "theirs");
    save(store, &mine).await;
    save(store, &theirs).await;
    let del = sign(
        &me,
        NOW,
        5,
        &[
            &["e", &mine.id.to_hex()],
            &["e", &theirs.id.to_hex()],
            &["k", "1"],
        ],
        "oops",
    );
    assert_eq!(save(store, &del).await, Saved::Stored);
    assert!(
        ids(store, json!({"ids": [mine.id.to_hex()]}))
            .await
            .is_empty()
    );
    assert_eq!(
        ids(store, json!({"ids": [theirs.id.to_hex()]})).await,
        vec![theirs.id],
        "another author's event survives"
    );
    assert_eq!(
        ids(
            store,
            json!({"kinds": [5], "authors": [me.pubkey().to_hex()]})
        )
        .await,
        vec![del.id],
        "the request itself is kept"
    );
    assert_eq!(
        save(store, &mine).await,
        Saved::Deleted,
        "re-publication is refused"
    );
    // A deletion of a deletion has no effect.
    let undo = sign(&me, NOW, 5, &[&["e", &del.id.to_hex()]], "");
    save(store, &undo).await;
    assert_eq!(
        ids(store, json!({"ids": [del.id.to_hex()]})).await,
        vec![del.id]
    );
    // A deletion that arrives before its target still refuses the target later.
    let later = sign(&me, NOW - 1, 1, &[], "later");
    save(store, &sign(&me, NOW, 5, &[&["e", &later.id.to_hex()]], "")).await;
    assert_eq!(save(store, &later).await, Saved::Deleted);
}

pub(crate) async fn deletion_by_coordinate(store: &dyn Store) {
    let me = Keys::generate();
    let pk = me.pubkey().to_hex();
    let v1 = sign(&me, NOW - 20, 30023, &[&["d", "post"]], "v1");
    let keep = sign(&me, NOW - 20, 30023, &[&["d", "keep"]], "keep");
    save(store, &v1).await;
    save(store, &keep).await;
    let del = sign(&me, NOW - 15, 5, &[&["a", &format!("30023:{pk}:post")]], "");
    save(store, &del).await;
    assert_eq!(
        ids(store, json!({"authors": [pk], "kinds": [30023]})).await,
        vec![keep.id]
    );
    let older = sign(&me, NOW - 16, 30023, &[&["d", "post"]], "older");
    assert_eq!(save(store, &older).await, Saved::Deleted);
    let newer = sign(&me, NOW - 10, 30023, &[&["d", "post"]], "newer");
    assert_eq!(
        save(store, &newer).await,
        Saved::Stored,
        "versions after the deletion are welcome"
    );
    // Someone else's coordinate is ignored.
    let them = Keys::generate();
    let theirs = sign(&them, NOW - 20, 30023, &[&["d", "post"]], "theirs");
    save(store, &theirs).await;
    save(
        store,
        &sign(
            &me,
            NOW,
            5,
            &[&["a", &format!("30023:{}:post", them.pubkey())]],
            "",
        ),
    )
    .await;
    assert_eq!(
        ids(store, json!({"ids": [theirs.id.to_hex()]})).await,
        vec![theirs.id]
    );
}

pub(crate) async fn expired_events_are_never_served(store: &dyn Store) {
    let k = Keys::generate();
    let pk = k.pubkey().to_hex();
    let gone = sign(
        &k,
        NOW - 100,
        1,
        &[&["expiration", &(NOW - 1).to_string()], &["t", "x"]],
        "gone",
    );
    let live = sign(
        &k,
        NOW - 100,
        1,
        &[&["expiration", &(NOW + 100).to_string()]],
        "live",
    );
    save(store, &gone).await;
    save(store, &live).await;
    assert_eq!(ids(store, json!({"authors": [pk]})).await, vec![live.id]);
    assert!(ids(store, json!({"#t": ["x"]})).await.is_empty());
    assert_eq!(count(store, json!([{"authors": [pk]}])).await, 1);
    assert_eq!(store.purge_expired(NOW).await.unwrap(), 1);
    assert_eq!(store.purge_expired(NOW).await.unwrap(), 0);
    let all = store
        .query(
            &Filter::from_value(&json!({"authors": [pk]})).unwrap(),
            10,
            0,
            Reader::Relay,
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "the purge removed the expired row itself");
}

pub(crate) async fn vanish_erases_the_author(store: &dyn Store) {
    let me = Keys::generate();
    let other = Keys::generate();
    let pk = me.pubkey().to_hex();
    let old = sign(&me, NOW - 50, 1, &[], "old");
    let profile = sign(&me, NOW - 40, 0, &[], "{}");
    let del = sign(&me, NOW - 30, 5, &[&["e", &"00".repeat(32)]], "");
    let wrap = sign(&other, NOW - 45, 1059, &[&["p", &pk]], "sealed");
    let unrelated = sign(&other, NOW - 45, 1, &[&["p", &pk]], "mention");
    for e in [&old, &profile, &del, &wrap, &unrelated] {
        assert_eq!(save(store, e).await, Saved::Stored);
    }
    let request = sign(&me, NOW - 20, 62, &[&["relay", "ALL_RELAYS"]], "bye");
    assert_eq!(vanish(store, &request).await, Saved::Stored);
    assert_eq!(
        ids(store, json!({"authors": [pk]})).await,
        vec![request.id],
        "only the request remains"
    );
    assert!(
        ids(store, json!({"ids": [wrap.id.to_hex()]}))
            .await
            .is_empty(),
        "gift wraps to them are gone"
    );
    assert_eq!(
        ids(store, json!({"ids": [unrelated.id.to_hex()]})).await,
        vec![unrelated.id]
    );
    assert_eq!(
        save(store, &old).await,
        Saved::Vanished,
        "re-broadcast is refused"
    );
    let after = sign(&me, NOW - 10, 1, &[], "back");
    assert_eq!(
        save(store, &after).await,
        Saved::Stored,
        "later events are welcome"
    );
    assert_eq!(vanish(store, &request).await, Saved::Duplicate);
}

pub(crate) async fn counts_distinct_matches(store: &dyn Store) {
    let k = Keys::generate();
    let pk = k.pubkey().to_hex();
    for i in 0..5 {
        save(
            store,
            &sign(
                &k,
                NOW - i,
                if i % 2 == 0 { 1 } else { 7 },
                &[&["t", "c"]],
                "",
            ),
        )
        .await;
    }
    assert_eq!(count(store, json!([{"authors": [pk]}])).await, 5);
    assert_eq!(
        count(
            store,
            json!([{"authors": [pk], "kinds": [1]}, {"#t": ["c"]}])
        )
        .await,
        5,
        "OR'd filters count an event once"
    );
    assert_eq!(
        count(store, json!([{"authors": [pk], "kinds": [7]}])).await,
        2
    );
    assert_eq!(count(store, json!([{"ids": []}])).await, 0);
}

pub(crate) async fn long_tag_values_are_stored_unindexed(store: &dyn Store) {
    let k = Keys::generate();
    let long = "x".repeat(super::MAX_INDEXED_TAG_VALUE + 1);
    let e = sign(&k, NOW, 1, &[&["r", &long], &["t", "short"]], "");
    assert_eq!(save(store, &e).await, Saved::Stored);
    assert_eq!(ids(store, json!({"#t": ["short"]})).await, vec![e.id]);
}

pub(crate) async fn large_author_lists(store: &dyn Store) {
    let keys: Vec<Keys> = (0..3).map(|_| Keys::generate()).collect();
    for (i, k) in keys.iter().enumerate() {
        save(store, &sign(k, NOW - i as u64, 1, &[], "")).await;
    }
    let mut authors: Vec<String> = (0..2000).map(|i| format!("{:064x}", i)).collect();
    authors.extend(keys.iter().map(|k| k.pubkey().to_hex()));
    assert_eq!(ids(store, json!({"authors": authors})).await.len(), 3);
}

pub(crate) async fn invites_are_single_use_with_quota_and_expiry(store: &dyn Store) {
    let inviter = Keys::generate().pubkey();
    let invite = |n: u8, expires_at: u64| Invite {
        code_hash: [n; 32],
        inviter,
        created_at: NOW,
        expires_at,
    };
    assert!(
        store
            .mint_invite(&invite(1, NOW + 100), Some(2), NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .mint_invite(&invite(2, NOW + 100), Some(2), NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .mint_invite(&invite(3, NOW + 100), Some(2), NOW)
            .await
            .unwrap(),
        "quota of 2 open codes"
    );
    let unlimited = Invite {
        code_hash: [4; 32],
        inviter: Keys::generate().pubkey(),
        created_at: NOW,
        expires_at: NOW + 100,
    };
    assert!(
        store.mint_invite(&unlimited, None, NOW).await.unwrap(),
        "no quota"
    );
    let newcomer = Keys::generate().pubkey();
    assert_eq!(
        store.claim_invite(&[1; 32], &newcomer, NOW).await.unwrap(),
        Claim::Claimed { inviter }
    );
    assert_eq!(
        store.claim_invite(&[1; 32], &newcomer, NOW).await.unwrap(),
        Claim::Used
    );
    assert_eq!(
        store.claim_invite(&[9; 32], &newcomer, NOW).await.unwrap(),
        Claim::Unknown
    );
    assert_eq!(
        store
            .claim_invite(&[2; 32], &newcomer, NOW + 100)
            .await
            .unwrap(),
        Claim::Expired
    );
    assert!(
        store
            .mint_invite(&invite(5, NOW + 100), Some(2), NOW)
            .await
            .unwrap(),
        "a claimed code frees the quota"
    );
}

/// Applies `effect` alone and returns its outcome.
pub(crate) async fn effect(store: &dyn Store, effect: Effect) -> Saved {
    store.write(&[WriteOp::Effect(effect)]).await.unwrap()[0]
}

fn block(ip: &str, reason: &str) -> Effect {
    Effect::BlockIp {
        ip: ip.into(),
        reason: reason.into(),
        at: NOW as i64,
    }
}

pub(crate) async fn ip_blocks_persist(store: &dyn Store) {
    effect(store, block("10.0.0.1", "flood")).await;
    effect(store, block("2001:db8::1", "")).await;
    effect(store, block("10.0.0.1", "flood again")).await;
    let ips = store.blocked_ips().await.unwrap();
    assert_eq!(
        ips,
        vec![
            ("10.0.0.1".to_string(), "flood again".to_string()),
            ("2001:db8::1".to_string(), String::new())
        ]
    );
    let unblock = || Effect::UnblockIp {
        ip: "10.0.0.1".into(),
        at: NOW as i64,
    };
    assert_eq!(effect(store, unblock()).await, Saved::Stored);
    assert_eq!(
        effect(store, unblock()).await,
        Saved::Duplicate,
        "already lifted"
    );
    assert_eq!(store.blocked_ips().await.unwrap().len(), 1);
    assert_eq!(
        store.known_ips().await.unwrap().len(),
        2,
        "a lifted block is remembered"
    );
    effect(store, block("10.0.0.1", "back")).await;
    assert_eq!(store.blocked_ips().await.unwrap().len(), 2);
}

pub(crate) async fn quarantine_hides_and_restores(store: &dyn Store) {
    let k = Keys::generate();
    let e = sign(&k, NOW - 1, 1, &[&["t", "q"]], "questionable");
    save(store, &e).await;
    let quarantine = || Effect::Quarantine {
        id: e.id,
        at: NOW as i64,
    };
    assert_eq!(effect(store, quarantine()).await, Saved::Stored);
    assert_eq!(
        effect(store, quarantine()).await,
        Saved::Duplicate,
        "already gone"
    );
    assert!(ids(store, json!({"#t": ["q"]})).await.is_empty());
    assert_eq!(effect(store, Effect::Release(e.id)).await, Saved::Stored);
    assert_eq!(ids(store, json!({"#t": ["q"]})).await, vec![e.id]);
    assert_eq!(
        query(store, json!({"ids": [e.id.to_hex()]})).await[0].json,
        e.to_json(),
        "restored verbatim"
    );
    effect(store, quarantine()).await;
    assert_eq!(effect(store, Effect::Purge(e.id)).await, Saved::Stored);
    assert_eq!(effect(store, Effect::Release(e.id)).await, Saved::Duplicate);
    // Removed for good, whether stored or quarantined; and with the decision that removes it.
    save(store, &e).await;
    let decision = sign(&k, NOW, 8002, &[], "remove it");
    let done = store
        .write(&[
            WriteOp::Save(Arc::new(Record::new(decision.clone()))),
            WriteOp::Effect(Effect::Remove(e.id)),
        ])
        .await
        .unwrap();
    assert_eq!(done, vec![Saved::Stored, Saved::Stored]);
    assert!(ids(store, json!({"#t": ["q"]})).await.is_empty());
    assert_eq!(effect(store, Effect::Remove(e.id)).await, Saved::Duplicate);
}

/// No two decisions of one relay name the same `prev`: a forked chain is refused by the store
/// itself, whichever writer tries.
pub(crate) async fn decision_chain_cannot_fork(store: &dyn Store) {
    let relay = Keys::generate();
    let genesis = sign(&relay, NOW - 10, 8002, &[&["result", "genesis"]], "");
    let prev = genesis.id.to_hex();
    let one = sign(&relay, NOW - 5, 8002, &[&["prev", &prev]], "one");
    let fork = sign(&relay, NOW - 4, 8002, &[&["prev", &prev]], "fork");
    save(store, &genesis).await;
    save(store, &one).await;
    let refused = store
        .write(&[WriteOp::Save(Arc::new(Record::new(fork)))])
        .await;
    assert!(refused.is_err(), "a second decision after the same one");
    let next = sign(&relay, NOW - 3, 8002, &[&["prev", &one.id.to_hex()]], "two");
    assert_eq!(save(store, &next).await, Saved::Stored);
    let other = Keys::generate();
    let theirs = sign(
        &other,
        NOW - 3,
        8002,
        &[&["prev", &prev]],
        "another relay's",
    );
    assert_eq!(save(store, &theirs).await, Saved::Stored, "per relay key");
}

pub(crate) async fn mixed_batches_keep_order_and_outcomes(store: &dyn Store) {
    let (a, v) = (Keys::generate(), Keys::generate());
    let x = sign(&a, NOW - 50, 1, &[], "already stored");
    let y = sign(&a, NOW - 50, 1, &[], "deleted before it arrived");
    save(store, &x).await;
    save(store, &sign(&a, NOW - 40, 5, &[&["e", &y.id.to_hex()]], "")).await;
    let old = sign(&v, NOW - 60, 1, &[], "from before the vanish");
    vanish(
        store,
        &sign(&v, NOW - 30, 62, &[&["relay", "ALL_RELAYS"]], ""),
    )
    .await;
    let p1 = sign(&a, NOW - 20, 1, &[&["t", "batch"]], "p1");
    let p2 = sign(&a, NOW - 19, 1, &[&["t", "batch"]], "p2");
    let p3 = sign(&a, NOW - 18, 7, &[&["e", &p1.id.to_hex()]], "+");
    let profile = sign(&a, NOW - 17, 0, &[], "{}");
    let delete_p2 = sign(&a, NOW - 16, 5, &[&["e", &p2.id.to_hex()]], "");
    let newer_profile = sign(&a, NOW - 15, 0, &[], "{\"name\":\"a\"}");
    let list_v1 = sign(&a, NOW - 14, 30023, &[&["d", "post"]], "v1");
    let list_v2 = sign(&a, NOW - 13, 30023, &[&["d", "post"]], "v2");
    let other_d = sign(&a, NOW - 13, 30023, &[&["d", "other"]], "other");
    let batch = [
        &x,
        &y,
        &old,
        &p1,
        &p1,
        &profile,
        &p2,
        &delete_p2,
        &p3,
        &newer_profile,
        &profile,
        &list_v2,
        &list_v1,
        &other_d,
        &y,
    ];
    let ops: Vec<WriteOp> = batch
        .iter()
        .map(|e| WriteOp::Save(Arc::new(Record::new((*e).clone()))))
        .collect();
    let out = store.write(&ops).await.unwrap();
    use Saved::*;
    assert_eq!(
        out,
        vec![
            Duplicate, Deleted, Vanished, Stored, Duplicate, Stored, Stored, Stored, Stored,
            Stored, Superseded, Stored, Superseded, Stored, Deleted,
        ]
    );
    assert_eq!(
        ids(
            store,
            json!({"kinds": [0], "authors": [a.pubkey().to_hex()]})
        )
        .await,
        vec![newer_profile.id]
    );
    let mut lists = ids(store, json!({"kinds": [30023]})).await;
    lists.sort();
    let mut expected = vec![list_v2.id, other_d.id];
    expected.sort();
    assert_eq!(lists, expected, "one version per address");
    assert_eq!(
        ids(store, json!({"#t": ["batch"]})).await,
        vec![p1.id],
        "p2 was deleted later in the same batch"
    );
    assert_eq!(
        ids(store, json!({"#e": [p1.id.to_hex()]})).await,
        vec![p3.id],
        "tags of a bulk-stored event are indexed"
    );
    assert_eq!(save(store, &p2).await, Deleted);
}

/// Every query shape gives the same answer whichever condition drives it: tags with several
/// values, tags with authors, two tags, many authors.
pub(crate) async fn every_driver_agrees(store: &dyn Store) {
    let k = Keys::generate();
    let other = Keys::generate();
    let (a, b) = ("aa".repeat(32), "bb".repeat(32));
    let both = sign(
        &k,
        NOW - 3,
        7,
        &[&["e", &a], &["e", &b], &["t", "nostr"]],
        "+",
    );
    let one = sign(&k, NOW - 2, 1, &[&["e", &a], &["t", "nostr"]], "x");
    let elsewhere = sign(&other, NOW - 1, 1, &[&["t", "nostr"], &["p", &a]], "y");
    for e in [&both, &one, &elsewhere] {
        save(store, e).await;
    }
    let pk = k.pubkey().to_hex();
    assert_eq!(
        ids(store, json!({"#e": [a, b]})).await,
        vec![one.id, both.id],
        "an event matching two values comes once"
    );
    assert_eq!(count(store, json!([{"#e": [a, b]}])).await, 2);
    assert_eq!(
        ids(store, json!({"#e": [a, b], "kinds": [7]})).await,
        vec![both.id]
    );
    assert_eq!(
        ids(store, json!({"#t": ["nostr"], "authors": [pk]})).await,
        vec![one.id, both.id]
    );
    assert!(
        ids(
            store,
            json!({"#t": ["nostr"], "authors": ["cc".repeat(32)]})
        )
        .await
        .is_empty()
    );
    assert_eq!(
        ids(store, json!({"#t": ["nostr"], "#p": [a]})).await,
        vec![elsewhere.id]
    );
    let mut many: Vec<String> = (0..11).map(|i| format!("{i:02x}").repeat(32)).collect();
    many.push(pk);
    assert_eq!(
        ids(store, json!({"#e": [a], "authors": many})).await,
        vec![one.id, both.id]
    );
    assert_eq!(
        ids(store, json!({"#e": [a, b], "since": NOW - 2})).await,
        vec![one.id]
    );
    assert_eq!(
        count(store, json!([{"#e": [a, b]}, {"#t": ["nostr"]}])).await,
        3,
        "OR'd filters count each event once"
    );
}

/// The writer's two lanes commit at once (on PostgreSQL, on two connections) without losing or
/// doubling anything, and an event stored on one is a duplicate on the other.
pub(crate) async fn lanes_commit_side_by_side(store: &dyn Store) {
    use super::Lane;
    let k = Keys::generate();
    let batch = |kind: u16| -> Vec<WriteOp> {
        (0..20)
            .map(|i| {
                let e = sign(&k, NOW - 100 + i, kind, &[&["e", &"ab".repeat(32)]], "");
                WriteOp::Save(Arc::new(Record::new(e)))
            })
            .collect()
    };
    let (notes, votes) = (batch(1), batch(1018));
    let (a, b) = tokio::join!(
        store.write_on(Lane::Events, &notes),
        store.write_on(Lane::Governance, &votes)
    );
    assert_eq!(a.unwrap(), vec![Saved::Stored; 20]);
    assert_eq!(b.unwrap(), vec![Saved::Stored; 20]);
    let all = ids(store, json!({"authors": [k.pubkey().to_hex()]})).await;
    assert_eq!(all.len(), 40, "every event of both lanes is stored once");
    let again = store.write_on(Lane::Events, &votes[..1]).await.unwrap();
    assert_eq!(again, vec![Saved::Duplicate]);
}

/// Runs each named suite function on SQLite and on PostgreSQL.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let h = super::Harness::sqlite().await;
                    super::$name(&*h.store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let h = super::Harness::postgres().await;
                    super::$name(&*h.store).await;
                }
            )*
        }
    };
}

pub(crate) use conformance;

conformance!(
    stores_and_serves_verbatim,
    duplicates_are_reported,
    orders_newest_first_then_lowest_id,
    filters_by_every_field,
    replaceable_keeps_the_newest,
    addressable_is_keyed_by_d,
    deletion_by_id,
    deletion_by_coordinate,
    expired_events_are_never_served,
    vanish_erases_the_author,
    counts_distinct_matches,
    long_tag_values_are_stored_unindexed,
    large_author_lists,
    invites_are_single_use_with_quota_and_expiry,
    ip_blocks_persist,
    quarantine_hides_and_restores,
    decision_chain_cannot_fork,
    mixed_batches_keep_order_and_outcomes,
    every_driver_agrees,
    lanes_commit_side_by_side,
);
