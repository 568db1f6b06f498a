//! Electorates (NIP-CG "Electorate"): everyone admitted before a proposal is accepted may vote
//! on it, the same second included, and no proposal is accepted that nobody could vote on.

use serde_json::{Value, json};

use crate::gov::{self, config, decision_on, member, proposal_at, set, vote};
use crate::harness::Store;
use crate::verify::run_verify;
use crate::{now, on_both_stores, sign};

/// The relay's first event of `kind` (by `created_at`), from its public record.
async fn first_of(c: &mut crate::raw::Raw, relay_pk: &str, kind: u16) -> Value {
    let mut found = c
        .req("first", json!([{"authors": [relay_pk], "kinds": [kind]}]))
        .await
        .events();
    found.sort_by_key(|e| e["created_at"].as_u64());
    found.into_iter().next().expect("an event of that kind")
}

async fn a_proposal_in_the_genesis_second_is_decided(store: Store) {
    let f: Vec<::nips::Keys> = (0..3).map(|_| ::nips::Keys::generate()).collect();
    let refs: Vec<&::nips::Keys> = f.iter().collect();
    let relay = gov::start(store, &config(&refs, &[], "invite", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    let genesis_at = first_of(&mut c, &pk, 8002).await["created_at"]
        .as_u64()
        .unwrap();
    // Dated in the very second of the genesis, as a community started and used at once is.
    let p = proposal_at(
        &f[0],
        &set("reports.threshold", "5"),
        genesis_at,
        60,
        &relay.url,
        "",
    );
    c.accept(&p).await;
    for k in &f {
        let (ok, message) = member(&relay, k).await.publish(&vote(k, &p, "yes")).await;
        assert!(ok, "a founder may vote on it: {message}");
    }
    let decision = decision_on(&mut c, &pk, &p.id.to_hex()).await;
    assert_eq!(gov::tag(&decision, "result"), Some("passed"));
    assert_eq!(gov::tag(&decision, "electorate"), Some("3"));
    let (ok, out) = run_verify(&relay).await;
    assert!(ok, "verify agrees with the relay: {out}");
}

async fn a_member_admitted_in_the_proposals_second_votes(store: Store) {
    let f: Vec<::nips::Keys> = (0..2).map(|_| ::nips::Keys::generate()).collect();
    let newcomer = ::nips::Keys::generate();
    let refs: Vec<&::nips::Keys> = f.iter().collect();
    let relay = gov::start(store, &config(&refs, &[], "invite", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    let invite = c.req("inv", json!([{"kinds": [28935]}])).await.events();
    let code = gov::tag(&invite[0], "claim").unwrap().to_string();
    let mut n = member(&relay, &newcomer).await;
    n.accept(&sign(
        &newcomer,
        now(),
        28934,
        &[&["-"], &["claim", &code]],
        "",
    ))
    .await;
    let joined = c
        .req(
            "j",
            json!([{"authors": [pk], "kinds": [8000], "#p": [newcomer.pubkey().to_hex()]}]),
        )
        .await
        .events();
    let joined_at = joined[0]["created_at"].as_u64().unwrap();
    let p = proposal_at(
        &f[0],
        &set("reports.threshold", "6"),
        joined_at,
        60,
        &relay.url,
        "",
    );
    c.accept(&p).await;
    let (ok, message) = n.publish(&vote(&newcomer, &p, "yes")).await;
    assert!(ok, "admitted before the proposal was accepted: {message}");
    // Dated before the newcomer joined, a proposal would leave them out: it is refused.
    let stale = proposal_at(
        &f[1],
        &set("reports.threshold", "7"),
        joined_at - 1,
        60,
        &relay.url,
        "",
    );
    let (ok, message) = member(&relay, &f[1]).await.publish(&stale).await;
    assert!(!ok && message.starts_with("invalid:"), "{message}");
}

async fn nobody_to_vote_means_no_proposal(store: Store) {
    let founder = ::nips::Keys::generate();
    let relay = gov::start(store, &config(&[&founder], &[], "vouch", "")).await;
    // The only member leaves: nobody is left to vote.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let mut f = member(&relay, &founder).await;
    f.accept(&sign(&founder, now(), 28936, &[&["-"]], "")).await;
    let candidate = ::nips::Keys::generate();
    let mut c = member(&relay, &candidate).await;
    let (ok, message) = c
        .publish(&sign(&candidate, now(), 28934, &[&["-"]], "let me in"))
        .await;
    assert!(
        !ok && message.starts_with("restricted:"),
        "no admission vote opens when nobody could cast it: {message}"
    );
    let pk = gov::relay_key(&relay).await;
    let polls = c
        .req("p", json!([{"authors": [pk], "kinds": [1068]}]))
        .await
        .events();
    assert!(polls.is_empty(), "no proposal was stored");
}

on_both_stores!(
    a_proposal_in_the_genesis_second_is_decided,
    a_member_admitted_in_the_proposals_second_votes,
    nobody_to_vote_means_no_proposal,
);
