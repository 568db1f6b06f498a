//! Slower, reciprocal, deliberate (issue 15): slow mode, deliberation before votes,
//! amendments and delegated votes, each changed by decision and re-derived by `verify`.
//! Private reactions and followers are tested with nostr-tools (`tests/node/norms.mjs`).

use std::time::Duration;

use governance::Action;
use nips::{Event, Keys};
use serde_json::json;

use crate::gov::{self, config, decision_on, member, set, tag, vote};
use crate::harness::{Store, TestRelay};
use crate::verify::run_verify;
use crate::{now, on_both_stores, sdk, sign};

fn keys(n: usize) -> Vec<Keys> {
    (0..n).map(|_| Keys::generate()).collect()
}

/// A proposal of `action` created now, voting `window` seconds after `deliberation`, with
/// `extra` tags.
fn propose(
    k: &Keys,
    action: &Action,
    deliberation: u64,
    window: u64,
    relay: &TestRelay,
    extra: Vec<Vec<String>>,
) -> Event {
    let at = now();
    let mut tags =
        governance::proposal::proposal_tags(action, false, at + deliberation + window, &relay.url);
    tags.extend(extra);
    k.sign(at, 1068, tags, "a proposal".into())
}

async fn slow_mode_is_decided_by_members_and_says_when(store: Store) {
    let f = keys(2);
    let relay = gov::start(store, &config(&[&f[0], &f[1]], &[], "open", "")).await;
    let slow = set("rate.min_interval.notes.members", "60");
    let d = gov::decide(&relay, &f, &slow, 30, "Slow mode: one note a minute").await;
    assert_eq!(tag(&d, "result"), Some("passed"));
    // A stock client: the first note goes, the second is told when it may.
    let sdk_keys = nostr_sdk::Keys::parse(&f[1].secret_hex()).unwrap();
    let client = sdk::client(&sdk_keys, &relay.url).await;
    let note = |text: &str| {
        nostr_sdk::EventBuilder::text_note(text)
            .sign_with_keys(&sdk_keys)
            .unwrap()
    };
    let first = note("a thought");
    sdk::publish(&client, &first).await;
    let refused = sdk::refused(&client, &note("another thought at once")).await;
    assert!(
        refused.starts_with("rate-limited: slow mode: next note in ")
            && (refused.ends_with("60s") || refused.ends_with("59s")),
        "{refused}"
    );
    // Replies keep their own pace (off here), and non-members are not slowed (others = 0).
    let reply = nostr_sdk::EventBuilder::text_note("a reply")
        .tag(nostr_sdk::Tag::event(first.id))
        .sign_with_keys(&sdk_keys)
        .unwrap();
    sdk::publish(&client, &reply).await;
    let stranger = nostr_sdk::Keys::generate();
    let theirs = sdk::client(&stranger, &relay.url).await;
    for text in ["one", "two"] {
        let e = nostr_sdk::EventBuilder::text_note(text)
            .sign_with_keys(&stranger)
            .unwrap();
        sdk::publish(&theirs, &e).await;
    }
    let info = gov::info(&relay).await;
    assert_eq!(
        info["governance"]["limits"]["min_interval"]["notes"]["members"],
        60
    );
}

