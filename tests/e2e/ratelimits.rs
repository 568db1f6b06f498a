//! Rate limits (issue 5): per-target caps against viral floods, per-author rates, per-IP limits
//! that survive reconnects, proof of work, strikes and backoff, governed values, proxies.

use std::time::Duration;

use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::gov::{self, config, decision_on, member, proposal, set, vote};
use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

fn react(k: &::nips::Keys, target: &str) -> ::nips::Event {
    sign(k, now(), 7, &[&["e", target]], "+")
}

async fn a_viral_note_hits_its_cap_while_others_flow(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_POLICY__RATE__TARGET__REACTIONS__OTHERS", 5)
        .start()
        .await;
    let mut c = Raw::connect(&relay.url).await;
    let author = ::nips::Keys::generate();
    let (viral, quiet) = (
        sign(&author, now(), 1, &[], "viral"),
        sign(&author, now(), 1, &[], "quiet"),
    );
    c.accept(&viral).await;
    c.accept(&quiet).await;
    let mut refused = Vec::new();
    for _ in 0..8 {
        let (ok, message) = c
            .publish(&react(&::nips::Keys::generate(), &viral.id.to_hex()))
            .await;
        if !ok {
            refused.push(message);
        }
    }
    assert_eq!(
        refused.len(),
        3,
        "5 of 8 reactions pass the cap: {refused:?}"
    );
    assert!(
        refused
            .iter()
            .all(|m| m.starts_with("rate-limited:")
                && m.contains("faster than this community allows")),
        "{refused:?}"
    );
    for _ in 0..3 {
        c.accept(&react(&::nips::Keys::generate(), &quiet.id.to_hex()))
            .await;
    }
    let stored = c
        .req("r", json!([{"kinds": [7], "#e": [viral.id.to_hex()]}]))
        .await
        .events();
    assert_eq!(stored.len(), 5);
}

async fn members_and_outsiders_have_their_own_caps(store: Store) {
    let m = ::nips::Keys::generate();
    let toml = config(
        &[&m],
        &[],
        "open",
        "[policy.rate.target.reactions]\nothers = 1\nmembers = 10\n",
    );
    let relay = gov::start(store, &toml).await;
    let mut c = member(&relay, &m).await;
    let note = sign(&m, now(), 1, &[], "hello");
    c.accept(&note).await;
    c.accept(&react(&::nips::Keys::generate(), &note.id.to_hex()))
        .await;
    let (ok, _) = c
        .publish(&react(&::nips::Keys::generate(), &note.id.to_hex()))
        .await;
    assert!(!ok, "the outsiders' cap of one is used");
    c.accept(&react(&m, &note.id.to_hex())).await;
}

/// A REQ over the connection's message rate is refused with a CLOSED for its subscription,
/// which a client can match to what it asked (a NOTICE would leave it waiting).
async fn reqs_over_the_message_rate_are_closed(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_POLICY__RATE__MESSAGES_PER_SECOND", 5)
        .start()
        .await;
    let mut c = Raw::connect(&relay.url).await;
    // Five a second, bursts of twenty: forty at once cannot all pass (and twenty refusals
    // stay under the thirty that close a connection).
    for i in 0..40 {
        c.send_json(json!(["REQ", format!("s{i}"), {"kinds": [1], "limit": 1}]))
            .await;
    }
    let (mut ended, mut refused) = (0, 0);
    while ended + refused < 40 {
        let m = c.recv().await;
        match m[0].as_str() {
            Some("EOSE") => ended += 1,
            Some("CLOSED") => {
                let reason = m[2].as_str().unwrap_or_default();
                assert!(reason.starts_with("rate-limited:"), "{m}");
                refused += 1;
            }
            _ => {}
        }
    }
    assert!(
        refused > 0 && ended > 0,
        "{ended} answered, {refused} refused"
    );
}

