//! NIP-01: publish, query, live delivery, replaceable/addressable/ephemeral kinds, ordering,
//! limits and subscription ids.

use std::time::Duration;

use nostr_sdk::prelude::*;
use serde_json::json;

use crate::harness::{Store, TestRelay};
use crate::raw::{Raw, ids};
use crate::{now, on_both_stores, sdk, sign};

async fn publish_query_and_live(store: Store) {
    let relay = TestRelay::start(store).await;
    let alice = Keys::generate();
    let bob = Keys::generate();
    let a = sdk::client(&alice, &relay.url).await;
    let b = sdk::client(&bob, &relay.url).await;

    let root = EventBuilder::text_note("hello community")
        .tag(Tag::hashtag("intro"))
        .sign_with_keys(&alice)
        .unwrap();
    sdk::publish(&a, &root).await;
    let reply = EventBuilder::text_note("welcome!")
        .tag(Tag::event(root.id))
        .tag(Tag::public_key(alice.public_key()))
        .sign_with_keys(&bob)
        .unwrap();
    sdk::publish(&b, &reply).await;

    let by_author = sdk::fetch(&b, Filter::new().author(alice.public_key())).await;
    assert_eq!(
        by_author.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![root.id]
    );
    assert_eq!(by_author[0], root, "served byte for byte as signed");
    let by_id = sdk::fetch(&b, Filter::new().id(reply.id)).await;
    assert_eq!(by_id.len(), 1);
    let by_tag = sdk::fetch(&b, Filter::new().hashtag("intro")).await;
    assert_eq!(by_tag[0].id, root.id);
    let thread = sdk::fetch(&a, Filter::new().event(root.id).kind(Kind::TextNote)).await;
    assert_eq!(thread[0].id, reply.id);
    let mentions = sdk::fetch(&a, Filter::new().pubkey(alice.public_key())).await;
    assert_eq!(mentions[0].id, reply.id);
    let nothing = sdk::fetch(
        &a,
        Filter::new().author(bob.public_key()).kind(Kind::Reaction),
    )
    .await;
    assert!(nothing.is_empty());

    // Live: bob subscribes to alice's notes; a new one arrives after EOSE.
    let mut notes = b.notifications();
    b.subscribe(
        Filter::new()
            .author(alice.public_key())
            .kind(Kind::TextNote)
            .since(Timestamp::now()),
        None,
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fresh = EventBuilder::text_note("live!")
        .sign_with_keys(&alice)
        .unwrap();
    sdk::publish(&a, &fresh).await;
    assert_eq!(sdk::next_live(&mut notes).await.id, fresh.id);
}

async fn replaceable_and_addressable_keep_the_newest(store: Store) {
    let relay = TestRelay::start(store).await;
    let keys = Keys::generate();
    let c = sdk::client(&keys, &relay.url).await;
    let t = Timestamp::now().as_secs();
    let v1 = EventBuilder::metadata(&Metadata::new().name("one"))
        .custom_created_at(Timestamp::from(t - 10))
        .sign_with_keys(&keys)
        .unwrap();
    let v2 = EventBuilder::metadata(&Metadata::new().name("two"))
        .custom_created_at(Timestamp::from(t - 5))
        .sign_with_keys(&keys)
        .unwrap();
    sdk::publish(&c, &v1).await;
    sdk::publish(&c, &v2).await;
    let refusal = sdk::refused(&c, &v1).await;
    assert!(refusal.contains("duplicate: a newer version"), "{refusal}");
    let profile = sdk::fetch(
        &c,
        Filter::new().author(keys.public_key()).kind(Kind::Metadata),
    )
    .await;
    assert_eq!(
        profile.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![v2.id]
    );

    let article = |d: &str, content: &str, at: u64| {
        EventBuilder::new(Kind::LongFormTextNote, content)
            .tag(Tag::identifier(d))
            .custom_created_at(Timestamp::from(at))
            .sign_with_keys(&keys)
            .unwrap()
    };
    let draft = article("post", "draft", t - 10);
    let final_ = article("post", "final", t - 5);
    let other = article("other", "another post", t - 20);
    for e in [&draft, &final_, &other] {
        sdk::publish(&c, e).await;
    }
    let posts = sdk::fetch(
        &c,
        Filter::new()
            .author(keys.public_key())
            .kind(Kind::LongFormTextNote),
    )
    .await;
    let mut got: Vec<EventId> = posts.iter().map(|e| e.id).collect();
    got.sort();
    let mut want = vec![final_.id, other.id];
    want.sort();
    assert_eq!(got, want);
    let by_d = sdk::fetch(&c, Filter::new().identifier("post")).await;
    assert_eq!(by_d[0].content, "final");
}

async fn ephemeral_events_are_delivered_not_stored(store: Store) {
    let relay = TestRelay::start(store).await;
    let keys = Keys::generate();
    let listener = sdk::client(&Keys::generate(), &relay.url).await;
    let sender = sdk::client(&keys, &relay.url).await;
    let mut live = listener.notifications();
    listener
        .subscribe(Filter::new().kind(Kind::Custom(20001)), None)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ping = EventBuilder::new(Kind::Custom(20001), "typing…")
        .sign_with_keys(&keys)
        .unwrap();
    sdk::publish(&sender, &ping).await;
    assert_eq!(sdk::next_live(&mut live).await.id, ping.id);
    let stored = sdk::fetch(&sender, Filter::new().kind(Kind::Custom(20001))).await;
    assert!(stored.is_empty(), "ephemeral events are never stored");
}

async fn ordering_limits_and_duplicates(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_LIMITS__MAX_LIMIT", 4)
        .env("COMMUNITARIUM_LIMITS__DEFAULT_LIMIT", 3)
        .start()
        .await;
    let keys = ::nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let t = now();
    let mut ties: Vec<::nips::Event> = (0..3)
        .map(|i| sign(&keys, t - 50, 1, &[], &format!("tie {i}")))
        .collect();
    let newest = sign(&keys, t - 10, 1, &[], "newest");
    let oldest = sign(&keys, t - 100, 1, &[], "oldest");
    let other_kind = sign(&keys, t - 20, 7, &[], "+");
    for e in ties.iter().chain([&newest, &oldest, &other_kind]) {
        c.accept(e).await;
    }
    let (ok, message) = c.publish(&newest).await;
    assert!(ok && message.starts_with("duplicate:"), "{ok} {message}");
    ties.sort_by_key(|e| e.id);
    let pk = keys.pubkey().to_hex();

    let expected: Vec<String> = [&newest]
        .into_iter()
        .chain(ties.iter())
        .map(|e| e.id.to_hex())
        .collect();
    let got = ids(&c
        .req("a", json!([{"authors": [pk], "kinds": [1], "limit": 10}]))
        .await
        .events());
    assert_eq!(
        got, expected,
        "newest first, clamped to max_limit = 4, ties by lowest id"
    );
    let got = ids(&c
        .req("b", json!([{"authors": [pk], "kinds": [1]}]))
        .await
        .events());
    assert_eq!(
        got,
        expected[..3].to_vec(),
        "default_limit = 3 when none is given"
    );
    let got = ids(&c
        .req("c", json!([{"authors": [pk], "kinds": [1], "limit": 2}]))
        .await
        .events());
    assert_eq!(got, expected[..2].to_vec());
    assert!(
        c.req("d", json!([{"authors": [pk], "limit": 0}]))
            .await
            .events()
            .is_empty()
    );

    // Filters are OR'd, each with its own limit; overlaps are sent once, newest first.
    let got = ids(
        &c.req("e", json!([{"ids": [oldest.id.to_hex(), newest.id.to_hex()]}, {"kinds": [7], "authors": [pk]}, {"authors": [pk], "limit": 1}]))
            .await
            .events(),
    );
    assert_eq!(
        got,
        vec![
            newest.id.to_hex(),
            other_kind.id.to_hex(),
            oldest.id.to_hex()
        ]
    );
}

async fn subscription_ids_are_per_connection(store: Store) {
    let relay = TestRelay::start(store).await;
    let keys = ::nips::Keys::generate();
    let mut one = Raw::connect(&relay.url).await;
    let mut two = Raw::connect(&relay.url).await;
    let mut publisher = Raw::connect(&relay.url).await;
    let pk = keys.pubkey().to_hex();
    assert!(
        one.req("s", json!([{"authors": [pk], "kinds": [1]}]))
            .await
            .events()
            .is_empty()
    );
    assert!(
        two.req("s", json!([{"authors": [pk], "kinds": [7]}]))
            .await
            .events()
            .is_empty()
    );
    let note = sign(&keys, now(), 1, &[], "note");
    publisher.accept(&note).await;
    let live = one
        .recv_until(|v| (v[0] == "EVENT").then(|| v.clone()))
        .await;
    assert_eq!(live[1], "s");
    assert_eq!(live[2]["id"], note.id.to_hex());
    assert!(
        two.try_recv(Duration::from_millis(500)).await.is_none(),
        "the other connection's `s` wants kind 7"
    );

    // Re-using the id replaces the subscription.
    assert!(
        one.req("s", json!([{"authors": [pk], "kinds": [7]}]))
            .await
            .events()
            .is_empty()
    );
    publisher
        .accept(&sign(&keys, now(), 1, &[], "another note"))
        .await;
    assert!(
        one.try_recv(Duration::from_millis(500)).await.is_none(),
        "the old filter is gone"
    );
    let reaction = sign(&keys, now(), 7, &[], "+");
    publisher.accept(&reaction).await;
    for c in [&mut one, &mut two] {
        let live = c.recv_until(|v| (v[0] == "EVENT").then(|| v.clone())).await;
        assert_eq!(live[2]["id"], reaction.id.to_hex());
    }

    // CLOSE stops live delivery.
    one.send_json(json!(["CLOSE", "s"])).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    publisher.accept(&sign(&keys, now(), 7, &[], "-")).await;
    assert!(one.try_recv(Duration::from_millis(500)).await.is_none());
    assert!(two.try_recv(Duration::from_secs(5)).await.is_some());
}

on_both_stores!(
    publish_query_and_live,
    replaceable_and_addressable_keep_the_newest,
    ephemeral_events_are_delivered_not_stored,
    ordering_limits_and_duplicates,
    subscription_ids_are_per_connection,
);