async fn votes_wait_for_deliberation(store: Store) {
    let f = keys(2);
    let extra = "[policy.classes.ordinary]\ndeliberation = 3\ngrace = 0\n";
    let relay = gov::start(store, &config(&[&f[0], &f[1]], &[], "open", extra)).await;
    let pk = gov::relay_key(&relay).await;
    let info = gov::info(&relay).await;
    assert_eq!(info["governance"]["classes"]["ordinary"]["deliberation"], 3);
    assert_eq!(
        info["governance"]["classes"]["constitutional"]["deliberation"], 0,
        "the test config sets no deliberation elsewhere"
    );
    let mut c = member(&relay, &f[0]).await;
    let action = set("limitation.max_content_length", "1100");
    let too_short = propose(&f[0], &action, 2, 0, &relay, vec![]);
    let (ok, text) = c.publish(&too_short).await;
    assert!(!ok && text.contains("deliberates for 3s"), "{text}");
    let p = propose(&f[0], &action, 3, 30, &relay, vec![]);
    c.accept(&p).await;
    // Too early: the refusal says when voting opens.
    let (ok, text) = c.publish(&vote(&f[0], &p, "yes")).await;
    assert!(
        !ok && text.starts_with("invalid: voting opens in "),
        "{text}"
    );
    // Discussion is what the time is for.
    let pid = p.id.to_hex();
    let comment = sign(
        &f[1],
        now(),
        1111,
        &[&["E", &pid], &["K", "1068"], &["e", &pid], &["k", "1068"]],
        "What about long-form posts?",
    );
    member(&relay, &f[1]).await.accept(&comment).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    for k in &f {
        member(&relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    let d = decision_on(&mut c, &pk, &pid).await;
    assert_eq!(tag(&d, "result"), Some("passed"));
    assert_eq!(
        gov::policy(&mut c, &pk).await["limitation"]["max_content_length"],
        1100
    );
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "{text}");
}

/// The decision on `proposal` itself (not one that names it, as an amendment's does).
async fn decided(c: &mut crate::raw::Raw, pk: &str, proposal: &str) -> serde_json::Value {
    for _ in 0..60 {
        let found = c
            .req(
                "own",
                json!([{"authors": [pk], "kinds": [8002], "#e": [proposal]}]),
            )
            .await
            .events();
        if let Some(d) = found.into_iter().find(|d| tag(d, "e") == Some(proposal)) {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("no decision on {proposal} within 30 s");
}

async fn an_amendment_replaces_what_the_original_proposes(store: Store) {
    let f = keys(2);
    let relay = gov::start(store, &config(&[&f[0], &f[1]], &[], "open", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    let original = propose(
        &f[0],
        &set("limitation.max_content_length", "1020"),
        0,
        60,
        &relay,
        vec![],
    );
    c.accept(&original).await;
    let amends = vec![
        "e".to_string(),
        original.id.to_hex(),
        String::new(),
        "amends".to_string(),
    ];
    let change = set("limitation.max_content_length", "1050");
    let late = propose(&f[1], &change, 0, 120, &relay, vec![amends.clone()]);
    let (ok, text) = member(&relay, &f[1]).await.publish(&late).await;
    assert!(!ok && text.contains("no later than"), "{text}");
    let other_kind = propose(
        &f[1],
        &Action::Unban(f[0].pubkey()),
        0,
        30,
        &relay,
        vec![amends.clone()],
    );
    let (ok, text) = member(&relay, &f[1]).await.publish(&other_kind).await;
    assert!(!ok && text.starts_with("invalid:"), "{text}");
    let other_setting = propose(
        &f[1],
        &set("limitation.max_event_tags", "50"),
        0,
        30,
        &relay,
        vec![amends.clone()],
    );
    let (ok, text) = member(&relay, &f[1]).await.publish(&other_setting).await;
    assert!(
        !ok && text.contains("changes only the values"),
        "an amendment cannot retarget: {text}"
    );
    let amendment = propose(&f[1], &change, 0, 30, &relay, vec![amends]);
    member(&relay, &f[1]).await.accept(&amendment).await;
    // Everyone votes for the original: it waits for its amendment.
    for k in &f {
        member(&relay, k)
            .await
            .accept(&vote(k, &original, "yes"))
            .await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let early = c
        .req(
            "d",
            json!([{"authors": [pk], "kinds": [8002], "#e": [original.id.to_hex()]}]),
        )
        .await
        .events();
    assert!(early.is_empty(), "the original closed while amended");
    for k in &f {
        member(&relay, k)
            .await
            .accept(&vote(k, &amendment, "yes"))
            .await;
    }
    let on_amendment = decision_on(&mut c, &pk, &amendment.id.to_hex()).await;
    assert_eq!(tag(&on_amendment, "result"), Some("passed"));
    // The votes cast on the original before its amendment passed no longer count: it stays
    // open for a new vote, and a vote dated before the amendment is refused.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let waiting = c
        .req(
            "d2",
            json!([{"authors": [pk], "kinds": [8002], "#e": [original.id.to_hex()]}]),
        )
        .await
        .events();
    let decided_original = waiting
        .iter()
        .any(|d| tag(d, "e") == Some(original.id.to_hex().as_str()));
    assert!(
        !decided_original,
        "the original waits for a new vote: {waiting:?}"
    );
    let stale = f[0].sign(
        on_amendment["created_at"].as_u64().unwrap() - 1,
        1018,
        vec![
            vec!["e".into(), original.id.to_hex()],
            vec!["response".into(), "yes".into()],
        ],
        String::new(),
    );
    let (ok, text) = member(&relay, &f[0]).await.publish(&stale).await;
    assert!(!ok && text.contains("vote again"), "{text}");
    for k in &f {
        member(&relay, k)
            .await
            .accept(&vote(k, &original, "yes"))
            .await;
    }
    let names_original = on_amendment["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t[0] == "e" && t[1] == original.id.to_hex().as_str() && t[3] == "amends");
    assert!(names_original, "{on_amendment}");
    // Then the original closes, with the amended change.
    let on_original = decided(&mut c, &pk, &original.id.to_hex()).await;
    assert_eq!(tag(&on_original, "result"), Some("passed"));
    let change_tag = on_original["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t[0] == "change")
        .cloned()
        .unwrap();
    assert_eq!(
        change_tag,
        json!(["change", "limitation.max_content_length", "1050"])
    );
    assert_eq!(
        gov::policy(&mut c, &pk).await["limitation"]["max_content_length"],
        1050
    );
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "{text}");
}

/// A delegation event: `d` a class or `all`, to `to` (`None` revokes).
fn delegation(k: &Keys, d: &str, to: Option<&Keys>) -> Event {
    let mut tags = vec![vec!["d".to_string(), d.to_string()]];
    if let Some(to) = to {
        tags.push(vec!["p".to_string(), to.pubkey().to_hex()]);
    }
    k.sign(now(), nips::cg::KIND_DELEGATION, tags, String::new())
}

async fn a_delegated_vote_decides_and_verifies(store: Store) {
    let f = keys(3);
    let relay = gov::start(store, &config(&[&f[0], &f[1], &f[2]], &[], "open", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    // Refusals: to oneself, and from someone who is not a member.
    let (ok, text) = c.publish(&delegation(&f[0], "ordinary", Some(&f[0]))).await;
    assert!(!ok && text.starts_with("invalid:"), "{text}");
    let stranger = Keys::generate();
    let (ok, text) = member(&relay, &stranger)
        .await
        .publish(&delegation(&stranger, "all", Some(&f[0])))
        .await;
    assert!(!ok && text.starts_with("restricted:"), "{text}");
    // Dated before the community's latest change: the decisions it could count would be
    // unclear, so it is signed again.
    let stale = f[2].sign(
        now() - 3_600,
        nips::cg::KIND_DELEGATION,
        vec![
            vec!["d".into(), "all".into()],
            vec!["p".into(), f[0].pubkey().to_hex()],
        ],
        String::new(),
    );
    let (ok, text) = member(&relay, &f[2]).await.publish(&stale).await;
    assert!(!ok && text.contains("sign it again"), "{text}");
    // The third founder lends their vote to the second for every class, and to the first for
    // ordinary decisions, which wins here.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut third = member(&relay, &f[2]).await;
    third.accept(&delegation(&f[2], "all", Some(&f[1]))).await;
    let lent = delegation(&f[2], "ordinary", Some(&f[0]));
    third.accept(&lent).await;
    let p = gov::proposal(
        &f[0],
        &set("limitation.max_content_length", "1300"),
        3,
        &relay.url,
        "Longer notes",
    );
    c.accept(&p).await;
    c.accept(&vote(&f[0], &p, "yes")).await;
    member(&relay, &f[1])
        .await
        .accept(&vote(&f[1], &p, "no"))
        .await;
    // Without the delegation this is one against one, which fails; with it, two to one.
    let d = decision_on(&mut c, &pk, &p.id.to_hex()).await;
    assert_eq!(tag(&d, "result"), Some("passed"), "{d}");
    let delegated = d["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t[0] == "delegated")
        .cloned()
        .unwrap();
    assert_eq!(delegated[1], "1");
    assert!(
        d["content"]
            .as_str()
            .unwrap()
            .contains("1 through delegations")
    );
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "{text}");
    // A deletion request cannot take a counted delegation out of the record.
    let coordinate = format!(
        "{}:{}:ordinary",
        nips::cg::KIND_DELEGATION,
        f[2].pubkey().to_hex()
    );
    for target in [["e", &lent.id.to_hex()], ["a", &coordinate]] {
        let deletion = sign(&f[2], now(), 5, &[&target[..]], "");
        let (ok, text) = third.publish(&deletion).await;
        assert!(!ok && text.starts_with("blocked:"), "{text}");
    }
    // Taking the vote back later is not a divergence: verify says what it could not re-derive.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (ok, text) = third.publish(&delegation(&f[2], "ordinary", None)).await;
    assert!(ok, "{text}");
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "{text}");
    assert!(
        text.contains("delegated votes were not re-derived"),
        "{text}"
    );
}

/// A delegation the record no longer holds, though nobody replaced it, is a divergence: the
/// delegated tally is re-derived from the public events.
async fn verify_re_derives_delegated_votes(store: Store) {
    let f = keys(3);
    let relay = gov::start(store, &config(&[&f[0], &f[1], &f[2]], &[], "open", "")).await;
    let pk = gov::relay_key(&relay).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let lent = delegation(&f[2], "all", Some(&f[0]));
    member(&relay, &f[2]).await.accept(&lent).await;
    let mut c = member(&relay, &f[0]).await;
    let p = gov::proposal(
        &f[0],
        &set("reports.threshold", "5"),
        2,
        &relay.url,
        "Fewer reports",
    );
    c.accept(&p).await;
    c.accept(&vote(&f[0], &p, "yes")).await;
    let d = decision_on(&mut c, &pk, &p.id.to_hex()).await;
    assert_eq!(tag(&d, "result"), Some("passed"), "{d}");
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "{text}");
    crate::verify::tamper(
        &relay,
        "DELETE FROM events WHERE id = $1",
        &lent.id.to_hex(),
    )
    .await;
    let (ok, text) = run_verify(&relay).await;
    assert!(!ok, "a missing delegation went unnoticed:\n{text}");
    assert!(text.contains("delegated votes"), "{text}");
}

/// A sync (NIP-77) is one filter: private reactions are left out of the set, so a stranger's
/// nostr-sdk client downloads none, where a public relay gives it the reaction.
async fn a_sync_leaves_private_reactions_out(store: Store) {
    for (mode, expected) in [("private", 0), ("public", 1)] {
        let relay = TestRelay::builder(store)
            .env("COMMUNITARIUM_POLICY__VISIBILITY__REACTIONS", mode)
            .start()
            .await;
        let (alice, bob) = (Keys::generate(), Keys::generate());
        let note = sign(&alice, now(), 1, &[], "a note");
        let (e, p) = (note.id.to_hex(), alice.pubkey().to_hex());
        let like = sign(&bob, now(), 7, &[&["e", &e], &["p", &p]], "+");
        let mut c = crate::raw::Raw::connect(&relay.url).await;
        c.accept(&note).await;
        c.accept(&like).await;
        let client = nostr_sdk::Client::builder()
            .signer(nostr_sdk::Keys::generate())
            .build();
        client.add_relay(&relay.url).await.unwrap();
        client.connect().await;
        let filter = nostr_sdk::Filter::new().kind(nostr_sdk::Kind::Reaction);
        let done = client
            .sync(filter, &nostr_sdk::SyncOptions::default())
            .await
            .unwrap()
            .val;
        assert_eq!(done.received.len(), expected, "{mode}: {done:?}");
    }
}

/// Making followers private by decision closes the live "who follows X" subscriptions others
/// held, and the relay refuses new ones.
async fn followers_made_private_close_what_others_watched(store: Store) {
    let f = keys(2);
    let relay = gov::start(store, &config(&[&f[0], &f[1]], &[], "open", "")).await;
    let mut watcher = crate::raw::Raw::connect(&relay.url).await;
    let who = json!([{"kinds": [3], "#p": [f[0].pubkey().to_hex()]}]);
    assert!(matches!(
        watcher.req("w", who.clone()).await,
        crate::raw::ReqEnd::Eose(_)
    ));
    let private = set("visibility.followers", "private");
    let d = gov::decide(
        &relay,
        &f,
        &private,
        30,
        "Keep who follows whom to ourselves",
    )
    .await;
    assert_eq!(tag(&d, "result"), Some("passed"));
    let closed = watcher
        .recv_until(|m| (m[0] == "CLOSED").then(|| m.clone()))
        .await;
    assert_eq!(closed[1], "w");
    assert!(
        closed[2].as_str().unwrap().starts_with("restricted:"),
        "{closed}"
    );
    let again = watcher.req("w2", who).await.closed();
    assert!(again.starts_with("auth-required:"), "{again}");
    assert_eq!(
        gov::info(&relay).await["governance"]["visibility"]["followers"],
        "private"
    );
}

on_both_stores!(
    slow_mode_is_decided_by_members_and_says_when,
    votes_wait_for_deliberation,
    an_amendment_replaces_what_the_original_proposes,
    a_delegated_vote_decides_and_verifies,
    verify_re_derives_delegated_votes,
    a_sync_leaves_private_reactions_out,
    followers_made_private_close_what_others_watched,
);