async fn a_flooding_author_is_slowed_and_others_are_not(store: Store) {
    let relay = TestRelay::builder(store)
        .env(
            "COMMUNITARIUM_POLICY__RATE__EVENTS_PER_MINUTE__NOTES__OTHERS",
            3,
        )
        // No burst beyond the rate: the fourth note in a minute is refused.
        .env("COMMUNITARIUM_POLICY__RATE__EVENTS_BURST__NOTES__OTHERS", 0)
        .start()
        .await;
    let mut c = Raw::connect(&relay.url).await;
    let (flood, calm) = (::nips::Keys::generate(), ::nips::Keys::generate());
    let outcomes: Vec<bool> = {
        let mut v = Vec::new();
        for i in 0..6 {
            v.push(
                c.publish(&sign(&flood, now(), 1, &[], &format!("spam {i}")))
                    .await
                    .0,
            );
        }
        v
    };
    assert_eq!(outcomes, vec![true, true, true, false, false, false]);
    c.accept(&sign(&calm, now(), 1, &[], "a calm note")).await;
    c.accept(&sign(&flood, now(), 7, &[&["e", &"ab".repeat(32)]], "+"))
        .await;
}

async fn reconnecting_does_not_reset_ip_limits(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_POLICY__RATE__REQS_PER_MINUTE__OTHERS", 3)
        .env("COMMUNITARIUM_POLICY__RATE__STRIKES_BEFORE_DISCONNECT", 0)
        .start()
        .await;
    let mut c = Raw::connect(&relay.url).await;
    for i in 0..3 {
        assert!(
            c.req(&format!("s{i}"), json!([{"limit": 1}]))
                .await
                .events()
                .len()
                <= 1
        );
    }
    assert!(
        c.req("s3", json!([{"limit": 1}]))
            .await
            .closed()
            .starts_with("rate-limited:")
    );
    drop(c);
    let mut again = Raw::connect(&relay.url).await;
    assert!(
        again
            .req("s4", json!([{"limit": 1}]))
            .await
            .closed()
            .starts_with("rate-limited:"),
        "a new connection from the same address is still limited"
    );
    again.send_json(json!(["COUNT", "c", {"kinds": [1]}])).await;
    let answer = again.recv().await;
    assert_eq!(answer[0], "CLOSED");
}

async fn new_connections_per_ip_are_limited(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_POLICY__RATE__CONNECTIONS_PER_MINUTE", 2)
        .start()
        .await;
    let _a = Raw::connect(&relay.url).await;
    let _b = Raw::connect(&relay.url).await;
    match tokio_tungstenite::connect_async(&relay.url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
            let body =
                String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).to_string();
            assert!(body.starts_with("rate-limited:"), "{body}");
        }
        other => panic!("a third connection within a minute must get 429: {other:?}"),
    }
}

async fn proof_of_work_is_required(store: Store) {
    let m = ::nips::Keys::generate();
    let toml = config(
        &[&m],
        &[],
        "open",
        "[policy.rate]\npow_non_members_only = true\n",
    ) + "\n[limits]\nmin_pow_difficulty = 8\n";
    let relay = gov::start(store, &toml).await;
    let mut c = Raw::connect(&relay.url).await;
    let k = ::nips::Keys::generate();
    let (ok, message) = c.publish(&sign(&k, now(), 1, &[], "no work")).await;
    assert!(!ok && message.starts_with("pow:"), "{message}");
    let mine = |target: &str, bits: u32| {
        (0u64..)
            .map(|n| {
                sign(
                    &k,
                    now(),
                    1,
                    &[&["nonce", &n.to_string(), target]],
                    "worked",
                )
            })
            .find(|e| nips::nip13::difficulty(&e.id) >= bits)
            .unwrap()
    };
    let (ok, message) = c.publish(&mine("4", 8)).await;
    assert!(
        !ok && message.starts_with("pow:"),
        "a lucky low-target miner gets no credit: {message}"
    );
    c.accept(&mine("8", 8)).await;
    let mut mc = member(&relay, &m).await;
    mc.accept(&sign(&m, now(), 1, &[], "members are exempt here"))
        .await;
    assert_eq!(
        gov::info(&relay).await["limitation"]["min_pow_difficulty"],
        8
    );
}

