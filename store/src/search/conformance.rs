//! NIP-50 search, the same on both stores: words and phrases, ranking, every other filter
//! field, and nothing deleted ever found.

use nips::Keys;
use serde_json::json;

use crate::conformance::{
    Harness, NOW, conformance, count, ids, options, query, save, sign, vanish,
};
use std::sync::Arc;

use crate::search::{PROBE_WINDOW, RANK_WINDOW};
use crate::{Effect, Options, Record, SearchIndex, Store, WriteOp};

pub(crate) async fn words_phrases_and_accents(store: &dyn Store) {
    let k = Keys::generate();
    let fox = sign(&k, NOW - 10, 1, &[], "The quick brown fox jumps");
    let reversed = sign(&k, NOW - 9, 1, &[], "brown, then quick");
    let cafe = sign(&k, NOW - 8, 1, &[], "Un CAFÉ crème, s'il vous plaît");
    let reaction = sign(&k, NOW - 7, 7, &[], "quick brown fox");
    let profile = sign(
        &k,
        NOW - 6,
        0,
        &[],
        r#"{"name":"Zoë","about":"gardener","picture":"https://quick.example/fox.png"}"#,
    );
    for e in [&fox, &reversed, &cafe, &reaction, &profile] {
        save(store, e).await;
    }
    let found = |q: &'static str| ids(store, json!({"search": q}));
    let mut both = found("QUICK brown").await;
    both.sort();
    let mut expected = vec![fox.id, reversed.id];
    expected.sort();
    assert_eq!(
        both, expected,
        "every word, any order; kind 7 is not indexed"
    );
    assert_eq!(found("\"quick brown\"").await, vec![fox.id], "a phrase");
    assert_eq!(
        found("quick-brown").await,
        vec![fox.id],
        "a hyphenated phrase"
    );
    assert_eq!(found("cafe creme").await, vec![cafe.id], "accents fold");
    assert_eq!(found("Café").await, vec![cafe.id]);
    assert!(found("caf").await.is_empty(), "whole words only");
    assert_eq!(
        found("zoe gardener").await,
        vec![profile.id],
        "profiles by name"
    );
    assert!(found("png").await.is_empty(), "not a profile's picture");
    assert_eq!(
        found("fox domain:example.com language:en").await,
        vec![fox.id],
        "unsupported extensions are ignored"
    );
    assert!(found("fox badger").await.is_empty());
}

pub(crate) async fn ranks_by_relevance_then_recency(store: &dyn Store) {
    let k = Keys::generate();
    let strong = sign(&k, NOW - 100, 1, &[], "relay relay relay: the relay");
    let weak = sign(
        &k,
        NOW - 10,
        1,
        &[],
        "a long note that mentions one relay among many other words about other things",
    );
    let older_twin = sign(&k, NOW - 50, 1, &[], "relay news");
    let newer_twin = sign(&k, NOW - 40, 1, &[], "relay news");
    for e in [&strong, &weak, &older_twin, &newer_twin] {
        save(store, e).await;
    }
    let ranked = ids(store, json!({"search": "relay"})).await;
    assert_eq!(ranked.len(), 4);
    assert_eq!(ranked[0], strong.id, "most relevant first, though oldest");
    assert_eq!(ranked[3], weak.id, "least relevant last, though newest");
    assert_eq!(
        ranked[1..3],
        [newer_twin.id, older_twin.id],
        "equal relevance: newest first"
    );
    assert_eq!(
        ids(store, json!({"search": "relay", "limit": 1})).await,
        vec![strong.id],
        "limit keeps the best"
    );
}

/// With more matches than [`RANK_WINDOW`], relevance ranks the newest of them: a strong match
/// older than that window does not come first (every search stays bounded in cost).
pub(crate) async fn ranks_within_the_newest_matches(store: &dyn Store) {
    let k = Keys::generate();
    let n = RANK_WINDOW + 5;
    let mut ops = Vec::new();
    let oldest_strong = sign(&k, NOW - 10_000, 1, &[], "window window window window");
    ops.push(oldest_strong.clone());
    for i in 1..n {
        ops.push(sign(
            &k,
            NOW - 10_000 + i,
            1,
            &[],
            &format!("a window number {i} and more words"),
        ));
    }
    let strong = sign(&k, NOW - 100, 1, &[], "window window: the window");
    ops.push(strong.clone());
    let ops: Vec<WriteOp> = ops
        .into_iter()
        .map(|e| WriteOp::Save(Arc::new(Record::new(e))))
        .collect();
    store.write(&ops).await.unwrap();
    let best = ids(store, json!({"search": "window", "limit": 2})).await;
    assert_eq!(best[0], strong.id, "the strongest of the newest matches");
    assert!(!best.contains(&oldest_strong.id), "outside the window");
    assert_eq!(
        ids(store, json!({"search": "window", "until": NOW - 10_000})).await,
        vec![oldest_strong.id],
        "narrowed by time, it is found"
    );
}

