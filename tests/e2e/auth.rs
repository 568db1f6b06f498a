//! NIP-42 authentication and NIP-70 protected events.

use std::time::Duration;

use nostr_sdk::prelude::*;

use crate::harness::{Store, TestRelay};
use crate::raw::{Raw, auth_event};
use crate::{now, on_both_stores, sdk, sign};

async fn auth_checks_challenge_relay_and_freshness(store: Store) {
    let relay = TestRelay::start(store).await;
    let keys = ::nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let wrong = [
        (
            "wrong challenge",
            auth_event(&keys, &relay.url, "not-the-challenge"),
        ),
        (
            "wrong relay",
            auth_event(&keys, "wss://elsewhere.example", &c.challenge),
        ),
        (
            "stale",
            keys.sign(
                now() - 3600,
                22242,
                vec![
                    vec!["relay".into(), relay.url.clone()],
                    vec!["challenge".into(), c.challenge.clone()],
                ],
                String::new(),
            ),
        ),
        (
            "wrong kind",
            sign(
                &keys,
                now(),
                1,
                &[&["relay", &relay.url], &["challenge", &c.challenge]],
                "",
            ),
        ),
    ];
    for (what, event) in wrong {
        c.send(format!("[\"AUTH\",{}]", event.to_json())).await;
        let (ok, message) = c.ok_for(&event.id.to_hex()).await;
        assert!(!ok, "{what} must be refused");
        assert!(message.starts_with("invalid:"), "{what}: {message}");
    }
    // A forged signature.
    let mut forged = auth_event(&keys, &relay.url, &c.challenge);
    forged.sig.0[0] ^= 1;
    c.send(format!("[\"AUTH\",{}]", forged.to_json())).await;
    assert!(!c.ok_for(&forged.id.to_hex()).await.0);
    // AUTH events are never published as EVENTs.
    let (ok, message) = c
        .publish(&auth_event(&keys, &relay.url, &c.challenge))
        .await;
    assert!(!ok && message.starts_with("invalid:"), "{message}");
    // The right answer, with a trailing slash on the URL, is accepted.
    let good = auth_event(&keys, &format!("{}/", relay.url), &c.challenge);
    c.send(format!("[\"AUTH\",{}]", good.to_json())).await;
    assert!(c.ok_for(&good.id.to_hex()).await.0);
}

async fn protected_events_need_their_author(store: Store) {
    let relay = TestRelay::start(store).await;
    let author = ::nips::Keys::generate();
    let other = ::nips::Keys::generate();
    let protected = sign(&author, now(), 1, &[&["-"]], "members only");

    let mut anonymous = Raw::connect(&relay.url).await;
    let (ok, message) = anonymous.publish(&protected).await;
    assert!(!ok && message.starts_with("auth-required:"), "{message}");

    let mut impostor = Raw::connect(&relay.url).await;
    impostor.auth(&other).await;
    let (ok, message) = impostor.publish(&protected).await;
    assert!(!ok && message.starts_with("restricted:"), "{message}");

    let mut owner = Raw::connect(&relay.url).await;
    owner.auth(&author).await;
    owner.accept(&protected).await;
}

async fn sdk_authenticates_for_protected_events(store: Store) {
    let relay = TestRelay::start(store).await;
    let keys = Keys::generate();
    let client = sdk::client(&keys, &relay.url).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let event = EventBuilder::text_note("only from me")
        .tag(Tag::protected())
        .sign_with_keys(&keys)
        .unwrap();
    sdk::publish(&client, &event).await;
    let stored = sdk::fetch(&client, Filter::new().id(event.id)).await;
    assert_eq!(stored.len(), 1);
}

async fn auth_names_the_configured_public_url(store: Store) {
    let public = "wss://relay.example.org";
    let relay = TestRelay::builder(store)
        .args(["--public-url", public])
        .start()
        .await;
    let keys = ::nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let local = auth_event(&keys, &relay.url, &c.challenge);
    c.send(format!("[\"AUTH\",{}]", local.to_json())).await;
    assert!(
        !c.ok_for(&local.id.to_hex()).await.0,
        "the bound address is not the public URL"
    );
    let named = auth_event(&keys, public, &c.challenge);
    c.send(format!("[\"AUTH\",{}]", named.to_json())).await;
    assert!(c.ok_for(&named.id.to_hex()).await.0);
}

async fn events_before_auth_are_answered_before_it(store: Store) {
    let relay = TestRelay::start(store).await;
    let keys = ::nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    // A protected event and, right behind it, the AUTH that would have allowed it.
    let protected = sign(&keys, now(), 1, &[&["-"]], "mine");
    let auth = auth_event(&keys, &relay.url, &c.challenge);
    c.send(format!("[\"EVENT\",{}]", protected.to_json())).await;
    c.send(format!("[\"AUTH\",{}]", auth.to_json())).await;
    let first = c.recv_until(|v| (v[0] == "OK").then(|| v.clone())).await;
    assert_eq!(
        first[1],
        protected.id.to_hex(),
        "the EVENT is answered first"
    );
    assert_eq!(first[2], false);
    assert!(first[3].as_str().unwrap().starts_with("auth-required:"));
    assert!(c.ok_for(&auth.id.to_hex()).await.0);
    // Sent again after AUTH, it is the author's own.
    assert!(c.publish(&protected).await.0);
}

on_both_stores!(
    events_before_auth_are_answered_before_it,
    auth_checks_challenge_relay_and_freshness,
    auth_names_the_configured_public_url,
    protected_events_need_their_author,
    sdk_authenticates_for_protected_events,
);
