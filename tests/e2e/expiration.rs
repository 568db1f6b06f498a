//! NIP-40: expired events are refused on arrival and never served.

use std::time::Duration;

use serde_json::json;

use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

async fn expired_events_are_refused_and_hidden(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_SERVER__EXPIRATION_SWEEP_SECS", 1)
        .start()
        .await;
    let keys = nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let t = now();
    let stale = sign(
        &keys,
        t - 10,
        1,
        &[&["expiration", &(t - 1).to_string()]],
        "stale",
    );
    let (ok, message) = c.publish(&stale).await;
    assert!(!ok && message.starts_with("invalid:"), "{message}");

    let brief = sign(
        &keys,
        t,
        1,
        &[&["expiration", &(t + 2).to_string()]],
        "brief",
    );
    let lasting = sign(
        &keys,
        t,
        1,
        &[&["expiration", &(t + 3600).to_string()]],
        "lasting",
    );
    c.accept(&brief).await;
    c.accept(&lasting).await;
    let pk = keys.pubkey().to_hex();
    assert_eq!(
        c.req("a", json!([{"authors": [pk]}])).await.events().len(),
        2
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let left = c.req("b", json!([{"authors": [pk]}])).await.events();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], lasting.id.to_hex());
}

on_both_stores!(expired_events_are_refused_and_hidden);