/// Terms too rare to fill a window among the newest events are found however old: a word in
/// the oldest of many notes, and a word in every twelfth, all of them newest first.
pub(crate) async fn finds_rare_words_among_many(store: &dyn Store) {
    let k = Keys::generate();
    let n = PROBE_WINDOW + 5;
    let oldest = sign(&k, NOW - 20_000, 1, &[], "a quince at the start");
    let mut sparse = Vec::new();
    let mut ops = vec![oldest.clone()];
    for i in 1..n {
        let e = if i % 12 == 0 {
            sign(&k, NOW - 20_000 + i, 1, &[], &format!("medlar {i}"))
        } else {
            sign(&k, NOW - 20_000 + i, 1, &[], &format!("filler {i}"))
        };
        if i % 12 == 0 {
            sparse.push(e.id);
        }
        ops.push(e);
    }
    let ops: Vec<WriteOp> = ops
        .into_iter()
        .map(|e| WriteOp::Save(Arc::new(Record::new(e))))
        .collect();
    store.write(&ops).await.unwrap();
    assert_eq!(
        ids(store, json!({"search": "quince"})).await,
        vec![oldest.id]
    );
    sparse.reverse();
    let found = ids(store, json!({"search": "medlar", "limit": 5_000})).await;
    assert_eq!(found.len(), sparse.len());
    assert_eq!(found, sparse, "equally relevant: newest first");
    // PostgreSQL reads a large store's mid-frequency terms by walking time: the same events.
    crate::search::prefer_walking();
    let walked = ids(store, json!({"search": "medlar", "limit": 5_000})).await;
    assert_eq!(
        walked,
        sparse[..RANK_WINDOW.min(sparse.len() as u64) as usize]
    );
    assert_eq!(
        ids(store, json!({"search": "quince"})).await,
        vec![oldest.id]
    );
    let common = ids(store, json!({"search": "filler", "limit": 3})).await;
    assert_eq!(
        common.len(),
        3,
        "a common word fills its window from the newest"
    );
}

pub(crate) async fn combines_with_every_filter_field(store: &dyn Store) {
    let (a, b) = (Keys::generate(), Keys::generate());
    let a_old = sign(
        &a,
        NOW - 100,
        1,
        &[&["t", "garden"]],
        "tomatoes in the garden",
    );
    let a_new = sign(&a, NOW - 10, 1, &[&["t", "food"]], "tomatoes for dinner");
    let a_long = sign(&a, NOW - 20, 30023, &[&["d", "x"]], "tomatoes, a long read");
    let b_note = sign(
        &b,
        NOW - 5,
        1,
        &[&["e", &a_old.id.to_hex()]],
        "tomatoes too",
    );
    for e in [&a_old, &a_new, &a_long, &b_note] {
        save(store, e).await;
    }
    let pk = a.pubkey().to_hex();
    let mut by_a = ids(store, json!({"search": "tomatoes", "authors": [pk]})).await;
    by_a.sort();
    let mut expected = vec![a_old.id, a_new.id, a_long.id];
    expected.sort();
    assert_eq!(by_a, expected);
    let only = |f| async move { ids(store, f).await };
    assert_eq!(
        only(json!({"search": "tomatoes", "kinds": [30023]})).await,
        vec![a_long.id]
    );
    assert_eq!(
        only(json!({"search": "tomatoes", "#t": ["garden"]})).await,
        vec![a_old.id]
    );
    assert_eq!(
        only(json!({"search": "tomatoes", "#e": [a_old.id.to_hex()]})).await,
        vec![b_note.id]
    );
    assert_eq!(
        only(json!({"search": "tomatoes", "since": NOW - 6})).await,
        vec![b_note.id]
    );
    assert_eq!(
        only(json!({"search": "tomatoes", "until": NOW - 50})).await,
        vec![a_old.id]
    );
    assert_eq!(
        only(json!({"search": "tomatoes", "ids": [a_new.id.to_hex()]})).await,
        vec![a_new.id]
    );
    assert_eq!(count(store, json!([{"search": "tomatoes"}])).await, 4);
    assert_eq!(
        count(
            store,
            json!([{"search": "dinner"}, {"search": "garden"}, {"kinds": [30023]}])
        )
        .await,
        3,
        "counted once each across filters"
    );
}

