//! Live search subscriptions against a poster: a flood of `search` filters is capped per
//! connection and per address, and even past the caps (an operator who lifts them) matching
//! never holds up a poster's `OK` or a bystander's `REQ`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

/// Sixteen words, none of which the poster's notes hold: every filter is tested in full.
fn query(i: usize) -> String {
    (0..16)
        .map(|w| format!("w{i}x{w}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The review's attack: `REQ`s of 32 live search filters each.
fn searches(sub: &str, i: usize) -> Value {
    let mut msg = vec![json!("REQ"), json!(sub)];
    msg.extend((0..32).map(|f| json!({"kinds": [1], "search": query(i * 32 + f), "since": now()})));
    Value::Array(msg)
}

/// A 60 KiB note of ordinary words.
fn long_note() -> String {
    let words = [
        "meeting", "garden", "tuesday", "bring", "soup", "chairs", "and", "friends",
    ];
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 60 * 1024 {
        text.push_str(words[i % words.len()]);
        text.push(' ');
        i += 1;
    }
    text
}

/// Sends every `REQ`, then counts how many were served (`EOSE`) and refused `rate-limited:`.
async fn open_all(c: &mut Raw, n: usize) -> (usize, usize) {
    for i in 0..n {
        c.send_json(searches(&format!("s{i}"), i)).await;
    }
    let (mut served, mut refused) = (0, 0);
    while served + refused < n {
        let m = c.recv().await;
        match m[0].as_str() {
            Some("EOSE") => served += 1,
            Some("CLOSED") => {
                let why = m[2].as_str().unwrap_or("");
                assert!(why.starts_with("rate-limited:"), "{why}");
                refused += 1;
            }
            _ => {}
        }
    }
    (served, refused)
}

/// How long a poster waits for `OK` on a 60 KiB note, and a bystander for its `EOSE`.
async fn poster_and_bystander(relay: &TestRelay) -> (Duration, Duration) {
    let keys = ::nips::Keys::generate();
    let mut poster = Raw::connect(&relay.url).await;
    let note = sign(&keys, now(), 1, &[], &long_note());
    let started = Instant::now();
    poster.accept(&note).await;
    let ok = started.elapsed();
    let mut bystander = Raw::connect(&relay.url).await;
    let started = Instant::now();
    let found = bystander
        .req("b", json!([{"authors": [keys.pubkey().to_hex()]}]))
        .await
        .events();
    assert_eq!(found.len(), 1);
    (ok, started.elapsed())
}

async fn live_searches_are_capped(store: Store) {
    let relay = TestRelay::builder(store).unlimited().start().await;
    let info: Value = reqwest::Client::new()
        .get(&relay.http)
        .header("Accept", "application/nostr+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["limitation"]["max_live_searches_per_connection"], 10);
    assert_eq!(info["limitation"]["max_live_searches_per_ip"], 40);
    let mut attacker = Raw::connect(&relay.url).await;
    let (served, refused) = open_all(&mut attacker, 100).await;
    assert_eq!((served, refused), (0, 100), "32 search filters is over 10");
    // Within the share: ten one-filter searches per connection, forty per address.
    let mut held = 0;
    let mut conns = Vec::new();
    for c in 0..5 {
        let mut conn = Raw::connect(&relay.url).await;
        for i in 0..10 {
            let sub = format!("one{c}-{i}");
            let f = json!({"kinds": [1], "search": query(i), "since": now()});
            match conn.req(&sub, json!([f])).await {
                crate::raw::ReqEnd::Eose(_) => held += 1,
                crate::raw::ReqEnd::Closed(why) => assert!(why.starts_with("rate-limited:")),
            }
        }
        conns.push(conn);
    }
    assert_eq!(held, 40, "forty per address");
    let (ok, read) = poster_and_bystander(&relay).await;
    eprintln!("capped: poster OK {ok:?}, bystander EOSE {read:?}");
    assert!(ok < Duration::from_secs(1), "{ok:?}");
}

/// With the caps lifted, 3,200 live search filters still cost a poster nothing: their
/// matching runs after the `OK`, against the note's words indexed once.
async fn matching_never_holds_up_a_poster(store: Store) {
    let relay = TestRelay::builder(store)
        .unlimited()
        .env("COMMUNITARIUM_SERVER__MAX_LIVE_SEARCHES_PER_CONNECTION", 0)
        .env("COMMUNITARIUM_SERVER__MAX_LIVE_SEARCHES_PER_IP", 0)
        .env("COMMUNITARIUM_POLICY__RATE__REQS_PER_MINUTE__OTHERS", 0)
        .start()
        .await;
    let mut attacker = Raw::connect(&relay.url).await;
    let (served, _) = open_all(&mut attacker, 100).await;
    assert_eq!(served, 100);
    // One live search that matches, to show matching still delivers.
    let mut reader = Raw::connect(&relay.url).await;
    let f = json!({"kinds": [1], "search": "\"garden tuesday\" soup", "since": now()});
    reader.req("hit", json!([f])).await.events();
    let mut oks = Vec::new();
    let mut reads = Vec::new();
    for _ in 0..3 {
        let (ok, read) = poster_and_bystander(&relay).await;
        oks.push(ok);
        reads.push(read);
    }
    eprintln!("uncapped: poster OKs {oks:?}, bystander EOSEs {reads:?}");
    oks.sort();
    reads.sort();
    assert!(oks[1] < Duration::from_millis(500), "poster waited {oks:?}");
    assert!(
        reads[1] < Duration::from_millis(500),
        "bystander waited {reads:?}"
    );
    let delivered = reader
        .recv_until(|m| (m[0] == "EVENT" && m[1] == "hit").then_some(()))
        .await;
    let _: () = delivered;
}

on_both_stores!(live_searches_are_capped, matching_never_holds_up_a_poster);
