//! Storing events and reading them back: verbatim, once, in order, by every filter field,
//! counted, and through every query plan.

use super::*;

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
    let long = "x".repeat(crate::MAX_INDEXED_TAG_VALUE + 1);
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

super::conformance!(
    stores_and_serves_verbatim,
    duplicates_are_reported,
    orders_newest_first_then_lowest_id,
    filters_by_every_field,
    counts_distinct_matches,
    long_tag_values_are_stored_unindexed,
    large_author_lists,
    every_driver_agrees,
);
