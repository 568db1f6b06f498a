//! The two-step read ([`super::hot`]) against the one-step query, on both stores: from memory,
//! from the database after a restart, with no cache, and after another process changed what
//! matches. (Every suite in `conformance` also compares the two, through its `query` helper.)

use serde_json::json;

use nips::Keys;

use super::conformance::{Harness, NOW, ids, options, save, sign};
use super::{Options, Store};

/// Events every shape of read can find: tags, kinds, several authors, an expired one.
async fn corpus(store: &dyn Store) -> (Keys, Keys) {
    let (k, other) = (Keys::generate(), Keys::generate());
    let target = "cd".repeat(32);
    for i in 0..30u64 {
        let who = if i % 3 == 0 { &other } else { &k };
        let kind = if i % 2 == 0 { 1 } else { 7 };
        let tag = format!("topic{}", i % 4);
        let e = sign(
            who,
            NOW - 100 + i,
            kind,
            &[&["t", &tag], &["e", &target]],
            "x",
        );
        save(store, &e).await;
    }
    let expired = sign(
        &k,
        NOW - 1,
        1,
        &[&["t", "topic0"], &["expiration", "1"]],
        "gone",
    );
    save(store, &expired).await;
    (k, other)
}

fn shapes(k: &Keys, other: &Keys) -> Vec<serde_json::Value> {
    let target = "cd".repeat(32);
    vec![
        json!({"#t": ["topic0"], "limit": 5}),
        json!({"#t": ["topic1"], "kinds": [7]}),
        json!({"#t": ["topic2"], "authors": [k.pubkey().to_hex()]}),
        json!({"#t": ["topic3"], "#e": [target]}),
        json!({"#e": [target], "kinds": [1], "since": NOW - 80, "until": NOW - 75}),
        json!({"authors": [k.pubkey().to_hex(), other.pubkey().to_hex()], "limit": 7}),
        json!({"kinds": [1, 7], "limit": 12}),
        json!({"limit": 100}),
    ]
}

async fn agree_cold_and_without(h: &mut Harness) {
    let (k, other) = corpus(&*h.store).await;
    let mut warm = Vec::new();
    for f in shapes(&k, &other) {
        warm.push(ids(&*h.store, f).await);
    }
    assert!(warm.iter().all(|found| !found.is_empty()));
    h.reopen(options()).await;
    for (f, expected) in shapes(&k, &other).into_iter().zip(&warm) {
        assert_eq!(&ids(&*h.store, f).await, expected, "after a restart");
    }
    h.reopen(Options {
        event_cache_bytes: 0,
        ..options()
    })
    .await;
    for (f, expected) in shapes(&k, &other).into_iter().zip(&warm) {
        assert_eq!(&ids(&*h.store, f).await, expected, "without a cache");
    }
}

async fn a_deletion_elsewhere_is_seen(h: &Harness) {
    let k = Keys::generate();
    let note = sign(&k, NOW - 10, 1, &[&["t", "gone"]], "soon deleted");
    save(&*h.store, &note).await;
    assert_eq!(ids(&*h.store, json!({"#t": ["gone"]})).await, vec![note.id]);
    let elsewhere = h.another(options()).await;
    let deletion = sign(&k, NOW - 5, 5, &[&["e", &note.id.to_hex()]], "");
    save(&*elsewhere, &deletion).await;
    assert!(
        ids(&*h.store, json!({"#t": ["gone"]})).await.is_empty(),
        "the cached copy is not served once the database no longer matches it"
    );
}

pub(crate) async fn two_steps_agree_with_one(store_kind: &str) {
    let mut h = match store_kind {
        "sqlite" => Harness::sqlite().await,
        _ => Harness::postgres().await,
    };
    agree_cold_and_without(&mut h).await;
    a_deletion_elsewhere_is_seen(&h).await;
}

mod sqlite {
    #[tokio::test]
    async fn two_steps_agree_with_one() {
        super::two_steps_agree_with_one("sqlite").await;
    }
}

mod postgres {
    #[tokio::test]
    async fn two_steps_agree_with_one() {
        super::two_steps_agree_with_one("postgres").await;
    }
}
