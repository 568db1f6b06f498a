//! NIP-86 management with NIP-98 authorization (issue 3): bans, removed events, IP blocks, and
//! every way an authorization can be wrong.

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::gov::{self, config};
use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

async fn ban_and_unban_a_spammer(store: Store) {
    let operator = ::nips::Keys::generate();
    let founder = ::nips::Keys::generate();
    let relay = gov::start(store, &config(&[&founder], &[&operator], "open", "")).await;
    let pk = gov::relay_key(&relay).await;
    let spammer = ::nips::Keys::generate();
    let mut s = Raw::connect(&relay.url).await;
    s.accept(&sign(&spammer, now(), 1, &[], "buy now")).await;

    let (status, body) = gov::manage(
        &relay,
        &operator,
        "banpubkey",
        json!([spammer.pubkey().to_hex(), "spam"]),
    )
    .await;
    assert_eq!((status, &body["result"]), (200, &json!(true)), "{body}");
    let (ok, message) = s.publish(&sign(&spammer, now(), 1, &[], "buy more")).await;
    assert!(
        !ok && message.starts_with("blocked:"),
        "banned at once: {message}"
    );
    let (_, list) = gov::manage(&relay, &operator, "listbannedpubkeys", json!([])).await;
    assert_eq!(
        list["result"],
        json!([{"pubkey": spammer.pubkey().to_hex(), "reason": "spam"}])
    );

    // The call is public: an emergency decision naming the operator, with a ratification poll.
    let mut c = Raw::connect(&relay.url).await;
    let decisions = c
        .req(
            "d",
            json!([{"authors": [pk], "kinds": [8002], "#p": [spammer.pubkey().to_hex()]}]),
        )
        .await
        .events();
    assert_eq!(decisions.len(), 1);
    assert_eq!(gov::tag(&decisions[0], "result"), Some("emergency"));
    assert_eq!(
        gov::tag(&decisions[0], "operator"),
        Some(operator.pubkey().to_hex().as_str())
    );
    assert_eq!(gov::tag(&decisions[0], "method"), Some("banpubkey"));
    let auth: nips::Event =
        nips::Event::from_json(gov::tag(&decisions[0], "auth").unwrap()).unwrap();
    auth.verify().unwrap();
    assert_eq!(
        auth.pubkey,
        operator.pubkey(),
        "the operator's own signed request is published"
    );
    let ratify = c.req("r", json!([{"authors": [pk], "kinds": [1068], "#e": [decisions[0]["id"].as_str().unwrap()]}])).await.events();
    assert_eq!(gov::tag(&ratify[0], "gov"), Some("ratify"));

    let (status, _) = gov::manage(
        &relay,
        &operator,
        "unbanpubkey",
        json!([spammer.pubkey().to_hex()]),
    )
    .await;
    assert_eq!(status, 200);
    s.accept(&sign(&spammer, now(), 1, &[], "sorry")).await;
}