async fn hammering_closes_the_connection_and_backs_off_the_address(store: Store) {
    let relay = TestRelay::builder(store)
        .env(
            "COMMUNITARIUM_POLICY__RATE__EVENTS_PER_MINUTE__NOTES__OTHERS",
            1,
        )
        .env("COMMUNITARIUM_POLICY__RATE__EVENTS_BURST__NOTES__OTHERS", 0)
        .env("COMMUNITARIUM_POLICY__RATE__STRIKES_BEFORE_DISCONNECT", 3)
        .env("COMMUNITARIUM_POLICY__RATE__IP_BACKOFF", 60)
        .start()
        .await;
    let mut c = Raw::connect(&relay.url).await;
    let k = ::nips::Keys::generate();
    for i in 0..4 {
        c.send(format!(
            "[\"EVENT\",{}]",
            sign(&k, now(), 1, &[], &format!("{i}")).to_json()
        ))
        .await;
    }
    let (code, seen) = c.until_closed().await;
    assert_eq!(code, Some(1008));
    let refusals = seen
        .iter()
        .filter(|m| m[0] == "OK" && m[2] == false)
        .count();
    assert_eq!(refusals, 3, "told each time: {seen:?}");
    assert!(
        seen.iter()
            .any(|m| m[0] == "NOTICE" && m[1].as_str().unwrap().starts_with("rate-limited:"))
    );
    let back = tokio_tungstenite::connect_async(&relay.url).await;
    assert!(
        matches!(back, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 429),
        "backed off"
    );
}

async fn message_floods_are_refused_unparsed(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_POLICY__RATE__MESSAGES_PER_SECOND", 2)
        .env("COMMUNITARIUM_POLICY__RATE__STRIKES_BEFORE_DISCONNECT", 0)
        .start()
        .await;
    let mut c = Raw::connect(&relay.url).await;
    for i in 0..20 {
        c.send_json(json!(["CLOSE", format!("s{i}")])).await;
    }
    let mut notices = 0;
    while let Some(m) = c.try_recv(Duration::from_millis(500)).await {
        if m[0] == "NOTICE" && m[1].as_str().unwrap().starts_with("rate-limited:") {
            notices += 1;
        }
    }
    assert_eq!(
        notices, 12,
        "a burst of 8 (four times the rate) passes; the rest are told"
    );
}

