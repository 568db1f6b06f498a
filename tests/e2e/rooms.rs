//! Rooms (NIP-29) inside the community: members create rooms, the relay signs their state,
//! posts need a room that exists and the right to post there, admins moderate within the
//! community's rules, a ban from the community is a ban from every room, and the rooms are
//! rebuilt from the record after a restart and seen on every node of a cluster.

use std::time::Duration;

use governance::Action;
use nips::{Event, Keys};
use serde_json::{Value, json};

use crate::gov::{self, config, decision_on, member, proposal, vote};
use crate::harness::Store;
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

fn room_event(keys: &Keys, kind: u16, room: &str, more: &[&[&str]]) -> Event {
    let h = ["h", room];
    let mut tags: Vec<&[&str]> = vec![&h];
    tags.extend_from_slice(more);
    sign(keys, now(), kind, &tags, "")
}

/// Waits for the relay's newest event of `kind` about room `d` that passes `check`.
async fn signed(
    c: &mut Raw,
    relay_pk: &str,
    kind: u16,
    d: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..40 {
        let filter = json!([{"authors": [relay_pk], "kinds": [kind], "#d": [d]}]);
        if let Some(e) = c.req("s", filter).await.events().into_iter().next()
            && check(&e)
        {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the relay signed no matching {kind} for room {d} within 10 s");
}

fn names(e: &Value, key: &Keys) -> bool {
    let hex = key.pubkey().to_hex();
    e["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t[0] == "p" && t[1] == hex)
}

fn has(e: &Value, tag: &str, value: &str) -> bool {
    e["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t[0] == tag && (value.is_empty() || t[1] == value))
}

async fn refused(c: &mut Raw, e: &Event, prefix: &str) -> String {
    let (ok, message) = c.publish(e).await;
    assert!(
        !ok && message.starts_with(prefix),
        "expected {prefix}, got {ok} {message}"
    );
    message
}

async fn a_room_is_created_joined_moderated_and_deleted(store: Store) {
    let f: Vec<Keys> = (0..3).map(|_| Keys::generate()).collect();
    let founders: Vec<&Keys> = f.iter().collect();
    let mut relay = gov::start(store, &config(&founders, &[], "invite", "")).await;
    let info = gov::info(&relay).await;
    assert!(
        info["supported_nips"]
            .as_array()
            .unwrap()
            .contains(&json!(29)),
        "{info}"
    );
    let pk = gov::relay_key(&relay).await;
    let (mut alice, mut bob) = (member(&relay, &f[0]).await, member(&relay, &f[1]).await);
    let creators = {
        let filter = json!([{"authors": [&pk], "kinds": [19004]}]);
        let mut found = None;
        for _ in 0..40 {
            found = alice
                .req("p", filter.clone())
                .await
                .events()
                .into_iter()
                .next();
            if found.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        found.expect("the relay lists who may create rooms")
    };
    assert!(
        f.iter().all(|k| names(&creators, k)),
        "every member may create rooms: {creators}"
    );

    alice.accept(&room_event(&f[0], 9007, "garden", &[])).await;
    refused(
        &mut alice,
        &room_event(&f[0], 9007, "garden", &[]),
        "duplicate: ",
    )
    .await;
    alice
        .accept(&room_event(
            &f[0],
            9002,
            "garden",
            &[&["name", "Garden"], &["about", "Seeds & <b>"], &["closed"]],
        ))
        .await;
    let meta = signed(&mut alice, &pk, 39000, "garden", |e| {
        has(e, "name", "Garden")
    })
    .await;
    assert!(
        has(&meta, "closed", "") && has(&meta, "about", "Seeds & <b>"),
        "{meta}"
    );
    let admins = signed(&mut alice, &pk, 39001, "garden", |_| true).await;
    assert!(names(&admins, &f[0]) && !names(&admins, &f[1]), "{admins}");
    let message = refused(
        &mut alice,
        &room_event(&f[0], 9021, "garden", &[]),
        "duplicate: ",
    )
    .await;
    assert!(
        message.contains("already"),
        "Flotilla reads 'already': {message}"
    );

    // A closed room: Bob asks, waits, is put in by the admin, then posts.
    let post = room_event(&f[1], 9, "garden", &[]);
    refused(&mut bob, &post, "restricted: ").await;
    let (ok, message) = bob.publish(&room_event(&f[1], 9021, "garden", &[])).await;
    assert!(ok && message.contains("waits"), "{message}");
    refused(
        &mut bob,
        &room_event(&f[1], 9000, "garden", &[&["p", &f[1].pubkey().to_hex()]]),
        "restricted: ",
    )
    .await;
    alice
        .accept(&room_event(
            &f[0],
            9000,
            "garden",
            &[&["p", &f[1].pubkey().to_hex()]],
        ))
        .await;
    signed(&mut alice, &pk, 39002, "garden", |e| names(e, &f[1])).await;
    bob.accept(&post).await;
    let mut carol = member(&relay, &f[2]).await;
    let seen = carol
        .req("r", json!([{"kinds": [9], "#h": ["garden"]}]))
        .await
        .events();
    assert_eq!(seen.len(), 1, "{seen:?}");

    // What nobody may do: post to a room that does not exist, sign room state, delete a change.
    refused(
        &mut alice,
        &room_event(&f[0], 9, "nowhere", &[]),
        "invalid: ",
    )
    .await;
    let forged = sign(
        &f[0],
        now(),
        39000,
        &[&["d", "garden"], &["name", "Mine"]],
        "",
    );
    refused(&mut alice, &forged, "restricted: ").await;
    let create = alice
        .req("c", json!([{"kinds": [9007], "#h": ["garden"]}]))
        .await
        .events();
    let create_id = create[0]["id"].as_str().unwrap().to_string();
    refused(
        &mut alice,
        &sign(&f[0], now(), 5, &[&["e", &create_id]], ""),
        "blocked: ",
    )
    .await;
    let outsider = Keys::generate();
    let mut stranger = member(&relay, &outsider).await;
    let (ok, _) = stranger
        .publish(&room_event(&outsider, 9021, "garden", &[]))
        .await;
    assert!(!ok, "a stranger cannot join a room");

    // The admin deletes Bob's post; Bob leaves and the relay says so.
    let post_id = post.id.to_hex();
    refused(
        &mut carol,
        &room_event(&f[2], 9005, "garden", &[&["e", &post_id]]),
        "restricted: ",
    )
    .await;
    alice
        .accept(&room_event(&f[0], 9005, "garden", &[&["e", &post_id]]))
        .await;
    assert!(
        carol
            .req("g", json!([{"ids": [&post_id]}]))
            .await
            .events()
            .is_empty()
    );
    bob.accept(&room_event(&f[1], 9022, "garden", &[])).await;
    let left = bob
        .req(
            "l",
            json!([{"authors": [&pk], "kinds": [9001], "#h": ["garden"]}]),
        )
        .await
        .events();
    assert!(left.iter().any(|e| names(e, &f[1])), "{left:?}");
    refused(
        &mut bob,
        &room_event(&f[1], 9, "garden", &[]),
        "restricted: ",
    )
    .await;

    // Another room survives a restart; the deleted one stays deleted.
    alice.accept(&room_event(&f[0], 9007, "kitchen", &[])).await;
    refused(
        &mut carol,
        &room_event(&f[2], 9008, "garden", &[]),
        "restricted: ",
    )
    .await;
    alice.accept(&room_event(&f[0], 9008, "garden", &[])).await;
    refused(
        &mut alice,
        &room_event(&f[0], 9, "garden", &[]),
        "invalid: ",
    )
    .await;
    drop((alice, bob, carol, stranger));
    relay.stop().await;
    relay.start_again().await;
    let mut carol = member(&relay, &f[2]).await;
    carol.accept(&room_event(&f[2], 9, "kitchen", &[])).await;
    refused(
        &mut carol,
        &room_event(&f[2], 9007, "garden", &[]),
        "duplicate: ",
    )
    .await;
}

async fn a_ban_from_the_community_is_a_ban_from_every_room(store: Store) {
    let f: Vec<Keys> = (0..4).map(|_| Keys::generate()).collect();
    let founders: Vec<&Keys> = f.iter().collect();
    let relay = gov::start(
        store,
        &config(
            &founders,
            &[&f[1]],
            "invite",
            "[policy.rooms]\ncreate = \"operators\"\n",
        ),
    )
    .await;
    let pk = gov::relay_key(&relay).await;
    let mut alice = member(&relay, &f[0]).await;
    let message = refused(
        &mut alice,
        &room_event(&f[0], 9007, "hall", &[]),
        "restricted: ",
    )
    .await;
    assert!(message.contains("operators"), "{message}");
    let mut operator = member(&relay, &f[1]).await;
    operator.accept(&room_event(&f[1], 9007, "hall", &[])).await;
    let mut dan = member(&relay, &f[3]).await;
    dan.accept(&room_event(&f[3], 9021, "hall", &[])).await;
    let joined = dan
        .req(
            "j",
            json!([{"authors": [&pk], "kinds": [9000], "#h": ["hall"]}]),
        )
        .await
        .events();
    assert!(
        joined.iter().any(|e| names(e, &f[3])),
        "an open room lets a member in: {joined:?}"
    );
    dan.accept(&room_event(&f[3], 9, "hall", &[])).await;

    let ban = Action::Ban {
        target: f[3].pubkey(),
        duration: 3600,
    };
    let p = proposal(&f[0], &ban, 3, &relay.url, "Ban Dan");
    alice.accept(&p).await;
    for k in &f[..3] {
        member(&relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    let d = decision_on(&mut alice, &pk, &p.id.to_hex()).await;
    assert_eq!(gov::tag(&d, "result"), Some("passed"), "{d}");
    signed(&mut alice, &pk, 39002, "hall", |e| {
        names(e, &f[1]) && !names(e, &f[3])
    })
    .await;
    let (ok, message) = dan.publish(&room_event(&f[3], 9, "hall", &[])).await;
    assert!(!ok, "a banned member cannot post in a room: {message}");
}

on_both_stores!(
    a_room_is_created_joined_moderated_and_deleted,
    a_ban_from_the_community_is_a_ban_from_every_room
);

/// A room created on one node is at once a room on the others: posts there are accepted, and
/// a member removed on one node can no longer post on another.
#[tokio::test]
async fn rooms_are_one_across_the_nodes_of_a_cluster() {
    let f: Vec<Keys> = (0..2).map(|_| Keys::generate()).collect();
    let founders: Vec<&Keys> = f.iter().collect();
    let c = crate::cluster::Cluster::start(2, &config(&founders, &[], "invite", "")).await;
    let mut on_a = member(&c.nodes[0], &f[0]).await;
    let mut on_b = member(&c.nodes[1], &f[1]).await;
    on_a.accept(&room_event(&f[0], 9007, "porch", &[])).await;
    on_b.accept(&room_event(&f[1], 9021, "porch", &[])).await;
    on_b.accept(&room_event(&f[1], 9, "porch", &[])).await;
    on_a.accept(&room_event(
        &f[0],
        9002,
        "porch",
        &[&["name", "Porch"], &["closed"]],
    ))
    .await;
    on_a.accept(&room_event(
        &f[0],
        9001,
        "porch",
        &[&["p", &f[1].pubkey().to_hex()]],
    ))
    .await;
    let mut refused_on_b = false;
    for _ in 0..20 {
        let (ok, _) = on_b.publish(&room_event(&f[1], 9, "porch", &[])).await;
        if !ok {
            refused_on_b = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        refused_on_b,
        "a removal on one node holds on the others within seconds"
    );
    let meta = signed(&mut on_b, &c.pubkey(), 39000, "porch", |e| {
        has(e, "name", "Porch")
    })
    .await;
    assert!(has(&meta, "closed", ""), "{meta}");
}
