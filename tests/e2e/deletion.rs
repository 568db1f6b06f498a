//! NIP-09: deletion requests by event id and by `a` coordinate, through nostr-sdk.

use nostr_sdk::prelude::*;

use crate::harness::{Store, TestRelay};
use crate::{on_both_stores, sdk};

async fn delete_by_id_and_refuse_republication(store: Store) {
    let relay = TestRelay::start(store).await;
    let alice = Keys::generate();
    let mallory = Keys::generate();
    let a = sdk::client(&alice, &relay.url).await;
    let m = sdk::client(&mallory, &relay.url).await;
    let oops = EventBuilder::text_note("posted by accident")
        .sign_with_keys(&alice)
        .unwrap();
    let keep = EventBuilder::text_note("keep me")
        .sign_with_keys(&alice)
        .unwrap();
    sdk::publish(&a, &oops).await;
    sdk::publish(&a, &keep).await;

    // Someone else's deletion request does not touch alice's events.
    let forged = EventBuilder::delete(EventDeletionRequest::new().id(keep.id))
        .sign_with_keys(&mallory)
        .unwrap();
    sdk::publish(&m, &forged).await;

    let request = EventBuilder::delete(EventDeletionRequest::new().id(oops.id).reason("oops"))
        .sign_with_keys(&alice)
        .unwrap();
    sdk::publish(&a, &request).await;
    let left = sdk::fetch(
        &a,
        Filter::new()
            .author(alice.public_key())
            .kind(Kind::TextNote),
    )
    .await;
    assert_eq!(left.iter().map(|e| e.id).collect::<Vec<_>>(), vec![keep.id]);
    let requests = sdk::fetch(
        &a,
        Filter::new()
            .kind(Kind::EventDeletion)
            .author(alice.public_key()),
    )
    .await;
    assert_eq!(
        requests[0].id, request.id,
        "the deletion request itself is served"
    );
    let refusal = sdk::refused(&m, &oops).await;
    assert!(
        refusal.starts_with("blocked:"),
        "re-publication of a deleted event: {refusal}"
    );
}

async fn delete_by_coordinate(store: Store) {
    let relay = TestRelay::start(store).await;
    let keys = Keys::generate();
    let c = sdk::client(&keys, &relay.url).await;
    let t = Timestamp::now().as_secs();
    let article = |d: &str, at: u64| {
        EventBuilder::new(Kind::LongFormTextNote, "text")
            .tag(Tag::identifier(d))
            .custom_created_at(Timestamp::from(at))
            .sign_with_keys(&keys)
            .unwrap()
    };
    let post = article("post", t - 20);
    let other = article("other", t - 20);
    sdk::publish(&c, &post).await;
    sdk::publish(&c, &other).await;
    let coordinate = Coordinate::new(Kind::LongFormTextNote, keys.public_key()).identifier("post");
    let request = EventBuilder::delete(EventDeletionRequest::new().coordinate(coordinate))
        .custom_created_at(Timestamp::from(t - 10))
        .sign_with_keys(&keys)
        .unwrap();
    sdk::publish(&c, &request).await;
    let left = sdk::fetch(
        &c,
        Filter::new()
            .author(keys.public_key())
            .kind(Kind::LongFormTextNote),
    )
    .await;
    assert_eq!(
        left.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![other.id]
    );
    let older = article("post", t - 15);
    assert!(sdk::refused(&c, &older).await.starts_with("blocked:"));
    let newer = article("post", t - 5);
    sdk::publish(&c, &newer).await;
}

on_both_stores!(delete_by_id_and_refuse_republication, delete_by_coordinate);
