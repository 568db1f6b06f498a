//! Defaults that never break a client: a relay started with no configuration takes what an
//! ordinary client does at sign-up and in use, from members and non-members alike.

use std::time::Duration;

use nostr_sdk::prelude::*;

use crate::harness::{Store, TestRelay};
use crate::{on_both_stores, sdk};

fn event(keys: &Keys, kind: u16, tags: Vec<Tag>, content: &str, ago: u64) -> Event {
    EventBuilder::new(Kind::from(kind), content)
        .tags(tags)
        .custom_created_at(Timestamp::from(Timestamp::now().as_secs() - ago))
        .sign_with_keys(keys)
        .unwrap()
}

/// What a full-featured client publishes when someone signs up: profile, follows, relay list,
/// DM relays, mutes, bookmarks, interests, media servers, then a first note.
fn sign_up(keys: &Keys) -> Vec<Event> {
    let mut out: Vec<Event> = [0, 3, 10002, 10050, 10000, 10003, 10015, 10063]
        .into_iter()
        .map(|kind| event(keys, kind, vec![], "", 0))
        .collect();
    out.push(event(keys, 1, vec![], "hello, community", 0));
    out
}

/// A conformance tool's set-up: older and newer versions of replaceable and addressable events.
fn conformance_set_up(keys: &Keys) -> Vec<Event> {
    let d = |v: &str| Tag::identifier(v);
    vec![
        event(keys, 0, vec![], "older", 3600),
        event(keys, 0, vec![], "newer", 0),
        event(keys, 3, vec![], "", 600),
        event(keys, 3, vec![], "", 4200),
        event(keys, 30383, vec![d("a")], "", 600),
        event(keys, 30383, vec![d("b")], "", 600),
        event(keys, 30000, vec![d("1")], "", 7200),
        event(keys, 30000, vec![d("1")], "", 3600),
        event(keys, 10003, vec![], "", 4800),
        event(keys, 10003, vec![], "", 3600),
    ]
}

/// A reading session: notes, replies and reactions to what others wrote, a repost, and
/// follow-list edits.
fn session(keys: &Keys, others: &[EventId]) -> Vec<Event> {
    let mut out = vec![event(keys, 1, vec![], "what I think today", 0)];
    for id in others.iter().take(12) {
        out.push(event(keys, 7, vec![Tag::event(*id)], "+", 0));
    }
    for id in others.iter().take(4) {
        out.push(event(keys, 1, vec![Tag::event(*id)], "I agree", 0));
    }
    out.push(event(keys, 6, vec![Tag::event(others[0])], "", 0));
    for _ in 0..4 {
        out.push(event(keys, 3, vec![], "", 0));
    }
    out.push(event(keys, 10000, vec![], "", 0));
    out
}

async fn an_ordinary_client_is_never_refused(store: Store, member: bool) {
    let me = Keys::generate();
    let mut relay = TestRelay::builder(store);
    if member {
        relay = relay.args(["--founder", &me.public_key().to_hex()]);
    }
    let relay = relay.start().await;
    let client = sdk::client(&me, &relay.url).await;
    // A client opens its feeds at once.
    let feeds: Vec<Filter> = (0..20)
        .map(|i| Filter::new().kind(Kind::from(i as u16)).limit(50))
        .collect();
    let opened = futures_util::future::join_all(
        feeds
            .into_iter()
            .map(|f| client.fetch_events(f, Duration::from_secs(10))),
    )
    .await;
    assert!(opened.iter().all(Result::is_ok), "every feed opened");
    let others: Vec<EventId> = (0..12).map(|i| EventId::from_byte_array([i; 32])).collect();
    let mut all = sign_up(&me);
    all.extend(conformance_set_up(&me));
    for _ in 0..3 {
        all.extend(session(&me, &others));
    }
    for e in &all {
        let out = client.send_event(e).await.expect("send");
        let refused: Vec<&String> = out
            .failed
            .values()
            .filter(|m| !m.starts_with("duplicate:"))
            .collect();
        assert!(
            refused.is_empty(),
            "kind {} refused (member: {member}): {refused:?}",
            e.kind
        );
    }
}

async fn a_non_member_is_never_refused(store: Store) {
    an_ordinary_client_is_never_refused(store, false).await;
}

async fn a_member_is_never_refused(store: Store) {
    an_ordinary_client_is_never_refused(store, true).await;
}

on_both_stores!(a_non_member_is_never_refused, a_member_is_never_refused);
