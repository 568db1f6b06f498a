//! NIP-62: a request to vanish that names this relay erases the author.

use serde_json::json;

use crate::harness::{Store, TestRelay};
use crate::raw::{Raw, ids};
use crate::{now, on_both_stores, sign};

async fn request_to_vanish(store: Store) {
    let relay = TestRelay::start(store).await;
    let me = nips::Keys::generate();
    let friend = nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let t = now();
    let pk = me.pubkey().to_hex();
    let note = sign(&me, t - 30, 1, &[], "mine");
    let wrap = sign(&friend, t - 30, 1059, &[&["p", &pk]], "sealed for me");
    let reply = sign(&friend, t - 30, 1, &[&["p", &pk]], "hi");
    for e in [&note, &wrap, &reply] {
        c.accept(e).await;
    }
    // A request naming another relay is an ordinary event here.
    let elsewhere = sign(
        &me,
        t - 25,
        62,
        &[&["relay", "wss://elsewhere.example"]],
        "",
    );
    c.accept(&elsewhere).await;
    assert_eq!(
        c.req("a", json!([{"authors": [pk], "kinds": [1]}]))
            .await
            .events()
            .len(),
        1
    );

    let request = sign(
        &me,
        t - 20,
        62,
        &[&["relay", &relay.url]],
        "please forget me",
    );
    c.accept(&request).await;
    assert_eq!(
        ids(&c.req("b", json!([{"authors": [pk]}])).await.events()),
        vec![request.id.to_hex()]
    );
    assert!(
        c.req("c", json!([{"ids": [wrap.id.to_hex()]}]))
            .await
            .events()
            .is_empty()
    );
    assert_eq!(
        c.req("d", json!([{"ids": [reply.id.to_hex()]}]))
            .await
            .events()
            .len(),
        1
    );
    let (ok, message) = c.publish(&note).await;
    assert!(
        !ok && message.starts_with("blocked:"),
        "re-broadcast refused: {message}"
    );
    c.accept(&sign(&me, t, 1, &[], "a fresh start")).await;
}

on_both_stores!(request_to_vanish);
