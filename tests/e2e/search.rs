//! NIP-50 search through real clients: nostr-sdk's `search` filter, stored and live, ranking
//! and COUNT over a bare WebSocket, and members-only relays searching only for members.

use std::time::Duration;

use nostr_sdk::prelude::*;
use serde_json::json;

use crate::gov::{self, config};
use crate::harness::{Store, TestRelay};
use crate::raw::{Raw, ids};
use crate::{now, on_both_stores, sdk, sign};

async fn a_real_client_searches_stored_and_live_events(store: Store) {
    let relay = TestRelay::start(store).await;
    let alice = Keys::generate();
    let client = sdk::client(&alice, &relay.url).await;
    let note = |text: &str| {
        EventBuilder::text_note(text)
            .sign_with_keys(&alice)
            .unwrap()
    };
    let soup = note("Recipe: Provençal vegetable soup");
    let bread = note("Sourdough bread, step by step");
    for e in [&soup, &bread] {
        sdk::publish(&client, e).await;
    }
    let reaction = EventBuilder::new(Kind::Reaction, "soup")
        .sign_with_keys(&alice)
        .unwrap();
    sdk::publish(&client, &reaction).await;
    let found = sdk::fetch(&client, Filter::new().search("provencal SOUP")).await;
    assert_eq!(
        found.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![soup.id],
        "accents and case fold; reactions are not searched"
    );
    let by_author = sdk::fetch(
        &client,
        Filter::new().search("bread").author(alice.public_key()),
    )
    .await;
    assert_eq!(by_author.len(), 1);
    assert!(
        sdk::fetch(&client, Filter::new().search("croissant"))
            .await
            .is_empty()
    );

    // Another member's client listens (a client is not told again of events it sent).
    let listener = sdk::client(&Keys::generate(), &relay.url).await;
    let mut live = listener.notifications();
    listener
        .subscribe(
            Filter::new()
                .search("\"onion soup\"")
                .since(Timestamp::now()),
            None,
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    sdk::publish(&client, &note("soup, onion, and more")).await;
    let wanted = note("French onion soup tonight");
    sdk::publish(&client, &wanted).await;
    assert_eq!(
        sdk::next_live(&mut live).await.id,
        wanted.id,
        "only the phrase arrives live"
    );
}

async fn results_are_ranked_and_counted(store: Store) {
    let relay = TestRelay::start(store).await;
    let keys = ::nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let t = now();
    let strong = sign(
        &keys,
        t - 30,
        1,
        &[],
        "garden garden garden: a garden diary",
    );
    let weak = sign(
        &keys,
        t - 1,
        1,
        &[],
        "a long note about many things, one of them a garden, and many others besides",
    );
    let middle = sign(&keys, t - 20, 1, &[], "garden notes");
    for e in [&strong, &weak, &middle] {
        c.accept(e).await;
    }
    let order = ids(&c.req("s", json!([{"search": "garden"}])).await.events());
    assert_eq!(
        order,
        vec![strong.id.to_hex(), middle.id.to_hex(), weak.id.to_hex()],
        "most relevant first, not newest first"
    );
    c.send_json(json!(["COUNT", "n", {"search": "garden diary"}]))
        .await;
    assert_eq!(c.recv().await, json!(["COUNT", "n", {"count": 1}]));
    let refusal = c
        .req(
            "x",
            json!([{"search": "a b c d e f g h i j k l m n o p q"}]),
        )
        .await
        .closed();
    assert!(
        refusal.starts_with("invalid: search has more than 16 terms"),
        "{refusal}"
    );
}

async fn members_only_relays_search_only_for_members(store: Store) {
    let member = ::nips::Keys::generate();
    let toml = config(&[&member], &[], "mode = \"invite\"\nread = \"members\"", "");
    let relay = gov::start(store, &toml).await;
    let mut m = gov::member(&relay, &member).await;
    let secret = sign(&member, now(), 1, &[], "the members' picnic is on Saturday");
    m.accept(&secret).await;
    let found = m.req("s", json!([{"search": "picnic"}])).await.events();
    assert_eq!(ids(&found), vec![secret.id.to_hex()]);
    let mut anon = Raw::connect(&relay.url).await;
    let refusal = anon.req("s", json!([{"search": "picnic"}])).await.closed();
    assert!(refusal.starts_with("auth-required:"), "{refusal}");
    let mut stranger = gov::member(&relay, &::nips::Keys::generate()).await;
    let refusal = stranger
        .req("s", json!([{"search": "picnic"}]))
        .await
        .closed();
    assert!(refusal.starts_with("restricted:"), "{refusal}");
}

on_both_stores!(
    a_real_client_searches_stored_and_live_events,
    results_are_ranked_and_counted,
    members_only_relays_search_only_for_members,
);