async fn a_decision_raising_a_cap_applies_at_once(store: Store) {
    let f: Vec<::nips::Keys> = (0..2).map(|_| ::nips::Keys::generate()).collect();
    let toml = config(
        &[&f[0], &f[1]],
        &[],
        "open",
        "[policy.rate.target.reactions]\nothers = 2\n",
    );
    let relay = gov::start(store, &toml).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    let note = sign(&f[0], now(), 1, &[], "popular");
    c.accept(&note).await;
    for _ in 0..2 {
        c.accept(&react(&::nips::Keys::generate(), &note.id.to_hex()))
            .await;
    }
    let (ok, _) = c
        .publish(&react(&::nips::Keys::generate(), &note.id.to_hex()))
        .await;
    assert!(!ok, "capped, and cooling off");
    let p = proposal(
        &f[0],
        &set("rate.target.reactions.others", "100"),
        60,
        &relay.url,
        "Let it breathe",
    );
    c.accept(&p).await;
    for k in &f {
        member(&relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    assert_eq!(
        gov::tag(&decision_on(&mut c, &pk, &p.id.to_hex()).await, "result"),
        Some("passed")
    );
    c.accept(&react(&::nips::Keys::generate(), &note.id.to_hex()))
        .await;
    assert_eq!(
        gov::info(&relay).await["governance"]["limits"]["target"]["reactions"]["others"],
        100,
        "NIP-11 shows the live value"
    );
}

/// NIP-22 comments name their root in uppercase (`E`, `P`); they count against a note's cap
/// as lowercase replies do.
async fn comments_count_toward_a_notes_cap(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_POLICY__RATE__TARGET__REPLIES__OTHERS", 5)
        .start()
        .await;
    let mut c = Raw::connect(&relay.url).await;
    let author = ::nips::Keys::generate();
    let note = sign(&author, now(), 1, &[], "viral");
    c.accept(&note).await;
    let (id, pk) = (note.id.to_hex(), author.pubkey().to_hex());
    let mut refused = 0;
    for i in 0..8 {
        let k = ::nips::Keys::generate();
        let comment = sign(
            &k,
            now(),
            1111,
            &[&["E", &id, "", &pk], &["K", "1"]],
            &format!("c{i}"),
        );
        if !c.publish(&comment).await.0 {
            refused += 1;
        }
    }
    assert_eq!(refused, 3, "5 of 8 comments pass the cap");
}

/// Slow mode reads NIP-10 markers: a note that only mentions another is a note, and a thread
/// (kind 11) is paced as one.
async fn slow_mode_cannot_be_sidestepped(store: Store) {
    let relay = TestRelay::builder(store)
        .env(
            "COMMUNITARIUM_POLICY__RATE__MIN_INTERVAL__NOTES__OTHERS",
            600,
        )
        .start()
        .await;
    let mut c = Raw::connect(&relay.url).await;
    let k = ::nips::Keys::generate();
    c.accept(&sign(&k, now(), 1, &[], "first")).await;
    let other = "ab".repeat(32);
    let tries = [
        sign(&k, now(), 1, &[&["e", &other, "", "mention"]], "a mention"),
        sign(&k, now(), 11, &[&["title", "Soup"]], "a thread"),
    ];
    for e in &tries {
        let (ok, message) = c.publish(e).await;
        assert!(
            !ok && message.starts_with("rate-limited: slow mode"),
            "{message}"
        );
    }
    let reply = sign(&k, now(), 1, &[&["e", &other, "", "reply"]], "a reply");
    c.accept(&reply).await;
}

on_both_stores!(
    comments_count_toward_a_notes_cap,
    slow_mode_cannot_be_sidestepped,
    a_viral_note_hits_its_cap_while_others_flow,
    members_and_outsiders_have_their_own_caps,
    a_flooding_author_is_slowed_and_others_are_not,
    reqs_over_the_message_rate_are_closed,
    reconnecting_does_not_reset_ip_limits,
    new_connections_per_ip_are_limited,
    proof_of_work_is_required,
    hammering_closes_the_connection_and_backs_off_the_address,
    message_floods_are_refused_unparsed,
    a_decision_raising_a_cap_applies_at_once,
);

#[tokio::test]
async fn a_trusted_proxy_names_the_client() {
    let relay = TestRelay::builder(Store::Sqlite)
        .env("COMMUNITARIUM_SERVER__REAL_IP_HEADER", "X-Forwarded-For")
        .env("COMMUNITARIUM_POLICY__RATE__CONNECTIONS_PER_MINUTE", 1)
        .start()
        .await;
    let via = |client: &'static str| {
        let mut request = relay.url.clone().into_client_request().unwrap();
        request.headers_mut().insert(
            "X-Forwarded-For",
            format!("198.51.100.1, {client}").parse().unwrap(),
        );
        tokio_tungstenite::connect_async(request)
    };
    let _first = via("203.0.113.7")
        .await
        .expect("first connection from this client");
    assert!(
        via("203.0.113.7").await.is_err(),
        "the same client, limited"
    );
    let _other = via("203.0.113.8")
        .await
        .expect("another client behind the same proxy");
}

#[tokio::test]
async fn refusals_are_counted_in_metrics() {
    let relay = TestRelay::builder(Store::Sqlite)
        .env(
            "COMMUNITARIUM_POLICY__RATE__EVENTS_PER_MINUTE__NOTES__OTHERS",
            1,
        )
        .env("COMMUNITARIUM_POLICY__RATE__EVENTS_BURST__NOTES__OTHERS", 0)
        .start()
        .await;
    let mut c = Raw::connect(&relay.url).await;
    let k = ::nips::Keys::generate();
    c.accept(&sign(&k, now(), 1, &[], "one")).await;
    let (ok, _) = c.publish(&sign(&k, now(), 1, &[], "two")).await;
    assert!(!ok);
    let text = relay.metrics().await;
    assert!(
        text.contains("communitarium_rate_limited_total{limit=\"events_per_minute\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("communitarium_events_accepted_total"),
        "{text}"
    );
}
