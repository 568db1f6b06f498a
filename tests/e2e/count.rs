//! NIP-45: COUNT.

use serde_json::json;

use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

async fn counts_matching_events(store: Store) {
    let relay = TestRelay::start(store).await;
    let keys = nips::Keys::generate();
    let target = "ab".repeat(32);
    let mut c = Raw::connect(&relay.url).await;
    // One clock reading: a second ticking between reactions would make two
    // of them identical (same time, content and tags) and so one event.
    let base = now();
    for i in 0..4 {
        c.accept(&sign(&keys, base - i, 7, &[&["e", &target]], "+"))
            .await;
    }
    c.accept(&sign(&keys, base, 1, &[], "note")).await;
    let pk = keys.pubkey().to_hex();
    c.send_json(json!(["COUNT", "reactions", {"kinds": [7], "#e": [target]}]))
        .await;
    assert_eq!(c.recv().await, json!(["COUNT", "reactions", {"count": 4}]));
    c.send_json(json!(["COUNT", "all", {"authors": [pk]}, {"kinds": [7], "#e": [target]}]))
        .await;
    assert_eq!(
        c.recv().await,
        json!(["COUNT", "all", {"count": 5}]),
        "OR'd filters count each event once"
    );
    c.send_json(json!(["COUNT", "bad", {"authors": ["nope"]}]))
        .await;
    let closed = c.recv().await;
    assert_eq!(closed[0], "CLOSED");
    assert!(closed[2].as_str().unwrap().starts_with("invalid:"));
}

on_both_stores!(counts_matching_events);
