//! Bad input of every class gets a NIP-01 answer with a standard prefix, and the connection keeps
//! working afterwards.

use serde_json::{Value, json};

use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

async fn small_limits(store: Store) -> TestRelay {
    TestRelay::builder(store)
        .env("COMMUNITARIUM_LIMITS__MAX_MESSAGE_LENGTH", 20_000)
        .env("COMMUNITARIUM_LIMITS__MAX_EVENT_SIZE", 10_000)
        .env("COMMUNITARIUM_LIMITS__MAX_EVENT_TAGS", 5)
        .env("COMMUNITARIUM_LIMITS__MAX_CONTENT_LENGTH", 100)
        .env("COMMUNITARIUM_LIMITS__MAX_FILTERS", 2)
        .env("COMMUNITARIUM_LIMITS__MAX_SUBSCRIPTIONS", 2)
        .env("COMMUNITARIUM_LIMITS__MAX_SUBID_LENGTH", 10)
        .start()
        .await
}

fn prefix_of(v: &Value, at: usize) -> String {
    v[at]
        .as_str()
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The connection still answers a normal request.
async fn still_works(c: &mut Raw) {
    assert!(
        c.req("ok", json!([{"kinds": [1], "limit": 1}]))
            .await
            .events()
            .len()
            <= 1
    );
    c.send_json(json!(["CLOSE", "ok"])).await;
}

async fn malformed_messages_get_notices(store: Store) {
    let relay = small_limits(store).await;
    let mut c = Raw::connect(&relay.url).await;
    for text in [
        "not json",
        "{\"a\":1}",
        "[]",
        "[1,2]",
        "[\"HELLO\",{}]",
        "[\"CLOSE\"]",
        "[\"REQ\"]",
        "[\"EVENT\"]",
        "[\"EVENT\",{\"kind\":1}]",
        "\"EVENT\"",
    ] {
        c.send(text).await;
        let answer = c.recv().await;
        assert_eq!(answer[0], "NOTICE", "{text} → {answer}");
        assert_eq!(prefix_of(&answer, 1), "invalid", "{text} → {answer}");
        still_works(&mut c).await;
    }
    c.ws_binary().await;
    let answer = c.recv().await;
    assert_eq!(answer[0], "NOTICE");
    still_works(&mut c).await;
}

async fn bad_events_get_ok_false(store: Store) {
    let relay = small_limits(store).await;
    let keys = nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let t = now();

    let mut tampered = sign(&keys, t, 1, &[], "original");
    tampered.content = "tampered".into();
    let mut bad_sig = sign(&keys, t, 1, &[], "signed");
    bad_sig.sig.0[10] ^= 0xff;
    let too_many_tags = sign(
        &keys,
        t,
        1,
        &[
            &["t", "1"],
            &["t", "2"],
            &["t", "3"],
            &["t", "4"],
            &["t", "5"],
            &["t", "6"],
        ],
        "",
    );
    let too_long = sign(&keys, t, 1, &[], &"x".repeat(101));
    let future = sign(&keys, t + 3600, 1, &[], "from the future");
    let too_big = sign(&keys, t, 1, &[&["r", &"y".repeat(12_000)]], "");
    for (what, event) in [
        ("id mismatch", &tampered),
        ("bad signature", &bad_sig),
        ("too many tags", &too_many_tags),
        ("content too long", &too_long),
        ("future created_at", &future),
        ("event too large", &too_big),
    ] {
        let (ok, message) = c.publish(event).await;
        assert!(!ok, "{what} accepted");
        assert!(message.starts_with("invalid:"), "{what}: {message}");
    }
    // Wrong field types still get an OK about the readable id.
    let id = "ab".repeat(32);
    c.send(format!(r#"["EVENT",{{"id":"{id}","pubkey":"x","created_at":"now","kind":1,"tags":[],"content":"","sig":""}}]"#)).await;
    let (ok, message) = c.ok_for(&id).await;
    assert!(!ok && message.starts_with("invalid:"), "{message}");
    // A message over max_message_length: refused by id before any parsing.
    let huge = sign(&keys, t, 1, &[], &"z".repeat(25_000));
    c.send(format!("[\"EVENT\",{}]", huge.to_json())).await;
    let (ok, message) = c.ok_for(&huge.id.to_hex()).await;
    assert!(
        !ok && message.starts_with("invalid:") && message.contains("bytes"),
        "{message}"
    );
    c.send(format!(
        "[\"REQ\",\"big\",{{\"search\":\"{}\"}}]",
        "q".repeat(25_000)
    ))
    .await;
    let answer = c.recv().await;
    assert_eq!(answer[0], "NOTICE");
    still_works(&mut c).await;
    // The good event still goes through.
    c.accept(&sign(&keys, t, 1, &[], "fine")).await;
}

async fn bad_requests_get_closed(store: Store) {
    let relay = small_limits(store).await;
    let mut c = Raw::connect(&relay.url).await;
    let cases = [
        ("bad ids", json!(["REQ", "a", {"ids": ["xyz"]}])),
        ("bad authors", json!(["REQ", "a", {"authors": ["ABCDEF"]}])),
        ("bad kinds", json!(["REQ", "a", {"kinds": ["one"]}])),
        ("multi-letter tag", json!(["REQ", "a", {"#emoji": ["x"]}])),
        ("non-hex #e", json!(["REQ", "a", {"#e": ["not-an-id"]}])),
        ("negative since", json!(["REQ", "a", {"since": -5}])),
        ("filter not an object", json!(["REQ", "a", [1]])),
        ("no filters", json!(["REQ", "a"])),
        ("too many filters", json!(["REQ", "a", {}, {}, {}])),
        ("sub id too long", json!(["REQ", "abcdefghijk", {}])),
        (
            "search with too many terms",
            json!(["REQ", "a", {"search": "a b c d e f g h i j k l m n o p q"}]),
        ),
        (
            "search too long",
            json!(["REQ", "a", {"search": "long ".repeat(120)}]),
        ),
        ("search not a string", json!(["REQ", "a", {"search": 5}])),
    ];
    for (what, message) in cases {
        c.send_json(message.clone()).await;
        let answer = c.recv().await;
        assert_eq!(answer[0], "CLOSED", "{what}: {answer}");
        assert_eq!(prefix_of(&answer, 2), "invalid", "{what}: {answer}");
        still_works(&mut c).await;
    }
    // Subscriptions beyond the limit.
    assert!(
        c.req("one", json!([{"kinds": [1]}]))
            .await
            .events()
            .is_empty()
    );
    assert!(
        c.req("two", json!([{"kinds": [1]}]))
            .await
            .events()
            .is_empty()
    );
    let refusal = c.req("three", json!([{"kinds": [1]}])).await.closed();
    assert!(refusal.starts_with("rate-limited:"), "{refusal}");
    // Replacing an open subscription does not count as a new one.
    assert!(
        c.req("two", json!([{"kinds": [7]}]))
            .await
            .events()
            .is_empty()
    );
    c.send_json(json!(["CLOSE", "one"])).await;
    assert!(
        c.req("three", json!([{"kinds": [1]}]))
            .await
            .events()
            .is_empty()
    );
}

async fn oversized_frames_close_only_that_connection(store: Store) {
    let relay = small_limits(store).await;
    let mut c = Raw::connect(&relay.url).await;
    c.send_unchecked("x".repeat(2 << 20)).await;
    let (code, _) = c.until_closed().await;
    assert!(matches!(code, Some(1009) | None), "closed with {code:?}");
    let mut fresh = Raw::connect(&relay.url).await;
    still_works(&mut fresh).await;
}

on_both_stores!(
    malformed_messages_get_notices,
    bad_events_get_ok_false,
    bad_requests_get_closed,
    oversized_frames_close_only_that_connection,
);