pub(crate) async fn deleted_events_are_never_found(store: &dyn Store) {
    let (a, v) = (Keys::generate(), Keys::generate());
    let deleted = sign(&a, NOW - 50, 1, &[], "marmalade recipe");
    save(store, &deleted).await;
    save(
        store,
        &sign(&a, NOW - 40, 5, &[&["e", &deleted.id.to_hex()]], ""),
    )
    .await;
    let expiring = sign(
        &a,
        NOW - 50,
        1,
        &[&["expiration", &(NOW - 1).to_string()]],
        "marmalade gone",
    );
    save(store, &expiring).await;
    let old_profile = sign(&a, NOW - 50, 0, &[], r#"{"name":"marmalade fan"}"#);
    save(store, &old_profile).await;
    save(store, &sign(&a, NOW - 30, 0, &[], r#"{"name":"jam fan"}"#)).await;
    let vanished = sign(&v, NOW - 50, 1, &[], "marmalade from someone who left");
    save(store, &vanished).await;
    vanish(
        store,
        &sign(&v, NOW - 20, 62, &[&["relay", "ALL_RELAYS"]], ""),
    )
    .await;
    let removed = sign(&a, NOW - 10, 1, &[], "marmalade spam");
    save(store, &removed).await;
    let quarantine = Effect::Quarantine {
        id: removed.id,
        at: NOW as i64,
    };
    store.write(&[WriteOp::Effect(quarantine)]).await.unwrap();
    let kept = sign(&a, NOW - 5, 1, &[], "marmalade that stays");
    save(store, &kept).await;
    assert_eq!(
        ids(store, json!({"search": "marmalade"})).await,
        vec![kept.id]
    );
    assert_eq!(count(store, json!([{"search": "marmalade"}])).await, 1);
    assert_eq!(
        query(store, json!({"search": "jam", "kinds": [0]}))
            .await
            .len(),
        1,
        "the profile's current version"
    );
    store
        .write(&[WriteOp::Effect(Effect::Release(removed.id))])
        .await
        .unwrap();
    assert_eq!(
        ids(store, json!({"search": "spam"})).await,
        vec![removed.id],
        "a restored event is found again"
    );
}

conformance!(
    words_phrases_and_accents,
    ranks_by_relevance_then_recency,
    ranks_within_the_newest_matches,
    finds_rare_words_among_many,
    combines_with_every_filter_field,
    deleted_events_are_never_found,
);

fn indexing(kinds: Vec<u16>, language: &str) -> Options {
    Options {
        search: SearchIndex::new(kinds, language.into()),
        ..options()
    }
}

/// A relay restarted with other searchable kinds (or another language) rebuilds its index:
/// what is searchable now is found, what is no longer searchable is not.
async fn rebuilds_when_what_is_indexed_changes(mut h: Harness) {
    let k = Keys::generate();
    let note = sign(&k, NOW - 10, 1, &[], "rhubarb crumble");
    let article = sign(&k, NOW - 9, 30023, &[&["d", "r"]], "rhubarb season");
    save(&*h.store, &note).await;
    save(&*h.store, &article).await;
    assert_eq!(
        h.store.reindex_search().await.unwrap(),
        Some(2),
        "first built"
    );
    assert_eq!(h.store.reindex_search().await.unwrap(), None, "up to date");
    assert_eq!(
        ids(&*h.store, json!({"search": "rhubarb"})).await,
        vec![note.id]
    );
    h.reopen(indexing(vec![1, 30023], "simple")).await;
    assert_eq!(h.store.reindex_search().await.unwrap(), Some(2));
    assert_eq!(
        ids(&*h.store, json!({"search": "rhubarb"})).await,
        vec![article.id, note.id]
    );
    h.reopen(indexing(vec![30023], "simple")).await;
    assert_eq!(h.store.reindex_search().await.unwrap(), Some(2));
    assert_eq!(
        ids(&*h.store, json!({"search": "rhubarb"})).await,
        vec![article.id]
    );
    assert_eq!(ids(&*h.store, json!({"search": "crumble"})).await, vec![]);
}

#[tokio::test]
async fn sqlite_rebuilds_when_what_is_indexed_changes() {
    rebuilds_when_what_is_indexed_changes(Harness::sqlite_with(indexing(vec![1], "simple")).await)
        .await;
}

#[tokio::test]
async fn postgres_rebuilds_when_what_is_indexed_changes() {
    let h = Harness::postgres_with(indexing(vec![1], "simple")).await;
    rebuilds_when_what_is_indexed_changes(h).await;
}

#[tokio::test]
async fn postgres_uses_the_configured_language() {
    let h = Harness::postgres_with(indexing(vec![1], "english")).await;
    let k = Keys::generate();
    let note = sign(&k, NOW - 10, 1, &[], "the gardeners were planting");
    save(&*h.store, &note).await;
    assert_eq!(
        ids(&*h.store, json!({"search": "gardener plants"})).await,
        vec![note.id],
        "english stems words"
    );
    let url = match &h._pg {
        Some(pg) => pg.url.clone(),
        None => unreachable!(),
    };
    let refused = crate::PostgresStore::connect(&url, indexing(vec![1], "klingon")).await;
    assert!(
        matches!(refused, Err(crate::StoreError::SearchLanguage(l)) if l == "klingon"),
        "an unknown language is named at start-up"
    );
}
