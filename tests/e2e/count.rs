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

async fn count(c: &mut Raw, filters: serde_json::Value) -> serde_json::Value {
    let mut msg = vec![json!("COUNT"), json!("c")];
    msg.extend(filters.as_array().unwrap().iter().cloned());
    c.send_json(serde_json::Value::Array(msg)).await;
    c.recv_until(|m| (m[1] == "c").then(|| m.clone())).await
}

/// The second review's counts: another person's gift wraps, through a second filter or a
/// kindless one, and private followers through a list of authors.
async fn counts_reveal_no_private_mail_or_follows(store: Store) {
    let relay = TestRelay::builder(store).unlimited().start().await;
    let (me, victim) = (nips::Keys::generate(), nips::Keys::generate());
    let mut c = Raw::connect(&relay.url).await;
    for to in [&victim, &victim, &victim, &me] {
        let wrap = sign(
            &nips::Keys::generate(),
            now(),
            1059,
            &[&["p", &to.pubkey().to_hex()]],
            "sealed",
        );
        c.accept(&wrap).await;
    }
    c.accept(&sign(
        &me,
        now(),
        1,
        &[&["p", &victim.pubkey().to_hex()]],
        "hi",
    ))
    .await;
    let v = victim.pubkey().to_hex();
    let m = me.pubkey().to_hex();
    // A stranger's kindless count sees the note, not the victim's mail.
    let mut anon = Raw::connect(&relay.url).await;
    let n = count(&mut anon, json!([{"#p": [v]}])).await;
    assert_eq!(n, json!(["COUNT", "c", {"count": 1}]));
    // My own wraps in the first filter do not open the second.
    c.auth(&me).await;
    let n = count(
        &mut c,
        json!([{"kinds": [1059], "#p": [m]}, {"kinds": [1059], "#p": [v]}]),
    )
    .await;
    assert_eq!(n[0], "CLOSED", "{n}");
    let n = count(&mut c, json!([{"kinds": [1059], "#p": [m]}, {"#p": [v]}])).await;
    assert_eq!(
        n,
        json!(["COUNT", "c", {"count": 2}]),
        "my wrap and the note"
    );
    let n = count(&mut c, json!([{"kinds": [1059], "#p": [m]}])).await;
    assert_eq!(n, json!(["COUNT", "c", {"count": 1}]));
    // Private followers: who follows the victim is not counted through a list of authors.
    let relay = TestRelay::builder(store)
        .unlimited()
        .config("[policy.visibility]\nfollowers = \"private\"\n")
        .start()
        .await;
    let mut anon = Raw::connect(&relay.url).await;
    let mut c = Raw::connect(&relay.url).await;
    c.auth(&me).await;
    let followers: Vec<nips::Keys> = (0..5).map(|_| nips::Keys::generate()).collect();
    let mut authors = Vec::new();
    for f in &followers {
        c.accept(&sign(f, now(), 3, &[&["p", &v]], "")).await;
        authors.push(f.pubkey().to_hex());
    }
    authors.extend((0..3).map(|_| nips::Keys::generate().pubkey().to_hex()));
    let n = count(
        &mut anon,
        json!([{"kinds": [3], "authors": authors, "#p": [v]}]),
    )
    .await;
    assert_eq!(n[0], "CLOSED", "{n}");
    let n = count(
        &mut c,
        json!([{"kinds": [3], "authors": authors, "#p": [v]}]),
    )
    .await;
    assert_eq!(n[0], "CLOSED", "{n}");
    let lists = anon
        .req("lists", json!([{"kinds": [3], "authors": [authors[0]]}]))
        .await
        .events();
    assert_eq!(lists.len(), 1, "contact lists stay readable by author");
}

on_both_stores!(
    counts_matching_events,
    counts_reveal_no_private_mail_or_follows
);
