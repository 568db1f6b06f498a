//! The NIPs' storage rules: replaceable and addressable versions, deletions, expiry and
//! requests to vanish.

use super::*;

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

super::conformance!(
    replaceable_keeps_the_newest,
    addressable_is_keyed_by_d,
    deletion_by_id,
    deletion_by_coordinate,
    expired_events_are_never_served,
    vanish_erases_the_author,
);
