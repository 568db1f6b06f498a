//! NIP-77 negentropy sync through a real client: nostr-sdk reconciles thousands of events with
//! the relay, both ways, exchanging a small fraction of the full id list; the relay's caps and
//! read rules answer with `NEG-ERR`; syncs past a connection's cap wait their turn.

use std::collections::HashSet;

use negentropy::{Negentropy, NegentropyStorageVector};
use nostr_sdk::prelude::*;
use serde_json::{Value, json};

use crate::gov::{self, config};
use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

/// `communitarium_sync_bytes_total` for `direction`, from `/metrics`.
async fn sync_bytes(relay: &TestRelay, direction: &str) -> u64 {
    let text = relay.metrics().await;
    let series = format!("communitarium_sync_bytes_total{{direction=\"{direction}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0, |v| v.trim().parse().unwrap())
}

/// Publishes `events` over one connection without waiting for each `OK` in turn.
async fn publish_all(relay: &TestRelay, events: &[::nips::Event]) {
    let mut c = Raw::connect(&relay.url).await;
    for e in events {
        c.send(format!("[\"EVENT\",{}]", e.to_json())).await;
    }
    let mut acked = 0;
    while acked < events.len() {
        let m = c.recv().await;
        if m[0] == "OK" {
            assert_eq!(m[2], true, "{m}");
            acked += 1;
        }
    }
}

fn to_sdk(e: &::nips::Event) -> Event {
    Event::from_json(e.to_json()).unwrap()
}

async fn nostr_sdk_reconciles_both_ways(store: Store) {
    let relay = TestRelay::builder(store).unlimited().start().await;
    let author = ::nips::Keys::generate();
    let base = now() - 10_000;
    let all: Vec<::nips::Event> = (0..3_000u64)
        .map(|i| sign(&author, base + i, 1, &[], &format!("note {i}")))
        .collect();
    let relay_lacks: HashSet<usize> = [17, 1_234, 2_999].into();
    let client_lacks: HashSet<usize> = [0, 5, 1_500, 2_000].into();
    let on_relay: Vec<::nips::Event> = (0..all.len())
        .filter(|i| !relay_lacks.contains(i))
        .map(|i| all[i].clone())
        .collect();
    publish_all(&relay, &on_relay).await;

    let database = MemoryDatabase::with_opts(MemoryDatabaseOptions {
        events: true,
        max_events: None,
    });
    let keys = Keys::generate();
    let client = Client::builder().signer(keys).database(database).build();
    for i in (0..all.len()).filter(|i| !client_lacks.contains(i)) {
        client
            .database()
            .save_event(&to_sdk(&all[i]))
            .await
            .unwrap();
    }
    client.add_relay(&relay.url).await.unwrap();
    client.connect().await;
    let (bytes_in, bytes_out) = (
        sync_bytes(&relay, "in").await,
        sync_bytes(&relay, "out").await,
    );
    let filter = Filter::new()
        .author(PublicKey::from_hex(&author.pubkey().to_hex()).unwrap())
        .kind(Kind::TextNote);
    let done = client
        .sync(
            filter,
            &SyncOptions::default().direction(SyncDirection::Both),
        )
        .await
        .unwrap()
        .val;
    let ids = |set: &HashSet<usize>| -> HashSet<EventId> {
        set.iter().map(|&i| to_sdk(&all[i]).id).collect()
    };
    assert_eq!(done.local, ids(&relay_lacks), "what only the client had");
    assert_eq!(done.remote, ids(&client_lacks), "what only the relay had");
    assert_eq!(done.sent, ids(&relay_lacks), "uploaded to the relay");
    assert_eq!(
        done.received,
        ids(&client_lacks),
        "downloaded from the relay"
    );
    let exchanged =
        sync_bytes(&relay, "in").await - bytes_in + sync_bytes(&relay, "out").await - bytes_out;
    let full = 32 * all.len() as u64;
    eprintln!(
        "negentropy: {exchanged} bytes exchanged for {} events ({full} bytes of ids)",
        all.len()
    );
    assert!(
        exchanged * 10 < full,
        "negentropy exchanged {exchanged} bytes; the id list alone is {full}"
    );
    let mut c = Raw::connect(&relay.url).await;
    c.send_json(json!(["COUNT", "n", {"authors": [author.pubkey().to_hex()]}]))
        .await;
    assert_eq!(c.recv().await, json!(["COUNT", "n", {"count": 3000}]));
}

/// An empty set, ready to reconcile.
fn sealed() -> NegentropyStorageVector {
    let mut storage = NegentropyStorageVector::new();
    storage.seal().unwrap();
    storage
}

/// A client's first message for the empty set.
fn first_message() -> String {
    let mut neg = Negentropy::owned(sealed(), 0).unwrap();
    hex::encode(neg.initiate().unwrap())
}

async fn neg_reply(c: &mut Raw, sub: &str, filter: Value) -> Value {
    c.send_json(json!(["NEG-OPEN", sub, filter, first_message()]))
        .await;
    c.recv_until(|m| (m[1] == sub).then(|| m.clone())).await
}

async fn caps_and_read_rules_answer_neg_err(store: Store) {
    let member = ::nips::Keys::generate();
    let toml = config(
        &[&member],
        &[],
        "mode = \"invite\"\nread = \"members\"",
        "[server]\nmax_sync_events = 20\nmax_syncs_per_connection = 2\n",
    );
    let relay = gov::start(store, &toml).await;
    let mut m = gov::member(&relay, &member).await;
    let t = now();
    for i in 0..25 {
        m.accept(&sign(&member, t - 100 + i, 1, &[], &format!("n{i}")))
            .await;
    }
    let pk = member.pubkey().to_hex();
    // `limit` has no meaning in a sync (Flotilla asks for whole sets with `limit: 0`): the
    // set is all 15 events since then.
    let mut client = Negentropy::owned(sealed(), 0).unwrap();
    let first = hex::encode(client.initiate().unwrap());
    let few = json!({"authors": [pk], "since": t - 90, "limit": 0});
    m.send_json(json!(["NEG-OPEN", "few", few, first])).await;
    let ok = m
        .recv_until(|msg| (msg[1] == "few").then(|| msg.clone()))
        .await;
    assert_eq!(ok[0], "NEG-MSG", "{ok}");
    let (mut have, mut need) = (Vec::new(), Vec::new());
    let answer = hex::decode(ok[2].as_str().unwrap()).unwrap();
    client
        .reconcile_with_ids(&answer, &mut have, &mut need)
        .unwrap();
    assert_eq!(need.len(), 15, "the whole set, whatever the limit");
    let big = neg_reply(&mut m, "all", json!({"authors": [pk]})).await;
    assert_eq!(big[0], "NEG-ERR");
    assert!(
        big[2]
            .as_str()
            .unwrap()
            .starts_with("blocked: this filter selects more than 20"),
        "{big}"
    );
    assert_eq!(
        neg_reply(&mut m, "two", json!({"kinds": [7]})).await[0],
        "NEG-MSG"
    );
    // Beyond the connection's cap a sync waits its turn, and opens when another closes.
    m.send_json(json!(["NEG-OPEN", "three", {"kinds": [7]}, first_message()]))
        .await;
    m.send_json(json!(["NEG-CLOSE", "two"])).await;
    let third = m
        .recv_until(|msg| (msg[1] == "three").then(|| msg.clone()))
        .await;
    assert_eq!(third[0], "NEG-MSG", "{third}");
    // Past the queue, a sync is refused.
    for i in 0..32 {
        let open = json!(["NEG-OPEN", format!("q{i}"), {"kinds": [7]}, first_message()]);
        m.send_json(open).await;
    }
    let full = neg_reply(&mut m, "full", json!({"kinds": [7]})).await;
    assert!(
        full[2]
            .as_str()
            .unwrap()
            .starts_with("blocked: 2 syncs are open on this connection and 32 wait"),
        "{full}"
    );
    for i in 0..32 {
        m.send_json(json!(["NEG-CLOSE", format!("q{i}")])).await;
    }
    m.send_json(json!(["NEG-MSG", "gone", "61"])).await;
    let unknown = m.recv().await;
    assert!(
        unknown[2].as_str().unwrap().starts_with("closed:"),
        "{unknown}"
    );
    m.send_json(json!(["NEG-MSG", "few", "zz"])).await;
    let bad = m.recv().await;
    assert_eq!(bad[0], "NEG-ERR");
    assert!(bad[2].as_str().unwrap().starts_with("invalid:"), "{bad}");
    let search = neg_reply(&mut m, "s", json!({"search": "n1"})).await;
    assert!(
        search[2].as_str().unwrap().starts_with("invalid:"),
        "{search}"
    );

    let mut anon = Raw::connect(&relay.url).await;
    let refused = neg_reply(&mut anon, "a", json!({"kinds": [1]})).await;
    assert_eq!(refused[0], "NEG-ERR");
    assert!(
        refused[2].as_str().unwrap().starts_with("auth-required:"),
        "{refused}"
    );
    let wraps = neg_reply(&mut m, "w", json!({"kinds": [1059]})).await;
    assert!(
        wraps[2].as_str().unwrap().starts_with("restricted:"),
        "others' gift wraps are not synced: {wraps}"
    );
}

on_both_stores!(
    nostr_sdk_reconciles_both_ways,
    caps_and_read_rules_answer_neg_err
);
