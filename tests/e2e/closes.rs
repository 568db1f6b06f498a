//! Proposals that end in the same second are closed together: their decisions are committed
//! in one transaction (issue 14), still chained, applied and verifiable one by one.

use governance::Action;

use crate::gov::{self, config, decision_on, member, proposal_at, set, vote};
use crate::harness::Store;
use crate::verify::run_verify;
use crate::{now, on_both_stores};

async fn proposals_ending_together_are_each_decided_applied_and_verifiable(store: Store) {
    let f: Vec<nips::Keys> = (0..3).map(|_| nips::Keys::generate()).collect();
    let refs: Vec<&nips::Keys> = f.iter().collect();
    let relay = gov::start(store, &config(&refs, &[], "invite", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    let at = now();
    let actions: Vec<(Action, &str)> = vec![
        (set("reports.threshold", "7"), "yes"),
        (set("limitation.max_content_length", "4000"), "yes"),
        (set("proposals.max_open_per_member", "5"), "no"),
        (set("limitation.max_event_tags", "900"), "yes"),
    ];
    let mut proposals = Vec::new();
    for (i, (action, _)) in actions.iter().enumerate() {
        let p = proposal_at(&f[i % 3], action, at, 3, &relay.url, "");
        member(&relay, &f[i % 3]).await.accept(&p).await;
        proposals.push(p);
    }
    // Two of the three vote: none settles early, all close at their common end.
    for k in &f[..2] {
        let mut voter = member(&relay, k).await;
        for (p, (_, choice)) in proposals.iter().zip(&actions) {
            voter.accept(&vote(k, p, choice)).await;
        }
    }
    let mut decided = Vec::new();
    for (p, (_, choice)) in proposals.iter().zip(&actions) {
        let d = decision_on(&mut c, &pk, &p.id.to_hex()).await;
        let expected = if *choice == "yes" { "passed" } else { "failed" };
        assert_eq!(gov::tag(&d, "result"), Some(expected), "{d}");
        decided.push(d);
    }
    let closed: Vec<u64> = decided
        .iter()
        .map(|d| d["created_at"].as_u64().unwrap())
        .collect();
    assert!(
        closed.iter().all(|t| *t == closed[0] && *t >= at + 3),
        "closed together at their end: {closed:?}"
    );
    // One chain: every decision but the first names another of them as the one before it.
    let ids: Vec<&str> = decided.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let linked = decided
        .iter()
        .filter(|d| gov::tag(d, "prev").is_some_and(|p| ids.contains(&p)))
        .count();
    assert_eq!(linked, decided.len() - 1, "the decisions are chained");
    let policy = gov::policy(&mut c, &pk).await;
    assert_eq!(policy["reports"]["threshold"], 7);
    assert_eq!(policy["limitation"]["max_content_length"], 4000);
    assert_eq!(policy["limitation"]["max_event_tags"], 900);
    assert_eq!(
        policy["proposals"]["max_open_per_member"], 3,
        "the rejected one"
    );
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "{text}");
}

on_both_stores!(proposals_ending_together_are_each_decided_applied_and_verifiable);
