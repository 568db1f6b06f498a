//! Members hear of votes where they already are: the relay announces each proposal in a note
//! signed with its key (anyone may read it), and sends a private message (NIP-17) to each
//! member who asked for one, here and to the inbox relays they list (kind 10050).

use std::time::Duration;

use serde_json::{Value, json};

use crate::gov::{self, config, decision_on, member, proposal, set, vote};
use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

/// `events` once each, as clients keep them: an event committed while a REQ's stored query
/// runs may come both from the store and live before `EOSE`.
fn distinct(mut events: Vec<Value>) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    events.retain(|e| seen.insert(e["id"].as_str().unwrap_or_default().to_string()));
    events
}

/// The relay's announcements so far, oldest first.
async fn announcements(relay: &TestRelay, pk: &str) -> Vec<Value> {
    let mut c = Raw::connect(&relay.url).await;
    let mut notes = distinct(
        c.req("a", json!([{"authors": [pk], "kinds": [1]}]))
            .await
            .events(),
    );
    notes.reverse();
    notes
}

/// Gift wraps addressed to `keys` on `relay`, read as them.
async fn mail(relay: &TestRelay, keys: &nips::Keys) -> Vec<Value> {
    let mut c = member(relay, keys).await;
    distinct(
        c.req(
            "m",
            json!([{"kinds": [1059], "#p": [keys.pubkey().to_hex()]}]),
        )
        .await
        .events(),
    )
}

async fn members_hear_of_votes(store: Store) {
    let f: Vec<nips::Keys> = (0..2).map(|_| nips::Keys::generate()).collect();
    let relay = TestRelay::builder(store)
        .config(&config(&[&f[0], &f[1]], &[], "invite", ""))
        .env("COMMUNITARIUM_SERVER__NOTICES_TO_PRIVATE_ADDRESSES", "true")
        .start()
        .await;
    let inbox = TestRelay::start(Store::Sqlite).await;
    let pk = gov::relay_key(&relay).await;
    // f0 asks for private messages, and lists another relay as its inbox.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let mut c0 = member(&relay, &f[0]).await;
    let setting = sign(
        &f[0],
        now(),
        30078,
        &[&["d", "communitarium/notify"]],
        r#"{"direct":true}"#,
    );
    c0.accept(&setting).await;
    c0.accept(&sign(&f[0], now(), 10050, &[&["relay", &inbox.url]], ""))
        .await;
    let p = proposal(
        &f[1],
        &set("limitation.max_content_length", "5000"),
        30,
        &relay.url,
        "Longer notes\nSay more.",
    );
    member(&relay, &f[1]).await.accept(&p).await;
    let link = format!("{}/proposals/{}", relay.http, p.id.to_hex());
    // Anyone reads the announcement.
    let mut opened = Vec::new();
    for _ in 0..50 {
        opened = announcements(&relay, &pk).await;
        if !opened.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = opened[0]["content"].as_str().unwrap();
    assert!(
        text.contains("“Longer notes”") && text.contains(&link),
        "{text}"
    );
    assert_eq!(gov::tag(&opened[0], "e"), Some(p.id.to_hex().as_str()));
    // f0 got a private message here and at its inbox; f1, who did not ask, none.
    let mut here = Vec::new();
    for _ in 0..50 {
        here = mail(&relay, &f[0]).await;
        if !here.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(here.len(), 1);
    let sdk = nostr_sdk::Keys::parse(&f[0].secret_hex()).unwrap();
    let wrap = <nostr_sdk::Event as nostr_sdk::JsonUtil>::from_json(here[0].to_string()).unwrap();
    let opened_dm = nostr_sdk::nips::nip59::UnwrappedGift::from_gift_wrap(&sdk, &wrap)
        .await
        .unwrap();
    assert_eq!(opened_dm.sender.to_hex(), pk, "from the relay's key");
    assert!(
        opened_dm.rumor.content.contains(&link),
        "{}",
        opened_dm.rumor.content
    );
    let mut there = Vec::new();
    for _ in 0..50 {
        there = mail(&inbox, &f[0]).await;
        if !there.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(there.len(), 1, "sent on to the inbox relay");
    assert!(mail(&relay, &f[1]).await.is_empty(), "f1 did not ask");
    // The decision is announced too, naming the proposal and the decision.
    for k in &f {
        member(&relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    let d = decision_on(&mut c0, &pk, &p.id.to_hex()).await;
    let mut decided = None;
    for _ in 0..50 {
        decided = announcements(&relay, &pk).await.into_iter().find(|n| {
            n["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t[1] == d["id"])
        });
        if decided.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let decided = decided.expect("the decision is announced");
    assert!(
        decided["content"].as_str().unwrap().contains("passed"),
        "{decided}"
    );
}

/// A day before a vote of more than a day closes, the relay reminds everyone, once, and not
/// again after a restart.
async fn a_day_before_the_end_members_are_reminded(store: Store) {
    let f = nips::Keys::generate();
    let mut relay = TestRelay::builder(store)
        .config(&config(&[&f], &[], "invite", ""))
        .start()
        .await;
    let pk = gov::relay_key(&relay).await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    // A vote of a day and three seconds: due for its reminder within three seconds.
    let p = proposal(
        &f,
        &set("limitation.max_content_length", "5000"),
        86_400 + 3,
        &relay.url,
        "Longer notes",
    );
    member(&relay, &f).await.accept(&p).await;
    let closing = |notes: &[Value]| {
        notes
            .iter()
            .filter(|n| gov::tag(n, "t") == Some("closing"))
            .count()
    };
    let mut notes = Vec::new();
    for _ in 0..100 {
        notes = announcements(&relay, &pk).await;
        if closing(&notes) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(closing(&notes), 1, "{notes:?}");
    let reminder = notes
        .iter()
        .find(|n| gov::tag(n, "t") == Some("closing"))
        .unwrap();
    assert!(
        reminder["content"]
            .as_str()
            .unwrap()
            .starts_with("One day left"),
        "{reminder}"
    );
    assert_eq!(gov::tag(reminder, "e"), Some(p.id.to_hex().as_str()));
    relay.restart().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(closing(&announcements(&relay, &pk).await), 1, "once");
}

on_both_stores!(
    members_hear_of_votes,
    a_day_before_the_end_members_are_reminded
);