async fn banned_events_are_removed_for_good(store: Store) {
    let operator = ::nips::Keys::generate();
    let relay = gov::start(store, &config(&[], &[&operator], "open", "")).await;
    let author = ::nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let bad = sign(&author, now(), 1, &[&["t", "x"]], "illegal content");
    c.accept(&bad).await;
    let (status, body) = gov::manage(
        &relay,
        &operator,
        "banevent",
        json!([bad.id.to_hex(), "illegal"]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        c.req("a", json!([{"ids": [bad.id.to_hex()]}]))
            .await
            .events()
            .is_empty(),
        "no longer served"
    );
    let (ok, message) = c.publish(&bad).await;
    assert!(!ok && message.starts_with("blocked:"), "{message}");
    let (_, list) = gov::manage(&relay, &operator, "listbannedevents", json!([])).await;
    assert_eq!(list["result"], json!([{"id": bad.id.to_hex()}]));
    let (status, _) = gov::manage(&relay, &operator, "allowevent", json!([bad.id.to_hex()])).await;
    assert_eq!(status, 200);
    assert_eq!(
        c.req("b", json!([{"ids": [bad.id.to_hex()]}]))
            .await
            .events()
            .len(),
        1,
        "restored from quarantine"
    );
}

async fn kinds_and_relay_info_are_managed(store: Store) {
    let operator = ::nips::Keys::generate();
    let relay = gov::start(store, &config(&[], &[&operator], "open", "")).await;
    let k = ::nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    assert_eq!(
        gov::manage(&relay, &operator, "allowkind", json!([1]))
            .await
            .0,
        200
    );
    c.accept(&sign(&k, now(), 1, &[], "notes are allowed"))
        .await;
    let (ok, message) = c.publish(&sign(&k, now(), 7, &[], "+")).await;
    assert!(
        !ok && message.starts_with("blocked:"),
        "only allowed kinds: {message}"
    );
    assert_eq!(
        gov::manage(&relay, &operator, "listallowedkinds", json!([]))
            .await
            .1["result"],
        json!([1])
    );
    assert_eq!(
        gov::manage(&relay, &operator, "disallowkind", json!([1]))
            .await
            .0,
        200
    );
    c.accept(&sign(&k, now(), 7, &[], "+")).await;
    assert_eq!(
        gov::manage(
            &relay,
            &operator,
            "changerelayname",
            json!(["Village Green"])
        )
        .await
        .0,
        200
    );
    assert_eq!(
        gov::manage(
            &relay,
            &operator,
            "changerelaydescription",
            json!(["our relay"])
        )
        .await
        .0,
        200
    );
    assert_eq!(
        gov::manage(
            &relay,
            &operator,
            "changerelayicon",
            json!(["https://example.org/i.png"])
        )
        .await
        .0,
        200
    );
    let info = gov::info(&relay).await;
    assert_eq!(info["name"], "Village Green");
    assert_eq!(info["description"], "our relay");
    assert_eq!(info["icon"], "https://example.org/i.png");
    let (_, methods) = gov::manage(&relay, &operator, "supportedmethods", json!([])).await;
    assert!(methods["result"].as_array().unwrap().len() >= 19);
    let newcomer = ::nips::Keys::generate();
    assert_eq!(
        gov::manage(
            &relay,
            &operator,
            "allowpubkey",
            json!([newcomer.pubkey().to_hex()])
        )
        .await
        .0,
        200
    );
    let (_, members) = gov::manage(&relay, &operator, "listallowedpubkeys", json!([])).await;
    let listed = members["result"].as_array().unwrap();
    assert!(
        listed.contains(&json!({"pubkey": newcomer.pubkey().to_hex()})),
        "{members}"
    );
    assert_eq!(listed.len(), 2, "the founder and the newcomer: {members}");
    assert_eq!(
        gov::manage(
            &relay,
            &operator,
            "unallowpubkey",
            json!([newcomer.pubkey().to_hex()])
        )
        .await
        .0,
        200
    );
    let (_, members) = gov::manage(&relay, &operator, "listallowedpubkeys", json!([])).await;
    let listed = members["result"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "the founder alone: {members}");
    assert!(!listed.contains(&json!({"pubkey": newcomer.pubkey().to_hex()})));
}

async fn blocked_ips_cannot_connect(store: Store) {
    let operator = ::nips::Keys::generate();
    let relay = gov::start(store, &config(&[], &[&operator], "open", "")).await;
    let mut connected = Raw::connect(&relay.url).await;
    assert_eq!(
        gov::manage(&relay, &operator, "blockip", json!(["127.0.0.1", "flood"]))
            .await
            .0,
        200
    );
    // Panics unless the open connection is closed.
    connected.until_closed().await;
    let refused = tokio_tungstenite::connect_async(&relay.url).await;
    assert!(
        refused.is_err(),
        "new connections from a blocked IP are refused"
    );
    let (_, list) = gov::manage(&relay, &operator, "listblockedips", json!([])).await;
    assert_eq!(
        list["result"],
        json!([{"ip": "127.0.0.1", "reason": "flood"}])
    );
    assert_eq!(
        gov::manage(&relay, &operator, "unblockip", json!(["127.0.0.1"]))
            .await
            .0,
        200
    );
    let mut again = Raw::connect(&relay.url).await;
    // Served again (a live event may arrive beside the stored one before EOSE).
    again.req("s", json!([{"limit": 1}])).await.events();
}

/// A NIP-98 header signed by `keys` over `body`, with tags adjusted by `tweak`.
fn header(
    keys: &::nips::Keys,
    url: &str,
    method: &str,
    body: &str,
    at: u64,
    with_payload: bool,
) -> String {
    let mut tags = vec![
        vec!["u".to_string(), url.to_string()],
        vec!["method".into(), method.into()],
    ];
    if with_payload {
        tags.push(vec![
            "payload".into(),
            hex::encode(Sha256::digest(body.as_bytes())),
        ]);
    }
    let event = keys.sign(at, 27235, tags, String::new());
    format!(
        "Nostr {}",
        base64::engine::general_purpose::STANDARD.encode(event.to_json())
    )
}

async fn nip98_attacks_get_401(store: Store) {
    let operator = ::nips::Keys::generate();
    let stranger = ::nips::Keys::generate();
    let relay = gov::start(store, &config(&[], &[&operator], "open", "")).await;
    let body = json!({"method": "supportedmethods", "params": []}).to_string();
    let url = format!("{}/", relay.http);
    let good = header(&operator, &url, "POST", &body, now(), true);
    let cases = vec![
        ("no header", String::new()),
        ("not base64", "Nostr %%%".to_string()),
        (
            "wrong url",
            header(
                &operator,
                "http://evil.example/",
                "POST",
                &body,
                now(),
                true,
            ),
        ),
        (
            "wrong method",
            header(&operator, &url, "GET", &body, now(), true),
        ),
        (
            "wrong payload",
            header(
                &operator,
                &url,
                "POST",
                "{\"method\":\"banpubkey\"}",
                now(),
                true,
            ),
        ),
        (
            "no payload",
            header(&operator, &url, "POST", &body, now(), false),
        ),
        (
            "stale",
            header(&operator, &url, "POST", &body, now() - 600, true),
        ),
        (
            "not an operator",
            header(&stranger, &url, "POST", &body, now(), true),
        ),
    ];
    for (what, authorization) in cases {
        let (status, json) = gov::post(&relay, &authorization, body.clone()).await;
        assert_eq!(status, 401, "{what}");
        assert!(
            json["error"].is_string(),
            "{what}: JSON error expected, got {json}"
        );
    }
    let (status, json) = gov::post(&relay, &good, body.clone()).await;
    assert_eq!(status, 200, "{json}");
    let (status, json) = gov::post(&relay, &good, body).await;
    assert_eq!(status, 401, "a replayed authorization: {json}");
    // A forged signature.
    let forged = {
        let mut e = operator.sign(
            now(),
            27235,
            vec![
                vec!["u".into(), url.clone()],
                vec!["method".into(), "POST".into()],
            ],
            String::new(),
        );
        e.sig.0[0] ^= 1;
        format!(
            "Nostr {}",
            base64::engine::general_purpose::STANDARD.encode(e.to_json())
        )
    };
    assert_eq!(gov::post(&relay, &forged, "{}".into()).await.0, 401);
    // Bad parameters are a 200 with an error, not an action.
    let (status, json) = gov::manage(&relay, &operator, "banpubkey", json!(["not-a-key"])).await;
    assert_eq!(status, 200);
    assert!(json["error"].is_string());
}

on_both_stores!(
    ban_and_unban_a_spammer,
    banned_events_are_removed_for_good,
    kinds_and_relay_info_are_managed,
    blocked_ips_cannot_connect,
    nip98_attacks_get_401,
);

#[tokio::test]
async fn management_requires_its_content_type() {
    let relay = TestRelay::start(Store::Sqlite).await;
    let response = reqwest::Client::new()
        .post(&relay.http)
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}
